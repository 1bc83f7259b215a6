"""The message catalogues (course_utils.messages): one setting chooses the language, English is the fallback,
every key the code uses exists, and the catalogues are checked against each other (with a control)."""

import re
from pathlib import Path

import pytest

import course_utils
from course_utils import messages
from course_utils.checks import selfcheck
from course_utils.checks.exercise import give_feedback

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _english_after(monkeypatch):
    """Each test starts with no language chosen and no COURSE_LANG, and leaves none chosen."""
    monkeypatch.delenv("COURSE_LANG", raising=False)
    monkeypatch.setattr(messages, "_chosen", None)
    yield


def test_the_catalogues_are_in_step():
    assert messages.problems() == []
    assert set(messages.catalogue("ko")) == set(messages.catalogue("en"))


def test_a_missing_key_or_a_changed_field_is_found(monkeypatch):
    """Control first: the real catalogues pass; then a copy with one key dropped and one field renamed fails."""
    assert messages.problems() == []
    korean = dict(messages.catalogue("ko"))
    del korean["check.passed"]
    korean["exercise.line.correct"] = "✅ {titel}: 정답입니다."
    korean["check.hint"] = "힌트: {hint"
    monkeypatch.setitem(messages._loaded, "ko", korean)
    found = "\n".join(messages.problems())
    assert "'check.passed' is missing" in found
    assert "'exercise.line.correct' has fields ['titel'], English has ['title']" in found
    assert "'check.hint' does not parse" in found


def test_the_translation_lint_reports_the_catalogues(monkeypatch, capsys):
    from course_tools import translation

    assert translation.catalogue_problems() == []
    korean = dict(messages.catalogue("ko"))
    korean["not.a.key"] = "x"
    monkeypatch.setitem(messages._loaded, "ko", korean)
    assert translation.main(["lint"]) == 1
    assert "'not.a.key' is not in the English catalogue" in capsys.readouterr().out


def _keys_used() -> list[tuple[str, str]]:
    """(file, key or key prefix, is an f-string) of every text(...)/_t(...) call with a literal or f-string key in the code."""
    found = []
    call = re.compile(r"\b(?:text|_t|_message|message|said|Said)\(\s*(f?)[\"']([^\"']+)[\"']")
    for folder in ("course_utils", "course_tools"):
        for path in (ROOT / folder).rglob("*.py"):
            for is_f, key in call.findall(path.read_text(encoding="utf-8")):
                found.append((str(path.relative_to(ROOT)), key.split("{")[0] if is_f else key, bool(is_f)))
    return found


def test_every_key_the_code_uses_exists():
    used = _keys_used()
    assert len(used) > 80, "the scan found too few calls: has the call's name changed?"
    english = messages.catalogue("en")
    missing = [(f, k) for f, k, is_f in used if (k not in english if not is_f else
                                                 not any(e.startswith(k) for e in english))]
    assert not missing, f"keys used in the code but not in messages/en.py: {missing}"


def test_one_setting_chooses_the_language(monkeypatch):
    assert messages.language() == "en"
    monkeypatch.setenv("COURSE_LANG", "ko_KR.UTF-8")
    assert messages.language() == "ko"
    monkeypatch.setenv("COURSE_LANG", "fr")
    assert messages.language() == "en", "an unknown COURSE_LANG gives English, never an error"
    messages.set_language("ko")
    assert messages.language() == "ko" and messages.text("check.or") == " 또는 "
    assert messages.text("check.or", lang="en") == " or "
    with pytest.raises(ValueError, match=r"lang='fr' is not a language of this course: use one of 'en', 'ko'"):
        course_utils.setup(lang="fr", quiet=True, seed=None)


def test_english_is_the_fallback_for_a_key_a_language_lacks(monkeypatch):
    korean = dict(messages.catalogue("ko"))
    del korean["check.or"]
    monkeypatch.setitem(messages._loaded, "ko", korean)
    assert messages.text("check.or", lang="ko") == " or "
    with pytest.raises(KeyError):
        messages.text("no.such.key")


def test_setup_sets_the_language_of_the_lesson_checks(capsys):
    course_utils.setup(lang="ko", quiet=True, seed=None)
    give_feedback("01.rapid_test", None)
    give_feedback("01.rapid_test", 0.5)
    give_feedback("03.view_shape", (64, 3, 1024))
    course_utils.setup(lang="en", quiet=True, seed=None)
    give_feedback("01.rapid_test", 0.5)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("✏️ 신속 검사의 사후확률: 아직 답하지 않았습니다. 힌트: 1,000명을")
    assert lines[1].startswith("❌ 신속 검사의 사후확률: 여러분의 답: 너무 큽니다 (")
    assert lines[2].startswith("❌ view(-1, 32 * 32)의 형태(shape): 여러분의 답: 항목이 3개입니다. 더 적어야 합니다.")
    assert lines[3].startswith("❌ posterior of the rapid test: your answer is too big by a factor between")


