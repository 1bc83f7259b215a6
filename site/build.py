"""Build the course website from the committed, executed notebooks (nothing is re-executed).

    python site/build.py                       # this repository -> build/site
    python site/build.py --root dist/student --out dist/student-site --outputs-from notebooks

The landing page is the README's front part (its opening, and the sections named in LANDING_SECTIONS):
the commands, the audiences, the notebook table with a link and a Colab badge per notebook. Every
``notebooks/*.ipynb`` becomes a page, in file-name order, and so does each of ``DOC_PAGES`` found in
``docs/`` (the instructors' and maintainers' pages), with links to other files of the repository
pointing at GitHub. Before Sphinx sees them, the
notebooks are copied to a temporary folder and adjusted for a static page:

- the Colab badge image is a local file (the page loads nothing from the internet);
- the bootstrap cell (Colab only) is left out, and so are the test runner's ``# NBVAL_...`` comments;
- an interactive widget's output becomes a note (its static figure follows it in the notebook);
- with ``--outputs-from``, cells get the outputs of the same cell in those executed notebooks,
  as long as the cells are the same. This is how the student edition (released with its outputs
  cleared) shows the figures of its lessons: a homework notebook keeps outputs only up to its
  first blank, so its page shows no answer and no result of one; a written question whose model
  answer became a prompt (a markdown cell) does not stop the outputs after it, nor does a lesson's
  graded exercise whose answer no later cell uses (its own cells are shown without outputs).

The Korean edition (``notebooks/ko/*.ipynb``, whichever notebooks are translated so far) becomes a second
Sphinx build under ``ko/`` of the site, with Korean labels and ``lang="ko"``: its landing page is
``site/ko/index.md`` (written as a README at the course folder's root: its links are repository paths, and
``<!-- edition: instructor -->`` / ``<!-- edition: student -->`` blocks are kept for that edition only; a course
folder with ``course_tools/`` is the instructor's), its notebook table links the Korean notebooks and, for a
notebook not translated yet, says so in Korean and links the English page. Its notebook pages get the same
treatment as the English ones (a Korean widget note; ``--outputs-from`` reads ``<folder>/ko/``). Every page has an
English / 한국어 switch (``site/_templates/lang-switch.html``) linking the same page in the other language, or,
where there is none (the English-only docs pages, a notebook not translated yet), the other language's landing
page, with a title that says so.

Math is rendered by MathJax 3 from the ``django-static-mathjax`` package (Apache-2.0), copied next
to the pages, so the site works offline.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course_utils._config import colab_url  # the one home of the Colab URL (badges use it too)

HERE = Path(__file__).resolve().parent

#: README sections (level-2 headings, matched by their start) shown on the landing page, besides
#: the README's opening. Everything else (maintainer and instructor notes) stays off the site.
LANDING_SECTIONS = ("Three audiences", "The notebooks", "Using the course in Colab", "Running it on your own computer",
                    "How the homework works", "Handing in", "When something goes wrong")
COLAB_BADGE_URL = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_FILE = "colab-badge.svg"
BOOTSTRAP_PREFIX = "# Course bootstrap"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("*Interactive widget: it runs in JupyterLab, Jupyter Notebook or Colab (open this notebook "
               "there and run the cell). A static figure with the same lesson follows.*")
#: The parts of MathJax 3 (es5 build) that pages load: the TeX-to-HTML component, its fonts, the
#: TeX extensions it loads on demand, and the menu's accessibility parts.
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "ui")
#: Pages made from ``docs/`` (those the course folder has), after the notebooks, in this order. (``FACTS.md`` is not
#: one: at 390 px its page scrolled sideways; links to it go to the repository.)
DOC_PAGES = ("instructors.md", "maintainers.md")
#: Marks a folder as made by this script, so that a rebuild may replace it.
SITE_MARKER = ".course-site"
#: The translations' folder: ``notebooks/ko/`` in the course folder, ``ko/`` in the site.
KO = "ko"
#: The Korean landing page's text (links are repository paths, as in the README).
KO_LANDING = HERE / KO / "index.md"
KO_WIDGET_NOTE = ("*대화형 위젯(interactive widget): JupyterLab, Jupyter Notebook이나 Colab에서 이 노트북을 열고 셀을 "
                  "실행하면 움직입니다. 같은 내용을 담은 정적 그림이 바로 아래에 있습니다.*")
#: A Korean landing page's table row whose notebook is not translated yet says this, then links the English page.
KO_NOT_YET = "한국어판은 준비 중입니다"
KO_ENGLISH_PAGE = "영어판 보기"
_EDITION_BLOCK = re.compile(r"<!-- edition: (\w+) -->\n(.*?)<!-- /edition -->\n?", re.S)


class SiteError(Exception):
    """Something stops the build; the message says what to do."""


# --------------------------------------------------------------------------- repository facts
def repo_settings(root: Path) -> tuple[str, str]:
    """``(REPO_URL, REPO_BRANCH)`` from ``<root>/course_utils/_config.py`` (read, not imported)."""
    config = root / "course_utils" / "_config.py"
    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    url = re.search(r'^REPO_URL\s*=\s*"([^"]+)"', text, re.M)
    branch = re.search(r'^REPO_BRANCH\s*=\s*"([^"]+)"', text, re.M)
    return (url.group(1).rstrip("/") if url else ""), (branch.group(1) if branch else "main")


# --------------------------------------------------------------------------- landing page
def split_sections(markdown: str) -> list[tuple[str, str]]:
    """``[(heading, text), ...]`` split at level-2 headings outside code fences; the opening has heading ``""``."""
    sections, heading, lines, fence = [], "", [], None
    for line in markdown.splitlines(keepends=True):
        stripped = line.lstrip()
        if fence is None and stripped[:3] in ("```", "~~~"):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and line.startswith("## "):
            sections.append((heading, "".join(lines)))
            heading, lines = line[3:].strip(), []
        lines.append(line)
    sections.append((heading, "".join(lines)))
    return sections


_LINK = re.compile(r"(!?\[[^\]]*\])\(([^)\s]+)\)")
_ROW = re.compile(r"^\|\s*(\d+[a-z]?)\s*\|([^|]*)\|")    # "| 03 |" and "| 03b |"


def _raw_link(label: str, href: str) -> str:
    """A markdown link as inline HTML, for a page of the other language's build (Sphinx cannot resolve it)."""
    text = html.escape(re.sub(r"^\[|\]$", "", label), quote=False)
    text = re.sub(r"`([^`]+)`", r'<code class="docutils literal notranslate">\1</code>', text)
    return f'<a class="reference external" href="{html.escape(href)}">{text}</a>'


