"""Which PyTorch install command `make setup` runs on each kind of machine (the decision is pure)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from course_utils.plumbing import torch_install as ti

REQ = "torch==2.13.0"
REPO = Path(__file__).resolve().parent.parent


def decide(**kw):
    facts = dict(system="Linux", machine="x86_64", has_nvidia_gpu=False, override="auto", installed=None,
                 resolves_to=None)
    facts.update(kw)
    return ti.decide(REQ, **facts)


def test_linux_without_gpu_gets_the_cpu_build_from_pytorchs_index():
    d = decide()
    assert d.build == "cpu"
    assert d.args == ["torch==2.13.0+cpu", "--extra-index-url", ti.CPU_INDEX]
    assert "no NVIDIA GPU was found" in d.message() and "GB" in d.message()
    assert d.command(".venv/bin/python") == (".venv/bin/python -m pip install --disable-pip-version-check "
                                             f"torch==2.13.0+cpu --extra-index-url {ti.CPU_INDEX}")


def test_linux_with_gpu_gets_pypis_cuda_build():
    d = decide(has_nvidia_gpu=True)
    assert d.build == "cuda" and d.args == [REQ]
    assert "an NVIDIA GPU was found" in d.message() and "COURSE_TORCH=cpu" in d.message()


def test_macos_and_windows_keep_pypis_build():
    for system, machine in (("Darwin", "arm64"), ("Windows", "AMD64")):
        for gpu in (False, True):
            d = decide(system=system, machine=machine, has_nvidia_gpu=gpu)
            assert d.args == [REQ] and d.build == "default", (system, gpu)


def test_override_wins_over_detection():
    assert decide(has_nvidia_gpu=True, override="cpu").args[0] == "torch==2.13.0+cpu"
    assert decide(has_nvidia_gpu=False, override="cuda").args == [REQ]
    assert decide(has_nvidia_gpu=False, override=" CUDA ").build == "cuda"
    assert decide(override="").build == "cpu"  # empty means auto


def test_override_is_checked():
    with pytest.raises(ValueError, match="COURSE_TORCH='gpu' is not understood"):
        decide(override="gpu")
    with pytest.raises(ValueError, match="no CUDA build of PyTorch for macOS"):
        decide(system="Darwin", machine="arm64", override="cuda")
    assert "PyPI's Windows build has no CUDA" in decide(system="Windows", override="cuda").notes[0]


def test_ci_like_sources_that_already_hold_a_cpu_wheel_use_the_plain_command():
    d = decide(resolves_to="2.13.0+cpu")
    assert d.args == [REQ] and d.build == "cpu" and "already hold" in d.message()
    # a CUDA build (no label) or another release does not count
    assert decide(resolves_to="2.13.0").args[0] == "torch==2.13.0+cpu"
    assert decide(resolves_to="2.14.1+cpu").args[0] == "torch==2.13.0+cpu"


def test_already_installed_downloads_nothing():
    d = decide(installed="2.13.0+cpu")
    assert d.args == [REQ] and d.build == "installed" and "nothing to download" in d.message()
    # the CUDA build already installed stays, unless the CPU build is asked for
    assert decide(installed="2.13.0", has_nvidia_gpu=False).build == "installed"
    assert decide(installed="2.13.0", override="cpu").args[0] == "torch==2.13.0+cpu"
    assert decide(installed="2.13.0+cpu", override="cuda").build == "cuda"
    # another release installed: decided as if none were
    assert decide(installed="2.12.0+cpu").args[0] == "torch==2.13.0+cpu"


def test_other_linux_architectures_use_pypi():
    d = decide(machine="aarch64")
    assert d.args == [REQ]


def test_requirement_is_read_from_requirements_txt(tmp_path):
    assert ti.torch_requirement(REPO / "requirements.txt").startswith("torch==")
    f = tmp_path / "r.txt"
    f.write_text("-c constraints.txt\nnumpy==2.0\ntorch == 2.5.1  # pinned\n")
    assert ti.torch_requirement(f) == "torch==2.5.1"
    f.write_text("torch>=2.3\n")
    with pytest.raises(ValueError, match="no 'torch==<version>' line"):
        ti.torch_requirement(f)


def test_gpu_detection_asks_the_driver_then_nvidia_smi(monkeypatch, tmp_path):
    no_driver = tmp_path / "absent"
    driver = tmp_path / "version"
    driver.write_text("NVRM version: 550\n")
    assert ti.has_nvidia_gpu(driver_file=driver)
    monkeypatch.setattr(ti.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    ok = subprocess.CompletedProcess([], 0, stdout="GPU 0: NVIDIA T4 (UUID: x)\n")
    assert ti.has_nvidia_gpu(run=lambda *a, **k: ok, driver_file=no_driver)
    failed = subprocess.CompletedProcess([], 9, stdout="NVIDIA-SMI has failed")
    assert not ti.has_nvidia_gpu(run=lambda *a, **k: failed, driver_file=no_driver)
    monkeypatch.setattr(ti.shutil, "which", lambda name: None)
    assert not ti.has_nvidia_gpu(driver_file=no_driver)


def test_main_prints_one_command_and_explains_on_stderr(monkeypatch, capsys, tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("torch==2.13.0\n")
    monkeypatch.setattr(ti.platform, "system", lambda: "Linux")
    monkeypatch.setattr(ti.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(ti, "has_nvidia_gpu", lambda: False)
    monkeypatch.setattr(ti, "installed_torch", lambda python: None)
    monkeypatch.setattr(ti, "resolved_torch", lambda python, requirement: "2.13.0+cpu")
    monkeypatch.delenv("COURSE_TORCH", raising=False)
    assert ti.main(["--requirements", str(req), "--python", "py"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "py -m pip install --disable-pip-version-check torch==2.13.0"
    assert "CPU build 2.13.0+cpu" in err
    monkeypatch.setenv("COURSE_TORCH", "tpu")
    assert ti.main(["--requirements", str(req), "--python", "py"]) == 2
    assert "COURSE_TORCH='tpu' is not understood" in capsys.readouterr().err


def test_script_runs_with_the_standard_library_only(tmp_path):
    """The Makefile runs it with the new, empty venv: it must not import course_utils or anything else."""
    code = ("import sys, runpy; sys.argv = ['x', '--help']\n"
            f"runpy.run_path({str(REPO / 'course_utils/plumbing/torch_install.py')!r}, run_name='__main__')")
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "PyTorch build" in out.stdout
