"""Version checks, so a notebook never meets an older helper package with a confusing error.

A notebook states the version it was written for with ``course_utils.require("0.1")``. If the
installed package is older (or of another major version), the error says what is installed,
what is needed and the exact command that fixes it, instead of a later
``AttributeError: module 'course_utils' has no attribute ...``.
"""

from __future__ import annotations

import re

from ._config import REPO_URL
from ._version import __version__


def _parse(version: str) -> tuple[int, ...]:
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[.+-]?[A-Za-z0-9.+-]*)?", version.strip())
    if not match:
        raise ValueError(f"Not a version number: {version!r} (expected something like '0.1' or '0.1.2').")
    return tuple(int(part or 0) for part in match.groups())


def fix_command(in_colab: bool) -> str:
    """The command that updates the package, for Colab or for a local clone."""
    if in_colab:
        return (f'!pip install -q --no-deps --force-reinstall "course-utils @ git+{REPO_URL}" '
                "then Runtime > Restart session and run the notebook from the top")
    return "git pull && make setup   (in the course folder; then restart the Jupyter kernel)"


def require(minimum: str, *, installed: str = __version__) -> str:
    """Check that the installed ``course_utils`` is at least ``minimum`` and of the same major version.

    Returns the installed version. Raises ``RuntimeError`` naming both versions and the fix.
    """
    have, need = _parse(installed), _parse(minimum)
    if have >= need and have[0] == need[0]:
        return installed
    from .env import in_colab

    if have < need:
        problem = f"This notebook needs course_utils {minimum} or newer, but {installed} is installed."
    else:
        problem = (f"This notebook was written for course_utils {need[0]}.x, but {installed} is installed, "
                   "whose functions may have changed.")
    raise RuntimeError(f"{problem}\nFix: {fix_command(in_colab())}")
