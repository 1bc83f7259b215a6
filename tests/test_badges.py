"""Every notebook's Colab badge and bootstrap cell come from course_utils/_config.py."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from course_tools import notebooks as nbtools
from course_tools.translation import translations
from course_utils import _config

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: The translated editions (notebooks/ko/ ...): their badges open themselves, their bootstrap speaks their language.
TRANSLATIONS = translations()


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb files"


@pytest.mark.parametrize("path", NOTEBOOKS + TRANSLATIONS, ids=lambda p: p.relative_to(REPO / "notebooks").as_posix())
def test_badge_and_bootstrap_match_config(path):
    nb = nbformat.read(path, as_version=4)
    relpath = path.relative_to(REPO).as_posix()
    first = nb.cells[0].source
    assert nbtools.badge_markdown(relpath) in first, f"{path.name}: stale badge, run `make badges`"
    assert _config.colab_url(relpath).startswith(f"https://colab.research.google.com/github/{_config.repo_slug()}/blob/")
    bootstrap = next(c for c in nb.cells if c.cell_type == "code")
    lang = nbtools.language_of(relpath)
    assert lang == (path.parent.name if path in TRANSLATIONS else "en")
    assert bootstrap.source == nbtools.bootstrap_source(lang=lang), f"{path.name}: stale bootstrap cell, run `make badges`"
    assert bootstrap.get("outputs") == [], "the bootstrap cell prints nothing locally"


def test_apply_badges_rewrites_for_another_repository():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title\n\nSome text."),
                                         nbformat.v4.new_code_cell("x = 1")])
    nbtools.apply_badges(nb, "notebooks/09_x.ipynb")
    assert nb.cells[1].source == nbtools.bootstrap_source()
    assert nb.cells[2].source == "x = 1"
    before = copy.deepcopy(nb)
    nbtools.apply_badges(nb, "notebooks/09_x.ipynb")
    assert nb == before, "applying twice changes nothing"
    other = "https://github.com/someone/student-edition"
    nbtools.apply_badges(nb, "notebooks/09_x.ipynb", repo_url=other)
    assert "github/someone/student-edition/blob/main/notebooks/09_x.ipynb" in nb.cells[0].source
    assert other in nb.cells[1].source and _config.REPO_URL not in nb.cells[1].source
    assert len(nb.cells) == 3 and nb.cells[0].source.count("Open In Colab") == 1


def test_a_translation_opens_itself_and_runs_the_same_bootstrap_code():
    from course_tools.translation import code_shape

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 제목\n\n본문.")])
    nbtools.apply_badges(nb, "notebooks/ko/09_x.ipynb")
    assert f"github/{_config.repo_slug()}/blob/main/notebooks/ko/09_x.ipynb)" in nb.cells[0].source
    assert "blob/main/notebooks/09_x.ipynb" not in nb.cells[0].source
    korean, english = nb.cells[1].source, nbtools.bootstrap_source()
    assert korean == nbtools.bootstrap_source(lang="ko") and korean != english
    assert korean.startswith(nbtools.BOOTSTRAP_MARKER + ":") and "로컬에서는" in korean
    assert code_shape(korean) == code_shape(english), "only the comments may differ"
    with pytest.raises(ValueError, match="BOOTSTRAP_COMMENTS"):
        nbtools.bootstrap_source(lang="xx")


def test_apply_badges_needs_a_title():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(ValueError, match="# Title"):
        nbtools.apply_badges(nb, "notebooks/x.ipynb")


def test_repo_url_must_be_github():
    with pytest.raises(ValueError, match="must start with"):
        _config.repo_slug("http://example.org/x")
