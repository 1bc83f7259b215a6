"""The lesson notebooks teach a Korean cohort: Korean summaries and terms, counted.

Each notebook listed in ``KOREAN_NOTEBOOKS`` must carry at least ``MIN_HANGUL`` Hangul syllables in
its markdown, end every numbered section (``## N. ...``) with a ``한국어 요약`` block, use the
standard spelling 오탐률 (the study notes' 오탐율 appears only where a note corrects it), and one word
for label, 레이블 (not 라벨). Notebook 01 names MLE and MAP in Korean. To hold another notebook to the
same bar, add its file name to the list. The Korean edition (``notebooks/ko/``) keeps the same two spelling rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIN_HANGUL = 600
KOREAN_NOTEBOOKS = [
    "01_bayes_theorem.ipynb",
    "02_deep_learning_history.ipynb",
    "03_pytorch_basics.ipynb",
    "03b_data_and_files.ipynb",
    "04_mlp_homework.ipynb",
    "05_notmnist_dataset_homework.ipynb",
    # "04_mlp_homework.ipynb", "05_notmnist_dataset_homework.ipynb": add once their Korean text is merged
]
#: The Korean edition (notebooks/ko/, issue 27) follows the same spelling rules.
KOREAN_EDITION = [f"ko/{path.name}" for path in sorted((REPO / "notebooks" / "ko").glob("*.ipynb"))]
HANGUL = re.compile("[\uac00-\ud7a3]")


def _markdown(name: str) -> list[str]:
    nb = json.loads((REPO / "notebooks" / name).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def hangul_syllables(text: str) -> int:
    """Number of precomposed Hangul syllables (U+AC00..U+D7A3) in ``text``."""
    return len(HANGUL.findall(text))


def test_hangul_counter():
    assert hangul_syllables("오탐률 (false-alarm rate), 위양성률") == 7
    assert hangul_syllables("ㄱㄴ abc") == 0          # single jamo are not syllables


@pytest.mark.parametrize("name", KOREAN_NOTEBOOKS)
def test_enough_korean(name):
    count = hangul_syllables("\n".join(_markdown(name)))
    assert count >= MIN_HANGUL, f"{name}: {count} Hangul syllables in markdown, at least {MIN_HANGUL} wanted"


@pytest.mark.parametrize("name", KOREAN_NOTEBOOKS)
def test_every_numbered_section_has_a_korean_summary(name):
    text = "\n".join(_markdown(name))
    sections = re.split(r"(?m)^## ", text)[1:]
    numbered = [s for s in sections if re.match(r"\d+\.", s)]
    assert numbered, "no numbered sections found"
    missing = [s.splitlines()[0] for s in numbered if "한국어 요약" not in s]
    assert not missing, f"{name}: sections without a 한국어 요약: {missing}"


@pytest.mark.parametrize("name", KOREAN_NOTEBOOKS + KOREAN_EDITION)
def test_standard_spelling(name):
    """오탐율 (the notes' spelling) only on a line that also gives the standard 오탐률: a kind correction."""
    lines = "\n".join(_markdown(name)).splitlines()
    wrong = [line for line in lines if "오탐율" in line and "오탐률" not in line]
    assert not wrong, f"{name}: 오탐율 without its correction: {wrong}"


def test_the_notes_misspelling_is_corrected_kindly_in_01():
    text = "\n".join(_markdown("01_bayes_theorem.ipynb"))
    assert any("오탐율" in line and "오탐률" in line for line in text.splitlines())
    assert "'탐'은 ㅁ 받침" in text                     # why: 률 after a final consonant other than ㄴ


@pytest.mark.parametrize("name", KOREAN_NOTEBOOKS + KOREAN_EDITION)
def test_one_word_for_label(name):
    assert "라벨" not in "\n".join(_markdown(name)), f"{name}: write 레이블 for label (one word in every notebook)"


def test_mle_and_map_have_their_korean_names():
    text = "\n".join(_markdown("01_bayes_theorem.ipynb"))
    for term in ("최대가능도 추정", "최대 사후확률 추정"):
        assert text.count(term) >= 2, term           # where they are introduced and in a summary
