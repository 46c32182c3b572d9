# The two commands a newcomer types are `make demo` and `make test` (see README.md).
# Both go through `install`, which is idempotent and quick when nothing changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-deps test test-fast lint demo serve bench clean lock

install: system-deps $(STAMP)

system-deps:
	@scripts/install-system-deps.sh

# Re-installs only when the project's dependency declaration or the lock changed.
$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -c requirements/constraints.txt -e '.[all,dev]'
	@touch $@

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Unit tests only: no browser, crawler, database server or OCR engine.
test-fast: install
	$(BIN)/python -m pytest -m "not integration" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

demo: install
	$(BIN)/admon demo

serve: install
	$(BIN)/admon serve

bench: install
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

# Regenerates the pinned set after a dependency change (run on a fresh venv, then commit).
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements/constraints.txt

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
