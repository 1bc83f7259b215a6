"""setup(), Colab detection, Drive mounting and path resolution, with Colab simulated."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

import course_utils
from course_utils import _config
from course_utils import env as env_module

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake_colab(tmp_path, clean_env):
    """A fake ``google.colab`` package on sys.path whose ``drive.mount`` creates the mount folder.

    Colab's /content is replaced by a temporary folder; the working directory is moved somewhere
    unrelated, as in a Colab runtime where it is /content rather than the notebook's folder.
    """
    pkg = tmp_path / "fakepkgs"
    (pkg / "google" / "colab").mkdir(parents=True)
    (pkg / "google" / "__init__.py").write_text("")
    (pkg / "google" / "colab" / "__init__.py").write_text("")
    (pkg / "google" / "colab" / "drive.py").write_text(textwrap.dedent("""
        import os
        calls = []
        def mount(mountpoint, force_remount=False):
            calls.append(mountpoint)
            if os.environ.get("FAKE_DRIVE_FAIL"):
                raise ValueError("mount failed: user denied access")
            os.makedirs(os.path.join(mountpoint, "MyDrive"), exist_ok=True)
    """))
    content = tmp_path / "content"
    content.mkdir()
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    clean_env.syspath_prepend(str(pkg))
    for name in [m for m in sys.modules if m == "google" or m.startswith("google.")]:
        clean_env.delitem(sys.modules, name)
    clean_env.setenv("COURSE_COLAB_CONTENT", str(content))
    clean_env.chdir(elsewhere)
    # Pretend the package is pip-installed, not running from this clone.
    clean_env.setattr(env_module, "repo_root", lambda: None)
    yield content
    for name in [m for m in sys.modules if m == "google" or m.startswith("google.")]:
        sys.modules.pop(name, None)


def test_import_has_no_side_effects(tmp_path):
    code = ("import os, sys; import course_utils; from course_utils import env;"
            "assert env._current is None; assert 'google.colab' not in sys.modules;"
            "assert 'torch' not in sys.modules, 'importing course_utils must not import torch';"
            "assert not os.listdir('.'), os.listdir('.')")
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_colab_detected_from_fake_package_without_importing_it(fake_colab):
    assert course_utils.in_colab() is True
    assert "google.colab" not in sys.modules


def test_colab_override_both_ways(fake_colab, monkeypatch):
    monkeypatch.setenv("COURSE_COLAB", "0")
    assert course_utils.in_colab() is False
    monkeypatch.setenv("COURSE_COLAB", "1")
    assert course_utils.in_colab() is True
    monkeypatch.setenv("COURSE_COLAB", "maybe")
    with pytest.raises(ValueError, match="set it to 1 or 0"):
        course_utils.in_colab()


def test_not_colab_locally(clean_env):
    clean_env.setenv("COURSE_COLAB", "0")
    assert course_utils.in_colab() is False


def test_colab_without_drive_uses_local_content_folder(fake_colab):
    env = course_utils.setup(quiet=True)
    assert env.in_colab and not env.drive_mounted
    assert env.root == fake_colab / _config.COURSE_DIRNAME
    assert env.data_dir == env.root / "data" and env.data_dir.is_dir()
    assert env.checkpoint_dir == env.root / "checkpoints" and env.checkpoint_dir.is_dir()
    assert env.local_data_dir == env.data_dir
    assert Path.cwd() != fake_colab  # the answer does not depend on the working directory
    assert course_utils.course_path("data", "x.png") == env.root / "data" / "x.png"


def test_colab_mount_drive_moves_root_to_drive(fake_colab, capsys):
    env = course_utils.setup(mount_drive=True, quiet=False)
    out = capsys.readouterr().out
    drive_course = fake_colab / "drive" / "MyDrive" / _config.COURSE_DIRNAME
    assert env.in_colab and env.drive_mounted
    assert env.root == drive_course and env.root_source == "Google Drive"
    assert env.checkpoint_dir == drive_course / "checkpoints"
    # archives on Drive, extracted data on the fast local disk
    assert env.data_dir == drive_course / "data"
    assert env.local_data_dir == fake_colab / _config.COURSE_DIRNAME / "data"
    assert "Colab + Drive" in out  # the GPU hint is tested in test_device_versions.py
    assert course_utils.course_path("checkpoints") == drive_course / "checkpoints"


def test_mount_drive_is_idempotent(fake_colab):
    first = course_utils.mount_drive(verbose=False)
    from google.colab import drive

    second = course_utils.mount_drive(verbose=False)
    assert first == second == fake_colab / "drive" / "MyDrive" / _config.COURSE_DIRNAME
    assert len(drive.calls) == 1


def test_mount_failure_explains_and_continues_locally(fake_colab, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_DRIVE_FAIL", "1")
    env = course_utils.setup(mount_drive=True, quiet=False)
    out = capsys.readouterr().out
    assert "Google Drive was not mounted (ValueError: mount failed: user denied access)" in out
    assert "course_utils.mount_drive()" in out
    assert not env.drive_mounted and env.root == fake_colab / _config.COURSE_DIRNAME


def test_mount_drive_outside_colab_does_nothing(clean_env, capsys):
    clean_env.setenv("COURSE_COLAB", "0")
    assert course_utils.mount_drive() is None
    assert "Not running on Colab" in capsys.readouterr().out


def test_local_root_is_the_clone_whatever_the_cwd(clean_env, tmp_path):
    clean_env.setenv("COURSE_COLAB", "0")
    clean_env.chdir(tmp_path)
    env = course_utils.setup(quiet=True, seed=None)
    assert env.root == REPO and env.root_source == "repository clone"
    assert "site-packages" not in env.root.parts


def test_installed_package_falls_back_to_home(clean_env, tmp_path):
    clean_env.setenv("COURSE_COLAB", "0")
    clean_env.setenv("HOME", str(tmp_path))
    clean_env.setattr(env_module, "repo_root", lambda: None)
    root, source = env_module.resolve_root()
    assert root == tmp_path / _config.COURSE_DIRNAME and source == "home folder"


def test_environment_overrides_win(clean_env, tmp_path):
    clean_env.setenv("COURSE_ROOT", str(tmp_path / "course"))
    clean_env.setenv("COURSE_DATA_DIR", str(tmp_path / "elsewhere-data"))
    env = course_utils.setup(quiet=True, seed=None)
    assert env.root == tmp_path / "course" and env.root_source == "COURSE_ROOT"
    assert env.data_dir == tmp_path / "elsewhere-data"
    assert env.checkpoint_dir == tmp_path / "course" / "checkpoints"


def test_course_path_rejects_absolute_parts(clean_env):
    with pytest.raises(ValueError, match="absolute path"):
        course_utils.course_path("/etc", "passwd")


def test_repo_root_never_inside_site_packages(monkeypatch, tmp_path):
    fake = tmp_path / "lib" / "site-packages" / "course_utils" / "env.py"
    fake.parent.mkdir(parents=True)
    (fake.parent.parent / "pyproject.toml").write_text("")
    (fake.parent.parent / "notebooks").mkdir()
    monkeypatch.setattr(env_module, "__file__", str(fake))
    assert env_module.repo_root() is None


def test_summary_is_one_readable_line(clean_env, capsys):
    clean_env.setenv("COURSE_COLAB", "0")
    env = course_utils.setup(seed=7)
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.strip() == str(env) == repr(env)
    assert "local" in out and "device cpu" in out and "seed 7" in out and f"root {REPO}" in out


def test_seed_is_applied_to_python_numpy_and_torch(clean_env):
    import random

    course_utils.setup(seed=123, quiet=True)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    course_utils.setup(seed=123, quiet=True)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first


@pytest.mark.parametrize("platform, start, cpus, colab, expected", [
    ("win32", "spawn", 8, False, 0),
    ("darwin", "spawn", 8, False, 0),
    ("linux", "fork", 2, True, 2),
    ("linux", "fork", 8, True, 2),
    ("linux", "fork", 16, False, 4),
    ("linux", "fork", 1, False, 1),
])
def test_default_num_workers(clean_env, platform, start, cpus, colab, expected):
    assert env_module.default_num_workers(cpus, platform, colab, start) == expected


def test_num_workers_override(clean_env):
    clean_env.setenv("COURSE_NUM_WORKERS", "3")
    assert env_module.default_num_workers(8, "win32", False, "spawn") == 3
    clean_env.setenv("COURSE_NUM_WORKERS", "two")
    with pytest.raises(ValueError, match="whole number"):
        env_module.default_num_workers()


def test_embedded_data_dir_explains_when_missing(clean_env):
    clean_env.setattr(env_module, "repo_root", lambda: None)
    with pytest.raises(FileNotFoundError, match="git clone"):
        env_module.embedded_data_dir()


def test_no_bare_cwd_anywhere(clean_env, tmp_path):
    """Whatever the working directory, nothing resolves relative to it."""
    clean_env.chdir(tmp_path)
    env = course_utils.setup(quiet=True, seed=None)
    for folder in (env.root, env.data_dir, env.checkpoint_dir, env.local_data_dir):
        assert folder.is_absolute()
        assert tmp_path not in folder.parents and folder != tmp_path
    assert os.listdir(tmp_path) == []
