"""The README is a map and the docs hold the rest: its length, the two commands and three audiences first, every
link of the README and the docs resolving (files and headings), the docs on the website, `make lock`'s torch pin."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [README, *DOCS, REPO / "course_tools" / "homework" / "student_files" / "README.md", REPO / "data" / "README.md"]
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)

_spec = importlib.util.spec_from_file_location("course_site_build_docs", REPO / "site" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def slug(heading: str) -> str:
    """A heading's anchor as GitHub and the site (myst's heading anchors) make it."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def links(path: Path) -> list[str]:
    return _LINK.findall(_FENCE.sub("", path.read_text(encoding="utf-8")))


def test_slug_matches_githubs_rule():
    assert slug("`course_utils` at a glance") == "course_utils-at-a-glance"
    assert slug("Homework: student edition, self-checks, grading") == "homework-student-edition-self-checks-grading"
    assert slug("The student edition's website") == "the-student-editions-website"


def test_readme_is_a_map_of_at_most_200_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"the README has {len(lines)} lines: move details to docs/"
    first_block = README.read_text(encoding="utf-8").split("```")[1]
    assert "make lab" in first_block and "make test" in first_block, "the two commands come first"


def test_readme_names_three_audiences_each_with_one_link():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Three audiences"):].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith(("| who", "|---"))]
    assert [row.split("|")[1].strip() for row in rows] == ["students", "instructors", "maintainers"]
    for row in rows:
        assert len(_LINK.findall(row)) == 1, row
    assert "docs/instructors.md" in section and "docs/maintainers.md" in section


def test_readme_says_how_to_start_the_lab_headless_or_on_another_port():
    text = README.read_text(encoding="utf-8")
    assert 'make lab LAB_ARGS="--no-browser --port' in text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_link_resolves(page):
    """Relative links point at files that exist, and anchors at headings that exist (external ones are not
    fetched: the tests run offline). The student README's links are checked inside a fresh edition by
    tests/test_student_edition.py, where its docs/FACTS.md is; here only its anchors and web links."""
    found = links(page)
    assert found or page.name != "README.md" or page.parent == REPO / "data", f"{page} has no links"
    for target in found:
        if re.match(r"^[a-z]+:", target):
            assert target.startswith(("https://", "mailto:")), target
            continue
        path, _, anchor = target.partition("#")
        if "student_files" in page.parts and path:
            continue
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: {target} does not exist"
        assert REPO in resolved.parents or resolved == REPO, target
        if anchor:
            assert resolved.suffix == ".md", target
            assert anchor in anchors(resolved), f"{page.name}: no heading #{anchor} in {resolved.name}"


def test_the_docs_are_pages_of_the_site_and_the_landing_page_links_them():
    assert set(build.DOC_PAGES) == {"instructors.md", "maintainers.md"} <= {p.name for p in DOCS}
    page = build.landing_page(README.read_text(encoding="utf-8"), ["01_bayes_theorem.ipynb"],
                              "https://github.com/owner/course", "main", ["instructors.md", "maintainers.md"])
    assert "(docs/instructors.md)" in page and "(docs/maintainers.md" in page
    assert "docs/instructors\ndocs/maintainers\n```" in page, "both pages are in the site's table of contents"
    # a link from a docs page to a file that is not a page goes to GitHub; one to the README to the landing page
    pages = {"docs/instructors.md", "docs/maintainers.md", "notebooks/01_bayes_theorem.ipynb"}
    text = build.fix_links("[q](../course_tools/homework/questions.py) [r](../README.md#the-notebooks) "
                           "[m](maintainers.md#layout) [n](../notebooks/01_bayes_theorem.ipynb)", "docs", pages,
                           "https://github.com/owner/course", "main")
    assert text == ("[q](https://github.com/owner/course/blob/main/course_tools/homework/questions.py) "
                    "[r](../index.md#the-notebooks) [m](maintainers.md#layout) [n](../notebooks/01_bayes_theorem.ipynb)")


def test_facts_the_tests_hold_moved_with_their_sections():
    """Promises that tests check by reading the text now live in the docs (not dropped with the README's bulk)."""
    maintainers = (REPO / "docs" / "maintainers.md").read_text(encoding="utf-8")
    instructors = (REPO / "docs" / "instructors.md").read_text(encoding="utf-8")
    assert "### Where each check runs" in maintainers and "| check | command | locally |" in maintainers
    assert "## Benchmarks" in maintainers and "## What the first `make lab` downloads" in maintainers
    assert "### What the grader protects against, and what it cannot" in instructors
    assert "**Written answers**" in instructors and "| memory of one process |" in instructors


def test_make_lock_takes_the_torch_pin_from_requirements():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\nlock:"):].split("\n\n")[0]
    assert "requirements.txt" in recipe and not re.search(r"torch==\d", recipe), recipe
    pin = re.search(r"(?m)^torch==\S+$", (REPO / "requirements.txt").read_text(encoding="utf-8")).group(0)
    assert pin in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
