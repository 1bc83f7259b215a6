"""Translated notebooks kept in step with their English sources.

A translation of ``notebooks/NN_name.ipynb`` lives at ``notebooks/<lang>/NN_name.ipynb`` (Korean:
``notebooks/ko/``). It has the same cells as its source, in the same order and with the same cell ids,
and every translated cell records in its metadata the SHA-256 of the English cell it translates::

    "metadata": {"translation": {"en_sha256": "3f0c...", "lang": "ko"}}

``lint`` then finds, cell by cell, what went out of step:

- a cell added, removed, moved or of another type in one language only;
- an English cell changed after it was translated (its hash no longer matches): re-translate it, then
  ``stamp`` it;
- a code cell that is not the English code: only comments and the text of string literals may differ
  (an f-string keeps its ``{...}`` expressions; a string used as a key, in a subscript, a dict display or a
  comparison, stays as it is), so both editions run the same program;
- a markdown cell still in English (no Hangul) where the English cell has words to translate;
- (``lint`` without paths) the message catalogues, ``course_utils/messages/<lang>.py``: every key of the
  English catalogue in each language, none extra, the same ``{fields}`` (``course_utils.messages.problems``),
  a translation of every English text of the homework's ``# TEST`` cells (``check_text_problems``), and of every
  requirement of its ``# QUESTIONS`` cells, which the grader's feedback shows (``requirement_text_problems``).

Command line (``make translation-lint`` runs the first)::

    python -m course_tools.translation lint                   # every translation under notebooks/
    python -m course_tools.translation status notebooks/ko/01_bayes_theorem.ipynb
    python -m course_tools.translation stamp notebooks/ko/01_bayes_theorem.ipynb --cells 12 14
    python -m course_tools.translation start ko notebooks/01_bayes_theorem.ipynb   # a copy to translate

``stamp`` records the current English hash for cells a translator has brought up to date (cell
numbers count from 1, as ``lint`` reports them); ``start`` writes a new translation whose cells are
copies of the English ones, unstamped, so ``lint`` lists each as still to translate.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import json
import re
import sys
import tokenize
from pathlib import Path
from typing import Iterable, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: Language code -> what a translated markdown cell must contain (a letter of that script).
SCRIPTS = {"ko": re.compile(r"[\uac00-\ud7a3]")}
_WORD = re.compile(r"[A-Za-z]{3,}")


# --------------------------------------------------------------------------- reading
def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cell_hash(cell: dict) -> str:
    """The SHA-256 of a cell's type and source: what a translation records of its English cell."""
    return hashlib.sha256(f"{cell.get('cell_type')}\n{cell_source(cell)}".encode("utf-8")).hexdigest()


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def save(path: Path, nb: dict) -> None:
    text = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def source_of(translation: Path) -> Path:
    """``notebooks/ko/01_x.ipynb`` -> ``notebooks/01_x.ipynb``."""
    return Path(translation).parent.parent / Path(translation).name