def fix_links(text: str, folder: str, pages: set, repo_url: str, branch: str, elsewhere: dict | None = None) -> str:
    """Links of a page in ``folder`` (``""`` for the landing page, ``"docs"``) that point at a file which is not a
    page of the site go to that file in the repository on GitHub; a link to the README goes to the landing page.

    ``elsewhere`` maps repository paths (``notebooks/ko/01_x.ipynb``, ``notebooks/ko``) to pages of the other
    language's build, as paths from this build's root (``ko/notebooks/01_x.html``): such a link becomes inline HTML.
    """
    elsewhere = elsewhere or {}

    def fix(match: re.Match) -> str:
        label, target = match.groups()
        path = target.split("#")[0]
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        in_repo = posixpath.normpath(posixpath.join(folder, path))
        if in_repo == "README.md":
            return f"{label}({posixpath.relpath('index.md', folder or '.')}{target[len(path):]})"
        if in_repo in elsewhere and not label.startswith("!"):
            return _raw_link(label, posixpath.relpath(elsewhere[in_repo], folder or ".") + target[len(path):])
        if in_repo in pages or not repo_url:
            return match.group(0)
        return f"{label}({repo_url}/blob/{branch}/{in_repo}{target[len(path):]})"

    return _LINK.sub(fix, text)


