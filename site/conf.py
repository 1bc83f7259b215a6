"""Sphinx configuration of the course website (built by `make site`, through site/build.py).

build.py lays out the sources (index.md from the README, notebooks/*.ipynb as committed, a local
copy of MathJax in _static/mathjax) and sets the title and repository in COURSE_SITE_* variables.
Notebooks are rendered from their committed outputs; nothing is executed.

The same configuration builds the English site and its Korean part (``ko/``): COURSE_SITE_LANGUAGE says which,
and COURSE_SITE_SWITCH (JSON: this build's language and folder in the site, and the other build's language,
folder and page names) drives the English / 한국어 switch in every page's header (_templates/lang-switch.html).
"""

import json
import os
import posixpath

project = os.environ.get("COURSE_SITE_TITLE", "Deep learning basics")
language = os.environ.get("COURSE_SITE_LANGUAGE", "en")
author = "강의 저자들 (the course authors)" if language == "ko" else "the course authors"
copyright = "the course authors"
templates_path = ["_templates"]

extensions = ["myst_nb", "sphinx_copybutton"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# Prompts in code cells are not copied by the copy button.
copybutton_exclude = ".linenos, .gp, .go"

# Math renders offline: MathJax 3 from a registry package, copied next to the pages by build.py.
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
# The sidebar shows the course's short name (the README title up to its colon).
html_title = project.split(":")[0]
# The header already has a search field: the sidebar keeps the title and the list of notebooks.
html_sidebars = {"**": ["navbar-logo.html", "sbt-sidebar-nav.html"]}
# site/_static (style, badge) and the MathJax copy that build.py lays out for this build
html_static_path = ["_static"] + [p for p in [os.environ.get("COURSE_SITE_EXTRA_STATIC")] if p]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"
# Light by default (the reader can switch); an empty mode makes the theme log an error on every page.
html_context = {"default_mode": "light"}
html_last_updated_fmt = None
html_show_sourcelink = False
html_show_copyright = False
html_copy_source = True  # the download button offers the .ipynb
html_theme_options = {
    "repository_url": os.environ.get("COURSE_SITE_REPO_URL", ""),
    "repository_branch": os.environ.get("COURSE_SITE_REPO_BRANCH", "main"),
    "path_to_docs": "",
    "use_repository_button": True,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    # The language switch sits in the article header, right of the sidebar toggle: the same place on every page.
    "article_header_start": ["toggle-primary-sidebar.html", "lang-switch.html"],
}

#: Labels of the switch, in the language they name.
LANGUAGE_LABELS = {"en": "English", "ko": "한국어"}
#: The title of a switch link to the other language's landing page, where a page has no counterpart.
NO_COUNTERPART = {"en": "No English version of this page: the English home page",
                  "ko": "이 페이지의 한국어판은 없습니다: 한국어 첫 페이지로 갑니다"}
SWITCH = json.loads(os.environ.get("COURSE_SITE_SWITCH") or "null")


def language_switch(switch: dict, pagename: str) -> list[dict]:
    """The switch's entries (English first) for page ``pagename`` of this build: each with ``lang``, ``label``,
    ``current`` (this page's language), and for the other language ``href`` (relative to this page), ``found``
    (the same page exists there; else ``href`` is that language's landing page) and ``title``."""
    other = switch["other"]
    found = pagename in other["pages"]
    here = posixpath.dirname(switch["root"] + pagename) or "."
    href = posixpath.relpath(other["root"] + (pagename if found else "index") + ".html", here)
    entries = {switch["lang"]: {"lang": switch["lang"], "label": LANGUAGE_LABELS[switch["lang"]], "current": True},
               other["lang"]: {"lang": other["lang"], "label": LANGUAGE_LABELS[other["lang"]], "current": False,
                               "href": href, "found": found,
                               "title": LANGUAGE_LABELS[other["lang"]] if found else NO_COUNTERPART[other["lang"]]}}
    return [entries[lang] for lang in sorted(entries, key=lambda lang: lang != "en")]


def _add_language_switch(app, pagename, templatename, context, doctree):
    if not SWITCH:
        return
    entries = language_switch(SWITCH, pagename)
    context["course_lang_switch"] = entries
    for entry in entries:
        if not entry["current"] and entry["found"]:
            context["metatags"] = context.get("metatags", "") + \
                f'\n<link rel="alternate" hreflang="{entry["lang"]}" href="{entry["href"]}" />'


def _fix_launch_buttons(app, pagename, templatename, context, doctree):
    sources = (SWITCH or {}).get("sources")
    if sources and pagename.startswith("notebooks/"):
        # The theme's Colab launch button names the page's path (notebooks/01_x.ipynb); a translation lives in
        # its own folder of the repository (notebooks/ko/01_x.ipynb).
        old, new = f"/{pagename}.ipynb", f"/{sources}/{posixpath.basename(pagename)}.ipynb"

        def fix(value):
            if isinstance(value, dict):
                return {k: fix(v) for k, v in value.items()}
            if isinstance(value, list):
                return [fix(v) for v in value]
            return value.replace(old, new) if isinstance(value, str) and value.startswith("http") else value

        context["header_buttons"] = fix(context.get("header_buttons", []))


def setup(app):
    # before the theme leaves out header templates that render empty (priority 500)
    app.connect("html-page-context", _add_language_switch, priority=400)
    # after the book theme's header buttons (priority 501), whose launch link it corrects
    app.connect("html-page-context", _fix_launch_buttons, priority=600)