def translations(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every translated notebook below ``folder`` (one folder per language code)."""
    return sorted(p for lang in SCRIPTS for p in (Path(folder) / lang).glob("*.ipynb"))


# --------------------------------------------------------------------------- code cells
def _fstring_expressions(literal: str) -> str:
    """The ``{...}`` expressions of an f-string literal (its text may be translated), as an AST dump."""
    try:
        node = ast.parse(literal, mode="eval").body
    except SyntaxError:
        return literal
    if not isinstance(node, ast.JoinedStr):
        return "str"
    parts = [ast.dump(v) for v in node.values if isinstance(v, ast.FormattedValue)]
    return "f[" + ",".join(parts) + "]"


_MAGIC = re.compile(r"^(\s*)[%!]")


def _key_strings(source: str) -> set[tuple[int, int]]:
    """Where (row, column in characters, as ``tokenize`` counts) the string literals of ``source`` stand
    that are keys, not text: a subscript (``r["train"]``), a key of a dict display (``{"AND": ...}``) or an
    operand of a comparison (``device == "cuda"``, ``"x" in names``). Renaming one changes what the program
    looks up, so a translation keeps them. Empty when the cell does not parse (IPython magics are skipped)."""
    lines = source.splitlines()
    parsable = "\n".join(_MAGIC.sub(lambda m: m.group(1) + "pass  #", line) for line in lines)
    try:
        tree = ast.parse(parsable)
    except SyntaxError:
        return set()
    nodes = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            nodes.append(node.slice)
        elif isinstance(node, ast.Dict):
            nodes.extend(key for key in node.keys if key is not None)
        elif isinstance(node, ast.Compare):
            nodes.extend([node.left, *node.comparators])
    where = set()
    for node in nodes:
        for part in (node.elts if isinstance(node, ast.Tuple) else [node]):
            if isinstance(part, ast.Constant) and isinstance(part.value, str) and part.lineno <= len(lines):
                line = lines[part.lineno - 1].encode("utf-8")
                where.add((part.lineno, len(line[:part.col_offset].decode("utf-8", errors="replace"))))
    return where


def code_shape(source: str) -> list[tuple[str, str]]:
    """The tokens of a code cell with comments dropped and string literals reduced to what must stay
    the same (nothing for a plain string of text, the expressions of an f-string, the whole literal for a
    key: see ``_key_strings``). Two cells with the same shape run the same program, whatever language
    their comments and messages are in."""
    tokens = []
    keys = _key_strings(source)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING):
                continue
            if tok.type == tokenize.STRING:
                prefix = re.match(r"[A-Za-z]*", tok.string).group(0).lower()
                if tok.start in keys:
                    tokens.append(("KEY", tok.string))
                    continue
                tokens.append(("STRING", _fstring_expressions(tok.string) if "f" in prefix else "str"))
            else:
                tokens.append((tokenize.tok_name[tok.type], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [("SOURCE", "\n".join(line.split("#")[0].rstrip() for line in source.splitlines()))]
    return tokens


# --------------------------------------------------------------------------- lint
def lint_pair(english: dict, translated: dict, lang: str, name: str = "") -> list[str]:
    """Every way ``translated`` is out of step with ``english``; each line names the cell (from 1)."""
    where = f"{name}: " if name else ""
    problems = []
    en_cells, tr_cells = english.get("cells", []), translated.get("cells", [])
    if len(en_cells) != len(tr_cells):
        problems.append(f"{where}{len(tr_cells)} cells, the English notebook has {len(en_cells)}: add or remove "
                        "the same cells in both (python -m course_tools.translation status shows where they part)")
    script = SCRIPTS[lang]
    for number, (en, tr) in enumerate(zip(en_cells, tr_cells), start=1):
        cell = f"{where}cell {number}"
        if en.get("cell_type") != tr.get("cell_type") or en.get("id") != tr.get("id"):
            problems.append(f"{cell}: is not the English cell {number} (type {tr.get('cell_type')} id "
                            f"{tr.get('id')} vs {en.get('cell_type')} id {en.get('id')}): the cells are out of order")
            break
        recorded = tr.get("metadata", {}).get("translation", {}).get("en_sha256")
        if recorded is None:
            problems.append(f"{cell}: not translated yet (no translation record): translate it, then stamp it")
        elif recorded != cell_hash(en):
            problems.append(f"{cell}: the English cell changed after it was translated: update the translation, "
                            "then stamp it")
        if en.get("cell_type") == "code":
            if code_shape(cell_source(en)) != code_shape(cell_source(tr)):
                problems.append(f"{cell}: the code differs from the English cell (only comments and the text of "
                                "strings may be translated)")
        elif recorded is not None and _WORD.search(cell_source(en)) and not script.search(cell_source(tr)):
            problems.append(f"{cell}: stamped as translated but has no {lang} text")
    return problems


def lint(paths: Optional[Iterable[Path]] = None) -> list[str]:
    problems = []
    for path in (list(paths) if paths else translations()):
        path = Path(path)
        lang = path.parent.name
        if lang not in SCRIPTS:
            problems.append(f"{path}: not in a language folder ({', '.join(SCRIPTS)})")
            continue
        source = source_of(path)
        if not source.is_file():
            problems.append(f"{path}: its English notebook {source} does not exist")
            continue
        problems += lint_pair(load(source), load(path), lang, name=str(path.relative_to(path.parents[2])))
    return problems


def catalogue_problems() -> list[str]:
    """The message catalogues out of step (``course_utils.messages.problems``: a key missing or extra in a
    language, different ``{fields}``, a template that does not parse)."""
    from course_utils.messages import problems as message_problems

    return [f"course_utils/{line}" for line in message_problems()]


#: The checks of ``course_utils.checks.selfcheck`` whose texts a student reads: function -> the positional
#: argument that is a text (``name``, or ``check``'s ``message``); every ``hint=`` is one too.
_CHECK_MODULES = ("course_utils.checks.selfcheck", "course_utils.checks.homework")
_CHECK_TEXT_ARGS = {"check": 1, "check_type": 0, "check_shape": 0, "check_close": 0, "check_equal": 0,
                    "check_call": 0}


def test_cell_texts(nb: dict) -> list[str]:
    """The English texts a student reads in a notebook's ``# TEST`` cells, in order, once each: the
    constant names, messages and hints given to the checks, and the ``HINT_...`` constants."""
    found: dict[str, None] = {}
    for cell in nb.get("cells", []):
        source = cell_source(cell)
        if cell.get("cell_type") != "code" or not source.startswith("# TEST"):
            continue
        tree = ast.parse(source)
        imported, elsewhere = {}, set()     # local name -> check function; names imported from other modules
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if node.module in _CHECK_MODULES:
                        imported[alias.asname or alias.name] = alias.name
                    else:
                        elsewhere.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            texts = []
            if isinstance(node, ast.Call):
                func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                func = imported.get(func, "" if func in elsewhere else func)   # `check as require` is a check
                position = _CHECK_TEXT_ARGS.get(func)
                if position is not None and len(node.args) > position:
                    texts.append(node.args[position])
                texts += [kw.value for kw in node.keywords if kw.arg == "hint"]
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.startswith("HINT")
                                                      for t in node.targets):
                texts.append(node.value)
            for value in texts:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.setdefault(value.value)
    return list(found)


def check_text_problems(folder: Path = NOTEBOOKS) -> list[str]:
    """Each language's ``CHECK_TEXTS`` against the English ``# TEST`` cells' texts: a text with no translation
    (the English test cell changed, or it is new), and a translation of a text no test cell has any more."""
    from course_utils.messages import LANGUAGES, check_texts

    english = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        for text in test_cell_texts(load(path)):
            english.setdefault(text, path.name)
    problems = []
    for code in LANGUAGES:
        if code == "en":
            continue
        table = check_texts(code)
        problems += [f"course_utils/messages/{code}_checks.py: CHECK_TEXTS has no translation of {text!r} (a # TEST cell "
                     f"of {name})" for text, name in english.items() if text not in table]
        problems += [f"course_utils/messages/{code}_checks.py: CHECK_TEXTS translates {text!r}, which no English # TEST "
                     "cell has any more: remove it (or bring it in line with the changed test cell)"
                     for text in table if text not in english]
    return problems


def requirement_text_problems(folder: Path = NOTEBOOKS) -> list[str]:
    """The translations of the homework's requirements (the feedback's checklist) out of step with the English
    ``# QUESTIONS`` cells (``course_tools.homework.feedback_ko``)."""
    from course_tools.homework.feedback_ko import requirement_text_problems as problems

    return problems(folder)


