"""What crosses between the grader and a student's kernel when it asks a grading question.

The kernel is an untrusted *oracle*: the grader sends it a question (the ask code, plain data as
inputs) and gets plain data back. Nothing else crosses: no test code, no expected value, no judge.

Into the kernel (``request_expression``): one user expression that runs ``RUNTIME`` (the fixed,
public source below) with a base64 JSON payload ``{"ask", "inputs", "work", "forbid", "limit"}``.
``RUNTIME`` decodes the inputs (arrays as dtype, shape and bytes; bytes as base64), runs the ask
code in a copy of the student's namespace (so the question never rebinds the student's names),
under tripwires for the ``forbid`` names (``course_utils.checks.own_work``), and encodes the value
the ask code left in ``answer``.

Out of the kernel (``decode_reply``): the expression's value, which must be the text of a base64
JSON document of at most ``MAX_ANSWER_CHARS`` characters in the fixed schema below. Anything else
is a malformed answer: wrong for that question only. The student controls the kernel and may send
any answer at all; that is fine, because a right answer to inputs drawn fresh for each submission
has to be computed.

The schema (``encode`` in the kernel, ``decode`` here): ``null``, booleans, finite numbers and
strings as themselves; every other value as a one-key object: ``{"f": "nan"|"inf"|"-inf"}``,
``{"l": [...]}`` (list), ``{"t": [...]}`` (tuple), ``{"d": [[key, value], ...]}`` (dict with str
keys), ``{"a": [dtype, shape, base64]}`` (NumPy array), ``{"s": [dtype, shape, base64]}`` (NumPy
scalar), ``{"T": [dtype, shape, base64, requires_grad, torch dtype]}`` (tensor), ``{"p": str}``
(a path), ``{"b": base64}`` (bytes), ``{"o": type name}`` (any other object: only its type crosses).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import pathlib
import re
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

#: Largest answer accepted from a kernel, in characters of its base64 text.
MAX_ANSWER_CHARS = 4_000_000
#: Deepest nesting of an answer.
MAX_DEPTH = 32
#: Largest array (elements) inside an answer.
MAX_ELEMENTS = 2_000_000
#: NumPy dtypes an array may have on the way in and out.
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
          "float64")

# --------------------------------------------------------------------------- the kernel side
#: The public program that answers one question inside the kernel (see the module docstring).
RUNTIME = r'''
def run(user_ns, payload):
    import base64
    import contextlib
    import json
    import math
    import pathlib
    import sys

    request = json.loads(base64.b64decode(payload))
    limit = request["limit"]

    def decode(value):
        if isinstance(value, dict):
            (kind, body), = value.items()
            if kind == "a":
                import numpy
                return numpy.frombuffer(base64.b64decode(body[2]), dtype=body[0]).reshape(body[1]).copy()
            if kind == "b":
                return base64.b64decode(body)
            if kind == "d":
                return {key: decode(item) for key, item in body}
            if kind == "t":
                return tuple(decode(item) for item in body)
            if kind == "l":
                return [decode(item) for item in body]
            if kind == "f":
                return float(body)
            raise ValueError(kind)
        return value

    def array(kind, data, extra=()):
        return {kind: [str(data.dtype), list(data.shape), base64.b64encode(data.tobytes()).decode("ascii"), *extra]}

    def encode(value, depth=0):
        if depth > 30:
            raise ValueError("the answer is nested too deeply")
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value if abs(value) < 2 ** 63 else {"f": repr(float(value))}
        if kind is float:
            return value if math.isfinite(value) else {"f": repr(value)}
        if kind in (list, tuple):
            return {"l" if kind is list else "t": [encode(item, depth + 1) for item in value]}
        if kind is dict:
            return {"d": [[key, encode(item, depth + 1)] for key, item in value.items() if type(key) is str]}
        if kind is bytes:
            return {"b": base64.b64encode(value).decode("ascii")}
        if isinstance(value, pathlib.PurePath):
            return {"p": str(value)}
        numpy = sys.modules.get("numpy")
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(value, torch.Tensor):
            plain = torch.Tensor.detach(value).cpu()
            if plain.dtype in (torch.bfloat16, torch.complex64, torch.complex128):
                plain = plain.float() if plain.dtype == torch.bfloat16 else torch.view_as_real(plain)
            return array("T", plain.contiguous().numpy(), (bool(value.requires_grad), str(value.dtype)))
        if numpy is not None and isinstance(value, numpy.ndarray) and value.dtype.kind in "biuf":
            return array("a", numpy.ascontiguousarray(value))
        if numpy is not None and isinstance(value, numpy.generic) and numpy.asarray(value).dtype.kind in "biuf":
            return array("s", numpy.asarray(value))
        return {"o": f"{kind.__module__}.{kind.__qualname__}"}

    @contextlib.contextmanager
    def substitute(**stand_ins):
        missing = object()
        saved = {name: user_ns.get(name, missing) for name in stand_ins}
        user_ns.update(stand_ins)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is missing:
                    user_ns.pop(name, None)
                else:
                    user_ns[name] = value

    namespace = dict(user_ns)
    calls = []
    try:
        work = None
        if request["work"]:
            work = pathlib.Path(request["work"])
            work.parent.mkdir(parents=True, exist_ok=True)
            work.mkdir()
        namespace.update(inputs=decode(request["inputs"]), work=work, substitute=substitute, student=user_ns)
        with contextlib.ExitStack() as stack:
            if request["forbid"]:
                from course_utils.checks.own_work import forbidden_calls
                calls = stack.enter_context(forbidden_calls(*request["forbid"], namespace=user_ns))
            exec(compile(request["ask"], "<grading question>", "exec"), namespace)
            calls = list(calls)
        reply = {"answer": encode(namespace.get("answer")), "calls": calls}
    except Exception as error:
        lines = str(error).strip().splitlines()
        reply = {"error": [type(error).__name__, lines[0][:300] if lines else "",
                           isinstance(error, NotImplementedError)], "calls": list(calls)}
    text = base64.b64encode(json.dumps(reply, allow_nan=False).encode("utf-8")).decode("ascii")
    if len(text) > limit:
        text = base64.b64encode(json.dumps({"error": ["AnswerTooLarge", f"{len(text):,} characters", False],
                                            "calls": []}).encode("utf-8")).decode("ascii")
    return text
'''

#: An expression for the real ``builtins`` module that looks up no name in the student's namespace.
BUILTINS = ("[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'BuiltinImporter'][0]"
            ".load_module('builtins')")


def encode_inputs(value: Any, depth: int = 0) -> Any:
    """Plain data for the kernel: lists, tuples, dicts with str keys, str, int, float, bool, None,
    bytes and NumPy arrays (``TypeError`` for anything else: inputs are data, never objects)."""
    if depth > MAX_DEPTH:
        raise TypeError("inputs nested too deeply")
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"f": repr(value)}
    if isinstance(value, np.generic):
        return encode_inputs(value.item(), depth)
    if type(value) in (list, tuple):
        return {"l" if type(value) is list else "t": [encode_inputs(v, depth + 1) for v in value]}
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise TypeError("input dicts need str keys")
        return {"d": [[k, encode_inputs(v, depth + 1)] for k, v in value.items()]}
    if type(value) is bytes:
        return {"b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, np.ndarray):
        if value.dtype.name not in DTYPES:
            raise TypeError(f"input arrays must have one of the dtypes {DTYPES}, not {value.dtype}")
        data = np.ascontiguousarray(value)
        return {"a": [data.dtype.name, list(data.shape), base64.b64encode(data.tobytes()).decode("ascii")]}
    raise TypeError(f"an input of type {type(value).__name__} cannot be sent: use numbers, strings, bytes, "
                    "lists, dicts and NumPy arrays")


def request_payload(ask: str, inputs: dict, *, work: Optional[str] = None, forbid: tuple = ()) -> str:
    """The base64 text of one question's request (what ``RUNTIME`` reads)."""
    request = {"ask": ask, "inputs": encode_inputs(inputs), "work": work, "forbid": list(forbid),
               "limit": MAX_ANSWER_CHARS}
    return base64.b64encode(json.dumps(request, allow_nan=False).encode("utf-8")).decode("ascii")


