"""Feedback for students: ``exercise`` (lesson exercises, prints a nudge, never raises) and
``homework`` (the visible checks of homework notebooks, raise ``AssertionError`` with a hint).
Both compare through one core, ``compare``."""
