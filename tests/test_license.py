"""The LICENSE file states the license that pyproject.toml declares, and ships with the student edition."""

from __future__ import annotations

import re
from pathlib import Path

from course_tools.homework import config

REPO = Path(__file__).resolve().parent.parent

#: The first line and the operative sentences of each license this test knows, by SPDX id.
KNOWN_LICENSES = {
    "MIT": ("MIT License",
            "Permission is hereby granted, free of charge, to any person obtaining a copy",
            "The above copyright notice and this permission notice shall be included in all",
            'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND'),
}


def declared_license() -> str:
    """The license id of pyproject.toml: ``license = { text = "MIT" }`` or ``license = "MIT"``.

    Read with a regular expression, since ``tomllib`` is missing on Python 3.10 (the floors environment).
    """
    text = (REPO / "pyproject.toml").read_text()
    match = re.search(r'^license\s*=\s*(?:\{\s*text\s*=\s*)?"([^"]+)"', text, re.M)
    assert match, "pyproject.toml declares no license"
    return match.group(1)


def test_license_file_matches_pyproject():
    declared = declared_license()
    assert declared in KNOWN_LICENSES, f"pyproject.toml declares {declared!r}: add its text to LICENSE and here"
    text = (REPO / "LICENSE").read_text()
    first, *sentences = KNOWN_LICENSES[declared]
    assert text.splitlines()[0] == first, f"LICENSE does not start with {first!r}"
    for sentence in sentences:
        assert sentence in text, f"LICENSE lacks the {declared} sentence {sentence!r}"


def test_license_names_its_copyright_holder_and_year():
    match = re.search(r"^Copyright \(c\) (\d{4}) (\S.*)$", (REPO / "LICENSE").read_text(), re.M)
    assert match, "LICENSE needs a line 'Copyright (c) <year> <holders>'"
    assert int(match.group(1)) >= 2024 and "<" not in match.group(2)


def test_student_edition_ships_the_license():
    assert "LICENSE" in config.STUDENT_EDITION_PATHS
