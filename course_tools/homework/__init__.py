"""Homework tooling: release a student edition, let students self-check, grade submissions.

Three commands take an instructor from the solution notebooks to grades (also ``make release``,
``make grade``, ``make hw-audit``)::

    python -m course_tools.homework release notebooks --out dist/student [--repo-url URL]
    python -m course_tools.homework grade SUBMISSION... --key dist/student.grading-key.json --out grades.csv
    python -m course_tools.homework merge-manual grades.csv manual-points.csv
    python -m course_tools.homework audit notebooks [--student dist/student] [--run]

Modules: ``markers`` (the source format), ``release`` (edition and key), ``questions`` (the grading
questions' format), ``oracle`` (what crosses into and out of a kernel), ``judge`` (ask and judge a
task's questions), ``snapshot`` (a folder the student's code wrote, listed without trusting it),
``submission`` (grade ONE notebook: read, plan, run, ask, score), ``grade`` (MANY: workers, CSV,
feedback), ``sandbox`` (what a grading kernel sees), ``kernel`` (one kernel, driven over ipc
sockets), ``scan`` (the flags), ``records`` (typed results), ``report`` (CSV store, feedback, manual
points), ``said`` (a message to the student, English in the CSV and the student's language in the feedback),
``feedback_ko`` (the requirements in Korean), ``audit`` (markers, questions, leak share, the edition in sync, solutions graded: ``make hw-audit``;
``lint`` is its old name), ``config``.

Notebooks mark answers with nbgrader's markers (``### BEGIN SOLUTION`` / ``### END SOLUTION``) and
name tasks in the source (``# TASK mlp.layers (2 points): ...``, its visible ``# TEST mlp.layers``
and its grading ``# QUESTIONS mlp.layers``): see ``markers`` and ``questions``. Students' visible
test cells use ``course_utils.checks.selfcheck``; the grader never trusts them: it asks the student's
kernel questions and judges the answers in its own process.

Importing this package is free of side effects and imports neither nbclient nor torch; the
submodules are imported on use.
"""

__all__ = ["audit", "config", "grade", "judge", "kernel", "markers", "oracle", "questions", "records", "release",
           "report", "said", "sandbox", "scan", "snapshot", "submission"]
