"""The course website in Chromium: pages load cleanly, images and math render, links resolve,
search works, no solution is shown where it must not be; the Korean pages render Hangul in a Korean font and the
English / 한국어 switch leads to the same page in the other language and back; screenshots for a person to look at."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from _browser import REPO, serve

WIDE, PHONE = (1280, 900), (390, 844)
#: Chromium cannot paint taller screenshots; longer pages are cut there.
MAX_SHOT_HEIGHT = 16000
SOLUTION_WORDS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "HIDDEN TESTS", "grading key",
                  "grading-key")

# Resolves once MathJax has typeset the page (immediately where a page has no MathJax).
_MATH_DONE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const math = Array.from(document.querySelectorAll('.math'));
  return {math: math.length,
          typeset: math.filter(e => e.querySelector('mjx-container')).length,
          errors: document.querySelectorAll('mjx-merror').length};
}"""
_BROKEN_IMAGES = """() => Array.from(document.images)
  .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))"""


def site_pages(site: Path) -> list[str]:
    """Every HTML page of a built site, relative to it (index first)."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if not any(part.startswith("_") for part in p.relative_to(site).parts))
    return sorted(pages, key=lambda p: p != "index.html")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag in ("link", "script", "img") and (attrs.get("href") or attrs.get("src")):
            self.hrefs.append(attrs.get("href") or attrs.get("src"))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _open(browser, url: str, size: tuple[int, int]):
    """A new page at ``url`` with its console errors, page errors and failed requests recorded."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} ({req.failure})"))
    page.on("response", lambda resp: problems.append(f"HTTP {resp.status}: {resp.url}")
            if resp.status >= 400 else None)
    page.goto(url, wait_until="load")
    return context, page, problems


def _shot(page, path: Path) -> None:
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
    width = page.viewport_size["width"]
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})


def _check_site(browser, base_url: str, site: Path, shots: Path | None) -> dict:
    """Load every page at two widths; return per-page facts and every problem found."""
    problems, facts = [], {}
    for rel in site_pages(site):
        for size in (WIDE, PHONE):
            context, page, page_problems = _open(browser, f"{base_url}/{rel}", size)
            try:
                math = page.evaluate(_MATH_DONE)
                page.wait_for_load_state("networkidle")
                broken = page.evaluate(_BROKEN_IMAGES)
                if size == WIDE:
                    facts[rel] = {"math": math, "images": page.evaluate("document.images.length"),
                                  "copy_buttons": page.locator("button.copybtn").count(),
                                  "toc_links": page.locator("nav.page-toc a").count(),
                                  "prev_next": page.locator(".prev-next-area a").count(),
                                  "text": page.evaluate("(document.querySelector('main') || document.body).innerText")}
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if shots is not None:
                    _shot(page, shots / f"{rel.replace('/', '__').removesuffix('.html')}-{size[0]}px.png")
            finally:
                context.close()
            page_problems += [f"image did not load: {src}" for src in broken]
            if math["typeset"] != math["math"] or math["errors"]:
                page_problems.append(f"math: {math['typeset']} of {math['math']} formulas typeset, "
                                     f"{math['errors']} MathJax errors")
            if overflow > 1:
                page_problems.append(f"the page is {overflow} px wider than a {size[0]} px window (sideways scrolling)")
            problems += [f"{rel} at {size[0]} px: {p}" for p in page_problems]
    return {"problems": problems, "facts": facts}


@pytest.fixture(scope="module")
def checked(browser, site_url, site_dir, screenshot_dir):
    return _check_site(browser, site_url, site_dir, screenshot_dir)


def test_every_page_loads_without_errors_and_renders_images_and_math(checked, site_dir, screenshot_dir):
    assert not checked["problems"], "\n".join(checked["problems"])
    pages = checked["facts"]
    notebook_pages = [p for p in pages if p.startswith(("notebooks/", "ko/notebooks/"))]
    assert len(notebook_pages) == len(list((REPO / "notebooks").glob("*.ipynb"))) + \
        len(list((REPO / "notebooks" / "ko").glob("*.ipynb"))) > 0
    assert sum(pages[p]["math"]["typeset"] for p in notebook_pages) > 0, "no formula on any notebook page"
    for rel in notebook_pages:
        facts = pages[rel]
        assert facts["images"] > 0, f"{rel}: no figure"
        assert facts["copy_buttons"] > 0, f"{rel}: no copy button on the code"
        assert facts["toc_links"] > 0, f"{rel}: no table of contents"
        assert facts["prev_next"] > 0, f"{rel}: no previous/next link"
    assert len(list(screenshot_dir.glob("*-1280px.png"))) >= len(pages)
    assert len(list(screenshot_dir.glob("*-390px.png"))) >= len(pages)


def test_links_between_pages_resolve(site_dir):
    broken = []
    parsed = {site_dir / p: _parse(site_dir / p) for p in site_pages(site_dir)}
    for page, links in parsed.items():
        for href in links.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site_dir)}: {href} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(site_dir)}: {href} (no such anchor)")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("path, word", [("search.html", "posterior"), ("ko/search.html", "사전확률")],
                         ids=["english", "korean"])
def test_search_finds_the_bayes_page_of_its_language(browser, site_url, path, word):
    context, page, problems = _open(browser, f"{site_url}/{path}?q={word}", WIDE)
    try:
        results = page.locator("ul.search li a")
        results.first.wait_for(timeout=30_000)
        hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    finally:
        context.close()
    assert any("01_bayes_theorem" in h for h in hrefs), hrefs
    assert not problems, problems


