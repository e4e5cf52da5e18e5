"""What a fuzz run produces: findings (one per distinct failure) and a report per API.

A :class:`Finding` carries everything a person needs to act on it without re-running the
fuzzer: the operation, the check that failed, the message, a reproduction (a curl
command, plus the SOAP envelope for SOAP) and the minimal (shrunk) case.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One distinct failure: an API answered a case in a way its contract forbids."""

    api: str
    operation: str
    check: str
    message: str
    reproduction: str
    minimal_case: str
    traceback: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What makes two findings the same bug (first line of the message only)."""
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return (self.api, self.operation, self.check, first)

    @property
    def title(self) -> str:
        return f"{self.operation}: {self.check}"


@dataclass
class ApiReport:
    """The outcome of fuzzing one API: cases run, findings, and what was not fuzzed and why."""

    api: str
    title: str
    cases: int = 0
    operations: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        """Record ``finding`` unless the same bug is already recorded."""
        if all(known.key != finding.key for known in self.findings):
            self.findings.append(finding)

    @property
    def ok(self) -> bool:
        return not self.findings


class FuzzFailure(AssertionError):
    """Raised inside a hypothesis property so that hypothesis shrinks the case."""

    def __init__(self, check: str, message: str, case: str, reproduction: str) -> None:
        super().__init__(f"{check}: {message}")
        self.check = check
        self.message = message
        self.case = case
        self.reproduction = reproduction
