# Two commands matter: `make run` (serve the demo on http://127.0.0.1:5000) and `make test`
# (the whole suite, browser tests included). See README.md.

SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PYTEST_ARGS ?=
CHROMIUM := /usr/bin/chromium
# LibreOffice renders the donor workbook to PDF in the print tests, as a donor would print it.
SOFFICE := /usr/bin/soffice
# Page images and text of the printed workbook (poppler-utils).
PDFTOPPM := /usr/bin/pdftoppm
# Languages with a catalogue in translations/ (English is the source language).
TRANSLATION_LOCALES := es
# Babel skips directories starting with "_" unless told otherwise; templates/_macros holds
# strings, so name the directories to skip explicitly (babel.cfg ignores the rest).
BABEL_IGNORE_DIRS := .* __pycache__ node_modules instance

.PHONY: run test lint bench bench-readme loadtest audit chromium libreoffice translations-compile translations-extract translations-update clean

# The virtual environment -----------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# The two commands ------------------------------------------------------------------------

run: $(VENV)/.installed-run
	@$(MAKE) --no-print-directory translations-compile
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-dev chromium libreoffice node_modules/.installed
	@$(MAKE) --no-print-directory lint translations-compile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The linter (settings in pyproject.toml): pyflakes, pycodestyle, isort, bugbear, pyupgrade
# and the complexity rule.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# Static security checks: bandit over the application code, pip-audit over the pinned
# runtime requirements (findings that are false alarms are explained beside a nosec marker).
audit: $(VENV)/.installed-dev
	$(BIN)/bandit -q -r accounts coalitions core demo grants reporting app.py config.py
	$(BIN)/pip-audit --progress-spinner off -r requirements.txt

# The performance benchmark (not part of the test run): S and L data, key pages and exports.
bench-readme: $(VENV)/.installed-dev
	$(BIN)/python -m bench.readme

bench: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory translations-compile
	$(BIN)/python -m bench $(BENCH_ARGS)

# Load and fault test: gunicorn with 4 workers on PostgreSQL, 50 clients, SMTP outage and a
# killed worker.
loadtest: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory translations-compile
	$(BIN)/python -m loadtest $(LOADTEST_ARGS)

# axe-core, injected into pages by the browser tests' accessibility checks (npm registry,
# exact version from package-lock.json).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Browser tests drive Debian's Chromium; install it when it is missing (never a downloaded
# browser build).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "$(CHROMIUM) is missing: installing Debian's chromium package."; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	  else echo "Cannot install chromium: not root and sudo is not available." >&2; exit 1; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

libreoffice:
	@if [ ! -x $(SOFFICE) ] || [ ! -x $(PDFTOPPM) ]; then \
	  echo "$(SOFFICE) or $(PDFTOPPM) is missing: installing Debian's libreoffice-calc and poppler-utils packages."; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	  else echo "Cannot install LibreOffice: not root and sudo is not available." >&2; exit 1; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    libreoffice-calc poppler-utils; \
	fi

# Translations ------------------------------------------------------------------------------

translations-compile: $(VENV)/.installed-run
	@set -e; found=""; \
	for po in translations/*/LC_MESSAGES/messages.po; do \
	  if [ -s "$$po" ]; then found=1; fi; \
	done; \
	if [ -n "$$found" ]; then $(BIN)/pybabel compile -d translations; \
	else echo "No translation catalogues to compile yet."; fi

translations-extract: $(VENV)/.installed-run
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
	  --ignore-dirs='$(BABEL_IGNORE_DIRS)' -o translations/messages.pot .

translations-update: translations-extract
	@set -e; for locale in $(TRANSLATION_LOCALES); do \
	  if [ -f translations/$$locale/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i translations/messages.pot -d translations -l $$locale \
	      --no-fuzzy-matching --ignore-obsolete; \
	  else \
	    $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$locale; \
	  fi; \
	done

# Housekeeping ------------------------------------------------------------------------------

# Caches and build leftovers only: the virtual environment and instance/ (the development
# database and secret key) stay.
clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
	find . -path ./$(VENV) -prune -o -type f -name '*.py[co]' -print0 | xargs -0 rm -f
	rm -rf .pytest_cache .hypothesis test-artifacts
	rm -f translations/*/LC_MESSAGES/*.mo
