# The two commands: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: demo test run bench bench-all sim clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m bot demo

test: $(STAMP)
	$(PY) -m pytest -q

run: $(STAMP)
	$(PY) -m bot run

bench: $(STAMP)
	$(PY) -m pytest bench -q --benchmark-only -p no:cacheprovider

bench-all: $(STAMP)
	PY=$(PY) bash bench/run_all.sh

sim: $(STAMP)
	$(PY) -m bot sim --scenario data/scenarios/quick.json

clean:
	rm -rf $(VENV) .pytest_cache
