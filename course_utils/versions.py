"""Version checks, so a notebook never meets an older helper package with a confusing error.

A notebook states the version it was written for with ``course_utils.require("0.1")``. If the
installed package is older (or of another major version), the error says what is installed,
what is needed and the exact command that fixes it, instead of a later
``AttributeError: module 'course_utils' has no attribute ...``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from ._config import REPO_URL
from ._version import __version__
from .messages import text


def _parse(version: str) -> tuple[int, ...]:
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[.+-]?[A-Za-z0-9.+-]*)?", version.strip())
    if not match:
        raise ValueError(f"Not a version number: {version!r} (expected something like '0.1' or '0.1.2').")
    return tuple(int(part or 0) for part in match.groups())


_DETECT = object()


def fix_command(in_colab: bool, root: "Optional[Path] | object" = _DETECT) -> str:
    """The commands that update the package the way this copy was installed, keeping the course working.

    Args:
        in_colab: running on Google Colab.
        root: the course clone the package runs from (``env.repo_root()``), ``None`` when it is
            installed as a package (site-packages). Detected when not given.

    - a git clone (the notebooks' first cell makes one on Colab, ``git clone`` locally): pull in
      the clone and reinstall from it, so that the embedded data next to the code stays reachable;
    - a copy of the course folder that is not a git clone: replace it with a fresh clone;
    - a pip installation without a clone: the pip command (on Colab: uninstall, and the first
      cell clones and installs the course again).
    """
    if root is _DETECT:
        from .env import repo_root

        root = repo_root()
    restart = text("fix.restart_colab" if in_colab else "fix.restart_local")
    if root is not None and (Path(root) / ".git").exists():
        if in_colab:
            return text("fix.pull_colab", root=root, restart=restart)
        return text("fix.pull_local", root=root, restart=restart)
    fresh = f"git clone {REPO_URL}" if REPO_URL else text("fix.ask_instructor")
    if root is not None:
        return text("fix.not_a_clone", root=root, fresh=fresh, restart=restart)
    if in_colab:
        return text("fix.reinstall_colab")
    if not REPO_URL:
        return text("fix.fresh_copy", fresh=fresh, restart=restart)
    return text("fix.pip_upgrade", url=REPO_URL, restart=restart)


def require(minimum: str, *, installed: str = __version__) -> str:
    """Check that the installed ``course_utils`` is at least ``minimum`` and of the same major version.

    Returns the installed version. Raises ``RuntimeError`` naming both versions and the fix.
    """
    have, need = _parse(installed), _parse(minimum)
    if have >= need and have[0] == need[0]:
        return installed
    from .env import in_colab

    if have < need:
        problem = text("require.too_old", minimum=minimum, installed=installed)
    else:
        problem = text("require.other_major", major=need[0], installed=installed)
    raise RuntimeError(text("require.fix", problem=problem, fix=fix_command(in_colab())))


def _installed_version(distribution: str) -> Optional[str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def optional_import_message(distribution: str, minimum: str, needed_by: str, error: BaseException, *,
                            alternative: str = "", installed: "Optional[str] | object" = _DETECT) -> str:
    """What to tell someone whose optional package failed to import, and the command that fixes it.

    Args:
        distribution: the pip name, e.g. ``"ipywidgets"``.
        minimum: the oldest version that works, e.g. ``"7.5"``.
        needed_by: who needs it, e.g. ``"The explorer"``.
        error: the ``ImportError`` that was raised.
        alternative: what to do instead, e.g. ``"use bayes_plots.posterior_vs_prior() instead"``.
        installed: the installed version (``None``: not installed); looked up when not given.
    """
    import sys

    if installed is _DETECT:
        installed = _installed_version(distribution)
    tail = text("import.alternative", alternative=alternative) if alternative else ""
    fields = dict(needed_by=needed_by, distribution=distribution, minimum=minimum, installed=installed,
                  error=f"{type(error).__name__}: {error}", tail=tail)
    if installed is not None:
        try:
            too_old = _parse(installed) < _parse(minimum)
        except ValueError:
            too_old = False
        if too_old:
            return text("import.too_old", python="%d.%d" % sys.version_info[:2], **fields)
        return text("import.broken", **fields)
    return text("import.missing", **fields)


def optional_import(module: str, minimum: str, needed_by: str, *, distribution: Optional[str] = None,
                    alternative: str = ""):
    """Import ``module``, or raise ``ImportError`` with :func:`optional_import_message`'s advice."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(optional_import_message(distribution or module, minimum, needed_by, exc,
                                                  alternative=alternative)) from None


def too_old(distribution: str, minimum: str, needed_by: str, *,
            installed: "Optional[str] | object" = _DETECT) -> Optional[str]:
    """A sentence with the upgrade command when ``distribution`` is older than ``minimum``, else ``None``.

    For checks at the start of a tool whose failure on an old version would be silent (the
    grader on nbclient < 0.6.1 scores every check 0 instead of failing).
    """
    if installed is _DETECT:
        installed = _installed_version(distribution)
    if installed is None:
        return f'{needed_by} needs {distribution} {minimum} or newer, which is not installed: run pip install "{distribution}>={minimum}"'
    try:
        old = _parse(installed) < _parse(minimum)
    except ValueError:
        return None
    if not old:
        return None
    return (f"{needed_by} needs {distribution} {minimum} or newer, but {installed} is installed: "
            f'run pip install -U "{distribution}>={minimum}" (or make setup in the course folder)')
