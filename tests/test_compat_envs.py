"""The pure parts of `make test-compat`: reading pyproject.toml, floor pins, the off-floor check, Colab's
list and bootstrap cell, the caps outside the project."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course_tools import compat_envs as ce

REPO = Path(__file__).resolve().parent.parent


def test_every_dependency_has_a_floor_and_the_pins_follow_it():
    project = ce.read_project(REPO / "pyproject.toml")
    reqs = ce.course_requirements(project)
    names = {r.name for r in reqs}
    assert {"torch", "numpy", "matplotlib", "nbclient", "ipywidgets", "torchinfo"} <= names
    pins = ce.floor_pins(reqs)
    assert len(pins) == len(reqs) and all("==" in p for p in pins)
    assert ce.python_floor(project) == "3.10"


def test_the_floors_that_are_known_to_matter():
    floors = {r.name: r.floor for r in ce.course_requirements(ce.read_project(REPO / "pyproject.toml"))}
    assert ce._release(floors["torch"]) >= (2, 3)  # torch.amp.GradScaler
    assert ce._release(floors["matplotlib"]) >= (3, 7)  # %matplotlib inline
    assert ce._release(floors["nbclient"]) >= (0, 6, 1)  # the grader's hook
    assert ce._release(floors["ipywidgets"]) >= (7, 5)  # imports on Python 3.10+
    assert ce._release(floors["torchinfo"]) >= (1, 8)
    assert ce._release(floors["nbformat"]) >= (5, 1, 3)  # 5.1.0-5.1.2 were withdrawn


def test_fallback_reader_agrees_with_tomllib():
    text = (REPO / "pyproject.toml").read_text()
    full = ce.read_project(REPO / "pyproject.toml")
    fallback = ce._read_project_fallback(text)
    assert fallback["dependencies"] == full["dependencies"]
    assert fallback["optional-dependencies"]["notebooks"] == full["optional-dependencies"]["notebooks"]
    assert fallback["requires-python"] == full["requires-python"]


def test_requirement_parsing():
    r = ce.parse_requirement("nbformat >= 5.1.3, != 5.2.0 ; python_version >= '3.10'")
    assert (r.name, r.specifier, r.floor) == ("nbformat", ">=5.1.3,!=5.2.0", "5.1.3")
    assert ce.parse_requirement("ipywidgets[extra]>=7.5").floor == "7.5"
    with pytest.raises(ValueError, match="no '>=' floor for tqdm"):
        ce.floor_pins([ce.parse_requirement("tqdm"), ce.parse_requirement("numpy>=1.22")])


def test_off_floor_names_what_moved():
    reqs = [ce.parse_requirement(t) for t in ("numpy>=1.22", "torch>=2.3", "ipywidgets>=7.5")]
    installed = {"numpy": "1.22.0", "torch": "2.3.0", "ipywidgets": "8.1.9"}
    assert ce.off_floor(reqs, installed) == ["ipywidgets: 8.1.9 installed, floor is 7.5"]
    assert ce.off_floor(reqs[:1], {}) == ["numpy: not installed"]
    assert ce.off_floor([ce.parse_requirement("torch>=2.13")], {"torch": "2.13.0+cpu"}) == []


def test_summary_reports_each_environment():
    ok = ce.EnvResult("newest", python="3.11.7", versions={"torch": "2.14.1"}, install_s=12,
                      notebooks=[("01_x.ipynb", 3.0, "")], tests="500 passed in 90s", tests_ok=True, tests_s=91)
    bad = ce.EnvResult("floors", python="3.10.13", notebooks=[("03_y.ipynb", 5.0, "boom")], tests_ok=False,
                       tests="1 failed, 499 passed")
    text = ce.summary([ok, bad])
    assert "newest: PASS" in text and "floors: FAIL" in text and "notebooks: 0/1 ran clean" in text
    assert "torch 2.14.1" in text and "500 passed" in text


# --------------------------------------------------------------------------- the colab environment
def test_three_environments():
    assert ce.ENV_NAMES == ("newest", "floors", "colab")


def test_colab_list_pins_colabs_kernel_stack_on_its_python():
    stack = ce.read_pinned_list(ce.COLAB_STACK)
    pins = {ce._normalize(name): version for name, version in stack.pins}
    assert stack.python == "3.13"
    # The kernel stack a Colab runtime has, which neither other environment installs.
    assert pins["ipython"] == "7.34.0" and pins["ipykernel"] == "6.17.1"
    assert pins["jupyter-client"] == "7.4.9" and pins["ipywidgets"] == "7.7.1"
    assert ce._release(pins["numpy"])[:1] == (2,) and ce._release(pins["pillow"])[:1] == (11,)
    assert "torch" in pins and "pip" in pins
    assert len(pins) == len(stack.pins), "a package is pinned twice"
    header = ce.COLAB_STACK.read_text().split("\n\n")[0]
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", header), "the list's header must give the date it was taken"


def test_colab_list_pins_every_course_dependency_colab_has():
    pins = {ce._normalize(name) for name, _ in ce.read_pinned_list(ce.COLAB_STACK).pins}
    names = {ce._normalize(r.name) for r in ce.course_requirements(ce.read_project(REPO / "pyproject.toml"))}
    # torchinfo is the one dependency Colab's image lacks: the bootstrap cell's install adds it.
    assert names - pins == {"torchinfo"}


def test_pinned_list_reader_refuses_anything_but_exact_pins(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("# taken 2026-08-19\n# python: 3.12\n\nnumpy==2.0.2\ntorch==2.11.0\n")
    assert ce.read_pinned_list(good) == ce.PinnedList("3.12", [("numpy", "2.0.2"), ("torch", "2.11.0")])
    bad = tmp_path / "bad.txt"
    bad.write_text("numpy==2.0.2\ntorch>=2.3\n")
    with pytest.raises(ValueError, match="line 2: 'torch>=2.3' is not an exact pin"):
        ce.read_pinned_list(bad)


def test_colab_mismatches_name_the_moved_package():
    pins = [("numpy", "2.1.3"), ("ipython", "7.34.0"), ("python-dateutil", "2.9.0.post0")]
    installed = {"numpy": "2.4.6", "ipython": "7.34.0", "python-dateutil": "2.9.0.post0"}
    assert ce.version_mismatches(pins, installed, "Colab has") == ["numpy: 2.4.6 installed, Colab has 2.1.3"]


def test_the_bootstrap_cell_is_read_from_the_notebooks_and_pointed_at_the_clone(tmp_path):
    from course_tools import notebooks as nbtools

    assert ce.BOOTSTRAP_MARKER == nbtools.BOOTSTRAP_MARKER
    source = ce.bootstrap_cell(REPO / ce.BOOTSTRAP_NOTEBOOK)
    assert source == nbtools.bootstrap_source()
    pointed = ce.bootstrap_for_clone(source, tmp_path / "clone")
    assert f'repo = "{tmp_path / "clone"}"' in pointed and '"/content/' not in pointed
    # Only the folder changes: the install command is the notebook's own.
    assert pointed.replace(str(tmp_path / "clone"), "X") == re.sub(r'repo = "[^"]*"', 'repo = "X"', source)
    with pytest.raises(ValueError, match="no single 'repo ="):
        ce.bootstrap_for_clone("# Course bootstrap\nimport sys\n", tmp_path)


def test_the_simulated_colab_runs_the_cell_and_only_there(tmp_path):
    """The driver makes ``google.colab`` importable, so the cell's Colab branch runs (here: a stand-in cell)."""
    cell = ('import sys\nif "google.colab" in sys.modules:\n'
            f'    open({str(tmp_path / "ran")!r}, "w").write("on colab")\n')
    subprocess.run([sys.executable, "-c", ce._COLAB_DRIVER, cell], check=True, cwd=tmp_path)
    assert (tmp_path / "ran").read_text() == "on colab"
    (tmp_path / "ran").unlink()
    subprocess.run([sys.executable, "-c", cell], check=True, cwd=tmp_path)  # without the driver: nothing
    assert not (tmp_path / "ran").exists()