# --------------------------------------------------------------------------- stamp and start
def stamp(path: Path, cells: Sequence[int]) -> list[int]:
    """Record the current English hash on the given cells (numbers from 1); returns them."""
    path = Path(path)
    english, translated = load(source_of(path)), load(path)
    for number in cells:
        if not 1 <= number <= min(len(english["cells"]), len(translated["cells"])):
            raise SystemExit(f"cell {number} is not in both notebooks")
        en, tr = english["cells"][number - 1], translated["cells"][number - 1]
        if en.get("id") != tr.get("id"):
            raise SystemExit(f"cell {number}: ids differ ({tr.get('id')} vs English {en.get('id')}): not stamped")
        tr.setdefault("metadata", {})["translation"] = {"en_sha256": cell_hash(en), "lang": path.parent.name}
    save(path, translated)
    return list(cells)


def start(lang: str, english_path: Path) -> Path:
    """A new translation of ``english_path``: copies of its cells, none stamped."""
    english = load(english_path)
    out = Path(english_path).parent / lang / Path(english_path).name
    if out.exists():
        raise SystemExit(f"{out} exists already: use status and stamp")
    out.parent.mkdir(parents=True, exist_ok=True)
    save(out, english)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.translation", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("lint", help="every translation in step with its English notebook")
    p.add_argument("paths", nargs="*", type=Path)
    p = sub.add_parser("status", help="the cells of one translation that need work")
    p.add_argument("path", type=Path)
    p = sub.add_parser("stamp", help="record that cells are translated from the current English")
    p.add_argument("path", type=Path)
    p.add_argument("--cells", nargs="+", type=int, required=True)
    p = sub.add_parser("start", help="a new translation to fill in")
    p.add_argument("lang", choices=sorted(SCRIPTS))
    p.add_argument("english", type=Path)
    args = parser.parse_args(argv)
    if args.command in ("lint", "status"):
        paths = [args.path] if args.command == "status" else args.paths
        problems = lint(paths)
        if args.command == "lint" and not args.paths:
            problems += catalogue_problems() + check_text_problems() + requirement_text_problems()
        for line in problems:
            print(line)
        print(f"{len(problems)} problem(s)" if problems else
              "translations in step with their English notebooks; message catalogues complete")
        return 1 if problems else 0
    if args.command == "stamp":
        print(f"stamped cells {stamp(args.path, args.cells)} of {args.path}")
        return 0
    print(f"wrote {start(args.lang, args.english)}: translate its cells, then stamp them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
