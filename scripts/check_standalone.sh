#!/usr/bin/env bash
# What Colab sees: each notebook copied ALONE into an empty folder, run top to bottom by a kernel
# whose only way to get `lib` is a regular (non-editable) `pip install .` of this repository.
#
#   bash scripts/check_standalone.sh [book/NN_name.ipynb ...]     (default: every chapter)
#
# It builds a throw-away virtual environment in $TMPDIR (the pinned requirements, then `pip install .`),
# so the repository's working tree is NOT on the kernel's path.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$repo/requirements.txt"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$repo"
notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=("$repo"/book/*.ipynb)
status=0
for nb in "${notebooks[@]}"; do
  dir="$work/run-$(basename "$nb" .ipynb)"
  mkdir "$dir"
  cp "$nb" "$dir/"
  if (cd "$dir" && "$work/venv/bin/python" - "$(basename "$nb")" <<'PY'
import sys, time, nbformat
from nbclient import NotebookClient
import lib
assert "site-packages" in lib.__file__, f"lib imported from {lib.__file__}, not from the installed package"
nb = nbformat.read(sys.argv[1], as_version=4)
start = time.perf_counter()
NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": "."}}).execute()
print(f"ok   {time.perf_counter() - start:5.1f} s  {sys.argv[1]}")
PY
  ); then :; else echo "FAIL $(basename "$nb")"; status=1; fi
done
exit $status