def request_expression(payload: str) -> str:
    """The user expression that answers one question in a kernel: it runs ``RUNTIME`` with fresh
    globals, reached through the real ``builtins``, on the student's namespace."""
    return (f"(lambda b, ns: (b.exec(b.compile({RUNTIME!r}, '<course oracle>', 'exec'), ns), "
            f"ns['run'](b.globals(), {payload!r}))[1])({BUILTINS}, {{'__name__': '__course_oracle__'}})")


# --------------------------------------------------------------------------- the grader side
class Malformed(ValueError):
    """A reply that is not an answer in the fixed schema; the message says what is wrong with it."""


@dataclass(frozen=True)
class TensorAnswer:
    """A tensor as it came back: its values (a NumPy array), torch dtype name and ``requires_grad``."""

    value: np.ndarray
    dtype: str
    requires_grad: bool

    @property
    def shape(self) -> tuple:
        return tuple(self.value.shape)


@dataclass(frozen=True)
class OtherAnswer:
    """An object that is none of the schema's kinds: only its type's name came back."""

    type_name: str


@dataclass
class Reply:
    """One decoded reply: ``answer`` (validated plain data), or ``error`` (the exception the ask code
    raised: type name, first line, whether it is a ``NotImplementedError``); ``calls`` are the
    forbidden functions called while the question ran."""

    answer: Any = None
    error: Optional[tuple] = None
    calls: tuple = ()


