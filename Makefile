# One command to open the course, one to test it. Both create .venv on first use and are
# fast afterwards: the install step reruns only when requirements.txt, constraints.txt or
# pyproject.toml change.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.course-installed
# The website (`make site`, requirements-site.txt) and the browser tests (requirements-browser.txt).
SITE_DIR      ?= build/site
SITE_STAMP    := $(VENV)/.site-installed
BROWSER_STAMP := $(VENV)/.browser-installed
# The browser the tests drive (Playwright's own browser download is not used).
CHROMIUM      ?= /usr/bin/chromium
# Extra flags for pytest or jupyter lab, e.g. `make test PYTEST_ARGS="-x -k bayes"`.
PYTEST_ARGS ?=
LAB_ARGS    ?=
# Jupyter refuses to start as root unless told; containers often run as root.
ALLOW_ROOT  := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Tests and committed notebook outputs use the CPU and plain progress lines, so that
# strict nbval compares the same text on every machine.
# (No MPLBACKEND here: notebook kernels must keep the inline backend, or figures vanish.)
# A fresh checkpoint folder per run, so notebooks really train instead of loading old weights;
# it is removed when the command ends, passed or failed. TEST_ENV starts with shell commands, so
# further VAR=value settings for the test command go after it, never before.
TEST_ENV := ckpt="$$(mktemp -d)" && trap 'rm -rf "$$ckpt"' EXIT && \
            COURSE_DEVICE=cpu COURSE_PROGRESS=plain PYTHONHASHSEED=0 COURSE_CHECKPOINT_DIR="$$ckpt"
NBVAL    := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help setup lab test test-compat unit nbval lint notebooks badges lock clean release grade hw-audit hw-lint \
        grading-deps embedded embedded-check bench bench-fit bench-notmnist bench-grading bench-threads bench-limits example-ddp \
        site test-browser chromium test-cpus translation-lint
.DEFAULT_GOAL := help

help:
	@echo "make lab        set up .venv (first time only) and open JupyterLab on notebooks/"
	@echo "                no browser window / another port: make lab LAB_ARGS=\"--no-browser --port 8890\""
	@echo "                PyTorch build: CPU on Linux without an NVIDIA GPU, CUDA with one; COURSE_TORCH=cpu|cuda overrides"
	@echo "make test       set up .venv, then run the unit tests and strict nbval on every notebook"
	@echo "make test-compat  every notebook + unit tests: newest versions pyproject.toml allows, its floors, Colab's stack"
	@echo "make test-cpus  strict nbval with PyTorch/oneDNN/MKL/NumPy held to other instruction sets (CPUS=default avx2 ...)"
	@echo "make unit       unit tests only;  make nbval: notebooks only;  make lint: ruff + notebook + translation lint"
	@echo "make translation-lint  the translated notebooks (notebooks/ko/) in step with their English sources"
	@echo "make notebooks  re-execute every notebook in place (do this before committing a notebook)"
	@echo "make badges     rewrite Colab badges/bootstrap cells from course_utils/_config.py"
	@echo "make release STUDENT_REPO_URL=...   student edition in dist/student + grading key + dist/student-site"
	@echo "                (refuses without the URL; RELEASE_ARGS=--no-url: an edition that names no repository)"
	@echo "make grade SUBMISSIONS=folder/      grades.csv + per-student feedback (each notebook in a sandbox)"
	@echo "make hw-audit   homework markers and questions, leak share, edition in sync, solution/blank graded, self-check parity"
	@echo "make site       the course website in build/site (open build/site/index.html)"
	@echo "make test-browser  the site and JupyterLab checked in Chromium (screenshots in build/screenshots)"
	@echo "make bench      every benchmark (bench-fit, bench-notmnist BENCH_ARGS=--quick, bench-grading, bench-limits)"

# PyTorch first, in the build that fits this machine (course_utils/plumbing/torch_install.py decides
# and says why; COURSE_TORCH=cpu|cuda|auto overrides), then everything else.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ is needed: install it, or run make PYTHON=python3.11 ...")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@cmd="$$($(PY) course_utils/plumbing/torch_install.py --requirements requirements.txt) -c constraints.txt" \
	  && echo "$$cmd" && eval "$$cmd"
	@echo "Installing JupyterLab, the notebook tools and the course's other packages (about 0.1 GB) ..."
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

