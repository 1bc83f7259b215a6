"""Feedback for students, one module per job:

- ``exercise``: the lessons' exercises; ``give_feedback(...)`` prints one line (correct, not answered yet, or a
  nudge) and never raises. It compares through ``compare``.
- ``selfcheck``: the check cells of the homework notebooks; its ``check_*`` functions raise ``CheckFailure``
  with what was expected, what came out and a hint. It imports nothing from the rest of the package, so it
  has its own few lines of comparison code (``homework`` is its old name).
- ``runner``: ``make check``, which runs a homework notebook's check cells and reports each task.
- ``claims`` (a lesson's conclusions that hold on any CPU), ``own_work`` (tripwires for shipped functions a
  task asks you not to call), ``notmnist_toy`` (homework 05's toy data and stand-ins).
"""
