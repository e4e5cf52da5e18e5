"""Defects of a contract worked around at load time, each reported, never silently.

Official files have defects that stop strict tools (a regular expression outside ECMA-262,
a schema using a namespace prefix it never imports). The simulator copes with the general
case and keeps a :class:`Workaround` for each, printed at start-up and served at
``/status``: the vendor should fix the file, not the integrator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Workaround:
    """One defect of the contract and what the simulator does instead."""

    file: str
    where: str
    problem: str
    workaround: str

    def __str__(self) -> str:
        return f"{self.file} {self.where}: {self.problem} (worked around: {self.workaround})"

    def to_dict(self) -> dict[str, str]:
        return {
            "file": self.file,
            "where": self.where,
            "problem": self.problem,
            "workaround": self.workaround,
        }


# Escapes some engines (PCRE, Java) know and ECMA-262 does not, with their meaning:
# (inside a character class, outside one).
_FOREIGN_ESCAPES = {
    "h": (" \\t", "[ \\t]"),
    "H": (None, "[^ \\t]"),
    "z": (None, "\\Z"),
    "A": (None, "^"),
    "Z": (None, "\\Z"),
}
_ESCAPE = re.compile(r"\\(.)")


def python_pattern(pattern: str) -> tuple[str | None, str | None]:
    """An OpenAPI (ECMA-262) ``pattern`` as a Python regular expression.

    Returns (pattern, problem): the pattern unchanged and None when it is fine; a
    translation and what was wrong; (None, problem) when it cannot be used at all.
    """
    out: list[str] = []
    foreign: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            meaning = _FOREIGN_ESCAPES.get(escaped)
            inside, outside = meaning if meaning else (None, None)
            replacement = inside if in_class else outside
            if replacement is not None:
                out.append(replacement)
                foreign.append(f"\\{escaped}")
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    translated = (
        "".join(out).replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
    )
    try:
        re.compile(translated)
    except re.error as exc:
        return None, f"pattern {pattern!r} is not a valid regular expression ({exc})"
    if foreign:
        return translated, (
            f"pattern {pattern!r} uses {', '.join(sorted(set(foreign)))}, not defined by "
            "ECMA-262 (OpenAPI's regular expressions)"
        )
    return translated, None
