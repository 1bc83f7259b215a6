"""Reading feedback files in tests: what markdown renders and what it shows verbatim."""

from __future__ import annotations


def split_fences(markdown: str) -> tuple[str, str]:
    """(the text outside fenced code blocks, the text inside them): nothing inside a fence is rendered.
    A fence left open fails the test."""
    outside, inside, fence = [], [], None
    for line in markdown.split("\n"):
        if fence is None and line.startswith("```"):
            fence = line[: len(line) - len(line.lstrip("`"))]
        elif fence is not None and line == fence:
            fence = None
        else:
            (outside if fence is None else inside).append(line)
    assert fence is None, "a fence was left open"
    return "\n".join(outside), "\n".join(inside)
