"""site/build.py: the landing pages, the static notebook copies, the student outputs, the language switch.

Most tests need no Sphinx; those of the built site (both languages: the Korean pages, the switch's links both ways,
the landing pages' notebook links) read COURSE_SITE_DIR's site when set, else build one, and are skipped where the
site's packages are not installed (`make test-browser` installs them and runs this file too). The site in a
browser is checked by `make test-browser` (tests/browser/test_site.py).
"""

from __future__ import annotations

import copy
import importlib.util
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("course_site_build", REPO / "site" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

URL, BRANCH = "https://github.com/owner/course", "main"
README = """# A course: week 2

```bash
make lab   # open it
## not a heading: inside a code fence
```

## The notebooks

| # | notebook | what you learn |
|---|---|---|
| 01 | [Bayes](notebooks/01_bayes.ipynb) | priors |
| 02 | History | dates, see [the facts](docs/FACTS.md#gan) |

## Homework: student edition, self-checks, grading

Answers go between `### BEGIN SOLUTION` and `### END SOLUTION`.

## When something goes wrong

Ask.
"""


def _cell(kind, source, outputs=None):
    cell = {"cell_type": kind, "source": source, "metadata": {}}
    if kind == "code":
        cell.update(outputs=outputs or [], execution_count=1 if outputs else None)
    return cell


def test_split_sections_ignores_headings_in_code_fences():
    headings = [h for h, _ in build.split_sections(README)]
    assert headings == ["", "The notebooks", "Homework: student edition, self-checks, grading",
                        "When something goes wrong"]


def test_landing_page_keeps_student_sections_links_notebooks_and_adds_colab_badges():
    page = build.landing_page(README, ["01_bayes.ipynb", "02_history.ipynb"], URL, BRANCH)
    assert "make lab" in page and "Ask." in page
    assert "SOLUTION" not in page and "Homework: student edition" not in page
    colab = "https://colab.research.google.com/github/owner/course/blob/main/notebooks/{}"
    assert f"| 01 | [Bayes](notebooks/01_bayes.ipynb) [![Open in Colab](notebooks/colab-badge.svg)]" \
           f"({colab.format('01_bayes.ipynb')}) | priors |" in page
    # a row whose notebook is not linked yet gets the link (the student README's table)
    assert f"| 02 | [History](notebooks/02_history.ipynb) [![Open in Colab](notebooks/colab-badge.svg)]" \
           f"({colab.format('02_history.ipynb')}) |" in page
    # links to files that are not pages go to the repository
    assert "[the facts](https://github.com/owner/course/blob/main/docs/FACTS.md#gan)" in page
    assert page.rstrip().endswith("notebooks/01_bayes\nnotebooks/02_history\n```")


def test_static_notebook_local_badge_no_bootstrap_no_nbval_comments_widget_note():
    nb = {"metadata": {"widgets": {"state": {}}}, "cells": [
        _cell("markdown", f"# T\n\n[![Open In Colab]({build.COLAB_BADGE_URL})](https://colab.example/x)"),
        _cell("code", "# Course bootstrap: on Colab ...\nimport sys"),
        _cell("code", "# NBVAL_IGNORE_OUTPUT\nexplorer()",
              [{"output_type": "execute_result", "data": {build.WIDGET_MIME: {"model_id": "m"},
                                                          "text/plain": "VBox(...)"}}]),
    ]}
    out = build.static_notebook(nb)
    assert build.COLAB_BADGE_URL not in out["cells"][0]["source"] and "(colab-badge.svg)" in out["cells"][0]["source"]
    assert out["cells"][1]["metadata"]["tags"] == ["remove-cell"]
    assert out["cells"][2]["source"] == "explorer()"
    assert out["cells"][2]["outputs"][0]["data"] == {"text/markdown": build.WIDGET_NOTE}
    assert "widgets" not in out["metadata"]


def test_merge_outputs_stops_at_the_first_changed_cell():
    figure = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]
    answer = [{"output_type": "stream", "name": "stdout", "text": "42"}]
    executed = {"cells": [
        _cell("markdown", "[![Open In Colab](x)](https://colab.example/instructor/nb.ipynb)"),
        _cell("code", "plot()", figure),
        _cell("code", "x = 40 + 2  # the answer", answer),
        _cell("code", "print(x)", answer),
    ]}
    student = copy.deepcopy(executed)
    student["cells"][0]["source"] = "[![Open In Colab](x)](https://colab.example/student/nb.ipynb)"
    student["cells"][2]["source"] = "raise NotImplementedError('task: compute x')"
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    assert build.merge_outputs(student, executed) == 2
    assert student["cells"][1]["outputs"] == figure
    assert student["cells"][2]["outputs"] == [] and student["cells"][3]["outputs"] == []


