# The two commands of the README: `make demo` and `make test`. Each creates or reuses .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Run the whole platform with Seoul demo data on SQLite at http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/hamkke demo --port $${PORT:-8000}

# Lint, then the whole suite (unit, API and browser tests) on SQLite and the database tests again
# on PostgreSQL when it answers locally (tests/run.py says how; DATABASE_URL set: that one only).
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m tests.run $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
