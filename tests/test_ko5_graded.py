"""The Korean homework 05 is graded like the English one: the same tasks, the same key.

``notebooks/ko/05_notmnist_dataset_homework.ipynb`` keeps the English task ids, TASK header lines, TEST cells and
QUESTIONS cells byte for byte; only its text, comments, hints and printed strings are Korean. So the key released from
the *English* notebook grades a Korean submission: the Korean solution earns every point of the eight tasks, the
Korean student edition (its blanks raising the Korean hints) none, and neither gets a "test cell was changed" note.
The control: the English solution under the same key.

Written answers are not compared here: the question graded by hand is looked up by its English text, which a Korean
submission does not contain (how a Korean submission's written answers are found is being changed separately).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from course_tools.homework.grade import grade, submission_label
from course_tools.homework.release import release

REPO = Path(__file__).resolve().parents[1]
ENGLISH = REPO / "notebooks" / "05_notmnist_dataset_homework.ipynb"
KOREAN = REPO / "notebooks" / "ko" / "05_notmnist_dataset_homework.ipynb"
TASK_POINTS = 16   # tasks 1-8: 2 + 2 + 2 + 2 + 2 + 1 + 2 + 3


def _release_alone(notebook: Path, where: Path):
    (where / "notebooks").mkdir(parents=True)
    (where / "notebooks" / notebook.name).write_bytes(notebook.read_bytes())
    return release(where / "notebooks", where / "dist", root=REPO)


def test_the_english_key_grades_the_korean_solution_and_blank_edition(tmp_path):
    key = _release_alone(ENGLISH, tmp_path / "en").key_path
    _release_alone(KOREAN, tmp_path / "ko")
    korean_blank = tmp_path / "ko" / "dist" / "notebooks" / KOREAN.name
    hints = [line for c in json.loads(korean_blank.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"
             for line in "".join(c["source"]).splitlines() if "raise NotImplementedError" in line]
    # one per blank: download, safe_extract, scan_folders, check_image, find_bad_files, load_image, font_of,
    # split_by_font, and the class's __init__, __len__, __getitem__; each hint in Korean
    assert len(hints) == 11 and all(re.search("[\uac00-\ud7a3]", line) for line in hints), hints
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, source in (("en_solution", ENGLISH), ("ko_solution", KOREAN), ("ko_blank", korean_blank)):
        (subs / f"{name}.ipynb").write_bytes(source.read_bytes())
    results = grade([subs], key, tmp_path / "grades.csv", jobs=2, log=lambda line: None)
    got = {name: results[submission_label(subs / f"{name}.ipynb")] for name in ("en_solution", "ko_solution", "ko_blank")}
    assert got["en_solution"]["total"] == got["en_solution"]["max_points"] == TASK_POINTS, "control"
    assert [w.status for w in got["en_solution"]["written"]] == ["answered"], "control: the written answer is found"
    assert got["ko_solution"]["status"] == "graded" and got["ko_solution"]["total"] == TASK_POINTS, got["ko_solution"]
    assert got["ko_solution"]["max_points"] == TASK_POINTS
    assert got["ko_blank"]["status"] == "graded" and got["ko_blank"]["total"] == 0.0, got["ko_blank"]
    assert got["ko_solution"]["notes"] == [] and got["ko_blank"]["notes"] == []
