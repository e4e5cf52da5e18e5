"""A string matching a regular expression, chosen deterministically (no search, no hypothesis).

Walks Python's parse of the pattern: the first branch of an alternation, the first member
of a class, ``lengths`` decides how many times a repetition runs (so that length facets can
be met by trying longer strings). Enough for the patterns contracts use for codes and
identifiers; the caller checks the result against the whole schema and falls back when a
pattern is beyond it (lookarounds, back-references).
"""

from __future__ import annotations

import re

# Python 3.11+: the parser lives in re._parser (sre_parse is its deprecated alias).
from re import _constants as sre_constants
from re import _parser as sre_parse
from typing import Any

_CATEGORY_SAMPLES = {
    sre_constants.CATEGORY_DIGIT: "0",
    sre_constants.CATEGORY_NOT_DIGIT: "a",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: "a",
    sre_constants.CATEGORY_WORD: "a",
    sre_constants.CATEGORY_NOT_WORD: "-",
}
_MAXREPEAT = sre_constants.MAXREPEAT
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


class Unsupported(ValueError):
    """The pattern uses something this generator cannot produce."""


def _class_char(items: list[tuple[Any, Any]], salt: int) -> str:
    negate = any(op is sre_constants.NEGATE for op, _ in items)
    if negate:
        excluded = set()
        for op, value in items:
            if op is sre_constants.LITERAL:
                excluded.add(chr(value))
            elif op is sre_constants.RANGE:
                excluded.update(chr(c) for c in range(value[0], value[1] + 1))
        for char in "aAb0B1xX":
            if char not in excluded:
                return char
        raise Unsupported("negated class excludes every sample")
    choices: list[str] = []
    for op, value in items:
        if op is sre_constants.LITERAL:
            choices.append(chr(value))
        elif op is sre_constants.RANGE:
            low, high = value
            choices.extend(chr(c) for c in range(low, min(high, low + 25) + 1))
        elif op is sre_constants.CATEGORY:
            choices.append(_CATEGORY_SAMPLES.get(value, "a"))
    if not choices:
        raise Unsupported("empty character class")
    # Letters and digits first: identifiers read better, and separators rarely lead.
    preferred = [c for c in choices if c.isalnum()] or choices
    return preferred[salt % len(preferred)]


def _emit(parsed: Any, extra: int, salt: list[int], out: list[str]) -> None:
    for op, value in parsed:
        salt[0] += 1
        if op is sre_constants.LITERAL:
            out.append(chr(value))
        elif op is sre_constants.NOT_LITERAL:
            out.append("a" if chr(value) != "a" else "b")
        elif op is sre_constants.ANY:
            out.append("a")
        elif op is sre_constants.IN:
            out.append(_class_char(value, salt[0]))
        elif op in _REPEATS:
            low, high, sub = value
            count = low if high == _MAXREPEAT else min(high, max(low, 1))
            count = max(count, low + extra) if high == _MAXREPEAT else min(high, count + extra)
            for _ in range(count):
                _emit(sub, 0, salt, out)
        elif op is sre_constants.SUBPATTERN:
            _emit(value[-1], extra, salt, out)
        elif op is sre_constants.ATOMIC_GROUP:
            _emit(value, extra, salt, out)
        elif op is sre_constants.BRANCH:
            _emit(value[1][0], extra, salt, out)
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue  # anchors and lookarounds: the caller checks the whole result
        else:
            raise Unsupported(f"regular expression construct {op} is not generated")


def sample(pattern: str, extra: int = 0, salt: int = 0) -> str:
    """A string matching ``pattern`` (searched, as JSON Schema and XSD facets are applied by
    the caller); ``extra`` lengthens unbounded repetitions, ``salt`` varies class choices."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, OverflowError) as exc:
        raise Unsupported(f"pattern {pattern!r} does not compile: {exc}") from exc
    out: list[str] = []
    _emit(parsed, extra, [salt], out)
    return "".join(out)


def samples(pattern: str, tries: int = 6) -> list[str]:
    """Several candidates, shortest first, that match ``pattern`` in full."""
    compiled = re.compile(pattern)
    found: list[str] = []
    for extra in (0, 1, 2, 4, 8, 16, 32)[:tries]:
        for salt in (0, 1):
            try:
                text = sample(pattern, extra, salt)
            except Unsupported:
                return found
            if compiled.search(text) and text not in found:
                found.append(text)
    return found
