# Two commands do everything on a fresh machine:
#   make book   - create .venv if missing, install the pinned requirements, build the HTML book
#                 (every chapter executed, zero Sphinx warnings allowed) into _build/html
#   make test   - same set-up, then the full suite: unit + tf.keras parity tests, pytest --nbval
#                 over every chapter (strict), and a -W -n build of the committed book
# Other targets: make execute (re-run every chapter and commit-ready outputs), make clean.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: all book test execute venv clean
all: test

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

execute: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py

clean:
	rm -rf _build
