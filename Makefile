# catchup: `make run` and `make test` set up .venv themselves on a fresh machine.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= 2

.PHONY: run test test-fast lint format docs bench clean browser dashboard calibrate counterfactuals dock policy

# A Python >= 3.12 that really runs: python3.12/python3.13 on PATH, else pyenv's.
PYTHON ?= $(shell ./scripts/find-python)

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: catchup needs Python >= 3.12 (Mesa 3.4+). Install one (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12'." >&2; \
	  exit 1; fi
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dashboard,docs]'
	./scripts/solara-offline-assets $(BIN)/python
	touch $(STAMP)

# The dashboard's browser test drives Debian's Chromium (Playwright's own browser download is
# not possible here); install it when missing (root, as on this project's machines and CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The main job: the paper's four cases replicated from their calibrated files on fresh seeds
# (history figures, fit tables, summary under results/cases/), then the baseline's report.
run: $(STAMP)
	$(BIN)/catchup cases --jobs $(JOBS) --overwrite
	$(BIN)/catchup run baseline --jobs $(JOBS) --quiet --overwrite
	$(BIN)/catchup report results/baseline

# The tests and the three tutorial notebooks (executed by nbmake, so a broken tutorial fails).
test: $(STAMP) browser
	$(BIN)/ruff check src tests scripts benchmarks docs/_ext
	$(BIN)/python -m pytest -q --nbmake tests docs/tutorials

# The quick loop while developing: everything but the tests marked slow (about two minutes).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests scripts benchmarks
	$(BIN)/ruff check --fix src tests scripts benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The ODD's parameter table from the parameter table, then the documentation site (Sphinx with
# MyST; warnings are errors) into docs/_build/html: open docs/_build/html/index.html from disk.
docs: $(STAMP)
	$(BIN)/python scripts/update_odd_table.py
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

# Docking with two published models: each reference's set-up and counterfactuals on 200 seeds
# (tables, docking.md and figure under results/docking/<name>/; about 3 minutes on 2 cores).
dock: $(STAMP)
	$(BIN)/catchup dock llm2017 --jobs $(JOBS)
	$(BIN)/catchup dock mnow_computers --jobs $(JOBS)

# The paper's advice as an experiment: a policy search per case context (experiments/policy/;
# resumable, SQLite under results/policy/), then the cheapest mixes, their organisation modes
# and a check of each on fresh seeds (results/policy/contexts.md; about 40 minutes on 2 cores).
policy: $(STAMP)
	for c in speech shield td_scdma semiconductors; do \
	  $(BIN)/catchup policy policy/$$c --jobs $(JOBS) --quiet --overwrite || exit 1; done
	$(BIN)/python scripts/policy_contexts.py --jobs $(JOBS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

dashboard: $(STAMP)
	$(BIN)/catchup dashboard --host localhost --port 8765

# Re-calibrate the four cases (Optuna; resumable, SQLite under results/calibration/<case>/).
calibrate: $(STAMP)
	for c in speech shield two_bombs td_scdma; do $(BIN)/catchup calibrate $$c --jobs $(JOBS) || exit 1; done

# The counterfactual experiments of the four cases, their tables and figures.
counterfactuals: $(STAMP)
	for c in speech shield two_bombs td_scdma; do \
	  $(BIN)/catchup sweep counterfactuals/$$c --jobs $(JOBS) --out results/counterfactuals/$$c --overwrite || exit 1; \
	  $(BIN)/catchup compare results/counterfactuals/$$c --reference as_calibrated --out results/counterfactuals/$$c/changes.csv || exit 1; \
	  $(BIN)/catchup plot results/counterfactuals/$$c --kind counterfactual || exit 1; \
	done
