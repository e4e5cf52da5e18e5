"""What a check reports: a typed finding with a stable code, a severity and a place.

A finding is about the vendor's documentation, never about collaudo itself: the tool's own
failures (a file that cannot be read, an unknown format) are :class:`ContractInputError`.
The sentence a person reads is rendered from the code and the parameters by
:mod:`collaudo.contractcheck.messages`, in Italian or English.

Severity rule (also the exit code of ``collaudo contract check``):

- ``error``: the document does not load in a strict validator as published, or a
  reference in it cannot be resolved; a tool or a client generated from it breaks;
- ``warning``: it loads, but it is wrong or incomplete for an integrator (an operation with
  no error answer, an example that violates its own schema, a required property that is
  not defined);
- ``info``: worth knowing (unused types, how a check was carried out).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class ContractInputError(Exception):
    """The input cannot be checked at all (missing file, unknown format, refused URL); the
    message says what to do next."""


class Severity(enum.StrEnum):
    """How bad a finding is; ordered from worst."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """Where in the documentation: the file (as given, or its URL), the line (1-based) when
    known, and a JSON pointer or an XPath-like path inside the document."""

    file: str
    line: int | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.pointer:
            where += f" ({self.pointer})"
        return where


@dataclass(frozen=True)
class Finding:
    """One defect or remark about the documentation."""

    code: str
    severity: Severity
    location: Location
    params: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def sort_key(self) -> tuple[int, str, int, str, str]:
        return (
            self.severity.rank,
            self.location.file,
            self.location.line or 0,
            self.location.pointer or "",
            self.code,
        )


def pointer_join(pointer: str, *parts: str | int) -> str:
    """A JSON pointer extended with ``parts`` (escaped as RFC 6901 says)."""
    out = pointer
    for part in parts:
        out += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return out


def pointer_parts(pointer: str) -> list[str]:
    """The unescaped parts of a JSON pointer ("" is the whole document)."""
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
