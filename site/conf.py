"""Sphinx configuration of the course website (built by `make site`, through site/build.py).

build.py lays out the sources (index.md from the README, notebooks/*.ipynb as committed, a local
copy of MathJax in _static/mathjax) and sets the title and repository in COURSE_SITE_* variables.
Notebooks are rendered from their committed outputs; nothing is executed.
"""

import os

project = os.environ.get("COURSE_SITE_TITLE", "Deep learning basics")
author = "the course authors"
copyright = "the course authors"
language = "en"

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
}