def landing_page(readme: str, notebooks: list[str], repo_url: str, branch: str, docs: list[str] = (),
                 elsewhere: dict | None = None) -> str:
    """The landing page's MyST text: the README's front part, links fixed, badges added.

    Args:
        readme: the README's markdown.
        notebooks: file names of the notebooks (``01_bayes_theorem.ipynb``), in page order.
        repo_url, branch: where links to files that are not pages point (on GitHub).
        docs: file names of the pages made from ``docs/*.md`` (``instructors.md``), in page order.
        elsewhere: repository paths that are pages of the Korean build (see ``fix_links``).
    """
    kept = [text for heading, text in split_sections(readme)
            if heading == "" or heading.startswith(LANDING_SECTIONS)]
    text = "".join(kept).rstrip() + "\n"
    pages = {f"notebooks/{name}" for name in notebooks} | {f"docs/{name}" for name in docs}
    text = fix_links(text, "", pages, repo_url, branch, elsewhere)
    by_number = {name.split("_")[0]: name for name in notebooks}
    out_lines = []
    for line in text.splitlines():
        row = _ROW.match(line)
        name = by_number.get(row.group(1).zfill(2)) if row else None
        if name:
            cell = row.group(2).strip()
            if f"notebooks/{name}" not in cell:
                cell = f"[{cell}](notebooks/{name})"
            if repo_url:
                cell += f" [![Open in Colab](notebooks/{BADGE_FILE})]({colab_url(f'notebooks/{name}', repo_url, branch)})"
            line = f"| {row.group(1)} | {cell} |" + line[row.end():]
        out_lines.append(line)
    toctree = "\n```{toctree}\n:hidden:\n:maxdepth: 2\n\n" + "".join(
        f"notebooks/{Path(name).stem}\n" for name in notebooks) + "".join(
        f"docs/{Path(name).stem}\n" for name in docs) + "```\n"
    return "\n".join(out_lines) + "\n" + toctree


def edition_text(text: str, edition: str) -> str:
    """``text`` with the ``<!-- edition: NAME -->`` ... ``<!-- /edition -->`` blocks of ``edition`` kept (markers
    dropped) and those of any other edition left out."""
    return _EDITION_BLOCK.sub(lambda m: m.group(2) if m.group(1) == edition else "", text)


