# Two entry points for a fresh machine with Python 3.11+, make and git:
#   make serve   install everything into .venv and start the service
#   make test    install everything into .venv and run lint, type checks and the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install protos serve test lint typecheck unit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) protos

protos: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/gen_protos.py

serve: install
	$(BIN)/singleview serve $(ARGS)

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/buf lint

typecheck: install
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) src/singleview/v1/*_pb2*.py* .pytest_cache .mypy_cache .ruff_cache
