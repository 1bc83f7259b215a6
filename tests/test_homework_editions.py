"""A translated homework in the key: released with stubs and prompts in its language, its submissions told
apart by their cells, their written answers found by the translated questions (with a control: the English
entry alone does not find them), and graded with the English tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_tools.homework.editions import language_of, localize
from course_tools.homework.release import ReleaseError, release
from course_tools.homework.written import find_answers

REPO = Path(__file__).resolve().parents[1]
NAME = "03_pytorch_basics.ipynb"


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    where = tmp_path_factory.mktemp("editions")
    (where / "notebooks" / "ko").mkdir(parents=True)
    for rel in (NAME, f"ko/{NAME}"):
        (where / "notebooks" / rel).write_bytes((REPO / "notebooks" / rel).read_bytes())
    result = release(where / "notebooks", where / "dist", root=REPO, repo_url="https://github.com/example-school/dl-course-student")
    key = json.loads(Path(result.key_path).read_text(encoding="utf-8"))
    return where, key


def _cells(path: Path) -> list:
    """A notebook's cells with each source as one string (as the grader reads a submission)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [{**cell, "source": "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]}
            for cell in cells]


def test_the_key_keeps_the_translation_beside_its_english_entry(edition):
    _, key = edition
    assert list(key["notebooks"]) == [NAME], "one entry per homework: a translation has none of its own"
    entry = key["notebooks"][NAME]
    korean = entry["translations"]["ko"]
    assert [q["id"] for q in korean["written"]] == [q["id"] for q in entry["written"]]
    assert [q["points"] for q in korean["written"]] == [q["points"] for q in entry["written"]]
    assert korean["written"][0]["prompt"].startswith("**여러분의 답**"), korean["written"][0]["prompt"]
    assert set(korean["hints"]) == {t["id"] for t in entry["tasks"]}
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in hint) for hint in korean["hints"].values()), korean["hints"]


def test_the_korean_edition_has_korean_stubs_and_prompts(edition):
    where, _ = edition
    sources = ["".join(c["source"]) for c in _cells(where / "dist" / "notebooks" / "ko" / NAME)]
    assert any("# 여기에 코드를 쓰세요: 아래 줄을 여러분의 답으로 바꾸세요" in s for s in sources)
    assert any("**여러분의 답**" in s for s in sources)
    assert not any("YOUR CODE HERE" in s or "**Your answer" in s for s in sources)
    english = ["".join(c["source"]) for c in _cells(where / "dist" / "notebooks" / NAME)]
    assert any("# YOUR CODE HERE" in s for s in english) and any("**Your answer" in s for s in english)


def test_a_submission_is_told_apart_by_its_cells(edition):
    where, key = edition
    entry = key["notebooks"][NAME]
    assert language_of(entry, _cells(where / "dist" / "notebooks" / "ko" / NAME)) == "ko"
    assert language_of(entry, _cells(REPO / "notebooks" / "ko" / NAME)) == "ko"
    assert language_of(entry, _cells(where / "dist" / "notebooks" / NAME)) == "en"
    assert language_of(entry, _cells(REPO / "notebooks" / NAME)) == "en"
    assert language_of(entry, []) == "en"
    local, lang = localize(entry, _cells(where / "dist" / "notebooks" / "ko" / NAME))
    assert lang == "ko" and local["tasks"][0]["hint"] == entry["translations"]["ko"]["hints"][local["tasks"][0]["id"]]
    assert local["questions"] == entry["questions"] and local["tests"] == entry["tests"], "graded with the same key"


def test_the_written_answers_of_a_korean_submission_are_found(edition):
    where, key = edition
    entry = key["notebooks"][NAME]
    solution = _cells(REPO / "notebooks" / "ko" / NAME)      # the instructor's Korean notebook: model answers
    blank = _cells(where / "dist" / "notebooks" / "ko" / NAME)
    # control: the English entry alone does not find the Korean questions
    english_only = find_answers(solution, entry)
    assert any(a.answer is None for a in english_only), [a.answer for a in english_only]
    local, _ = localize(entry, solution)
    answers = find_answers(solution, local)
    assert [a.status for a in answers] == ["answered"] * len(entry["written"])
    assert all("**모범 답안.**" in a.answer for a in answers), [a.answer[:30] for a in answers]
    local, _ = localize(entry, blank)
    assert [a.status for a in find_answers(blank, local)] == ["blank"] * len(entry["written"])
    typed = [dict(c) for c in blank]
    at = next(i for i, c in enumerate(typed) if "**여러분의 답**" in "".join(c["source"]))
    typed[at]["source"] = typed[at]["source"] + "\n\n역전파는 공통 인수를 한 번만 계산해서 재사용하기 때문입니다."
    answers = find_answers(typed, localize(entry, typed)[0])
    assert answers[0].answer == "역전파는 공통 인수를 한 번만 계산해서 재사용하기 때문입니다.", answers[0]


def test_a_translation_with_other_written_questions_is_refused(tmp_path):
    (tmp_path / "notebooks" / "ko").mkdir(parents=True)
    (tmp_path / "notebooks" / NAME).write_bytes((REPO / "notebooks" / NAME).read_bytes())
    nb = json.loads((REPO / "notebooks" / "ko" / NAME).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "<!-- BEGIN SOLUTION -->" in text:
            cell["source"] = text.replace("<!-- BEGIN SOLUTION -->", "").replace("<!-- END SOLUTION -->", "")
            break
    (tmp_path / "notebooks" / "ko" / NAME).write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReleaseError, match="a translation keeps the same questions"):
        release(tmp_path / "notebooks", tmp_path / "dist", root=REPO, repo_url="https://github.com/example-school/dl-course-student")


def test_a_korean_prompt_label_is_not_part_of_the_answer(edition):
    where, key = edition
    entry = key["notebooks"][NAME]
    typed = _cells(where / "dist" / "notebooks" / "ko" / NAME)
    at = next(i for i, c in enumerate(typed) if "**여러분의 답**" in c["source"])
    label = typed[at]["source"].index("**여러분의 답**")
    typed[at]["source"] = typed[at]["source"][:label] + "**여러분의 답** (힌트는 지웠음): 한 번의 역방향 계산으로 충분합니다."
    answers = find_answers(typed, localize(entry, typed)[0])
    assert answers[0].answer == "한 번의 역방향 계산으로 충분합니다.", answers[0]
