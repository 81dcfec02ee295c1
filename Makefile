# Two entry points: `make run` and `make test`. Both create .venv, install reptrack with its
# test tools and fetch the pose model files that are missing, then do their one job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?= squat

.PHONY: run test setup models lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

models: setup
	$(BIN)/reptrack models fetch

run: models
	$(BIN)/reptrack $(ARGS)

test: models
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache
