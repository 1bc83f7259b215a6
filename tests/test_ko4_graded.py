"""The Korean homework 04 is graded like the English one: the same tasks, the same key.

``notebooks/ko/04_mlp_homework.ipynb`` keeps the English task ids, TASK header lines, TEST cells and QUESTIONS cells
byte for byte; only its hints, comments, printed strings and markdown are Korean. So the key released from the
*English* notebook grades a Korean submission: the Korean solution earns every automatically graded point, the Korean
student edition (its blanks raising the Korean hints) none, and neither gets a "test cell was changed" note. The control:
the English solution under the same key.

The two written questions (5 points) are graded by hand and are not part of the automatic total. The grader collects
their answers for the instructor by finding each question's cell; it anchors on the English question text, title or
label (``**Question 1**``), so today it finds the English solution's answers but not the Korean ones (``**질문 1**``):
the Korean solution's written answers come back as ``answer=None``, like a deleted question. How a Korean
submission's written answers are found is being changed separately, so this test asserts only what holds either way:
the control finds both English answers, and the Korean blank edition has none.
"""

from __future__ import annotations

import json
from pathlib import Path

from course_tools.homework.grade import grade, submission_label
from course_tools.homework.release import release

REPO = Path(__file__).resolve().parents[1]
ENGLISH = REPO / "notebooks" / "04_mlp_homework.ipynb"
KOREAN = REPO / "notebooks" / "ko" / "04_mlp_homework.ipynb"


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
    assert len(hints) == 7 and all("다" in line for line in hints), hints   # one per blank (mlp.model has two), in Korean
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, source in (("en_solution", ENGLISH), ("ko_solution", KOREAN), ("ko_blank", korean_blank)):
        (subs / f"{name}.ipynb").write_bytes(source.read_bytes())
    results = grade([subs], key, tmp_path / "grades.csv", jobs=2, log=lambda line: None)
    got = {name: results[submission_label(subs / f"{name}.ipynb")] for name in ("en_solution", "ko_solution", "ko_blank")}
    assert got["en_solution"]["status"] == "graded" and got["en_solution"]["total"] == 14.0, "control"
    assert got["ko_solution"]["status"] == "graded" and got["ko_solution"]["total"] == 14.0, got["ko_solution"]
    assert got["ko_blank"]["status"] == "graded" and got["ko_blank"]["total"] == 0.0, got["ko_blank"]
    assert got["ko_solution"]["notes"] == [] and got["ko_blank"]["notes"] == []
    written = {name: {w.id: w.answer for w in got[name]["written"]} for name in got}
    assert set(written["en_solution"]) == {"mlp.q1", "mlp.q2"} and all(written["en_solution"].values()), "control"
    assert set(written["ko_blank"]) == {"mlp.q1", "mlp.q2"}
    assert all(not answer for answer in written["ko_blank"].values()), written["ko_blank"]
