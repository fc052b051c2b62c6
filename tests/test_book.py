"""The book as a whole: every chapter is listed, starts with the setup cell, is committed as one clean
top-to-bottom run, and the committed book builds with zero Sphinx warnings (``-W -n``)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from execute_notebooks import check_setup_cell  # noqa: E402

TOC_FILES = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def test_every_notebook_is_in_the_table_of_contents():
    listed = {ROOT / f"{name}.ipynb" for name in TOC_FILES}
    assert [p.name for p in NOTEBOOKS if p not in listed] == []


def test_every_toc_entry_exists():
    missing = [n for n in TOC_FILES if not any((ROOT / f"{n}{ext}").exists() for ext in (".ipynb", ".md"))]
    assert missing == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_as_one_clean_run(path):
    nb = nbformat.read(path, as_version=4)
    check_setup_cell(nb, path)  # raises SystemExit with a message if not
    assert nb.metadata["kernelspec"]["name"] == "python3"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "re-run it with scripts/execute_notebooks.py"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"an error is committed in {path.name}"
            assert out.get("name") != "stderr", f"stderr output is committed in {path.name}"


def test_wheel_ships_the_package_data(tmp_path):
    """`pip install .` must give `lib` with its data files (what Colab installs)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data_dir = ROOT / "lib" / "data"
    shipped = {f"lib/data/{p.name}" for p in data_dir.glob("*") if p.suffix in {".csv", ".md"}}
    shipped |= {f"lib/{p.name}" for p in (ROOT / "lib").glob("*.py")}
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    assert "lib/__init__.py" in names


def test_book_builds_without_warnings(tmp_path):
    """Build the committed notebooks (no execution) with -W -n: any Sphinx warning fails the test."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    config_path = tmp_path / "_config.yml"
    config_path.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "--config", str(config_path),
         "--path-output", str(tmp_path / "out"), "-W", "-n", "--keep-going"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (tmp_path / "out" / "_build" / "html" / "index.html").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_interactive_figures_use_the_books_explorer(path):
    """ipywidgets.interact/interactive draw into an Output widget while the notebook is executed, which
    makes nbclient (execute script, book build) hang now and then; lib.plotting.explorer does not."""
    nb = nbformat.read(path, as_version=4)
    offending = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                 and re.search(r"\binteract(ive)?(_output)?\(|@(widgets\.)?interact", c.source)]
    assert offending == [], f"cells {offending} of {path.name}: use lib.plotting.explorer instead of interact"
