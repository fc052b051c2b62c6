# Two commands do everything on a fresh machine:
#   make book   - create .venv if missing, install the pinned requirements, build the HTML book into
#                 _build/html (zero Sphinx warnings allowed) from the committed chapter outputs, which
#                 `make test` verifies; MathJax and plotly.js are copied into the build from pinned
#                 packages, so the book works offline.  Measured from a fresh clone: see README.md.
#   make test   - same set-up (plus Chromium, see `browser`), then the full suite: unit + tf.keras
#                 parity tests, pytest --nbval over every chapter (strict), a -W -n build of the
#                 committed book, and that book opened page by page in headless Chromium, offline
# Other targets:
#   make book-executed - build the book re-running every chapter (serially, as Jupyter Book does:
#                        several minutes more than `make book`; `make test` checks the same outputs)
#   make execute       - re-run every chapter and save commit-ready outputs
#   make browser       - install Debian's chromium where no Chromium is found (the browser test
#                        skips, saying so, where none can be installed)
#   make check-html    - open every page of _build/html (after `make book`) in headless Chromium
#   make clean
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?= -n 2 --dist loadfile
CHROMIUM := $(shell command -v chromium || command -v chromium-browser || command -v google-chrome)

.PHONY: all book book-executed test execute venv browser check-html clean
all: test

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

book-executed: $(STAMP)
	$(BIN)/python scripts/book_config.py _build/_config.executed.yml --execute
	$(BIN)/jupyter-book build . --config _build/_config.executed.yml -W -n --keep-going

browser:
ifeq ($(CHROMIUM),)
	-(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || echo "make browser: could not install chromium; the browser test will skip"
endif

test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check-html: $(STAMP) browser
	$(BIN)/python scripts/browser_check.py _build/html

execute: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py

clean:
	rm -rf _build
