# MedIR: `make run` sets up and serves the demo; `make test` runs the suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= $(CURDIR)/data
TEST_DATA := $(CURDIR)/build/test-data
TEST_DATA_PG := $(CURDIR)/build/test-data-pg
PG_TEST := scripts/postgres-for-tests.sh

.PHONY: run test test-postgres lint format bench messages clean

$(VENV)/.run-installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.run-installed requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

run: $(VENV)/.run-installed
	MEDIR_DATA_DIR=$(DATA) $(BIN)/medir demo --if-empty
	MEDIR_DATA_DIR=$(DATA) $(BIN)/medir serve

test: $(VENV)/.test-installed
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	rm -rf $(TEST_DATA) && mkdir -p $(TEST_DATA)
	MEDIR_DATA_DIR=$(TEST_DATA) $(BIN)/pytest $(PYTEST_ARGS)

# The same suite against a throwaway PostgreSQL server (build/pgdata, port
# 54329, see scripts/postgres-for-tests.sh); the server is stopped again
# even when tests fail, and pytest's exit status is kept.
test-postgres: $(VENV)/.test-installed
	rm -rf $(TEST_DATA_PG) && mkdir -p $(TEST_DATA_PG)
	$(PG_TEST) start
	status=0; \
	DATABASE_URL="$$($(PG_TEST) url)" MEDIR_DATA_DIR=$(TEST_DATA_PG) \
		$(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	$(PG_TEST) stop; exit $$status

lint: $(VENV)/.test-installed
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

format: $(VENV)/.test-installed
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Load benchmark of the report and incident pages against `medir serve`;
# prints a Markdown table and appends it to build/benchmarks.md.
bench: $(VENV)/.run-installed
	$(BIN)/python bench/load.py $(BENCH_ARGS)
	$(BIN)/python bench/load.py --pace 2 $(BENCH_ARGS)

# Rebuild the translation catalogues (needs GNU gettext).
messages: $(VENV)/.run-installed
	cd src/medir && MEDIR_DATA_DIR=$(TEST_DATA) ../../$(BIN)/medir manage makemessages -l ja -l en --no-obsolete
	cd src/medir && MEDIR_DATA_DIR=$(TEST_DATA) ../../$(BIN)/medir manage compilemessages

clean:
	rm -rf $(VENV) build
