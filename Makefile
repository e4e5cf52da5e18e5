# Two entry points, both self-installing: `make run` (the main job) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FORMIO := .collaudo/node/node_modules/formiojs/dist/formio.full.min.js

.PHONY: run test lint install clean notices messages i18n-samples

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

## gettext catalogs (Babel): extract each package's messages into <package>/locales/<package>.pot,
## merge them into the Italian .po (translate the new entries there), compile the .mo files.
## The compiled .mo files are committed, so a fresh clone runs without this step;
## tests/test_i18n.py fails when a catalog is stale or an entry untranslated.
I18N_DOMAINS := adapters collaudo
messages: $(STAMP)
	@for d in $(I18N_DOMAINS); do \
	  $(BIN)/pybabel --quiet extract -F babel.cfg -k N_ --add-location=file --sort-output \
	    --project=collaudo --copyright-holder=collaudo -o $$d/locales/$$d.pot $$d || exit 1; \
	  test -f $$d/locales/it/LC_MESSAGES/$$d.po || \
	    $(BIN)/pybabel --quiet init -D $$d -i $$d/locales/$$d.pot -d $$d/locales -l it || exit 1; \
	  $(BIN)/pybabel --quiet update -D $$d -i $$d/locales/$$d.pot -d $$d/locales -l it \
	    --no-fuzzy-matching --ignore-obsolete || exit 1; \
	  $(BIN)/pybabel compile -D $$d -d $$d/locales -l it --statistics || exit 1; \
	done

## The admin form and a vendor report in Italian and English (docs/i18n/), with Chromium.
i18n-samples: $(STAMP) $(FORMIO)
	$(BIN)/python -m tests.i18n_samples docs/i18n
