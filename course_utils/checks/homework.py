"""The old name of ``course_utils.checks.selfcheck`` (the functions of the homework's check cells).

Kept so that notebooks and submissions written before the rename still run: importing it gives the
``selfcheck`` module itself (one module object, so a change through either name is seen by both).
New code imports ``course_utils.checks.selfcheck``.
"""

import sys

from . import selfcheck as _selfcheck

sys.modules[__name__] = _selfcheck
