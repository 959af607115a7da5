# The two promises: `make run` and `make test`. Everything installs into .venv here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := postgres,aws,gmail,dev

.PHONY: install run test lint bench bench-console clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	scripts/system-deps.sh venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[$(EXTRAS)]'
	touch $@

run: install
	$(BIN)/scc init-db
	$(BIN)/scc demo
	$(BIN)/scc serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/cfn-lint deploy/aws/template.yaml

# axe-core (npm) for the browser accessibility checks; package-lock.json pins it.
node_modules/.installed: package.json package-lock.json
	scripts/system-deps.sh node
	npm ci --no-audit --no-fund
	touch $@

test: install node_modules/.installed
	scripts/system-deps.sh chromium
	$(MAKE) lint
	$(BIN)/pytest -q

bench: install
	scripts/system-deps.sh wrk
	$(BIN)/python bench/run.py
	$(MAKE) bench-console

bench-console: install
	scripts/system-deps.sh chromium
	$(BIN)/python bench/console.py

clean:
	rm -rf $(VENV) var dist test-output node_modules
