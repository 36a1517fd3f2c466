# The two commands: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint types contracts pytest postgres bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Open the app on the demo practice (seeded on first run).
run: $(STAMP)
	$(VENV)/bin/frontdesk --demo

## Everything: lint, types, import contracts, unit/UI/PostgreSQL tests.
test: $(STAMP) lint types contracts postgres pytest

lint: $(STAMP)
	$(PY) -m ruff check frontdesk tests bench

types: $(STAMP)
	$(PY) -m mypy

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: $(STAMP) postgres
	$(PY) -m pytest -q

## Start the local PostgreSQL server when it is down (the tests need it).
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n 1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	  pg_isready -h 127.0.0.1 -p 5432; }

## Benchmarks (not part of the test run); figures go to docs/benchmarks.md.
bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
