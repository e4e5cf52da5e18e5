"""Checks are small functions registered for a kind of contract, one signature each:
``check(contract) -> Iterable[Finding]``. A check that fails on input it did not foresee
becomes a finding of its own (``check-incomplete``), so the other checks still report."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Location, Severity

Check = Callable[[Any], Iterable[Finding]]

_CHECKS: dict[Kind, list[Check]] = {}


def check(*kinds: Kind) -> Callable[[Check], Check]:
    """Register the decorated function as a check of ``kinds``."""

    def register(function: Check) -> Check:
        for kind in kinds:
            _CHECKS.setdefault(kind, []).append(function)
        return function

    return register


def checks_for(kind: Kind) -> list[Check]:
    """The checks of ``kind``, in registration order."""
    return list(_CHECKS.get(kind, []))


def run_checks(kind: Kind, contract: Any, file: str) -> list[Finding]:
    """Every finding of every check of ``kind`` on ``contract``."""
    findings: list[Finding] = []
    for function in checks_for(kind):
        try:
            findings.extend(function(contract))
        except Exception as exc:  # a check's own bug must not hide the others' findings
            findings.append(
                Finding(
                    "check-incomplete",
                    Severity.INFO,
                    Location(file),
                    {"check": function.__name__, "problem": f"{type(exc).__name__}: {exc}"},
                )
            )
    return findings
