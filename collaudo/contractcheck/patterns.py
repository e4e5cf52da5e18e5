"""Regular expressions in schemas checked against ECMA-262, the dialect JSON Schema and
OpenAPI prescribe (with the ``regress`` engine, Rust's ECMA-262 implementation).

A pattern ECMA-262 rejects outright is an error. A pattern accepted only under ECMA-262's
legacy "Annex B" rules (an unknown escape such as ``\\h`` read as the plain letter) is
valid for a browser but not what its author meant (PCRE's and Java's ``\\h`` is horizontal
whitespace); it is an error when Python's ``re`` — the engine of the strict Python
validators — rejects it too, else a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regress

# Escapes ECMA-262 (unicode mode) knows, letters only; digits are back-references.
_ECMA_ESCAPES = set("dDwWsSbBfnrtvcxu0pPk")
# What the unknown escapes mean in the dialects their authors usually come from.
PCRE_MEANING = {
    "h": "horizontal whitespace (PCRE, Java)",
    "H": "not horizontal whitespace (PCRE, Java)",
    "A": "start of input (PCRE, Java, Python)",
    "z": "end of input (PCRE, Java)",
    "Z": "end of input (PCRE, Java, Python)",
    "R": "any line break (PCRE, Java)",
    "K": "keep out (PCRE)",
    "Q": "start of a quoted literal (PCRE, Java)",
    "E": "end of a quoted literal (PCRE, Java)",
    "G": "end of the previous match (PCRE, Java)",
    "X": "an extended grapheme cluster (PCRE, Java)",
    "a": "the BEL character (PCRE, Python)",
    "e": "the ESC character (PCRE, Java)",
    "l": "a lower-case letter (Perl)",
}
_SYNTAX = set("^$\\.*+?()[]{}|/")


@dataclass(frozen=True)
class PatternProblem:
    """Why a pattern is not ECMA-262: ``fatal`` when no ECMA-262 engine compiles it."""

    fatal: bool
    python_rejects: bool
    problem: str
    escapes: tuple[str, ...]


def unknown_escapes(pattern: str) -> tuple[str, ...]:
    """The letter escapes of ``pattern`` that ECMA-262 does not define, e.g. ``("\\h",)``."""
    found: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            unknown = (escaped.isalpha() and escaped not in _ECMA_ESCAPES) or (
                not escaped.isalnum()
                and escaped not in _SYNTAX
                and not (in_class and escaped == "-")
            )
            if unknown and f"\\{escaped}" not in found:
                found.append(f"\\{escaped}")
            index += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        index += 1
    return tuple(found)


def ecma_problem(pattern: str) -> PatternProblem | None:
    """None when ``pattern`` is a valid ECMA-262 (unicode mode) regular expression."""
    try:
        regress.Regex(pattern, "u")
        return None
    except Exception as strict_error:
        unicode_error = str(strict_error)
    try:
        re.compile(pattern)
        python_rejects = False
    except re.error:
        python_rejects = True
    try:
        regress.Regex(pattern)
    except Exception as legacy_error:
        return PatternProblem(True, python_rejects, str(legacy_error), unknown_escapes(pattern))
    return PatternProblem(False, python_rejects, unicode_error, unknown_escapes(pattern))


def meanings(escapes: tuple[str, ...]) -> str:
    """What the escapes mean elsewhere, for the report ("\\h: horizontal whitespace ...")."""
    return "; ".join(f"{e}: {PCRE_MEANING[e[1]]}" for e in escapes if e[1] in PCRE_MEANING)
