"""Update commands per installation, messages for old optional packages, the grader's nbclient check,
and the Colab GPU hint only for an automatic device choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

import course_utils
from course_utils import _config, versions
from course_utils import device as device_module

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- require()'s fix
def test_local_clone_pulls_and_runs_make_setup(tmp_path):
    (tmp_path / ".git").mkdir()
    fix = versions.fix_command(False, root=tmp_path)
    assert f"cd {tmp_path} && git pull && make setup" in fix and "restart the Jupyter kernel" in fix


def test_colab_clone_pulls_in_the_clone_and_reinstalls_it(tmp_path):
    clone = tmp_path / "week2-dl-basics"
    (clone / ".git").mkdir(parents=True)
    fix = versions.fix_command(True, root=clone)
    assert f"!git -C {clone} pull" in fix
    assert f'!pip install -q -e "{clone}[notebooks]"' in fix and "Restart session" in fix
    assert "git+" not in fix  # a reinstall from the URL would leave the data of the clone behind


def test_pip_installed_gets_the_pip_command():
    fix = versions.fix_command(False, root=None)
    assert f'pip install -U "course-utils @ git+{_config.REPO_URL}"' in fix
    colab = versions.fix_command(True, root=None)
    assert "!pip uninstall -y course-utils" in colab and "first cell clones" in colab


def test_folder_that_is_not_a_clone_is_replaced(tmp_path):
    fix = versions.fix_command(False, root=tmp_path)
    assert "not a git clone" in fix and f"git clone {_config.REPO_URL}" in fix


def test_require_detects_this_clone(monkeypatch):
    monkeypatch.setenv("COURSE_COLAB", "0")
    with pytest.raises(RuntimeError) as info:
        versions.require("0.99", installed="0.1.0")
    assert f"cd {REPO} && git pull && make setup" in str(info.value)


# --------------------------------------------------------------------------- optional packages
def test_ipywidgets_too_old_says_upgrade():
    message = versions.optional_import_message("ipywidgets", "7.5", "The explorer", ImportError("cannot import Iterable"),
                                             alternative="use posterior_vs_prior()", installed="7.4.2")
    assert "needs ipywidgets 7.5 or newer, but ipywidgets 7.4.2 is installed" in message
    assert '%pip install -U "ipywidgets>=7.5"' in message and "cannot import Iterable" in message
    assert message.endswith("or use posterior_vs_prior().")


def test_ipywidgets_missing_says_install():
    message = versions.optional_import_message("ipywidgets", "7.5", "The explorer", ImportError("x"), installed=None)
    assert "run `pip install ipywidgets`" in message and "Colab already has it" in message


def test_ipywidgets_recent_but_broken_says_reinstall():
    message = versions.optional_import_message("ipywidgets", "7.5", "The explorer", ImportError("boom"), installed="8.1.9")
    assert "--force-reinstall" in message and "boom" in message


def test_optional_import_returns_the_module_or_raises_the_advice():
    assert versions.optional_import("json", "0", "Test") is __import__("json")
    with pytest.raises(ImportError, match="needs no_such_package_xyz: run `pip install no_such_package_xyz`"):
        versions.optional_import("no_such_package_xyz", "1.0", "Test")


def test_too_old():
    assert versions.too_old("nbclient", "0.6.1", "The grader", installed="0.6.1") is None
    assert versions.too_old("nbclient", "0.6.1", "The grader", installed="0.10.2") is None
    message = versions.too_old("nbclient", "0.6.1", "The grader", installed="0.6.0")
    assert "The grader needs nbclient 0.6.1 or newer, but 0.6.0 is installed" in message
    assert 'pip install -U "nbclient>=0.6.1"' in message
    assert "not installed" in versions.too_old("nbclient", "0.6.1", "The grader", installed=None)


def test_grader_refuses_to_start_on_an_old_nbclient(monkeypatch, tmp_path, capsys):
    from course_tools.homework import __main__ as cli

    monkeypatch.setattr(versions, "_installed_version", lambda name: "0.6.0" if name == "nbclient" else None)
    code = cli.main(["grade", str(tmp_path), "--key", str(tmp_path / "key.json"), "--out", str(tmp_path / "g.csv")])
    assert code == 2
    err = capsys.readouterr().err
    assert "grading did not start" in err and "nbclient 0.6.1 or newer, but 0.6.0" in err
    assert not (tmp_path / "g.csv").exists()


def test_grader_floor_matches_pyproject():
    from course_tools.homework.__main__ import NBCLIENT_MINIMUM

    assert f'"nbclient>={NBCLIENT_MINIMUM}"' in (REPO / "pyproject.toml").read_text()


def test_python_floor_is_the_same_everywhere():
    pyproject = (REPO / "pyproject.toml").read_text()
    floor = re.search(r'requires-python = ">=(3\.\d+)"', pyproject).group(1)
    assert floor == "3.10"
    makefile = (REPO / "Makefile").read_text()
    assert f"sys.version_info >= ({floor.replace('.', ', ')})" in makefile and f"Python {floor}+" in makefile
    assert f"Python {floor}" in (REPO / "README.md").read_text()


# --------------------------------------------------------------------------- the Colab GPU hint
@pytest.fixture
def colab_without_gpu(monkeypatch, clean_env, tmp_path):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr(device_module, "_mps_available", lambda: False)
    clean_env.setenv("COURSE_COLAB", "1")
    clean_env.setattr("course_utils.env.repo_root", lambda: None)
    clean_env.setenv("COURSE_ROOT", str(tmp_path))
    return clean_env


def test_gpu_hint_when_the_cpu_was_picked_automatically(colab_without_gpu, capsys):
    course_utils.setup(seed=None)
    assert "No GPU in this Colab runtime" in capsys.readouterr().out


def test_no_gpu_hint_when_the_cpu_was_asked_for(colab_without_gpu, capsys):
    env = course_utils.setup(seed=None, device="cpu")
    assert env.device.type == "cpu" and "No GPU" not in capsys.readouterr().out
    colab_without_gpu.setenv("COURSE_DEVICE", "cpu")
    env = course_utils.setup(seed=None)
    assert env.device.type == "cpu" and "No GPU" not in capsys.readouterr().out
