"""Translated notebooks in step with their English sources (course_tools.translation)."""

from __future__ import annotations

import json

import pytest

from course_tools import translation as tr


def _nb(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _md(cid, text):
    return {"cell_type": "markdown", "id": cid, "metadata": {}, "source": text}


def _code(cid, text):
    return {"cell_type": "code", "id": cid, "metadata": {}, "source": text, "outputs": [], "execution_count": 1}


ENGLISH = _nb([
    _md("a1", "# Bayes' theorem\n\nThe prior is what you believe before the test."),
    _code("b2", 'prior = 0.1  # one in ten\nprint(f"posterior {prior * 2:.2f}")'),
    _md("c3", "$$P(A|B)$$"),
])


def _korean():
    cells = [
        _md("a1", "# 베이즈 정리\n\n사전확률(prior)은 검사 전에 믿는 정도입니다."),
        _code("b2", 'prior = 0.1  # 열 명 중 한 명\nprint(f"사후확률 {prior * 2:.2f}")'),
        _md("c3", "$$P(A|B)$$"),
    ]
    for en, ko in zip(ENGLISH["cells"], cells):
        ko["metadata"]["translation"] = {"en_sha256": tr.cell_hash(en), "lang": "ko"}
    return _nb(cells)


def test_a_translation_in_step_passes():
    assert tr.lint_pair(ENGLISH, _korean(), "ko") == []


def test_a_changed_english_cell_is_named():
    english = json.loads(json.dumps(ENGLISH))
    english["cells"][0]["source"] += " It is a probability."
    problems = tr.lint_pair(english, _korean(), "ko")
    assert problems == ["cell 1: the English cell changed after it was translated: update the translation, "
                        "then stamp it"]


def test_code_may_differ_only_in_comments_and_string_text():
    korean = _korean()
    korean["cells"][1]["source"] = 'prior = 0.2  # 열 명 중 한 명\nprint(f"사후확률 {prior * 2:.2f}")'
    assert any("cell 2: the code differs" in p for p in tr.lint_pair(ENGLISH, korean, "ko"))
    korean["cells"][1]["source"] = 'prior = 0.1\nprint(f"사후확률 {prior * 3:.2f}")'   # another f-string expression
    assert any("cell 2: the code differs" in p for p in tr.lint_pair(ENGLISH, korean, "ko"))


@pytest.mark.parametrize("english, korean", [
    ('print("train", r["train"])', 'print("학습", r["학습"])'),                 # a subscript
    ('t = {"AND": 1}\nprint(t)', 't = {"그리고": 1}\nprint(t)'),             # a key of a dict display
    ('if env.device.type == "cuda":\n    x = 1', 'if env.device.type == "쿠다":\n    x = 1'),   # a comparison
    ('%matplotlib inline\nprint("정답:", d["A"])', '%matplotlib inline\nprint("답:", d["B"])'),   # after a magic
])
def test_a_string_used_as_a_key_is_code_not_text(english, korean):
    en, ko = _nb([_code("k1", english)]), _nb([_code("k1", korean)])
    ko["cells"][0]["metadata"]["translation"] = {"en_sha256": tr.cell_hash(en["cells"][0]), "lang": "ko"}
    assert tr.lint_pair(en, ko, "ko") == ["cell 1: the code differs from the English cell (only comments and "
                                          "the text of strings may be translated)"]
    # control: the same cell with only its text translated (the key kept) is in step
    kept = tr.code_shape(english) == tr.code_shape(korean.replace('"학습"]', '"train"]').replace('"그리고"', '"AND"')
                                                        .replace('"쿠다"', '"cuda"').replace('d["B"]', 'd["A"]'))
    assert kept


def test_added_or_moved_cells_are_found():
    korean = _korean()
    korean["cells"].insert(1, _md("zz", "새 셀"))
    problems = tr.lint_pair(ENGLISH, korean, "ko")
    assert any("4 cells, the English notebook has 3" in p for p in problems)
    assert any("cell 2: is not the English cell 2" in p for p in problems)


def test_an_unstamped_or_untranslated_cell_is_reported():
    korean = _korean()
    del korean["cells"][0]["metadata"]["translation"]
    assert tr.lint_pair(ENGLISH, korean, "ko") == [
        "cell 1: not translated yet (no translation record): translate it, then stamp it"]
    korean = _korean()
    korean["cells"][0]["source"] = ENGLISH["cells"][0]["source"]        # stamped, but still English
    assert tr.lint_pair(ENGLISH, korean, "ko") == ["cell 1: stamped as translated but has no ko text"]


def test_start_then_stamp_on_files(tmp_path):
    english = tmp_path / "notebooks" / "01_x.ipynb"
    english.parent.mkdir()
    english.write_text(json.dumps(ENGLISH))
    korean = tr.start("ko", english)
    assert korean == tmp_path / "notebooks" / "ko" / "01_x.ipynb"
    assert len(tr.lint([korean])) == 3                       # nothing translated yet
    nb = tr.load(korean)
    nb["cells"] = _korean()["cells"]
    for cell in nb["cells"]:
        cell["metadata"] = {}
    tr.save(korean, nb)
    tr.stamp(korean, [1, 2, 3])
    assert tr.lint([korean]) == []
    with pytest.raises(SystemExit, match="exists already"):
        tr.start("ko", english)


# --------------------------------------------------------------------------- the committed translations
#: Translations that must exist (issue 27): every English notebook has its Korean one.
KOREAN = ["01_bayes_theorem.ipynb", "02_deep_learning_history.ipynb", "03_pytorch_basics.ipynb",
          "03b_data_and_files.ipynb", "04_mlp_homework.ipynb", "05_notmnist_dataset_homework.ipynb"]


def test_the_committed_translations_are_in_step():
    found = [p.name for p in tr.translations() if p.parent.name == "ko"]
    assert set(KOREAN) <= set(found), f"missing Korean notebooks: {sorted(set(KOREAN) - set(found))}"
    assert tr.lint() == []


def _copy_pair(tmp_path, name):
    """notebooks/<name> and notebooks/ko/<name> copied into tmp_path/notebooks/ (the copies' paths)."""
    english, korean = tmp_path / "notebooks" / name, tmp_path / "notebooks" / "ko" / name
    korean.parent.mkdir(parents=True)
    english.write_bytes((tr.NOTEBOOKS / name).read_bytes())
    korean.write_bytes((tr.NOTEBOOKS / "ko" / name).read_bytes())
    return english, korean


@pytest.mark.parametrize("kind", ["markdown", "code"])
def test_one_changed_english_cell_fails_the_lint_of_a_copy(tmp_path, kind):
    english, korean = _copy_pair(tmp_path, KOREAN[0])
    assert tr.lint([korean]) == [], "control: the unchanged copy is in step"
    nb = tr.load(english)
    number, cell = next((n, c) for n, c in enumerate(nb["cells"], start=1)
                        if c["cell_type"] == kind and n > 2 and tr.cell_source(c).strip())
    cell["source"] = tr.cell_source(cell) + ("\nOne more sentence." if kind == "markdown" else "\nextra = 1")
    tr.save(english, nb)
    problems = tr.lint([korean])
    assert problems, "a changed English cell must fail the lint"
    assert all(f"notebooks/ko/{KOREAN[0]}: cell {number}:" in p for p in problems), problems
    assert any("the English cell changed after it was translated" in p for p in problems)
    if kind == "code":
        assert any("the code differs from the English cell" in p for p in problems)
    assert tr.main(["lint", str(korean)]) == 1


def test_strict_nbval_collects_the_translations():
    """`make test` runs `pytest tests notebooks --nbval`: the translations must be among its notebooks."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks", "--nbval",
                           "--nbval-current-env", "-p", "no:cacheprovider"],
                          cwd=tr.ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    collected = {line.split("::")[0] for line in proc.stdout.splitlines() if "::" in line}
    for path in tr.translations():
        assert path.relative_to(tr.ROOT).as_posix() in collected, f"nbval does not collect {path}"