def test_the_homework_checks_speak_the_chosen_language():
    messages.set_language("ko")
    with pytest.raises(selfcheck.CheckFailure) as failed:
        selfcheck.check_shape("logits", [1.0, 2.0], (4, 10), hint="모델의 출력")
    assert str(failed.value).splitlines() == [
        "`logits`: 형태가 (4, 10)인 배열/텐서여야 하는데 형태가 없는 list입니다: [1.0, 2.0].",
        "torch.tensor(...)나 np.asarray(...) 등으로 바꾸거나, 텐서 자체를 돌려주세요.",
        "힌트: 모델의 출력"]
    blank = NotImplementedError("mlp.model: build the layers")
    assert selfcheck.blank_message(blank)[0] == "NotImplementedError: mlp.model: 아직 하지 않았습니다."


def test_the_setup_line_and_require_speak_the_chosen_language():
    env = course_utils.setup(lang="ko", quiet=True, seed=7)
    assert " | 시드(seed) 7 | 루트(root) " in str(env)
    with pytest.raises(RuntimeError, match="이 노트북에는 course_utils 0.9 이상이 필요한데") as err:
        course_utils.require("0.9", installed="0.1")
    assert "해결 방법: " in str(err.value)


# --------------------------------------------------------------------------- the # TEST cells' own texts
def test_every_text_of_the_test_cells_has_its_translation():
    from course_tools import translation

    assert len(sum((translation.test_cell_texts(translation.load(p))
                    for p in sorted(translation.NOTEBOOKS.glob("*.ipynb"))), [])) > 150
    assert translation.check_text_problems() == []


def test_a_changed_test_cell_text_is_reported(tmp_path):
    """Control: a copy of the English notebooks is in step; then one hint of a # TEST cell is reworded."""
    from course_tools import translation

    for path in translation.NOTEBOOKS.glob("*.ipynb"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert translation.check_text_problems(tmp_path) == []
    path = tmp_path / "04_mlp_homework.ipynb"
    nb = translation.load(path)
    cell = next(c for c in nb["cells"] if translation.cell_source(c).startswith("# TEST mlp.model"))
    old = 'hint="no torch.no_grad() or .detach() in forward"'
    assert old in translation.cell_source(cell)
    cell["source"] = translation.cell_source(cell).replace(old, 'hint="keep the graph: no torch.no_grad() in forward"')
    translation.save(path, nb)
    problems = "\n".join(translation.check_text_problems(tmp_path))
    assert "has no translation of 'keep the graph: no torch.no_grad() in forward'" in problems
    assert "translates 'no torch.no_grad() or .detach() in forward', which no English # TEST cell has" in problems


def test_a_check_shows_the_test_cells_text_in_the_chosen_language(monkeypatch):
    monkeypatch.setitem(messages._loaded, "ko:checks", {"number of parameters": "파라미터 수",
                                                          "count them": "세어 보세요"})
    messages.set_language("ko")
    with pytest.raises(selfcheck.CheckFailure) as failed:
        selfcheck.check_equal("number of parameters", 3, 4, hint="count them")
    assert str(failed.value).splitlines() == ["`파라미터 수`: 기대한 값은 4인데 3입니다.", "힌트: 세어 보세요"]
    messages.set_language("en")
    with pytest.raises(selfcheck.CheckFailure) as failed:
        selfcheck.check_equal("number of parameters", 3, 4, hint="count them")
    assert str(failed.value).splitlines() == ["`number of parameters` should be 4, but it is 3.", "Hint: count them"]


def test_make_check_reports_a_korean_notebook_in_korean(tmp_path):
    from course_utils.checks.runner import TaskCheck, report

    checks = [TaskCheck("mlp.model", "passed"), TaskCheck("mlp.accuracy", "not done yet", "mlp.accuracy: 아직", 9)]
    korean = report(tmp_path / "ko" / "04_mlp_homework.ipynb", checks).splitlines()
    assert korean[1].endswith("통과(passed)") and "아직 안 함(not done yet)" in korean[2]
    assert korean[-2] == "      확인 셀(셀 9) 위의 `# TASK mlp.accuracy` 셀에서 빈칸을 채우세요."
    assert korean[-1].startswith("  과제 확인 2개 중 1개 통과.")
    english = report(tmp_path / "04_mlp_homework.ipynb", checks).splitlines()
    assert english[-1].startswith("  1 of 2 task checks passed. Open the notebook")
