"""Sphinx extension (listed in _config.yml): every asset a page of the book loads is served from the build.

* **MathJax 3** comes from the pinned PyPI package ``django-static-mathjax`` (MathJax 3.2.2's
  ``es5`` distribution; its importable name is ``mathjax``).  ``mathjax_path`` in ``_config.yml``
  points at ``_static/mathjax/tex-mml-chtml.js``; this extension copies the component and the
  directories it loads on demand (TeX extensions, fonts, menu, accessibility) there.
* **plotly.js** comes from the pinned ``plotly`` package (``plotly/package_data/plotly.min.js``); it
  is copied to ``_static/`` and loaded only by the pages that contain an explorable figure
  (:mod:`lib.explorable`).
* **Thebe** (live cells on a remote kernel; unused here) is dropped from the pages: its loader would
  fetch thebe from a CDN, and sphinx-thebe adds it twice, a console error on every page.

Nothing is downloaded: both come from packages that ``pip install -r requirements.txt`` installed.
``tests/test_book.py`` opens every page in headless Chromium with the network off and fails on any
request that leaves the build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PLOTLY_JS = "plotly.min.js"
MATHJAX_DIR = "mathjax"
#: What tex-mml-chtml.js needs from MathJax's es5 directory: itself and what it loads on demand.
MATHJAX_PARTS = ("tex-mml-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors")


def mathjax_es5() -> Path:
    import mathjax  # the django-static-mathjax distribution (pinned in requirements.txt)

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / PLOTLY_JS


def _check_config(app, config) -> None:
    expected = f"{MATHJAX_DIR}/tex-mml-chtml.js"
    if config.mathjax_path != expected:
        from sphinx.errors import ConfigError

        raise ConfigError(f"mathjax_path must be {expected!r} (MathJax served from the build), got {config.mathjax_path!r}")


def _is_thebe(script) -> bool:
    name = getattr(script, "filename", None) or str(script)
    return name.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in getattr(script, "attributes", {}).get("body", "")


def _page_assets(app, pagename, templatename, context, doctree) -> None:
    # Thebe (live code cells from a remote Binder kernel) is not used by this book, and its loader,
    # added twice by sphinx-thebe under Jupyter Book, is a console error on every page: drop it.
    if "script_files" in context:
        context["script_files"][:] = [s for s in context["script_files"] if not _is_thebe(s)]  # in place:
        # it is the builder's list (restored for every page), to which add_js_file appends below
    if doctree is not None and "plotly-graph-div" in context.get("body", ""):
        app.add_js_file(PLOTLY_JS)  # in <head>, before the figures' scripts run


def _copy_assets(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    target = static / MATHJAX_DIR
    source = mathjax_es5()
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)
    shutil.copy2(plotly_js(), static / PLOTLY_JS)


def setup(app):
    app.connect("config-inited", _check_config)
    app.connect("html-page-context", _page_assets)
    app.connect("build-finished", _copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
