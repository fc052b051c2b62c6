"""Open every page of the built HTML book in headless Chromium with the network off, and report what fails.

    python scripts/browser_check.py _build/html [--screenshots DIR]

The book is served from ``127.0.0.1`` (Python's ``http.server``); Chromium is driven through the
Chrome DevTools Protocol (the pinned ``websocket-client``).  Every request the page makes that is not
to that server is blocked and reported, so a page that needs the internet fails here as it would
for a reader without one.  For each page it reports:

* requests that leave the build (blocked) and requests that failed (a file missing from the build);
* console errors and uncaught exceptions;
* formulas left untypeset: raw ``\\(``, ``\\[`` or ``$$`` in the rendered text (outside code), a
  ``.math`` element without MathJax output, or a MathJax error (an unknown macro, say);
* images that did not load;
* for every explorable figure (:mod:`lib.explorable`): each slider is moved with the mouse, and the
  figure must change (what plotly draws, and the slider's active step).

``tests/test_book.py`` runs it on the book it builds from the committed outputs.  Chromium is Debian's
package (``make browser`` installs it); :func:`find_chromium` returns None where there is none.
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

#: As /work/.library's notes say Chromium runs headless here: no sandbox (root), no GPU, and none of
#: the background connections (updates, sync, field trials) a closed network refuses.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--window-size=1280,900", "--remote-debugging-port=0",
]
PAGE_TIMEOUT = 60.0


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


class BookServer:
    """The built book served on 127.0.0.1 (a free port) from a background thread."""

    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Chromium:
    """A headless Chromium with one tab, spoken to over the DevTools protocol."""

    def __init__(self, executable: str, allowed_origin: str):
        import websocket  # websocket-client, pinned in requirements.txt

        self.allowed_origin = allowed_origin
        self.profile = tempfile.mkdtemp(prefix="book-chromium-")
        self.proc = subprocess.Popen([executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"{executable} did not start (exit code {self.proc.returncode})")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=PAGE_TIMEOUT,
                                              suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []
        self.blocked: list[str] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=self.session)
        self.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session=self.session)

    # -- the protocol ---------------------------------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        return self._id

    def _receive(self, timeout: float) -> dict | None:
        import websocket

        self.ws.settimeout(timeout)
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        if message.get("method") == "Fetch.requestPaused":  # every request stops here: allow or block
            params = message["params"]
            url = params["request"]["url"]
            if url.startswith((self.allowed_origin + "/", "data:", "blob:", "about:")):
                self._send("Fetch.continueRequest", {"requestId": params["requestId"]}, message.get("sessionId"))
            else:
                self.blocked.append(url)
                self._send("Fetch.failRequest", {"requestId": params["requestId"], "errorReason": "BlockedByClient"},
                           message.get("sessionId"))
        elif "method" in message:
            self.events.append(message)
        return message

    def call(self, method: str, params: dict | None = None, *, session: str | None = None,
             timeout: float = PAGE_TIMEOUT) -> dict:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._receive(max(0.05, deadline - time.monotonic()))
            if message is not None and message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
        raise TimeoutError(f"no answer to {method} within {timeout:.0f} s")

    def pump(self, seconds: float) -> None:
        """Handle events (and paused requests) for a while."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._receive(max(0.05, deadline - time.monotonic()))

    def evaluate(self, expression: str, timeout: float = PAGE_TIMEOUT):
        result = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True},
                           session=self.session, timeout=timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}…: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def _loads(self) -> int:
        return sum(e["method"] == "Page.loadEventFired" for e in self.events)

    def wait_for_load(self, loads: int = 0) -> None:
        """Wait until the page has fired its load event more than ``loads`` times since ``navigate``."""
        deadline = time.monotonic() + PAGE_TIMEOUT
        while self._loads() <= loads:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page did not finish loading within {PAGE_TIMEOUT:.0f} s")
            self._receive(0.5)

    def navigate(self, url: str) -> None:
        self.events.clear()
        self.blocked.clear()
        self.call("Page.navigate", {"url": url}, session=self.session)
        self.wait_for_load()

    def click(self, x: float, y: float) -> None:
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
                      session=self.session)

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=self.session)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