# (The student edition made by `make release` has a Makefile of its own: course_tools/homework/student_files/.)
test: $(STAMP) grading-deps
	$(TEST_ENV) $(PY) -m pytest tests notebooks $(NBVAL) $(PYTEST_ARGS)

# Three environments installed the way Colab installs the course (pip install -e '.[notebooks]', no
# constraints): the newest versions the ranges allow, every dependency at its floor, and Colab's own
# stack (course_tools/colab_stack.txt) with the notebooks' bootstrap cell doing the install. Cached in
# .compat/ (first build: several GB, a few minutes; floors' and colab's torch are CUDA builds from PyPI).
COMPAT_ARGS ?=
test-compat:
	$(PYTHON) -m course_tools.compat_envs $(COMPAT_ARGS)

# Committed outputs must not depend on the CPU: strict nbval again with PyTorch's kernels held to
# `default` (no AVX) and AVX2, oneDNN held to AVX2, and everything held to SSE4.2
# (course_tools/cpu_matrix.py; `CPUS=default` runs one setting, `--list` says what each sets).
CPUS ?=
test-cpus: $(STAMP)
	$(TEST_ENV) $(PY) -m course_tools.cpu_matrix $(CPUS)

unit: $(STAMP) grading-deps
	$(TEST_ENV) $(PY) -m pytest tests $(PYTEST_ARGS)

nbval: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest notebooks $(NBVAL) $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check course_utils course_tools tests benchmarks examples site
	$(PY) -m course_tools.translation lint
	$(TEST_ENV) $(PY) -m pytest tests/test_notebook_lint.py tests/test_badges.py tests/test_translation.py

# Each translated notebook (notebooks/ko/...) has the English notebook's cells, in order, each stamped with the
# hash of the English cell it translates, and the same code (course_tools/translation.py).
translation-lint: $(STAMP)
ifneq ($(wildcard course_tools),)
	$(PY) -m course_tools.translation lint
else
	@echo "make translation-lint is a maintainers' check: it needs the instructor repository (course_tools/)."
endif

