"""Is it your own work? A check that notices when a homework answer calls a shipped function instead.

Some homework tasks ask you to write something the course or PyTorch already has: cross-entropy from
``log_softmax`` (not ``nn.functional.cross_entropy``), your own ``evaluate`` (not the course's
``course_utils.training.evaluate``), your own ``safe_extract`` (not ``course_utils.data.extract_archive``).
The check cells call your function inside ``forbidden_calls(...)``, which puts a *tripwire* in place of
the shipped function for the length of the ``with`` block: the tripwire notes the call and then does
what the original does, so your code still runs and the check can say exactly what happened::

    with forbidden_calls("torch.nn.functional.cross_entropy") as calls:
        loss = cross_entropy(logits, labels)
    check(not calls, f"your cross_entropy called {calls[0]}: build it from torch.log_softmax")

A name is given as ``"package.module.function"``. The tripwire replaces the function wherever it is
bound when the block starts (its module, the modules that import it, your notebook's names) and, for a
plain Python function, its code as well, so a reference you kept in a default argument is caught too.
Everything is put back when the block ends, even after an error.

This is a self-check for honest work, not a lock: code determined to avoid it can. It imports nothing
beyond the standard library; the module of each name must already be importable.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any, Iterator, Optional

__all__ = ["forbidden_calls", "resolve"]

#: Key under which a tripwire's bookkeeping sits in the globals of a function whose code it replaced.
_SLOT = "__course_tripwires__"


def resolve(dotted: str) -> Any:
    """The object named ``"package.module.attribute"`` (the longest importable module prefix, then
    attributes); ``LookupError`` when it does not exist."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            break
        return obj
    raise LookupError(f"{dotted!r} cannot be found: is the package installed?")


def _call_through(label: str, original: Any, calls: list):
    def tripwire(*args: Any, **kwargs: Any) -> Any:
        calls.append(label)
        return original(*args, **kwargs)

    tripwire.__name__ = getattr(original, "__name__", "tripwire")
    tripwire.__doc__ = getattr(original, "__doc__", None)
    return tripwire


def _code_tripwire(function: types.FunctionType, label: str, calls: list):
    """``(new code, bookkeeping)`` that make ``function`` itself note each call, or ``None`` when its
    code cannot be swapped (a closure, a generator, a coroutine)."""
    code = function.__code__
    if code.co_freevars or code.co_flags & (0x20 | 0x80 | 0x100 | 0x200):  # generator/coroutine kinds
        return None
    clone = types.FunctionType(code, function.__globals__, function.__name__, function.__defaults__)
    clone.__kwdefaults__ = function.__kwdefaults__
    source = (f"def {function.__name__}(*args, **kwargs):\n"
              f"    entry = {_SLOT}[{label!r}]\n"
              "    entry[1].append(entry[2])\n"
              "    return entry[0](*args, **kwargs)\n")
    namespace: dict = {}
    exec(compile(source, f"<tripwire {label}>", "exec"), namespace)
    return namespace[function.__name__].__code__, (clone, calls, label)


class forbidden_calls:
    """A ``with`` block in which calling any of ``names`` is noted (see the module docstring).

    Args:
        *names: dotted names of the shipped functions, e.g. ``"torch.nn.functional.cross_entropy"``.
        namespace: a dict whose bindings are replaced too (default: the notebook's, ``__main__``).

    ``with forbidden_calls(...) as calls:`` gives the list of names called, in order (empty when none).
    """

    def __init__(self, *names: str, namespace: Optional[dict] = None):
        self.names = names
        self.namespace = namespace
        self.calls: list = []
        self._undo: list = []

    def __enter__(self) -> list:
        try:
            for name in self.names:
                self._wire(name)
        except BaseException:
            self._restore()
            raise
        return self.calls

    def __exit__(self, *exc_info: Any) -> None:
        self._restore()

    def _wire(self, name: str) -> None:
        original = resolve(name)
        label = name
        wire = _call_through(label, original, self.calls)
        if isinstance(original, types.FunctionType):
            swapped = _code_tripwire(original, label, self.calls)
            if swapped is not None:
                code, entry = swapped
                slots = original.__globals__.setdefault(_SLOT, {})
                slots[label] = entry
                old_code = original.__code__
                original.__code__ = code
                self._undo.append(lambda f=original, c=old_code, k=label: self._unswap(f, c, k))
                return  # the function notes its own calls now: rebinding it too would note each call twice
        for holder in self._holders():
            for key, value in list(holder.items()):
                if value is original:
                    holder[key] = wire
                    self._undo.append(lambda h=holder, k=key, v=original: h.__setitem__(k, v))

    @staticmethod
    def _unswap(function: types.FunctionType, code: types.CodeType, label: str) -> None:
        function.__code__ = code
        slots = function.__globals__.get(_SLOT)
        if isinstance(slots, dict):
            slots.pop(label, None)
            if not slots:
                function.__globals__.pop(_SLOT, None)

    def _holders(self) -> Iterator[dict]:
        """Dicts that may bind a shipped function: every module's, the notebook's namespace."""
        for module in list(sys.modules.values()):
            try:
                found = vars(module)
            except TypeError:
                continue
            if type(found) is dict:
                yield found
        main = self.namespace if self.namespace is not None else vars(sys.modules.get("__main__", sys))
        if type(main) is dict:
            yield main

    def _restore(self) -> None:
        while self._undo:
            self._undo.pop()()