def korean_landing_page(text: str, notebooks: list[str], english: list[str], repo_url: str, branch: str,
                        docs: list[str] = (), edition: str = "instructor") -> str:
    """The Korean landing page's MyST text (a page at ``ko/index`` of the site).

    Args:
        text: the Korean landing text (``site/ko/index.md``): links are repository paths, as in the README.
        notebooks: file names of the Korean notebooks (``notebooks/ko/*.ipynb``), in page order.
        english: file names of the English notebooks (pages of the English build, at ``../notebooks/``).
        repo_url, branch: where links to files that are not pages point (on GitHub).
        docs: file names of the English docs pages (``instructors.md``), linked at ``../docs/``.
        edition: ``"instructor"`` or ``"student"``: which edition blocks are kept.

    A row of the notebook table (``| 04 | ... |``) whose notebook is translated links its Korean page and gets
    the Korean notebook's Colab badge; one whose notebook is not translated yet says so (``KO_NOT_YET``) and links
    the English page instead.
    """
    text = edition_text(text, edition)
    pages = {f"notebooks/{KO}/{name}" for name in notebooks}
    elsewhere = {f"notebooks/{name}": f"../notebooks/{Path(name).stem}.html" for name in english}
    elsewhere.update({f"docs/{name}": f"../docs/{Path(name).stem}.html" for name in docs})
    elsewhere["README.md"] = "../index.html"

    def fix(match: re.Match) -> str:
        label, target = match.groups()
        path = target.split("#")[0]
        in_repo = posixpath.normpath(path) if path else ""
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        if in_repo in pages:                            # a Korean page: a link Sphinx resolves
            return f"{label}(notebooks/{posixpath.basename(in_repo)}{target[len(path):]})"
        if in_repo in elsewhere and not label.startswith("!"):
            return _raw_link(label, elsewhere[in_repo] + target[len(path):])
        if not repo_url:
            return match.group(0)
        return f"{label}({repo_url}/blob/{branch}/{in_repo}{target[len(path):]})"

    text = _LINK.sub(fix, text.rstrip() + "\n")
    korean = {name.split("_")[0]: name for name in notebooks}
    by_number = {name.split("_")[0]: name for name in english}
    out_lines = []
    for line in text.splitlines():
        row = _ROW.match(line)
        number = row.group(1).zfill(2) if row else None
        if row and number in korean:
            name = korean[number]
            cell = f"[{row.group(2).strip()}](notebooks/{name})"
            if repo_url:
                cell += (f" [![Open in Colab](notebooks/{BADGE_FILE})]"
                         f"({colab_url(f'notebooks/{KO}/{name}', repo_url, branch)})")
            line = f"| {row.group(1)} | {cell} |" + line[row.end():]
        elif row and number in by_number:
            href = f"../notebooks/{Path(by_number[number]).stem}.html"
            cell = (f"{row.group(2).strip()} <br><small>({KO_NOT_YET}: "
                    f'<a class="reference external" lang="en" hreflang="en" href="{href}">{KO_ENGLISH_PAGE}</a>)</small>')
            line = f"| {row.group(1)} | {cell} |" + line[row.end():]
        out_lines.append(line)
    toctree = "\n```{toctree}\n:hidden:\n:maxdepth: 2\n\n" + "".join(
        f"notebooks/{Path(name).stem}\n" for name in notebooks) + "```\n"
    return "\n".join(out_lines) + "\n" + toctree


# --------------------------------------------------------------------------- notebooks
def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _comparable(cell: dict) -> str:
    """A cell's type and source with URLs masked (a student edition points its badges elsewhere)."""
    source = _source(cell)
    if source.startswith(BOOTSTRAP_PREFIX):
        return "bootstrap"
    return cell.get("cell_type", "") + "\n" + re.sub(r"https?://\S+", "URL", source)


_HEADER = re.compile(r"^#\s*(TASK|TEST|QUESTIONS)\s+([A-Za-z_][A-Za-z0-9_.\-]*)")


def _header(cell: dict) -> tuple:
    """``("TASK"|"TEST"|"QUESTIONS", id)`` for a graded cell of the homework format, else ``("", "")``."""
    match = _HEADER.match(_source(cell).lstrip()) if cell.get("cell_type") == "code" else None
    return (match.group(1), match.group(2)) if match else ("", "")


def _python(source: str):
    """``source`` parsed as Python (IPython's magic lines dropped), or None when it does not parse."""
    import ast

    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def _top_level_names(source: str):
    """The names a cell binds at its top level (functions, classes, assignments, imports); None if unparsable."""
    import ast

    tree = _python(source)
    if tree is None:
        return None
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return names


def _answer_used_later(task: dict, later: list) -> bool:
    """Whether a code cell in ``later`` (other than the task's own test) reads a name the task cell binds, or cannot
    be read (then it might)."""
    import ast

    names = _top_level_names(_source(task))
    if names is None:
        return True
    task_id = _header(task)[1]
    for cell in later:
        if cell.get("cell_type") != "code" or _header(cell) in (("TEST", task_id), ("QUESTIONS", task_id)):
            continue
        tree = _python(_source(cell))
        if tree is None or any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(tree)):
            return True
    return False


