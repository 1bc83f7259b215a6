"""The pure parts of `make test-compat`: reading pyproject.toml, floor pins, the off-floor check."""

from __future__ import annotations

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
