"""A static scan of a submission for constructs that tamper with grading (the CSV's ``flags``).

The scan reads the student's code cells (never runs them) and names what an instructor should look
at: IPython hooks and kernel internals, ``sys.modules`` edits, signals and other processes,
``/proc``, writes to module files, the kernel's history (``In``/``Out``), frame inspection,
rebinding the check functions or builtins (also as ``print.__self__`` or ``vars(module)[name] = ...``),
patching classes with ``type.__setattr__``, audit hooks, shell escapes. Cells that are exactly as released (the
bootstrap cell uses ``sys.modules`` and ``subprocess`` on Colab) are skipped.

A flag is a reason to read the notebook, not a score and not a verdict: legitimate code can trip
one, and grading does not depend on the scan (points come only from the questions judged outside the
kernel).
"""

from __future__ import annotations

import ast
import re
import threading
from typing import Iterable, Optional

#: Names the test cells call; rebinding them is how a student would fake passing checks.
CHECK_NAMES = frozenset({"check", "check_close", "check_equal", "check_shape", "check_type", "passed",
                         "CheckFailure"})
#: The module the test cells import them from (``homework`` is its old name, still importable).
CHECKS_MODULES = ("course_utils.checks.selfcheck", "course_utils.checks.homework")
_BUILTIN_NAMES = frozenset({"exec", "eval", "compile", "__import__", "globals", "getattr", "setattr", "type",
                            "isinstance", "issubclass", "__builtins__", "print", "open"})
_HISTORY_NAMES = frozenset({"In", "Out", "_ih", "_oh", "_dh", "_ii", "_iii", "_i", "_", "__", "___"})
_KERNEL_MODULES = ("IPython", "ipykernel", "jupyter_client", "zmq", "traitlets", "comm", "nbclient")
_PROCESS_MODULES = ("subprocess", "multiprocessing", "pty", "ctypes", "signal", "resource", "socket")
_ATTR_FLAGS = {
    "kill": "signals", "killpg": "signals", "fork": "processes", "forkpty": "processes", "setsid": "processes",
    "system": "processes", "popen": "processes", "execv": "processes", "execve": "processes", "spawnv": "processes",
    "_getframe": "frames", "currentframe": "frames", "f_back": "frames", "f_globals": "frames", "f_locals": "frames",
    "tb_frame": "frames", "getsource": "frames", "get_objects": "frames",
    "get_referrers": "frames", "settrace": "frames", "setprofile": "frames", "co_consts": "frames",
    "input_transformers_cleanup": "ipython-hooks", "input_transformers_post": "ipython-hooks",
    "ast_transformers": "ipython-hooks", "events": "ipython-hooks", "register_magic_function": "ipython-hooks",
    "user_expressions": "ipython-hooks", "run_cell": "ipython-hooks", "transform_cell": "ipython-hooks",
    "user_ns": "ipython-hooks", "modules": "sys.modules", "__file__": "module-files", "__code__": "frames",
    "excepthook": "ipython-hooks", "displayhook": "ipython-hooks", "meta_path": "sys.modules",
    "path_hooks": "sys.modules", "__class__": "spoofed-types", "__subclasscheck__": "spoofed-types",
    "__instancecheck__": "spoofed-types",
    # issue 23: the builtins module reached as print.__self__, classes patched with type.__setattr__,
    # audit hooks that watch what the grader compiles
    "__self__": "builtins", "__setattr__": "patches-classes", "__delattr__": "patches-classes",
    "addaudithook": "audit-hooks", "audit": "audit-hooks",
}
_TEXT_FLAGS = (
    (re.compile(r"/proc\b"), "/proc"),
    (re.compile(r"grading[-_ ]?key|grades?\.csv|result\.json", re.IGNORECASE), "grade-store"),
    (re.compile(r"BEGIN (SOLUTION|HIDDEN)"), "markers"),
    (re.compile(r"\.py['\"]"), "module-files"),
    (re.compile(r"\.ipynb['\"*]"), "other-notebooks"),
)


def _transform(source: str) -> tuple[str, list[str]]:
    """The cell as plain Python (magic and shell lines become ``pass``; a cell magic, nothing) and
    flags for shell escapes and risky magics."""
    flags = []
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("!") or re.match(r"%%?(system|sx|bash|sh|script|writefile|run|load|env|"
                                               r"capture|store|alias|config)\b", stripped):
            flags.append("shell")
        if stripped.startswith(("%", "!")):
            lines.append(line[: len(line) - len(stripped)] + "pass")
        else:
            lines.append(line)
    if source.lstrip().startswith("%%"):
        return "", flags
    return "\n".join(lines), flags


