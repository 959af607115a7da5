# The two promises: `make run` and `make test`. Everything installs into .venv here.
# `make run` installs the app with its runtime extras only; `make test` adds the test and
# lint tools. Each has its own stamp, so neither reinstalls while pyproject.toml is unchanged.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_EXTRAS := postgres,aws,gmail
TEST_EXTRAS := $(RUN_EXTRAS),test,dev
# uv installs what pip would (here the same versions of all 128 packages) in a few seconds
# instead of pip's 52 here. It is itself installed from PyPI, pinned. The run install
# compiles every module to bytecode up front, so a server started from it never compiles;
# the test install does not (14 s for 11,800 files, most never imported): the lint, the tests
# and the benchmarks write bytecode for what they import, once, even where
# PYTHONDONTWRITEBYTECODE is set.
UV_VERSION := 0.13.9
INSTALL := $(BIN)/uv pip install -q --python $(BIN)/python
WRITE_BYTECODE := PYTHONDONTWRITEBYTECODE=
# mypy's cache, shared by every clone on the machine like the Lambda wheel cache (mypy
# checks each entry against the file's hash): a fresh clone's type check takes about 1 s
# instead of 15.
MYPY_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/shipcaptaincrew/mypy

.PHONY: install install-test run test lint bench bench-console console clean

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

$(BIN)/python:
	scripts/system-deps.sh venv
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/uv
	$(INSTALL) --compile-bytecode -e '.[$(RUN_EXTRAS)]'
	touch $@

# The test install holds everything the run install does: it stamps both.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/uv
	$(INSTALL) -e '.[$(TEST_EXTRAS)]'
	touch $@ $(VENV)/.installed-run

run: install
	$(BIN)/scc init-db
	$(BIN)/scc demo
	$(BIN)/scc serve

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(WRITE_BYTECODE) $(BIN)/mypy --cache-dir "$(MYPY_CACHE)" src
	$(WRITE_BYTECODE) $(BIN)/cfn-lint deploy/aws/template.yaml

# esbuild (npm) builds the console's script, axe-core checks accessibility in the browser
# tests; package-lock.json pins both.
node_modules/.installed: package.json package-lock.json
	scripts/system-deps.sh node
	npm ci --no-audit --no-fund
	touch $@

# The console's one script (web/static/console.js, committed) from its modules in web/console;
# the tests fail when the committed file is stale.
console: node_modules/.installed
	scripts/build-console.sh

test: install-test node_modules/.installed
	scripts/system-deps.sh chromium
	$(MAKE) lint
	$(WRITE_BYTECODE) $(BIN)/pytest -q

bench: install-test
	scripts/system-deps.sh wrk
	$(WRITE_BYTECODE) $(BIN)/python bench/run.py
	$(MAKE) bench-console

bench-console: install-test
	scripts/system-deps.sh chromium
	$(WRITE_BYTECODE) $(BIN)/python bench/console.py

clean:
	rm -rf $(VENV) var dist test-output node_modules