def merge_outputs(nb: dict, executed: dict) -> int:
    """Copy outputs from ``executed`` into ``nb``, cell by cell, up to the first *code* cell that differs.

    A markdown cell may differ (a written answer that the student edition replaced by its prompt): it keeps
    its own text and the merge goes on, because markdown has no outputs and the code cells after it are
    unchanged. A code cell that differs (a homework blank) stops the merge: its output, and every later
    one, could show an answer. One exception, for a lesson's graded exercise (notebook 03): a ``# TASK`` cell
    whose names no later code cell reads (the lesson goes on with the course's tested functions, not the
    student's answer) gets no outputs, nor does its ``# TEST`` cell, and the merge goes on. The executed
    notebook's ``# QUESTIONS`` cells (the grader's, not in the student edition) are passed over.

    Returns:
        The number of cells compared equal (outputs copied for the code cells among them, except a graded
        exercise's test cell).
    """
    same = 0
    done_cells = [c for c in executed.get("cells", []) if _header(c)[0] != "QUESTIONS"]
    withheld = set()
    for index, (cell, done) in enumerate(zip(nb.get("cells", []), done_cells)):
        if _comparable(cell) != _comparable(done):
            if cell.get("cell_type") == "markdown" and done.get("cell_type") == "markdown":
                continue
            kind, task_id = _header(done)
            if kind == "TASK" and _header(cell) == (kind, task_id) and \
                    not _answer_used_later(done, done_cells[index + 1:]):
                cell["outputs"], cell["execution_count"] = [], None
                withheld.add(task_id)
                continue
            break
        if cell.get("cell_type") == "code":
            if _header(cell)[0] == "TEST" and _header(cell)[1] in withheld:
                cell["outputs"], cell["execution_count"] = [], None
            else:
                cell["outputs"] = done.get("outputs", [])
                cell["execution_count"] = done.get("execution_count")
        same += 1
    return same


_NBVAL = re.compile(r"^# ?NBVAL_\w+[^\n]*\n?", re.M)


def static_notebook(nb: dict, widget_note: str = WIDGET_NOTE) -> dict:
    """Adjust a notebook for a static page (local badge, no bootstrap cell, widget notes); in place."""
    for cell in nb.get("cells", []):
        source = _source(cell)
        if cell.get("cell_type") == "markdown" and COLAB_BADGE_URL in source:
            cell["source"] = source.replace(COLAB_BADGE_URL, BADGE_FILE)
        if cell.get("cell_type") == "code" and _NBVAL.search(source):
            cell["source"] = _NBVAL.sub("", source)
        if cell.get("cell_type") == "code" and source.startswith(BOOTSTRAP_PREFIX):
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if "remove-cell" not in tags:
                tags.append("remove-cell")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                output["data"] = {"text/markdown": widget_note}
    nb.get("metadata", {}).pop("widgets", None)
    return nb


# --------------------------------------------------------------------------- build
def mathjax_folder() -> Path:
    try:
        import mathjax  # the django-static-mathjax package: MathJax 3 as files
    except ImportError:
        raise SiteError("MathJax is not installed: run `make site` (it installs requirements-site.txt), or "
                        "`.venv/bin/pip install -r requirements-site.txt`") from None
    folder = Path(mathjax.__file__).parent / "static" / "mathjax"
    if not (folder / "es5" / "tex-chtml.js").is_file():
        raise SiteError(f"{folder} has no es5/tex-chtml.js: reinstall with "
                        "`.venv/bin/pip install --force-reinstall -r requirements-site.txt`")
    return folder


def korean_notebooks(root: Path) -> list[str]:
    """File names of the translated notebooks (``notebooks/ko/*.ipynb``), in file-name order; ``[]`` if none."""
    return sorted(p.name for p in (root / "notebooks" / KO).glob("*.ipynb"))


def _stage_notebooks(folder: Path, names: list[str], staging: Path, outputs_from: Path | None,
                     widget_note: str) -> None:
    """Copy the notebooks ``names`` of ``folder`` into ``staging/notebooks`` for a static page, with outputs from
    the same file names in ``outputs_from`` where given."""
    (staging / "notebooks").mkdir(parents=True)
    shutil.copy2(HERE / "_static" / BADGE_FILE, staging / "notebooks" / BADGE_FILE)
    for name in names:
        nb = json.loads((folder / name).read_text(encoding="utf-8"))
        if outputs_from is not None and (outputs_from / name).is_file():
            merge_outputs(nb, json.loads((outputs_from / name).read_text(encoding="utf-8")))
        (staging / "notebooks" / name).write_text(json.dumps(static_notebook(nb, widget_note), ensure_ascii=False),
                                                  encoding="utf-8")


