"""The Korean student edition, released with the English one and graded with the same key (issue 27).

``make release`` releases ``notebooks/ko/`` beside the English notebooks; a Korean homework has no key entry of its
own, its English source's entry keeps the Korean hints, written questions and released cells. Here, for every
graded notebook (03, 04, 05): the instructor's Korean notebook earns every automatic point, the Korean blank edition
none, the grader tells both from their cells as Korean, finds the Korean written answers (the model answers in the
solution, nothing in the blank edition), and writes the feedback in Korean. The control: the English solution of 04
under the same key, graded and answered in English.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_tools.homework.grade import grade, submission_label
from course_tools.homework.release import release

REPO = Path(__file__).resolve().parents[1]
HOMEWORK = {"03_pytorch_basics.ipynb": 6.0, "04_mlp_homework.ipynb": 14.0, "05_notmnist_dataset_homework.ipynb": 16.0}
HANGUL = range(0xAC00, 0xD7A4)


def _korean(text: str) -> bool:
    return any(ord(ch) in HANGUL for ch in text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    where = tmp_path_factory.mktemp("korean-edition")
    result = release(REPO / "notebooks", where / "dist", root=REPO,
                     repo_url="https://github.com/example-school/dl-course-student")
    key = json.loads(Path(result.key_path).read_text(encoding="utf-8"))
    subs = where / "subs"
    subs.mkdir()
    paths = {}
    for name in HOMEWORK:
        for kind, source in (("ko_solution", REPO / "notebooks" / "ko" / name),
                             ("ko_blank", where / "dist" / "notebooks" / "ko" / name)):
            paths[(name, kind)] = subs / f"{kind}_{name}"
            paths[(name, kind)].write_bytes(source.read_bytes())
    control = ("04_mlp_homework.ipynb", "en_solution")
    paths[control] = subs / "en_solution_04_mlp_homework.ipynb"
    paths[control].write_bytes((REPO / "notebooks" / control[0]).read_bytes())
    results = grade([subs], result.key_path, where / "grades.csv", feedback_dir=where / "feedback", jobs=2,
                    log=lambda line: None)
    got = {which: results[submission_label(path)] for which, path in paths.items()}
    feedback = {which: (where / "feedback" / path.name).with_suffix(".md").read_text(encoding="utf-8")
                for which, path in paths.items()}
    return key, got, feedback


def test_one_key_entry_per_homework_with_its_korean_edition(graded):
    key, _, _ = graded
    assert sorted(key["notebooks"]) == sorted(HOMEWORK)
    for name in HOMEWORK:
        assert set(key["notebooks"][name]["translations"]) == {"ko"}


@pytest.mark.parametrize("name", sorted(HOMEWORK))
def test_the_korean_solution_earns_every_point_and_the_blank_edition_none(graded, name):
    _, got, _ = graded
    solution, blank = got[(name, "ko_solution")], got[(name, "ko_blank")]
    assert (solution.status, solution.total, solution.max_points) == ("graded", HOMEWORK[name], HOMEWORK[name]), \
        (solution.notes, [c.message for c in solution.checks if not c.passed])
    assert (blank.status, blank.total) == ("graded", 0.0), blank.notes
    assert solution.notes == [] and blank.notes == []
    assert solution.lang == blank.lang == "ko"


@pytest.mark.parametrize("name", sorted(HOMEWORK))
def test_the_korean_written_answers_are_found(graded, name):
    _, got, _ = graded
    solution, blank = got[(name, "ko_solution")], got[(name, "ko_blank")]
    assert solution.written and all(a.status == "answered" and _korean(a.answer) for a in solution.written), \
        [(a.id, a.status) for a in solution.written]
    assert [a.status for a in blank.written] == ["blank"] * len(solution.written)


def test_the_english_control_is_graded_in_english(graded):
    _, got, feedback = graded
    control = got[("04_mlp_homework.ipynb", "en_solution")]
    assert (control.lang, control.total) == ("en", 14.0)
    assert all(a.status == "answered" for a in control.written)
    text = feedback[("04_mlp_homework.ipynb", "en_solution")]
    assert text.startswith("# Feedback for ") and "\n## Tasks\n" in text
    assert not _korean(text.split("## Written answers")[0]), "the English feedback before the quoted answers"


@pytest.mark.parametrize("name", sorted(HOMEWORK))
def test_the_feedback_of_a_korean_submission_is_korean(graded, name):
    _, got, feedback = graded
    for kind in ("ko_solution", "ko_blank"):
        text = feedback[(name, kind)]
        assert text.startswith("# ") and " 피드백\n" in text.splitlines()[0] + "\n", text[:80]
        assert "\n## 과제\n" in text and "## Tasks" not in text and "Score:" not in text
        assert "## 서술형 답 (손으로 채점)" in text
    blank = feedback[(name, "ko_blank")]
    missed = [line for line in blank.splitlines() if line.startswith("- [ ] ")]
    assert missed and all(_korean(line) for line in missed), missed[:3]