def test_merge_outputs_goes_on_past_a_written_answer_replaced_by_its_prompt():
    """A lesson's written question: the student edition shows a prompt instead of the model answer (a
    markdown cell that differs); the figures after it must still reach the student site."""
    figure = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]
    executed = {"cells": [
        _cell("code", "plot()", figure),
        _cell("markdown", "**Question 1** why?\n<!-- BEGIN SOLUTION -->\nbecause\n<!-- END SOLUTION -->"),
        _cell("code", "plot_more()", figure),
        _cell("code", "x = 40 + 2  # the answer", figure),
        _cell("code", "print(x)", figure),
    ]}
    student = copy.deepcopy(executed)
    student["cells"][1]["source"] = "**Question 1** why?\n**Your answer:** _double-click this cell and write it here._"
    student["cells"][3]["source"] = "raise NotImplementedError('task: compute x')"
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    assert build.merge_outputs(student, executed) == 2
    assert student["cells"][0]["outputs"] == figure and student["cells"][2]["outputs"] == figure
    assert "Your answer" in student["cells"][1]["source"] and "because" not in student["cells"][1]["source"]
    assert student["cells"][3]["outputs"] == [] and student["cells"][4]["outputs"] == []


def _graded_lesson(later: str) -> tuple:
    figure = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]
    said = [{"output_type": "stream", "name": "stdout", "text": "correct: 42"}]
    executed = {"cells": [
        _cell("code", "plot()", figure),
        _cell("code", "# TASK l.f (1 point): f\ndef f(x):\n    ### BEGIN SOLUTION\n    return x + 41\n    ### END SOLUTION"),
        _cell("code", "# TEST l.f\ncheck('l.f', f)", said),
        _cell("code", "# QUESTIONS l.f\ndef questions():\n    pass"),
        _cell("code", later, figure),
    ]}
    student = copy.deepcopy({"cells": [c for k, c in enumerate(executed["cells"]) if k != 3]})
    student["cells"][1]["source"] = "# TASK l.f (1 point): f\ndef f(x):\n    raise NotImplementedError('l.f: f')"
    for cell in student["cells"]:
        cell["outputs"], cell["execution_count"] = [], None
    return student, executed, figure


def test_merge_outputs_goes_on_past_a_lesson_exercise_that_nothing_later_uses():
    """Lesson 03's graded exercises: the later cells use the course's tested functions, so their figures reach the
    student site; the task's own cells show nothing (the test cell's "correct" was the instructor's answer)."""
    student, executed, figure = _graded_lesson("helpers.f(1)\nplot()")
    assert build.merge_outputs(student, executed) == 3
    assert student["cells"][0]["outputs"] == figure and student["cells"][3]["outputs"] == figure
    assert student["cells"][1]["outputs"] == [] and student["cells"][2]["outputs"] == []


def test_merge_outputs_stops_at_an_exercise_whose_answer_a_later_cell_uses():
    """The control: a later cell that calls the student's f could show the answer's result, so the merge stops."""
    student, executed, figure = _graded_lesson("print(f(1))\nplot()")
    assert build.merge_outputs(student, executed) == 1
    assert student["cells"][0]["outputs"] == figure
    assert all(cell["outputs"] == [] for cell in student["cells"][1:])