def _scan_tree(tree: ast.AST) -> set[str]:
    flags: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                top = module.split(".")[0]
                if top in _KERNEL_MODULES:
                    flags.add("ipython-hooks")
                elif top in _PROCESS_MODULES:
                    flags.add("processes")
                elif top in ("gc", "inspect", "dis", "traceback"):
                    flags.add("frames")
                elif top == "builtins":
                    flags.add("builtins")
                elif top == "importlib":
                    flags.add("sys.modules")
            if isinstance(node, ast.ImportFrom) and node.module not in CHECKS_MODULES:
                if any((a.asname or a.name) in CHECK_NAMES for a in node.names):
                    flags.add("redefines-checks")
            for alias in node.names:
                if alias.asname in CHECK_NAMES and (isinstance(node, ast.Import)
                                                     or node.module not in CHECKS_MODULES
                                                     or alias.asname != alias.name):
                    flags.add("redefines-checks")
        elif isinstance(node, ast.Name):
            if node.id == "get_ipython":
                flags.add("ipython-hooks")
            elif node.id in _HISTORY_NAMES and node.id not in ("_", "__", "___"):
                flags.add("history")
            elif node.id == "__builtins__":
                flags.add("builtins")
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                if node.id in CHECK_NAMES:
                    flags.add("redefines-checks")
                elif node.id in _BUILTIN_NAMES:
                    flags.add("builtins")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in CHECK_NAMES:
                flags.add("redefines-checks")
            elif node.name in _BUILTIN_NAMES:
                flags.add("builtins")
            if node.name in ("__eq__", "__ne__", "__bool__", "__class__", "__instancecheck__", "__getattr__"):
                flags.add("spoofed-types")
        elif isinstance(node, ast.Attribute):
            flag = _ATTR_FLAGS.get(node.attr)
            if flag == "sys.modules" and not (isinstance(node.value, ast.Name) and node.value.id in ("sys",)):
                flag = None if node.attr == "modules" else flag
            if flag:
                flags.add(flag)
            if isinstance(node.ctx, (ast.Store, ast.Del)) and isinstance(node.value, ast.Name):
                owner = node.value.id
                if owner not in ("self", "cls") and owner[:1].islower() and node.attr in CHECK_NAMES:
                    flags.add("redefines-checks")
                elif owner in ("np", "numpy", "torch", "math", "builtins", "sys", "os", "checks", "homework", "selfcheck",
                               "course_utils", "nn", "F", "IPython"):
                    flags.add("patches-modules")
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
            target = node.value
            if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id in ("vars",
                                                                                                       "globals"):
                flags.add("patches-modules")  # vars(module)[name] = ...: rebinding a name of another namespace
            elif isinstance(target, ast.Attribute) and target.attr == "__dict__":
                flags.add("patches-modules")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("exec", "eval", "compile", "__import__"):
                flags.add("dynamic-code")
            elif node.func.id in ("setattr", "delattr") and node.args:
                target = node.args[0]
                if isinstance(target, ast.Name) and target.id not in ("self", "cls"):
                    flags.add("patches-modules")
            elif node.func.id == "open" and len(node.args) >= 2:
                mode = node.args[1]
                if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) & set("wax+"):
                    flags.add("writes-files")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("write_text", "write_bytes") or (
                    node.func.attr == "open" and any(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                     and set(a.value) & set("wax+") for a in node.args)):
                flags.add("writes-files")
    return flags


def _parse(code: str) -> Optional[ast.AST]:
    """``ast.parse(code)``, or ``None`` for code that does not parse (or nests too deeply to).

    CPython 3.11 sometimes raises ``SystemError: AST constructor recursion depth mismatch`` for valid code
    (seen once in a grading run of many submissions: the check of its recursion counter is disturbed by
    something else, such as a garbage collection, during the construction); the parse is tried again
    once, in a fresh thread, before the cell counts as unparsable.
    """
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    except SystemError:
        found: list = []

        def again() -> None:
            try:
                found.append(ast.parse(code))
            except BaseException as exc:  # noqa: BLE001 - judged below, in the caller's thread
                found.append(exc)

        worker = threading.Thread(target=again, name="course-scan-parse")
        worker.start()
        worker.join()
        if found and isinstance(found[0], MemoryError):
            raise found[0] from None   # as the first parse would: the caller's memory limit decides
        return found[0] if found and isinstance(found[0], ast.AST) else None


def scan_source(source: str) -> set[str]:
    """The flags of one code cell's source."""
    code, found = _transform(source)
    flags = set(found)
    tree = _parse(code)
    if tree is not None:
        flags |= _scan_tree(tree)
    for pattern, flag in _TEXT_FLAGS:
        if pattern.search(source):
            flags.add(flag)
    if "module-files" in flags and "writes-files" not in flags:
        flags.discard("module-files")  # reading a .py path is harmless; writing one is the concern
    if "writes-files" in flags and re.search(r"\.py['\"]|__file__|site-packages|course_utils", source):
        flags.add("writes-module-files")
    flags.discard("writes-files")
    flags.discard("module-files")
    return flags


def scan(cells: Iterable[tuple[int, str]], released: Iterable[str] = ()) -> list[str]:
    """Flags of a submission, each ``"<flag> (cell N, ...)"``, sorted by flag.

    Args:
        cells: ``(cell number, source)`` of the student's code cells.
        released: checksums (``markers.checksum``) of the cells as released; such cells are skipped.
    """
    from .markers import checksum

    skip = set(released)
    where: dict[str, list[int]] = {}
    for number, source in cells:
        if not source.strip() or checksum(source) in skip:
            continue
        for flag in scan_source(source):
            where.setdefault(flag, []).append(number)
    return [f"{flag} (cell {', '.join(map(str, numbers))})" for flag, numbers in sorted(where.items())]
