"""The book as a whole: every chapter is listed, starts with the setup cell, is committed as one clean
top-to-bottom run, and the committed book builds with zero Sphinx warnings (``-W -n``), loads nothing
from outside the build, and works offline in a real browser (headless Chromium: every page opened,
every formula typeset, every explorable figure's sliders moved)."""

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
from book_config import write_config  # noqa: E402
from browser_check import check_book, check_redirect, find_chromium, pages_of, problems, redirect_target  # noqa: E402
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


@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    """The book built once from the committed notebooks (no execution) with -W -n; shared by the tests below."""
    directory = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "--config", str(write_config(directory / "_config.yml")),
         "--path-output", str(directory / "out"), "-W", "-n", "--keep-going"],
        capture_output=True, text=True,
    )
    return result, directory / "out" / "_build" / "html"


def test_book_builds_without_warnings(built_book):
    """Build the committed notebooks (no execution) with -W -n: any Sphinx warning fails the test."""
    result, html = built_book
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (html / "index.html").exists()


def test_built_pages_load_nothing_from_outside(built_book):
    """No page refers to a script, style sheet, font or image outside the build (links are fine)."""
    _, html = built_book
    outside = re.compile(r"<(?:script|img|iframe)[^>]*\bsrc=[\"']((?:https?:)?//[^\"']+)|"
                         r"<link[^>]*\brel=[\"']?(?:stylesheet|preload|modulepreload)[^>]*\bhref=[\"']((?:https?:)?//[^\"']+)")
    found = {page.name: sorted({a or b for a, b in outside.findall(page.read_text())}) for page in pages_of(html)}
    assert {name: urls for name, urls in found.items() if urls} == {}
    assert (html / "_static" / "mathjax" / "tex-mml-chtml.js").exists() and (html / "_static" / "plotly.min.js").exists()


def test_every_page_works_offline_in_a_browser(built_book):
    """Headless Chromium opens every page with the network off (scripts/browser_check.py): no request
    leaves the build, no console error, every formula typeset, every image loaded, and every slider of
    every explorable figure changes its figure."""
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine: `make browser` installs Debian's chromium (apt-get install chromium)")
    _, html = built_book
    reports = check_book(html, executable)
    assert len(reports) == len(pages_of(html)) >= len(TOC_FILES) + 1
    found = problems(reports)
    assert found == [], "\n".join(found)
    assert sum(r["formulas"] for r in reports) > 1000  # MathJax ran on the pages (not a blank render)
    explorable_pages = {Path(r["url"]).stem for r in reports if r["figures"]}
    assert {"01_random_search_to_gd", "04_ewma", "05_momentum", "07_adam"} <= explorable_pages


BROKEN_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="http://203.0.113.9/remote.js"></script>
<script>console.error("deliberate console error");</script></head>
<body><p>Raw formula: \\( x^2 \\) and $$ y $$</p><img src="missing.png"></body></html>"""


def test_browser_check_catches_what_it_looks_for(tmp_path):
    """The checker itself: a page with a remote script, a console error, raw TeX and a missing image
    is reported for each of them (a check that cannot fail would check nothing)."""
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine: `make browser` installs Debian's chromium (apt-get install chromium)")
    (tmp_path / "page.html").write_text(BROKEN_PAGE)
    (report,) = check_book(tmp_path, executable)
    assert report["left the build"] == ["http://203.0.113.9/remote.js"]
    assert any("deliberate console error" in message for message in report["console errors"])
    assert report["raw TeX in the text"] and report["images not loaded"]


def test_redirect_pages_are_checked_statically(tmp_path):
    """The root index.html only redirects: it is not loaded in the browser (that raced with the redirect)
    but its target must exist."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.html").write_text("<p>intro</p>")
    good, bad = tmp_path / "index.html", tmp_path / "old.html"
    good.write_text('<meta http-equiv="Refresh" content="0; url=book/intro.html" />\n')
    bad.write_text('<meta http-equiv="Refresh" content="0; url=book/gone.html" />')
    assert redirect_target(good) == "book/intro.html" and redirect_target(tmp_path / "book" / "intro.html") is None
    assert problems([check_redirect(good, "book/intro.html", "index.html")]) == []
    assert problems([check_redirect(bad, "book/gone.html", "old.html")]) != []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_interactive_figures_use_the_books_explorer(path):
    """ipywidgets.interact/interactive draw into an Output widget while the notebook is executed, which
    makes nbclient (execute script, book build) hang now and then; lib.plotting.explorer does not."""
    nb = nbformat.read(path, as_version=4)
    offending = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                 and re.search(r"\binteract(ive)?(_output)?\(|@(widgets\.)?interact", c.source)]
    assert offending == [], f"cells {offending} of {path.name}: use lib.plotting.explorer instead of interact"
