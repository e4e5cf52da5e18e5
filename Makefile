# Two entry points, both self-installing: `make run` (the main job) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FORMIO := .collaudo/node/node_modules/formiojs/dist/formio.full.min.js

.PHONY: run test lint install clean notices

$(STAMP): pyproject.toml
	@echo ">> installing collaudo and its dependencies into $(VENV) (first run, or pyproject.toml changed)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)
	@echo ">> $(VENV) ready"

# The real form.io renderer (npm) for the admin-form tests in headless Chromium.
$(FORMIO): $(STAMP)
	$(BIN)/python -m collaudo.formio.install

install: $(STAMP) $(FORMIO)

## The main job: the collaudo run against the simulators, on embedded defaults.
run: $(STAMP) $(FORMIO)
	$(BIN)/collaudo run

## Lint, type-check, then the whole test suite.
test: $(STAMP) $(FORMIO) lint
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .collaudo reports/allure-results reports/junit.xml

## PNG renderings of the four sample paper notices (docs/notice/), to compare with pagoPA's.
notices: $(STAMP)
	$(BIN)/python -m tests.notice_samples docs/notice