def test_a_notebook_without_a_bootstrap_cell_is_refused(tmp_path):
    nb = tmp_path / "x.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["import torch\n"]}]}))
    with pytest.raises(ValueError, match="not the bootstrap cell"):
        ce.bootstrap_cell(nb)


# --------------------------------------------------------------------------- caps outside the project
def test_held_back_names_the_cap_and_says_unknown():
    reqs = [ce.parse_requirement(t) for t in ("torch>=2.3", "numpy>=1.22", "tqdm>=4.60", "pillow>=9.1,<12")]
    installed = {"torch": "2.14.1", "numpy": "2.4.6", "tqdm": "4.70.1", "pillow": "11.3.0"}
    offered = {"torch": "2.15.0", "numpy": "2.4.6", "tqdm": None, "pillow": "13.0.0"}
    caps = {"torch": "/etc/xdg/pip/constraints.txt: torch<=2.14.1"}
    notes = ce.held_back(reqs, installed, offered, caps)
    assert notes == ["torch: 2.14.1 installed, 2.15.0 released; held back by pip's configured constraint "
                     "/etc/xdg/pip/constraints.txt: torch<=2.14.1",
                     "tqdm: newest release unknown (pip index versions gave no answer)"]
    # Without a configured constraint naming it, the cap is still reported, as coming from elsewhere.
    other = ce.held_back(reqs[:1], installed, offered, {})
    assert other == ["torch: 2.14.1 installed, 2.15.0 released; held back by a cap outside pyproject.toml "
                     "(another package's requirement or pip's configuration)"]


def test_configured_caps_reads_pips_constraint_files(tmp_path, monkeypatch):
    constraints = tmp_path / "c.txt"
    constraints.write_text("# a comment\ntorch<=2.14.1\n-c other.txt\n\nnumpy < 3  # why\n")
    monkeypatch.setenv("PIP_CONSTRAINT", str(constraints))
    caps = ce.configured_caps(sys.executable)
    assert caps["torch"] == f"{constraints}: torch<=2.14.1"
    assert caps["numpy"] == f"{constraints}: numpy < 3"


def test_summary_shows_notes():
    result = ce.EnvResult("newest", notes=["torch: 2.14.1 installed, 2.15.0 released; held back by X"])
    assert "note: torch: 2.14.1 installed, 2.15.0 released" in ce.summary([result])
    assert result.ok, "a note is information, not a failure"
