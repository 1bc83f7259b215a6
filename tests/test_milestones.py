"""The milestone table against the verified facts file, and the history figures."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

from course_utils.lessons import milestones as history

FACTS = Path(__file__).resolve().parents[1] / "docs" / "FACTS.md"  # copy of the course's verified fact sheet
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _facts_rows() -> dict[str, tuple[str, str, str]]:
    """FACTS.md's deep-learning history table: first cell -> (milestone cell, first public, venue)."""
    text = FACTS.read_text(encoding="utf-8")
    section = text.split("## Deep-learning history", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("milestone", "---"):
            rows[cells[0]] = tuple(cells)
    assert len(rows) >= 10, "the facts table was not parsed"
    return rows


def _facts_row_for(m: history.Milestone, rows) -> tuple[str, str, str]:
    matches = [row for key, row in rows.items() if key.lower().startswith(m.name.lower())]
    assert len(matches) == 1, f"{m.name}: expected one row in FACTS.md, found {len(matches)}"
    return matches[0]


def test_every_facts_row_is_a_milestone_and_back():
    rows = _facts_rows()
    for key in rows:
        assert any(key.lower().startswith(m.name.lower()) for m in history.MILESTONES), key
    assert len(rows) == len(history.MILESTONES)


@pytest.mark.parametrize("m", history.MILESTONES, ids=lambda m: m.name)
def test_milestone_matches_facts(m):
    cell, first_public, venue = _facts_row_for(m, _facts_rows())
    # first public version: the arXiv id / report, the month and the year
    assert m.first_public.split(" entry")[0] in first_public
    assert str(m.year) in first_public
    if m.month is not None:
        assert f"{_MONTHS[m.month - 1]} {m.year}" in first_public
    # venue ("-" in the facts means none)
    assert (m.venue or "-") == venue
    # authors: every surname named in the facts row appears in ours
    named = re.search(r"\(([^)]*)\)", cell)
    if named and not named.group(1).startswith("the "):
        for surname in re.split(r",\s*| et al\.|, also.*", named.group(1)):
            if surname.strip() and not surname.strip().startswith("also"):
                assert surname.strip() in m.authors, (m.name, surname)


@pytest.mark.parametrize("m", [m for m in history.MILESTONES if m.arxiv], ids=lambda m: m.name)
def test_arxiv_id_encodes_the_first_public_month(m):
    # arXiv ids are YYMM.NNNNN: the id alone proves the first public year and month
    yymm = m.arxiv.split(".")[0]
    assert (2000 + int(yymm[:2]), int(yymm[2:])) == (m.year, m.month)
    assert m.url == f"https://arxiv.org/abs/{m.arxiv}"


def test_the_corrections_to_the_study_notes():
    # what FACTS.md corrects: GAN 2014 not 2015, GPT-3 2020 not 2019 (2019 was GPT-2), 224 not 244
    assert history.milestone("GAN").year == 2014 and history.milestone("GAN").notes_year == 2015
    assert history.milestone("gpt-3").year == 2020 and history.milestone("GPT-3").notes_year == 2019
    assert history.milestone("GPT-2").year == 2019
    wrong = {m.name for m in history.MILESTONES if m.notes_wrong}
    assert wrong == {"GAN", "GPT-3"}
    topics = " ".join(c.topic + c.notes_say + c.fact for c in history.NOTES_CORRECTIONS)
    assert "244" in topics and "224" in topics and "227" in topics


def test_facts_file_states_the_corrections():
    text = FACTS.read_text(encoding="utf-8")
    assert "GAN is 2014" in text and "GPT-3 is 2020" in text and "224x224x3" in text


def test_milestones_are_in_date_order_and_in_the_timeline_range():
    years = [m.decimal_year for m in history.MILESTONES]
    assert years == sorted(years)
    assert all(2012 <= m.year <= 2020 and m.area in history.AREAS for m in history.MILESTONES)
    assert len({m.name for m in history.MILESTONES}) == len(history.MILESTONES)


def test_milestone_lookup_error_lists_the_names():
    with pytest.raises(KeyError, match="ResNet"):
        history.milestone("LeNet")


def test_table_rows_and_text_table():
    rows = history.table_rows()
    assert [r["name"] for r in rows] == [m.name for m in history.MILESTONES]
    assert rows[history.MILESTONES.index(history.milestone("ResNet"))]["date"] == "Dec 2015"
    text = history.format_table()
    lines = text.splitlines()
    assert len(lines) == len(history.MILESTONES) + 2
    assert "arXiv:1512.03385" in text and "CVPR 2016" in text


def test_conv_arithmetic_behind_224_and_227():
    assert history.conv_output_size(227, 11, 4) == 55
    assert history.conv_output_size(224, 11, 4) == 54.25          # not an integer: the paper's 224 does not fit
    assert int(history.conv_output_size(224, 11, 4, padding=2)) == 55
    with pytest.raises(ValueError, match="positive"):
        history.conv_output_size(0, 11, 4)


def test_figures_have_titles_and_axis_labels():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for fig in (history.timeline_figure(), history.ai_ml_dl_figure()):
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        plt.close(fig)
    fig = history.timeline_figure(start=2017, end=2018, show_notes=False)
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert labels == {"Transformer", "BERT"}
    plt.close(fig)