def test_the_notebook_table_links_a_lettered_notebook():
    readme = "# Course\n\n## The notebooks\n\n| # | notebook | what |\n|---|---|---|\n| 03b | Data | files |\n"
    page = build.landing_page(readme, ["03_basics.ipynb", "03b_data.ipynb"], URL, BRANCH)
    assert "| 03b | [Data](notebooks/03b_data.ipynb)" in page


def test_repo_settings_read_from_the_config_file(tmp_path):
    (tmp_path / "course_utils").mkdir()
    (tmp_path / "course_utils" / "_config.py").write_text('REPO_URL = "https://github.com/a/b/"\nREPO_BRANCH = "dev"\n')
    assert build.repo_settings(tmp_path) == ("https://github.com/a/b", "dev")
    assert build.repo_settings(tmp_path / "missing") == ("", "main")


def test_build_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(build.SiteError, match="not a site built by this script"):
        build.build(REPO, out)
    assert (out / "notes.txt").read_text() == "keep me"


# --------------------------------------------------------------------------- the Korean edition
KO_TEXT = """# 강의

소개. [강사 안내](docs/instructors.md), [사실](docs/FACTS.md), [01](notebooks/ko/01_bayes.ipynb)

<!-- edition: instructor -->
```bash
make test   # 강사용
```
<!-- /edition -->
<!-- edition: student -->
```bash
make check   # 학생용
```
<!-- /edition -->

## 노트북

| # | 노트북 | 배우는 것 |
|---|---|---|
| 01 | 베이즈 정리 | 사전확률 |
| 02 | 역사 | 연도 |
"""


def test_edition_text_keeps_only_the_named_editions_blocks():
    assert "make test" in build.edition_text(KO_TEXT, "instructor")
    assert "make check" not in build.edition_text(KO_TEXT, "instructor")
    student = build.edition_text(KO_TEXT, "student")
    assert "make check" in student and "make test" not in student and "edition" not in student


def test_korean_landing_page_links_translated_notebooks_and_says_which_are_not_yet():
    """Only 01 is translated: its row links the Korean page with the Korean notebook's Colab badge; 02's row says in
    Korean that it is not translated yet and links the English page (no broken link, no Korean badge)."""
    page = build.korean_landing_page(KO_TEXT, ["01_bayes.ipynb"], ["01_bayes.ipynb", "02_history.ipynb"], URL, BRANCH,
                                     ["instructors.md"], "instructor")
    colab = "https://colab.research.google.com/github/owner/course/blob/main/notebooks/ko/01_bayes.ipynb"
    assert f"| 01 | [베이즈 정리](notebooks/01_bayes.ipynb) [![Open in Colab](notebooks/colab-badge.svg)]({colab}) |" \
        in page
    row = next(line for line in page.splitlines() if line.startswith("| 02 |"))
    assert build.KO_NOT_YET in row and 'href="../notebooks/02_history.html"' in row and "colab" not in row.lower()
    # repository paths: a Korean notebook is a page of this build, an English docs page one of the English build,
    # any other file is on GitHub
    assert "[01](notebooks/01_bayes.ipynb)" in page
    assert '<a class="reference external" href="../docs/instructors.html">강사 안내</a>' in page
    assert "[사실](https://github.com/owner/course/blob/main/docs/FACTS.md)" in page
    assert "make test" in page and "make check" not in page
    assert page.rstrip().endswith("```{toctree}\n:hidden:\n:maxdepth: 2\n\nnotebooks/01_bayes\n```")