# -- what is checked on a page (JavaScript run in the page) -----------------------------------------
_SETTLE = """(async () => {
  const pause = ms => new Promise(done => setTimeout(done, ms));
  const wantsMath = document.querySelector('script[src*="tex-mml-chtml"]') !== null;
  for (let i = 0; wantsMath && i < 100 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) { await pause(100); }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  // a busy machine may still be typesetting (fonts, autoloaded extensions): give it up to 30 s
  const pending = () => [...document.querySelectorAll(".math")].some(el => !el.querySelector("mjx-container"));
  for (let i = 0; i < 150 && pending(); i++) { await pause(200); }
  for (const img of document.images) { img.loading = "eager"; }
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); setTimeout(done, 10000); })));
  if (document.fonts) { await document.fonts.ready; }
  return true;
})()"""

_INSPECT = r"""(() => {
  const inCode = el => el && el.closest("pre, code, .highlight, script, style, textarea, .cell_input");
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (inCode(node.parentElement)) continue;
    if (/\\\(|\\\[|\$\$/.test(node.nodeValue)) raw.push(node.nodeValue.trim().slice(0, 100));
  }
  const untypeset = [...document.querySelectorAll(".math")].filter(el => !el.querySelector("mjx-container"))
      .map(el => el.textContent.trim().slice(0, 100));
  const errors = [...document.querySelectorAll("mjx-merror, [data-mjx-error]")]
      .map(el => el.getAttribute("data-mjx-error") || el.textContent.slice(0, 100));
  const images = [...document.images].filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src);
  return {raw, untypeset, errors, images, formulas: document.querySelectorAll("mjx-container").length,
          figures: document.querySelectorAll(".plotly-graph-div").length};
})()"""

_FIGURE_STATE = """((f, s) => {
  const gd = document.querySelectorAll(".plotly-graph-div")[f];
  if (!gd._fullLayout) return null;  // plotly.js never drew it
  return {drawn: gd.querySelector(".cartesianlayer") ? gd.querySelector(".cartesianlayer").innerHTML : "",
          active: gd._fullLayout.sliders[s].active, steps: gd._fullLayout.sliders[s].steps.length,
          sliders: gd._fullLayout.sliders.length};
})"""

_SLIDER_RAIL = """((f, s) => {
  const gd = document.querySelectorAll(".plotly-graph-div")[f];
  gd.scrollIntoView({block: "center"});
  const rail = gd.querySelectorAll(".slider-group")[s].querySelector(".slider-rail-touch-rect");
  const box = rail.getBoundingClientRect();
  return {left: box.left, width: box.width, y: box.top + box.height / 2};
})"""


def move_sliders(browser: Chromium, figure: int) -> list[str]:
    """Move each slider of one explorable figure with the mouse; return what did not change."""
    problems = []
    state = browser.evaluate(f"{_FIGURE_STATE}({figure}, 0)")
    if state is None:
        return [f"figure {figure} was not drawn (is plotly.js loaded on the page?)"]
    n_sliders = state["sliders"]
    for s in range(n_sliders):
        before = browser.evaluate(f"{_FIGURE_STATE}({figure}, {s})")
        rail = browser.evaluate(f"{_SLIDER_RAIL}({figure}, {s})")
        fraction = 0.97 if before["active"] < before["steps"] / 2 else 0.03
        browser.click(rail["left"] + fraction * rail["width"], rail["y"])
        browser.pump(0.5)
        after = browser.evaluate(f"{_FIGURE_STATE}({figure}, {s})")
        if after["active"] == before["active"]:
            problems.append(f"figure {figure}, slider {s}: a click on the rail did not move it (step {before['active']})")
        elif after["drawn"] == before["drawn"]:
            problems.append(f"figure {figure}, slider {s}: moved from step {before['active']} to {after['active']}, "
                            "but the figure did not change")
    return problems


