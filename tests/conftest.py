"""Shared fixtures for the unit tests."""

from __future__ import annotations

import pytest

from course_utils import env as env_module

_ENV_VARS = ("COURSE_ROOT", "COURSE_DATA_DIR", "COURSE_CHECKPOINT_DIR", "COURSE_COLAB", "COURSE_NUM_WORKERS",
             "COURSE_DRIVE_MOUNTPOINT", "COURSE_COLAB_CONTENT", "COLAB_RELEASE_TAG", "COLAB_BACKEND_VERSION")


@pytest.fixture
def clean_env(monkeypatch):
    """No course environment variables and no remembered setup(); restored afterwards."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(env_module, "_current", None)
    return monkeypatch