def test_english_links_to_korean_notebooks_go_to_the_korean_pages():
    readme = "# C\n\n## The notebooks\n\nKorean: [`notebooks/ko/`](notebooks/ko/), [01 베이즈](notebooks/ko/01_bayes.ipynb)\n"
    elsewhere = {"notebooks/ko/01_bayes.ipynb": "ko/notebooks/01_bayes.html", "notebooks/ko": "ko/index.html"}
    page = build.landing_page(readme, ["01_bayes.ipynb"], URL, BRANCH, [], elsewhere)
    assert '<a class="reference external" href="ko/index.html"><code class="docutils literal notranslate">' \
           'notebooks/ko/</code></a>' in page
    assert '<a class="reference external" href="ko/notebooks/01_bayes.html">01 베이즈</a>' in page
    # from a docs page the same link climbs out of docs/
    assert 'href="../ko/notebooks/01_bayes.html"' in build.fix_links(
        "[k](../notebooks/ko/01_bayes.ipynb)", "docs", set(), URL, BRANCH, elsewhere)


_conf_spec = importlib.util.spec_from_file_location("course_site_conf", REPO / "site" / "conf.py")
conf = importlib.util.module_from_spec(_conf_spec)
_conf_spec.loader.exec_module(conf)


def test_language_switch_links_the_same_page_or_the_other_landing_page():
    english = {"lang": "en", "root": "", "other": {"lang": "ko", "root": "ko/", "pages": ["index", "notebooks/01_x"]}}
    korean = {"lang": "ko", "root": "ko/",
              "other": {"lang": "en", "root": "", "pages": ["index", "notebooks/01_x", "notebooks/04_y"]}}
    en, ko = conf.language_switch(english, "notebooks/01_x")
    assert (en["label"], en["current"], ko["label"], ko["current"]) == ("English", True, "한국어", False)
    assert ko["href"] == "../ko/notebooks/01_x.html" and ko["found"]
    en, ko = conf.language_switch(korean, "notebooks/01_x")            # English first on every page
    assert en["href"] == "../../notebooks/01_x.html" and en["found"] and ko["current"]
    assert conf.language_switch(korean, "index")[0]["href"] == "../index.html"
    assert conf.language_switch(english, "index")[1]["href"] == "ko/index.html"
    missing = conf.language_switch(english, "notebooks/04_y")[1]       # not translated: the Korean landing page
    assert missing["href"] == "../ko/index.html" and not missing["found"]
    assert missing["title"] == conf.NO_COUNTERPART["ko"]
    assert conf.language_switch(english, "docs/maintainers")[1]["href"] == "../ko/index.html"


# --------------------------------------------------------------------------- the built site, both languages
class _Page(HTMLParser):
    """The ``lang`` of a page, its links, and the links of its language switch."""

    def __init__(self) -> None:
        super().__init__()
        self.lang, self.hrefs, self.switch, self.current, self._in_switch = None, [], [], [], 0

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "nav" and "course-lang-switch" in (attrs.get("class") or ""):
            self._in_switch += 1
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
            if self._in_switch:
                self.switch.append(attrs)
        if tag == "span" and self._in_switch and attrs.get("aria-current"):
            self.current.append(attrs.get("lang"))

    def handle_endtag(self, tag) -> None:
        if tag == "nav" and self._in_switch:
            self._in_switch -= 1


def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The built site: COURSE_SITE_DIR's when set (`make test-browser` has just built it), else a fresh build."""
    import os

    given = os.environ.get("COURSE_SITE_DIR")
    if given:
        folder = Path(given) if Path(given).is_absolute() else REPO / given
        if (folder / "index.html").is_file():
            return folder
    for module in ("sphinx", "myst_nb", "sphinx_book_theme", "mathjax"):
        pytest.importorskip(module, reason="the site's packages are not installed: `make site` installs them "
                                           "(`make test-browser` runs these tests on the site it builds)")
    out = tmp_path_factory.mktemp("site") / "site"
    build.build(REPO, out)
    return out


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not any(part.startswith("_") for part in p.relative_to(site).parts))


