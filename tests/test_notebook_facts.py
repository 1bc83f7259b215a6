"""What the notebooks say against the verified facts in docs/FACTS.md (issue 26's corrections).

Each test reads the fact from FACTS.md where it is a number or a citation, and checks the notebook text
that states it: universal approximation for a ReLU network is Leshno et al. 1993 (not only Cybenko and
Hornik); tarfile's ``extractall`` is unsafe without ``filter="data"`` up to Python 3.13; the CS231n
gradient-check thresholds and the He-initialisation citation; MAP equals an L2 term only under a Gaussian
prior; homework 04 uses the 5,000-image stand-in by default; students never meet ``course_tools``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FACTS = (REPO / "docs" / "FACTS.md").read_text(encoding="utf-8")
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _markdown(name: str) -> list[str]:
    cells = json.loads((REPO / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def _facts_section(title: str) -> str:
    return FACTS.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


ADDED = _facts_section("Facts the lessons added (issue 26)")


def test_universal_approximation_for_relu_is_credited_to_leshno_et_al():
    leshno = re.search(r"Leshno, Lin, Pinkus, Schocken, .*?Neural Networks (\S+), (\d{4})", ADDED)
    assert leshno, "FACTS.md lost the Leshno et al. citation"
    volume_pages, year = leshno.group(1).rstrip(","), leshno.group(2)
    cells = [text for path in NOTEBOOKS for text in _markdown(path.name) if "universal approximation" in text.lower()]
    assert cells, "no notebook states the universal approximation theorem any more"
    for text in cells:
        assert "Leshno" in text and year in text and volume_pages in text, text[:300]
        if "Cybenko" in text:
            assert "sigmoid" in text, "Cybenko (1989) is the result for sigmoid units: say so"


def test_tarfile_extraction_is_described_as_unsafe_until_python_3_14():
    section = ADDED.split("Safe extraction", 1)[1].split("\n\n", 1)[0]
    backports = re.findall(r"3\.\d+\.\d+", section)
    assert "3.11.4" in backports and "3.14" in section
    cells = [text for text in _markdown("05_notmnist_dataset_homework.ipynb") if "extractall" in text]
    assert cells
    for text in cells:
        assert "older Python" not in text, "it is not only older Pythons: 3.11-3.13 still extract outside the folder"
        assert 'filter="data"' in text and "3.14" in text and "3.11.4" in text, text[:300]


def test_gradient_check_thresholds_match_cs231n():
    section = ADDED.split("Gradient checks", 1)[1]
    thresholds = sorted(set(re.findall(r"1e-\d", section.split("Errors grow")[0])))
    assert thresholds == ["1e-2", "1e-4", "1e-7"]
    text = "\n".join(_markdown("03_pytorch_basics.ipynb"))
    table = text.split("| largest relative error |", 1)[1].split("\n\n", 1)[0]
    assert sorted(set(re.findall(r"1e-\d", table))) == thresholds
    assert "cs231n.github.io" in text and "max(|a|, |b|)" in text


def test_he_initialisation_is_cited_as_in_the_facts():
    arxiv = re.search(r"arXiv:(\d{4}\.\d{5})", ADDED.split("He initialisation", 1)[1]).group(1)
    text = "\n".join(_markdown("03_pytorch_basics.ipynb"))
    assert f"arXiv:{arxiv}" in text and "2 / fan_in" in text
    assert "1/(3n)" in text or "1 / (3 fan_in)" in text          # nn.Linear's default, as FACTS.md states it


def test_map_is_an_l2_term_only_with_a_gaussian_prior():
    """Every sentence of notebook 01 that equates MAP with an L2 term names the Gaussian prior (issue 26: the
    summaries had dropped it)."""
    text = "\n".join(_markdown("01_bayes_theorem.ipynb"))
    sentences = re.split(r"(?<=[.:;])\s+|\n(?=[-*>] )", text)
    claims = [s for s in sentences if "MAP" in s and "L2" in s]
    assert len(claims) >= 3
    for sentence in claims:
        assert "Gaussian" in sentence or "가우시안" in sentence or "weight decay" in sentence, sentence


def test_homework_04_data_is_described_as_the_stand_in():
    for name in ("02_deep_learning_history.ipynb",):
        for text in _markdown(name):
            for line in text.splitlines():
                if "60,000" in line and ("homework 04" in line.lower() or "digit images" in line):
                    assert "5,000" in line, line


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_students_are_not_sent_to_the_instructors_tools(path):
    """The student edition has no ``course_tools``: a notebook may not name it as something to run or read."""
    assert not [t for t in _markdown(path.name) if "course_tools" in t]


def test_the_resnet_text_calls_the_large_first_layer_gradient_a_warning_sign():
    text = "\n".join(_markdown("02_deep_learning_history.ipynb"))
    assert "warning sign" in text and "85 times" in text
