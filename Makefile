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

# Benchmarks; each prints a Markdown table and appends it to
# build/benchmarks.md, and none fails on a time (docs/benchmarks.md).
#   BENCH_HASH_ARGS   e.g. --size-mib 50     (default: a 2 GiB file)
#   BENCH_AUDIT_ARGS  e.g. --records 10000   (default: one million)
#   BENCH_ARGS        passed to every load run, e.g. --requests 200
#   BENCH_CLIENTS     client counts of the load runs (default: 50 200)
BENCH_CLIENTS ?= 50 200
bench: $(VENV)/.test-installed
	$(BIN)/python bench/hashing.py $(BENCH_HASH_ARGS)
	$(BIN)/python bench/audit_verify.py $(BENCH_AUDIT_ARGS)
	for clients in $(BENCH_CLIENTS); do \
		$(BIN)/python bench/load.py --clients $$clients $(BENCH_ARGS) || exit 1; \
	done
	$(BIN)/python bench/load.py --pace 2 $(BENCH_ARGS)
	$(PG_TEST) start
	status=0; for clients in $(BENCH_CLIENTS); do \
		$(BIN)/python bench/load.py --clients $$clients \
			--database-url "$$($(PG_TEST) url)" $(BENCH_ARGS) || status=$$?; \
	done; $(PG_TEST) stop; exit $$status

# Rebuild the translation catalogues (needs GNU gettext).
messages: $(VENV)/.run-installed
	cd src/medir && MEDIR_DATA_DIR=$(TEST_DATA) ../../$(BIN)/medir manage makemessages -l ja -l en --no-obsolete
	cd src/medir && MEDIR_DATA_DIR=$(TEST_DATA) ../../$(BIN)/medir manage compilemessages

clean:
	rm -rf $(VENV) build