def test_every_korean_notebook_has_a_korean_page(site):
    korean = sorted((REPO / "notebooks" / "ko").glob("*.ipynb"))
    assert korean, "no Korean notebook in notebooks/ko/"
    for notebook in korean:
        page = site / "ko" / "notebooks" / f"{notebook.stem}.html"
        assert page.is_file(), f"no Korean page for {notebook.name}"
        assert _read(page).lang == "ko", f"{page.relative_to(site)}: not lang=ko"
    assert _read(site / "ko" / "index.html").lang == "ko"
    assert _read(site / "index.html").lang == "en" and _read(site / "notebooks" / f"{korean[0].stem}.html").lang == "en"
    # exactly the Korean notebooks: no page for a notebook that is not translated yet
    assert sorted(p.stem for p in (site / "ko" / "notebooks").glob("*.html")) == [p.stem for p in korean]


def test_every_page_has_a_language_switch_whose_link_resolves_both_ways(site):
    pages = _pages(site)
    assert any(p.startswith("ko/") for p in pages) and len(pages) > 10
    for rel in pages:
        page = _read(site / rel)
        assert len(page.switch) == 1 and page.current == [page.lang], f"{rel}: switch {page.switch} {page.current}"
        link = page.switch[0]
        assert link["lang"] != page.lang and link["hreflang"] == link["lang"]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), link["href"]))
        assert (site / target).is_file(), f"{rel}: the switch links {link['href']}, which is not a page"
        other = _read(site / target)
        assert other.lang == link["lang"], f"{rel} -> {target}: lang {other.lang}"
        if "course-lang-home" in link.get("class", ""):
            # no counterpart (a docs page, a notebook not translated yet): the other language's landing page
            assert target in ("index.html", "ko/index.html"), f"{rel} -> {target}"
            assert rel.removeprefix("ko/") not in [p.removeprefix("ko/") for p in pages if p != rel]
        else:
            assert target.removeprefix("ko/") == rel.removeprefix("ko/"), f"{rel} -> {target}: not the same page"
            back = posixpath.normpath(posixpath.join(posixpath.dirname(target), other.switch[0]["href"]))
            assert back == rel, f"{rel} -> {target} -> {back}: the switch does not lead back"
    english_only = [p for p in pages if not p.startswith("ko/") and f"ko/{p}" not in pages]
    assert "docs/instructors.html" in english_only and "notebooks/01_bayes_theorem.html" not in english_only


def test_landing_pages_link_every_notebook_of_their_language(site):
    english = sorted((REPO / "notebooks").glob("*.ipynb"))
    korean = sorted((REPO / "notebooks" / "ko").glob("*.ipynb"))
    links = _read(site / "index.html").hrefs
    for notebook in english:
        assert f"notebooks/{notebook.stem}.html" in links, f"the English landing page does not link {notebook.name}"
    text = (site / "ko" / "index.html").read_text(encoding="utf-8")
    links = _read(site / "ko" / "index.html").hrefs
    for notebook in korean:
        assert f"notebooks/{notebook.stem}.html" in links, f"the Korean landing page does not link {notebook.name}"
        assert any(h.startswith("https://colab.research.google.com/") and h.endswith(f"/notebooks/ko/{notebook.name}")
                   for h in links), f"no Colab badge of the Korean {notebook.name}"
    untranslated = [p for p in english if p.name not in {k.name for k in korean}]
    for notebook in untranslated:    # said in Korean, with a link to the English page
        assert f"../notebooks/{notebook.stem}.html" in links, f"the Korean landing page does not mention {notebook.name}"
    assert text.count(build.KO_NOT_YET) == len(untranslated)
    for rel in ("index.html", "ko/index.html"):
        page = site / rel
        for href in _read(page).hrefs:
            if not urlsplit(href).scheme and urlsplit(href).path:
                assert (page.parent / urlsplit(href).path).resolve().exists(), f"{rel}: {href} is broken"
