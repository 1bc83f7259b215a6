# One command to open the course, one to test it. Both create .venv on first use and are
# fast afterwards: the install step reruns only when requirements.txt, constraints.txt or
# pyproject.toml change.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.course-installed
# Extra flags for pytest or jupyter lab, e.g. `make test PYTEST_ARGS="-x -k bayes"`.
PYTEST_ARGS ?=
LAB_ARGS    ?=
# Jupyter refuses to start as root unless told; containers often run as root.
ALLOW_ROOT  := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Tests and committed notebook outputs use the CPU and plain progress lines, so that
# strict nbval compares the same text on every machine.
# (No MPLBACKEND here: notebook kernels must keep the inline backend, or figures vanish.)
TEST_ENV := COURSE_DEVICE=cpu COURSE_PROGRESS=plain PYTHONHASHSEED=0
NBVAL    := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help setup lab test unit nbval lint notebooks badges lock clean
.DEFAULT_GOAL := help

help:
	@echo "make lab        set up .venv (first time only) and open JupyterLab on notebooks/"
	@echo "make test       set up .venv, then run the unit tests and strict nbval on every notebook"
	@echo "make unit       unit tests only;  make nbval: notebooks only;  make lint: ruff + notebook lint"
	@echo "make notebooks  re-execute every notebook in place (do this before committing a notebook)"
	@echo "make badges     rewrite Colab badges/bootstrap cells from course_utils/_config.py"

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ is needed: install it, or run make PYTHON=python3.11 ...")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

test: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest tests notebooks $(NBVAL) $(PYTEST_ARGS)

unit: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest tests $(PYTEST_ARGS)

nbval: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest notebooks $(NBVAL) $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check course_utils tests benchmarks examples
	$(TEST_ENV) $(PY) -m pytest tests/test_notebook_lint.py tests/test_badges.py

notebooks: $(STAMP)
	$(TEST_ENV) $(PY) -m course_utils.notebooks execute notebooks/*.ipynb

badges: $(STAMP)
	$(PY) -m course_utils.notebooks badges notebooks/*.ipynb

lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v '^torch==' > constraints.tmp
	(echo "# Full lock of the pinned environment (pip freeze), used as constraints by requirements.txt."; \
	 echo "# Regenerate with: make lock"; cat constraints.tmp; echo "torch==2.13.0") > constraints.txt
	rm -f constraints.tmp

clean:
	rm -rf $(VENV) build dist *.egg-info