def _stage_mathjax(staging: Path) -> None:
    mathjax = mathjax_folder()
    for part in MATHJAX_PARTS:
        src, dest = mathjax / "es5" / part, staging / "_extra_static" / "mathjax" / part
        if src.is_dir():
            shutil.copytree(src, dest)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    shutil.copy2(mathjax / "LICENSE", staging / "_extra_static" / "mathjax" / "LICENSE")


def stage(root: Path, staging: Path, outputs_from: Path | None) -> list[str]:
    """Lay out the Sphinx sources of the English site in ``staging``; return the notebook file names."""
    notebooks = sorted(p.name for p in (root / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise SiteError(f"no notebooks in {root / 'notebooks'}: pass --root, the folder that holds notebooks/")
    readme = root / "README.md"
    if not readme.is_file():
        raise SiteError(f"{readme} is missing: the landing page is made from it")
    repo_url, branch = repo_settings(root)
    docs = [name for name in DOC_PAGES if (root / "docs" / name).is_file()]
    pages = {f"notebooks/{name}" for name in notebooks} | {f"docs/{name}" for name in docs}
    korean = korean_notebooks(root)
    elsewhere = {f"notebooks/{KO}/{name}": f"{KO}/notebooks/{Path(name).stem}.html" for name in korean}
    if korean:
        elsewhere[f"notebooks/{KO}"] = f"{KO}/index.html"
    _stage_notebooks(root / "notebooks", notebooks, staging, outputs_from, WIDGET_NOTE)
    (staging / "index.md").write_text(landing_page(readme.read_text(encoding="utf-8"), notebooks, repo_url, branch,
                                                   docs, elsewhere), encoding="utf-8")
    if docs:
        (staging / "docs").mkdir()
    for name in docs:
        text = (root / "docs" / name).read_text(encoding="utf-8")
        text = text.replace("```mermaid\n", "```text\n")   # no mermaid renderer here: the diagram's source, as text
        (staging / "docs" / name).write_text(fix_links(text, "docs", pages, repo_url, branch, elsewhere),
                                             encoding="utf-8")
    _stage_mathjax(staging)
    return notebooks


def stage_korean(root: Path, staging: Path, outputs_from: Path | None) -> list[str]:
    """Lay out the Sphinx sources of the Korean site (``ko/`` of the site) in ``staging``; return the Korean
    notebook file names (``[]``, and nothing laid out, when the course has none)."""
    notebooks = korean_notebooks(root)
    if not notebooks:
        return []
    if not KO_LANDING.is_file():
        raise SiteError(f"{KO_LANDING} is missing: the Korean landing page is made from it")
    repo_url, branch = repo_settings(root)
    english = sorted(p.name for p in (root / "notebooks").glob("*.ipynb"))
    docs = [name for name in DOC_PAGES if (root / "docs" / name).is_file()]
    edition = "instructor" if (root / "course_tools").is_dir() else "student"
    _stage_notebooks(root / "notebooks" / KO, notebooks, staging,
                     outputs_from / KO if outputs_from is not None else None, KO_WIDGET_NOTE)
    (staging / "index.md").write_text(korean_landing_page(KO_LANDING.read_text(encoding="utf-8"), notebooks, english,
                                                          repo_url, branch, docs, edition), encoding="utf-8")
    _stage_mathjax(staging)
    return notebooks


def _page_names(staging: Path) -> list[str]:
    """The page names of a staged build (``index``, ``notebooks/01_x``, ``docs/y``), and Sphinx's own pages."""
    names = {p.relative_to(staging).with_suffix("").as_posix() for p in staging.rglob("*")
             if p.suffix in (".md", ".ipynb") and not p.relative_to(staging).parts[0].startswith("_")}
    return sorted(names | {"search", "genindex"})


def _title(text: str, default: str) -> str:
    first = text.splitlines()[:1]
    return first[0].lstrip("# ").strip() if first and first[0].startswith("# ") else default


def _sphinx(staging: Path, html: Path, doctrees: Path, env: dict) -> None:
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(HERE), "-d", str(doctrees),
           str(staging), str(html)]
    env = dict(env, COURSE_SITE_EXTRA_STATIC=str(staging / "_extra_static"))
    if subprocess.run(cmd, env=env).returncode != 0:
        raise SiteError("Sphinx failed (its messages are above); nothing was changed")


def build(root: Path, out: Path, outputs_from: Path | None = None) -> None:
    """Build the site of ``root`` into ``out`` (replaced if a previous build of this script is there): the
    English pages at its root, the Korean ones (if the course has Korean notebooks) in ``out/ko``."""
    root, out = root.resolve(), out.resolve()
    if out.exists() and any(out.iterdir()) and not (out / SITE_MARKER).exists():
        raise SiteError(f"{out} exists and is not a site built by this script: nothing was changed; "
                        "choose another --out or remove it")
    readme = root / "README.md"
    title = _title(readme.read_text(encoding="utf-8"), "Course") if readme.is_file() else "Course"
    repo_url, branch = repo_settings(root)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="course-site-") as tmp:
        tmp = Path(tmp)
        outputs = outputs_from.resolve() if outputs_from else None
        notebooks = stage(root, tmp / "src", outputs)
        korean = stage_korean(root, tmp / "src-ko", outputs)
        env = dict(os.environ, COURSE_SITE_REPO_URL=repo_url, COURSE_SITE_REPO_BRANCH=branch)
        en_pages = _page_names(tmp / "src")
        html = tmp / "html"
        if korean:
            ko_pages = _page_names(tmp / "src-ko")
            switch = {"lang": "en", "root": "", "other": {"lang": KO, "root": f"{KO}/", "pages": ko_pages}}
            _sphinx(tmp / "src", html, tmp / "doctrees", dict(env, COURSE_SITE_TITLE=title, COURSE_SITE_LANGUAGE="en",
                                                              COURSE_SITE_SWITCH=json.dumps(switch)))
            switch = {"lang": KO, "root": f"{KO}/", "other": {"lang": "en", "root": "", "pages": en_pages},
                      "sources": f"notebooks/{KO}"}
            ko_title = _title(KO_LANDING.read_text(encoding="utf-8"), title)
            _sphinx(tmp / "src-ko", html / KO, tmp / "doctrees-ko",
                    dict(env, COURSE_SITE_TITLE=ko_title, COURSE_SITE_LANGUAGE=KO,
                         COURSE_SITE_SWITCH=json.dumps(switch, ensure_ascii=False)))
        else:
            _sphinx(tmp / "src", html, tmp / "doctrees", dict(env, COURSE_SITE_TITLE=title, COURSE_SITE_LANGUAGE="en"))
        (html / SITE_MARKER).write_text("Built by site/build.py; rebuilt by `make site`.\n", encoding="utf-8")
        (html / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve _static/ as it is
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(html), str(out))
    print(f"site: {len(notebooks)} notebook pages, the landing page and the docs pages in {out}, and "
          f"{len(korean)} Korean notebook pages and their landing page in {out / KO} "
          f"({time.monotonic() - start:.1f} s); open {out / 'index.html'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the course website from the executed notebooks.")
    parser.add_argument("--root", type=Path, default=Path("."), help="the course folder (with README.md, notebooks/)")
    parser.add_argument("--out", type=Path, default=Path("build/site"), help="where the HTML goes")
    parser.add_argument("--outputs-from", type=Path, default=None,
                        help="a folder of executed notebooks whose outputs fill the same, unchanged cells "
                             "(for a student edition, whose notebooks have no outputs)")
    args = parser.parse_args(argv)
    try:
        build(args.root, args.out, args.outputs_from)
    except SiteError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
