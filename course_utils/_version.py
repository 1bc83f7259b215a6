"""The package version. Notebooks check it with ``course_utils.require("0.1")``."""

__version__ = "0.1.0"
