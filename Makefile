# Two entry points for a fresh machine with only python3: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench package package-test

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,package]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/jobdesk

lint: $(STAMP)
	$(VENV)/bin/ruff check desktop tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench

# The desktop app for this OS, with PyInstaller (packaging/README.md): dist/jobdesk/,
# and on Linux the AppImage-ready dist/JobDesk.AppDir too.
package: $(STAMP)
	$(PY) packaging/build.py $(if $(filter Linux,$(shell uname -s)),--appdir)

# Only the packaged-app tests (the smoke test builds first if the build is stale);
# `make test` runs them as well.
package-test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/packaging