_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _array(body: Any, depth: int) -> np.ndarray:
    if type(body) is not list or len(body) < 3:
        raise Malformed("an array without dtype, shape and data")
    dtype, shape, data = body[0], body[1], body[2]
    if dtype not in DTYPES:
        raise Malformed(f"an array of dtype {str(dtype)[:20]!r}")
    if type(shape) is not list or len(shape) > 16 or not all(type(n) is int and 0 <= n for n in shape):
        raise Malformed("an array with an invalid shape")
    count = math.prod(shape)
    if count > MAX_ELEMENTS:
        raise Malformed(f"an array of {count:,} elements (at most {MAX_ELEMENTS:,})")
    if type(data) is not str or not _B64.fullmatch(data):
        raise Malformed("an array whose data is not base64")
    raw = base64.b64decode(data)
    if len(raw) != count * np.dtype(dtype).itemsize:
        raise Malformed("an array whose data does not fit its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def decode(value: Any, depth: int = 0) -> Any:
    """Validated plain data of one encoded value (see the module docstring); ``Malformed`` otherwise."""
    if depth > MAX_DEPTH:
        raise Malformed("nested too deeply")
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise Malformed("a bare non-finite number")
        return value
    if type(value) is not dict or len(value) != 1:
        raise Malformed("a value outside the schema")
    (kind, body), = value.items()
    if kind == "f":
        if body not in ("nan", "inf", "-inf"):
            raise Malformed("an invalid special float")
        return float(body)
    if kind in ("l", "t"):
        if type(body) is not list:
            raise Malformed("a list that is not a list")
        items = [decode(v, depth + 1) for v in body]
        return items if kind == "l" else tuple(items)
    if kind == "d":
        if type(body) is not list or not all(type(p) is list and len(p) == 2 and type(p[0]) is str for p in body):
            raise Malformed("a dict that is not a list of [str, value] pairs")
        return {k: decode(v, depth + 1) for k, v in body}
    if kind == "a":
        return _array(body, depth)
    if kind == "s":
        array = _array(body, depth)
        if array.shape != ():
            raise Malformed("a scalar with a shape")
        return array[()]
    if kind == "T":
        array = _array(body, depth)
        if len(body) != 5 or type(body[3]) is not bool or type(body[4]) is not str or len(body[4]) > 40:
            raise Malformed("a tensor without requires_grad and dtype")
        return TensorAnswer(value=array, dtype=body[4], requires_grad=body[3])
    if kind == "p":
        if type(body) is not str:
            raise Malformed("a path that is not text")
        return pathlib.PurePosixPath(body)
    if kind == "b":
        if type(body) is not str or not _B64.fullmatch(body):
            raise Malformed("bytes that are not base64")
        return base64.b64decode(body)
    if kind == "o":
        if type(body) is not str:
            raise Malformed("an object without a type name")
        return OtherAnswer(type_name=body[:120])
    raise Malformed(f"an unknown kind {str(kind)[:10]!r}")


def decode_text(text: str) -> Reply:
    """The ``Reply`` in the base64 text ``RUNTIME`` returned; ``Malformed`` when it is anything else."""
    if type(text) is not str or len(text) > MAX_ANSWER_CHARS:
        raise Malformed("no answer text, or more than the size limit")
    if not _B64.fullmatch(text):
        raise Malformed("the answer is not base64 text")
    try:
        document = json.loads(base64.b64decode(text).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise Malformed("the answer is not JSON") from None
    if type(document) is not dict:
        raise Malformed("the answer is not a JSON object")
    calls = document.get("calls", [])
    if type(calls) is not list or not all(type(c) is str for c in calls):
        raise Malformed("the list of forbidden calls is not a list of names")
    calls = tuple(c[:120] for c in calls[:20])
    if set(document) == {"answer", "calls"}:
        return Reply(answer=decode(document["answer"]), calls=calls)
    if set(document) == {"error", "calls"}:
        error = document["error"]
        if (type(error) is not list or len(error) != 3 or type(error[0]) is not str or type(error[1]) is not str
                or type(error[2]) is not bool):
            raise Malformed("an error that is not [type, message, not done]")
        return Reply(error=(error[0][:100], error[1][:300], error[2]), calls=calls)
    raise Malformed("the answer has other keys than the schema's")


def decode_reply(plain: Any) -> Reply:
    """The ``Reply`` in a user expression's ``text/plain`` value: the repr of the base64 text."""
    if type(plain) is not str or len(plain) > MAX_ANSWER_CHARS + 2:
        raise Malformed("no answer text came back")
    if len(plain) < 2 or plain[0] != plain[-1] or plain[0] not in "'\"":
        raise Malformed("the kernel's value is not the answer text")
    return decode_text(plain[1:-1])


def run_in_process(namespace: dict, payload: str) -> str:
    """Answer one question with ``RUNTIME`` in this process, on ``namespace`` (the tests' harness)."""
    scope: dict = {"__name__": "__course_oracle__"}
    exec(compile(RUNTIME, "<course oracle>", "exec"), scope)
    return scope["run"](namespace, payload)
