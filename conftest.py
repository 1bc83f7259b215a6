"""Test-session hygiene for every pytest run here (unit tests and nbval alike).

The whole session, and every process it starts (notebook kernels, DataLoader workers, torchrun),
gets one private temporary folder through ``TMPDIR``/``TEMP``/``TMP``. pytest's ``tmp_path``
folders, multiprocessing's ``pymp-*`` folders, torch's caches, the notebooks' data and checkpoints
(``COURSE_DATA_DIR``/``COURSE_CHECKPOINT_DIR`` when unset) and anything a test forgets all land
there, and the folder is removed when the session ends, so a run leaves nothing in the system's
temporary folder. After a failed run it is kept, and its path printed, for a look at what failed.
``COURSE_KEEP_TEST_TMP=1`` keeps it always.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

_VARS = ("TMPDIR", "TEMP", "TMP")


def pytest_configure(config):
    folder = tempfile.mkdtemp(prefix="course-tests-")
    config._course_tmp = (folder, {name: os.environ.get(name) for name in _VARS}, tempfile.tempdir)
    for name in _VARS:
        os.environ[name] = folder
    tempfile.tempdir = folder
    # Downloads, extracted archives and checkpoints of the notebooks and tests go there too, not into
    # the clone's data/ and checkpoints/ (unless a variable already names a place).
    for name, sub in (("COURSE_DATA_DIR", "data"), ("COURSE_CHECKPOINT_DIR", "checkpoints")):
        if not os.environ.get(name):
            config._course_tmp[1][name] = None
            os.environ[name] = os.path.join(folder, sub)


def pytest_sessionfinish(session, exitstatus):
    session.config._course_tmp_failed = exitstatus not in (0, 5)


def pytest_unconfigure(config):
    saved = getattr(config, "_course_tmp", None)
    if saved is None:
        return
    folder, old_env, old_tempdir = saved
    for name, value in old_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    tempfile.tempdir = old_tempdir
    if getattr(config, "_course_tmp_failed", False) or os.environ.get("COURSE_KEEP_TEST_TMP") == "1":
        print(f"\ntemporary files of this test run kept in {folder}", file=sys.stderr)
    else:
        # Removed at exit, after multiprocessing has removed its own pymp-* folder in there (its
        # finalizer has priority -100 and would fail on a folder already gone).
        from multiprocessing.util import Finalize

        Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=-200)
