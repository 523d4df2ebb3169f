# Two entry points for a fresh machine with only python3: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench package package-test lock

# Exactly the locked versions, each checked against its hash; then JobDesk itself,
# editable, with nothing resolved beyond the lock.
$(STAMP): pyproject.toml setup.py requirements.lock
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
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

# Re-resolve requirements.lock after a dependency change in pyproject.toml. Pins that
# still fit are kept (uv starts from the old file); `make lock UPGRADE=1` moves every
# pin to the newest version the ranges allow. One file for every OS (--universal),
# with the hashes of every wheel of each pinned version.
LOCK_VENV := build/lock-venv
lock:
	python3 -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet uv==0.13.8
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml --extra test --extra package \
		--universal --python-version 3.11 --generate-hashes \
		--index-url https://pypi.org/simple --custom-compile-command "make lock" \
		$(if $(UPGRADE),--upgrade) --output-file requirements.lock
