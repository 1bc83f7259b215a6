"""Where the code runs (a notebook kernel or not) and how progress is shown there.

The ``COURSE_PROGRESS`` policy lives here, once, for training and downloads alike:

- ``plain``: deterministic text lines (tests, CI, committed notebook outputs);
- ``bar``: a live tqdm bar;
- ``none``: nothing;
- ``auto`` (default): ``plain`` when ``CI`` is set, else ``bar`` in a notebook kernel or a
  terminal, else ``plain`` (output going to a file).
"""

from __future__ import annotations

import os
import sys
from typing import Union

MODES = ("auto", "bar", "plain", "none")
_FALSE = {"", "0", "false", "no", "off"}


def in_notebook() -> bool:
    """True inside a Jupyter or Colab kernel. It only looks: IPython is never imported here."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return False
    get_ipython = getattr(ipython_module, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    if shell is None:
        return False
    return getattr(shell, "kernel", None) is not None or "google.colab" in sys.modules


def _stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr is not None and sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def progress_mode(progress: Union[str, bool, None] = None, *, variable: str = "COURSE_PROGRESS") -> str:
    """The progress mode to use: ``"bar"``, ``"plain"`` or ``"none"``.

    Args:
        progress: an explicit choice (``"auto"``, ``"bar"``, ``"plain"``, ``"none"``); ``True``
            means ``"auto"``, ``False`` means ``"none"``, ``None`` reads the environment variable.
        variable: the environment variable consulted when ``progress`` is ``None`` or ``True``.

    Raises:
        ValueError: an unknown mode, naming where it came from and the allowed values.
    """
    if progress is False:
        return "none"
    source = "progress"
    if progress is True or progress is None:
        progress = os.environ.get(variable, "").strip().lower() or "auto"
        source = variable
    mode = str(progress).strip().lower()
    if mode not in MODES:
        raise ValueError(f"{source}={progress!r} is not understood: use one of {', '.join(MODES)} "
                         "('plain' prints deterministic lines, 'bar' shows a live progress bar).")
    if mode != "auto":
        return mode
    if os.environ.get("CI", "").strip().lower() not in _FALSE:
        return "plain"
    if in_notebook() or _stderr_is_terminal():
        return "bar"
    return "plain"