notebooks: $(STAMP)
	$(TEST_ENV) $(PY) -m course_tools.notebooks execute notebooks/*.ipynb $(wildcard notebooks/ko/*.ipynb)

badges: $(STAMP)
	$(PY) -m course_tools.notebooks badges notebooks/*.ipynb $(wildcard notebooks/ko/*.ipynb)

# torch's line is requirements.txt's own pin (pip freeze would write the local build label, e.g. +cpu).
lock: $(STAMP)
	@grep -qE '^torch==' requirements.txt || { echo "requirements.txt has no torch==... pin: add one, then make lock"; exit 1; }
	$(PY) -m pip freeze --exclude-editable | grep -v '^torch==' > constraints.tmp
	(echo "# Full lock of the pinned environment (pip freeze), used as constraints by requirements.txt."; \
	 echo "# Regenerate with: make lock"; cat constraints.tmp; grep -E '^torch==' requirements.txt) > constraints.txt
	rm -f constraints.tmp

clean:
	rm -rf $(VENV) .compat build dist *.egg-info

# ---------------------------------------------------------------- homework (instructors)
STUDENT_DIR      ?= dist/student
STUDENT_REPO_URL ?=
# The student edition's website (lessons with their figures; homework pages up to the first blank).
STUDENT_SITE     ?= $(STUDENT_DIR)-site
SUBMISSIONS      ?= submissions
GRADES           ?= grades.csv

# Refuses without STUDENT_REPO_URL (the edition's badges must never point at this private repository);
# RELEASE_ARGS=--no-url makes an edition that names no repository at all.
RELEASE_ARGS     ?=
release: $(SITE_STAMP)
	$(PY) -m course_tools.homework release notebooks --out $(STUDENT_DIR) \
	  $(if $(STUDENT_REPO_URL),--repo-url $(STUDENT_REPO_URL),) $(RELEASE_ARGS)
	$(PY) site/build.py --root $(STUDENT_DIR) --out $(STUDENT_SITE) --outputs-from notebooks

GRADE_ARGS       ?=

grade: $(STAMP)
	$(PY) -m course_tools.homework grade $(SUBMISSIONS) --key $(STUDENT_DIR).grading-key.json --out $(GRADES) $(GRADE_ARGS)

# The grader runs every submission in a bubblewrap sandbox (Linux; Debian/Ubuntu package `bubblewrap`).
# Installed here when missing and this user can (root with apt-get, as in CI); otherwise it says how.
grading-deps:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing bubblewrap (the homework grader's sandbox)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	else \
	  echo "The homework grader and its tests need bubblewrap: sudo apt-get install bubblewrap (Debian/Ubuntu)," \
	       "sudo dnf install bubblewrap (Fedora); then run make again."; exit 1; \
	fi

# The markers and questions, the student edition in sync, the solution answering every grading question
# and the blank edition none (--run), and self-check parity over the corpus of typical wrong solutions (--wrong).
WRONG_CORPUS ?= tests/fixtures/homework/wrong
hw-audit: $(STAMP)
	$(PY) -m course_tools.homework audit notebooks --run $(if $(wildcard $(STUDENT_DIR)),--student $(STUDENT_DIR),) \
	  $(if $(wildcard $(WRONG_CORPUS)),--wrong $(WRONG_CORPUS) --jobs 2,)

# The old name of hw-audit ("lint" is make lint: code and notebook style).
hw-lint: hw-audit

# ---------------------------------------------------------------- data and benchmarks
embedded: $(STAMP)
	$(PY) -m course_tools.synth

embedded-check: $(STAMP)
	$(PY) -m course_tools.synth --check

bench: bench-fit bench-notmnist bench-grading bench-limits

bench-fit: $(STAMP)
	$(PY) benchmarks/bench_fit.py

bench-notmnist: $(STAMP)
	$(PY) benchmarks/bench_notmnist.py $(BENCH_ARGS)

bench-grading: $(STAMP)
	$(PY) benchmarks/bench_grading.py

bench-threads: $(STAMP)
	$(PY) benchmarks/bench_threads.py
# What honest submissions use against the grader's limits, the watch's cost, the grader's memory on a crafted file.
bench-limits: $(STAMP) grading-deps
	$(PY) benchmarks/bench_limits.py

example-ddp: $(STAMP)
	COURSE_DEVICE=cpu COURSE_PROGRESS=plain OMP_NUM_THREADS=1 $(PY) -m torch.distributed.run --nnodes 1 \
	  --nproc_per_node 2 --master_addr 127.0.0.1 --master_port 29531 examples/train_mlp_ddp.py --no-checkpoint

# ---------------------------------------------------------------- website and browser tests
# `make site` renders the committed notebook outputs (nothing is executed) into $(SITE_DIR).

$(SITE_STAMP): $(STAMP) requirements-site.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-site.txt
	@touch $@

site: $(SITE_STAMP)
	$(PY) site/build.py --root . --out $(SITE_DIR)

$(BROWSER_STAMP): $(SITE_STAMP) requirements-browser.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-browser.txt
	@touch $@

# Chromium and a Korean font from Debian's packages, installed only when missing (needs root).
chromium:
	@if [ ! -x "$(CHROMIUM)" ] || ! fc-list :lang=ko 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM) and a Korean font: install the packages"; \
	    echo "chromium and fonts-noto-cjk (Debian/Ubuntu: sudo apt-get install chromium fonts-noto-cjk),"; \
	    echo "or point CHROMIUM=/path/to/chromium at another Chromium or Chrome."; exit 1; \
	  fi; \
	fi

test-browser: $(BROWSER_STAMP) chromium site
	$(TEST_ENV) COURSE_BROWSER_TESTS=1 COURSE_CHROMIUM=$(CHROMIUM) COURSE_SITE_DIR=$(SITE_DIR) \
	  $(PY) -m pytest tests/browser tests/test_site_build.py $(PYTEST_ARGS)