def check_page(browser: Chromium, url: str, screenshot: Path | None = None) -> dict:
    """Load one page and return what it loaded and what failed (lists of messages; empty lists = fine)."""
    browser.navigate(url)
    for attempt in range(3):
        try:
            browser.evaluate(_SETTLE)
            browser.pump(0.3)
            seen = browser.evaluate(_INSPECT)
            break
        except RuntimeError as error:  # a page that redirects (index.html → book/intro.html) navigated
            if "navigated or closed" not in str(error) or attempt == 2:
                raise
            browser.wait_for_load(attempt + 1)  # the load event of the page it went to
    console = []
    for event in browser.events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            console.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            if params["entry"].get("url", "").endswith("/favicon.ico"):
                continue  # the browser's own request for a site icon, which the book does not have
            console.append(f"{params['entry'].get('text', '')} {params['entry'].get('url', '')}".strip())
    failed = [f"{e['params'].get('errorText')}: {e['params'].get('requestId')}" for e in browser.events
              if e["method"] == "Network.loadingFailed" and e["params"].get("errorText") != "net::ERR_BLOCKED_BY_CLIENT"]
    sliders = []
    for figure in range(seen["figures"]):
        sliders += move_sliders(browser, figure)
    if screenshot is not None:
        browser.screenshot(screenshot)
    return {
        "url": url,
        "left the build": sorted(set(browser.blocked)),
        "failed requests": failed,
        "console errors": console,
        "raw TeX in the text": seen["raw"],
        "formulas not typeset": seen["untypeset"],
        "MathJax errors": seen["errors"],
        "images not loaded": seen["images"],
        "sliders that changed nothing": sliders,
        "formulas": seen["formulas"],
        "figures": seen["figures"],
    }


PROBLEM_KEYS = ("left the build", "failed requests", "console errors", "raw TeX in the text", "formulas not typeset",
                "MathJax errors", "images not loaded", "sliders that changed nothing")


def pages_of(html_dir: Path) -> list[Path]:
    """Every page of the built book (not the copied sources and assets)."""
    skip = {"_static", "_sources", "_images", "_downloads"}
    return sorted(p for p in html_dir.rglob("*.html") if not skip & set(p.relative_to(html_dir).parts))


_REFRESH = re.compile(r'<meta\s+http-equiv="Refresh"\s+content="0;\s*url=([^"]+)"\s*/?>', re.IGNORECASE)


def redirect_target(page: Path) -> str | None:
    """The target of a page that is only an immediate redirect (Jupyter Book's root index.html), else None.

    Loading such a page in the browser races with the redirect (the checks could run on the target
    before its formulas are typeset), so it is checked statically: its target must be a page."""
    text = page.read_text(encoding="utf-8", errors="replace").strip()
    match = _REFRESH.fullmatch(text)
    return match.group(1) if match else None


def check_redirect(page: Path, target: str, url: str) -> dict:
    """A report for a redirect-only page: a problem if its target is not a file of the build."""
    missing = [] if (page.parent / target).is_file() else [f"redirects to {target}, which is not in the build"]
    report = {key: [] for key in PROBLEM_KEYS}
    report.update({"url": url, "failed requests": missing, "formulas": 0, "figures": 0})
    return report


def check_book(html_dir: Path, executable: str, screenshots: Path | None = None) -> list[dict]:
    """Check every page of the book built in ``html_dir``; return one report per page."""
    html_dir = Path(html_dir)
    server = BookServer(html_dir)
    browser = Chromium(executable, server.origin)
    try:
        reports = []
        for page in pages_of(html_dir):
            relative = page.relative_to(html_dir).as_posix()
            target = redirect_target(page)
            if target is not None:  # index.html → book/intro.html: the target is checked as its own page
                reports.append(check_redirect(page, target, f"{server.origin}/{relative}"))
                continue
            shot = screenshots / (relative.replace("/", "_") + ".png") if screenshots else None
            reports.append(check_page(browser, f"{server.origin}/{relative}", shot))
        return reports
    finally:
        browser.close()
        server.close()


def problems(reports: list[dict]) -> list[str]:
    return [f"{r['url']}: {key}: {r[key]}" for r in reports for key in PROBLEM_KEYS if r[key]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--screenshots", type=Path, help="save a screenshot of every page here")
    args = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        print("no Chromium found: `make browser` installs Debian's package", file=sys.stderr)
        return 2
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    reports = check_book(args.html_dir, executable, args.screenshots)
    for r in reports:
        print(f"{r['url']}: {r['formulas']} formulas, {r['figures']} explorable figures")
    found = problems(reports)
    print("\n".join(found) if found else f"{len(reports)} pages, no problem")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
