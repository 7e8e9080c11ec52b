# The two README commands are `make demo` and `make test`; everything else is a helper.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced

.PHONY: setup demo test test-fast lint fmt typecheck bench interop-deps clean

$(STAMP): requirements/dev.txt requirements/bootstrap.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/bootstrap.txt
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/dev.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/baeji demo

interop-deps:
	if [ -f interop/package.json ]; then cd interop && npm ci --no-audit --no-fund --loglevel=error; fi

# Everything on the embedded default (SQLite); then, when BAEJI_TEST_POSTGRES_URL is set (CI sets
# it), the tests that touch the database once more on PostgreSQL. The SQLite run comes last so its
# full summary is the closing line.
test: setup interop-deps
	if [ -n "$$BAEJI_TEST_POSTGRES_URL" ]; then \
	  DATABASE_URL="$$BAEJI_TEST_POSTGRES_URL" $(BIN)/pytest -q -p no:cacheprovider -m "not browser" \
	    --ignore=tests/credentials --ignore=tests/interop --ignore=tests/badgeart; \
	fi
	$(BIN)/pytest --cov --cov-report=term:skip-covered

test-fast: setup
	$(BIN)/pytest -x -q -m "not browser and not interop"

lint: setup
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

fmt: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/sign_verify.py

clean:
	rm -rf $(VENV) interop/node_modules .pytest_cache .coverage