#: Fonts that have Hangul (the CSS asks for them first; Debian's fonts-noto-cjk has Noto Sans CJK KR).
KOREAN_FONT = re.compile(r"CJK|KR|Korean|Nanum|Gothic|Malgun|Apple SD", re.I)
KO_PAGE, EN_PAGE = "ko/notebooks/01_bayes_theorem.html", "notebooks/01_bayes_theorem.html"


def _fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium used to paint the text of the first element matching ``selector`` (family, glyphs)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no {selector} on the page"
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1280px", "390px"])
def test_korean_page_renders_hangul_in_a_korean_font_and_the_switch_goes_both_ways(browser, site_url, screenshot_dir,
                                                                                    size):
    context, page, problems = _open(browser, f"{site_url}/{KO_PAGE}", size)
    try:
        assert page.evaluate("document.documentElement.lang") == "ko"
        page.evaluate("document.fonts.ready")
        # The switch's current language is all Hangul: every glyph of it comes from a font that has Hangul, not a
        # box of tofu from a fallback without it.
        fonts = _fonts(page, "nav.course-lang-switch span[aria-current]")
        assert fonts and all(KOREAN_FONT.search(f["familyName"]) for f in fonts), fonts
        assert sum(f["glyphCount"] for f in fonts) == len("한국어"), fonts
        # and the lesson's own Korean text (mixed with Latin: some glyphs in the Korean font)
        heading = _fonts(page, "article h1")
        assert any(KOREAN_FONT.search(f["familyName"]) and f["glyphCount"] >= 10 for f in heading), heading
        width = size[0]
        page.screenshot(path=str(screenshot_dir / f"switch-ko-{width}px.png"))

        switch = page.locator("nav.course-lang-switch")
        box = switch.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] >= 0, \
            f"the switch is not on screen at {width} px: {box}"
        switch.get_by_role("link", name="English").click()
        page.wait_for_load_state("load")
        assert page.url == f"{site_url}/{EN_PAGE}", page.url
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator("nav.course-lang-switch span[aria-current]").inner_text() == "English"
        page.screenshot(path=str(screenshot_dir / f"switch-en-{width}px.png"))
        new_box = page.locator("nav.course-lang-switch").bounding_box()
        assert abs(new_box["x"] - box["x"]) < 2 and abs(new_box["y"] - box["y"]) < 2, \
            f"the switch moved between the two pages: {box} -> {new_box}"

        page.locator("nav.course-lang-switch").get_by_role("link", name="한국어").click()
        page.wait_for_load_state("load")
        assert page.url == f"{site_url}/{KO_PAGE}", page.url
        assert page.evaluate("document.documentElement.lang") == "ko"
    finally:
        context.close()
    assert not problems, problems


def test_landing_page_lists_every_notebook_with_a_colab_badge_and_no_solution(checked, site_dir):
    text = (site_dir / "index.html").read_text(encoding="utf-8")
    for word in SOLUTION_WORDS:
        assert word.lower() not in text.lower(), f"the landing page mentions {word!r}"
    assert "make lab" in checked["facts"]["index.html"]["text"]
    links = _parse(site_dir / "index.html").hrefs
    for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
        assert f"notebooks/{notebook.stem}.html" in links, f"the landing page does not link {notebook.name}"
        colab = [h for h in links if h.startswith("https://colab.research.google.com/") and h.endswith(notebook.name)]
        assert colab, f"no Colab badge for {notebook.name}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_student_site_shows_lessons_with_figures_and_no_solutions(browser, tmp_path):
    """`make release` builds the student edition's site: lessons keep their figures, homework shows blanks."""
    student = tmp_path / "student"
    result = subprocess.run(["make", "-s", "release", f"STUDENT_DIR={student}", "STUDENT_REPO_URL=https://github.com/teacher/dl-basics-student"], cwd=REPO, capture_output=True,
                            text=True, timeout=300, env=dict(os.environ, MAKEFLAGS=""))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = tmp_path / "student-site"
    assert (site / "index.html").is_file(), result.stdout[-2000:]
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for word in SOLUTION_WORDS:
            assert word.lower() not in text.lower(), f"{page.relative_to(site)} of the student site mentions {word!r}"
    homework = [p for p in (student / "notebooks").glob("*.ipynb") if "NotImplementedError" in p.read_text()]
    assert homework, "the student edition has no blank to fill: is there homework?"
    for notebook in homework:
        assert "NotImplementedError" in (site / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
    lesson = site / "notebooks" / "01_bayes_theorem.html"
    assert len(re.findall(r"<img ", lesson.read_text(encoding="utf-8"))) >= 5, "the lesson page lost its figures"
    # the Korean edition: a page per Korean notebook of the student edition, figures taken from notebooks/ko/, and
    # the student's commands on the Korean landing page
    korean = sorted((student / "notebooks" / "ko").glob("*.ipynb"))
    assert korean, "the student edition has no Korean notebook"
    assert sorted(p.stem for p in (site / "ko" / "notebooks").glob("*.html")) == [p.stem for p in korean]
    lesson = (site / "ko" / "notebooks" / "01_bayes_theorem.html").read_text(encoding="utf-8")
    assert len(re.findall(r"<img ", lesson)) >= 5, "the Korean lesson page lost its figures"
    landing = (site / "ko" / "index.html").read_text(encoding="utf-8")
    words = html.unescape(re.sub(r"<[^>]+>", "", landing))      # the text, as code highlighting splits it in spans
    assert "make check" in words and "make test" not in words and "강사용 저장소" not in words
    assert "dl-basics-student/blob/main/notebooks/ko/01_bayes_theorem.ipynb" in landing
    with serve(site) as url:
        checked = _check_site(browser, url, site, None)
    assert not checked["problems"], "\n".join(checked["problems"])
