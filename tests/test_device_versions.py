"""Device choice with CUDA/MPS availability monkeypatched, and the version check's messages."""

from __future__ import annotations

import pytest
import torch

import course_utils
from course_utils import device as device_module
from course_utils import versions as version_module


@pytest.fixture
def machine(monkeypatch):
    """Pretend this machine has the given GPUs: machine(cuda=2, mps=False)."""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)

    def configure(cuda: int = 0, mps: bool = False):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
        monkeypatch.setattr(device_module, "_mps_available", lambda: mps)

    return configure


@pytest.mark.parametrize("cuda, mps, expected", [(1, True, "cuda"), (0, True, "mps"), (0, False, "cpu")])
def test_best_device_order(machine, cuda, mps, expected):
    machine(cuda=cuda, mps=mps)
    assert course_utils.pick_device().type == expected


def test_available_devices_never_empty(machine):
    machine(cuda=0, mps=False)
    assert device_module.available_devices() == [torch.device("cpu")]
    machine(cuda=2, mps=False)
    assert device_module.available_devices() == [torch.device("cuda:0"), torch.device("cuda:1"), torch.device("cpu")]


def test_require_missing_cuda_says_how_to_get_one(machine):
    machine(cuda=0)
    with pytest.raises(RuntimeError, match="Runtime > Change runtime type"):
        course_utils.pick_device("cuda")


def test_require_missing_mps_explains(machine):
    machine(mps=False)
    with pytest.raises(RuntimeError, match="Apple silicon"):
        course_utils.pick_device("mps")


def test_require_cuda_index_out_of_range(machine):
    machine(cuda=1)
    with pytest.raises(RuntimeError, match="has 1 CUDA GPU"):
        course_utils.pick_device("cuda:3")


def test_unknown_device_name(machine):
    with pytest.raises(ValueError, match="Unknown device 'gpu'"):
        course_utils.pick_device("gpu")


def test_env_var_forces_cpu_even_with_a_gpu(machine, monkeypatch):
    machine(cuda=1, mps=True)
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert course_utils.pick_device() == torch.device("cpu")
    assert course_utils.pick_device("cuda").type == "cuda"  # the argument wins over the variable


def test_setup_on_colab_without_gpu_prints_how_to_switch(machine, clean_env, capsys, tmp_path):
    machine(cuda=0)
    clean_env.setenv("COURSE_COLAB", "1")
    clean_env.setattr("course_utils.env.repo_root", lambda: None)
    clean_env.setenv("COURSE_ROOT", str(tmp_path))
    env = course_utils.setup(quiet=False, seed=None)
    assert env.device.type == "cpu"
    assert "Runtime > Change runtime type" in capsys.readouterr().out


def test_require_accepts_same_or_newer_minor():
    assert course_utils.require("0.1") == course_utils.__version__
    assert version_module.require("0.1", installed="0.3.2") == "0.3.2"


def test_require_too_old_names_both_versions_and_the_fix(monkeypatch):
    monkeypatch.setenv("COURSE_COLAB", "0")
    with pytest.raises(RuntimeError) as info:
        version_module.require("0.4", installed="0.3.2")
    message = str(info.value)
    assert "needs course_utils 0.4 or newer, but 0.3.2 is installed" in message
    assert "git pull && make setup" in message


def test_require_on_colab_gives_the_pip_command(monkeypatch):
    monkeypatch.setenv("COURSE_COLAB", "1")
    with pytest.raises(RuntimeError) as info:
        version_module.require("0.2", installed="0.1.0")
    assert "pip install" in str(info.value) and "Restart session" in str(info.value)


def test_require_other_major_version(monkeypatch):
    monkeypatch.setenv("COURSE_COLAB", "0")
    with pytest.raises(RuntimeError, match="written for course_utils 0.x, but 1.0.0"):
        version_module.require("0.1", installed="1.0.0")


def test_require_bad_version_string():
    with pytest.raises(ValueError, match="Not a version number"):
        version_module.require("latest")
