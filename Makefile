# peercorpus — set-up, demo, tests and benchmarks. Everything runs in .venv, made on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/peercorpus topics corpora/ --config configs/peer-support.yaml
	$(BIN)/peercorpus report configs/peer-support.yaml

test: install
	$(BIN)/python -m pytest -n auto

# The edit loop: everything but the tests marked slow (over 2 s each).
test-fast: install
	$(BIN)/python -m pytest -n auto -m "not slow"

bench: install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
