"""The old name of ``course_tools.homework.audit`` (renamed: "lint" is ``make lint``, the code and notebook
style checks; the homework audit also grades the solutions and the wrong corpus). Importing it gives the
``audit`` module itself, so code written against the old name keeps working; new code imports ``audit``."""

import sys

from . import audit as _audit

sys.modules[__name__] = _audit
