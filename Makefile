# peercorpus — set-up, demo, tests and benchmarks. Everything runs in .venv, made on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench lint clean

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
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
