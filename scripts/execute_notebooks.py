"""Execute chapters top to bottom and save them with their outputs: the one way outputs are made.

    python scripts/execute_notebooks.py                 # every notebook listed in _toc.yml
    python scripts/execute_notebooks.py book/01_*.ipynb # just these

Each notebook runs in a fresh ``python3`` kernel with ``book/`` as working directory (as Jupyter,
Colab and pytest --nbval run it). The script refuses to save a notebook that raised, wrote to stderr,
does not start with the book's setup cell, or took longer than the per-notebook budget, and prints
each notebook's wall time.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = 40.0

#: The first cell of every chapter (tag ``remove-cell``: hidden in the HTML book). Only the
#: arguments of ``setup_notebook`` may differ between chapters.
SETUP_CELL = """\
# Setup (hidden in the book): makes this notebook run on its own, e.g. in Google Colab, and reproducibly.
import sys
if "google.colab" in sys.modules:  # Colab has TensorFlow, NumPy, SciPy, matplotlib, ipywidgets: add `lib`
    !pip install -q "git+https://github.com/optdl-book/optimization-for-deep-learning"
from lib.notebook import setup_notebook
setup_notebook({args})"""

_SETUP_RE = re.compile(re.escape(SETUP_CELL).replace(re.escape("{args}"), r"[^\n]*") + r"\Z")


def toc_notebooks() -> list[Path]:
    """The notebooks the book's table of contents lists, in order."""
    files = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())
    return [ROOT / f"{name}.ipynb" for name in files if (ROOT / f"{name}.ipynb").exists()]


def check_setup_cell(nb: nbformat.NotebookNode, path: Path) -> None:
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "code" or not _SETUP_RE.match(first.source.strip()):
        raise SystemExit(f"{path}: the first cell must be the setup cell of scripts/execute_notebooks.py")
    if "remove-cell" not in first.metadata.get("tags", []):
        raise SystemExit(f"{path}: the setup cell must carry the tag 'remove-cell'")


def execute(path: Path, *, budget: float) -> float:
    nb = nbformat.read(path, as_version=4)
    check_setup_cell(nb, path)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    problems = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                problems.append(f"cell {index} wrote to stderr: {out.get('text', '')[:300]!r}")
    if elapsed > budget:
        problems.append(f"took {elapsed:.1f} s, over the {budget:.0f} s budget")
    if problems:
        raise SystemExit(f"{path}: not saved:\n  " + "\n  ".join(problems))
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--budget", type=float, default=BUDGET_SECONDS, help="seconds per notebook")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or toc_notebooks()
    total = 0.0
    for path in paths:
        elapsed = execute(path, budget=args.budget)
        total += elapsed
        print(f"{elapsed:6.1f} s  {os.path.relpath(path, ROOT)}", flush=True)
    print(f"{total:6.1f} s  total ({len(paths)} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
