"""Fault profiles in front of a contract's operations (:mod:`simulators.common.faults`).

How each shows here, by what the operation looks like (its name, its method):
- ``ip-not-allowed-403``: HTTP 403 naming the caller; ``expired-credentials``: HTTP 401;
  ``ip-not-allowed-refuse``: the connection is reset (see :class:`RefuseGuard`);
- ``slow-response`` / ``timeout``: the answer waits ``delay`` seconds (3 / 16 by default);
- ``creation-error`` on operations that create, ``status-error`` on reads,
  ``receipt-download-failure`` on receipts, ``notice-download-failure`` on notices: a
  system error (SOAP fault or HTTP 500 problem);
- ``malformed-json`` / ``malformed-xml``: the body is cut in half; ``wrong-namespace``:
  the answer's namespace is changed; ``missing-element``: a child of the answer is dropped.
"""

from __future__ import annotations

import asyncio
import re

from simulators.common.access import Allowlist
from simulators.common.faults import Fault, FaultState

DEFAULT_DELAYS = {"slow-response": 3.0, "timeout": 16.0}
_CREATE = re.compile(
    r"^(paa?SIL)?(inserisci|crea|importa|invia|registra|create|add|insert|new|post|put|"
    r"upload|submit|send|prenota|autorizza|genera|generate)",
    re.I,
)
_READ = re.compile(r"^(paa?SIL)?(chiedi|get|leggi|read|find|search|list|verifica|cerca|query|"
                   r"retrieve|fetch|check|status|stato)", re.I)  # fmt: skip
_RECEIPT = re.compile(r"receipt|ricevut|pagati|(^|[^a-z])rt([^a-z]|$)", re.I)
_NOTICE = re.compile(r"notice|avvis|stampa|print|pdf", re.I)
FAILURES = {
    "create": "creation-error",
    "status": "status-error",
    "receipt": "receipt-download-failure",
    "notice": "notice-download-failure",
}


def operation_kind(name: str, method: str = "post") -> str:
    """``receipt``, ``notice``, ``create``, ``status`` (a read) or ``other``."""
    if _RECEIPT.search(name):
        return "receipt"
    if _NOTICE.search(name) and not _CREATE.search(name):
        return "notice"
    if method in ("post", "put") and not _READ.search(name) or _CREATE.search(name):
        return "create"
    if method == "get" or _READ.search(name):
        return "status"
    return "other"


def is_create(name: str) -> bool:
    return bool(_CREATE.search(name))


def is_read(name: str) -> bool:
    return bool(_READ.search(name))


class RefuseGuard(Allowlist):
    """Resets connections refused by a ``refuse``-mode allowlist or while
    ``ip-not-allowed-refuse`` fires (pass as ``allowlist=`` to the server)."""

    def __init__(self, faults: FaultState, static: Allowlist) -> None:
        super().__init__(mode="refuse")
        self.faults = faults
        self.static = static

    @property
    def enabled(self) -> bool:
        static_refuse = self.static.enabled and self.static.mode == "refuse"
        return static_refuse or self.faults.is_active("ip-not-allowed-refuse")

    def allows(self, host: str | None) -> bool:
        if self.static.mode == "refuse" and not self.static.allows(host):
            return False
        return self.faults.fires("ip-not-allowed-refuse") is None


async def strike(faults: FaultState, kind: str) -> Fault | None:
    """Waits for the delay faults; the fault that must replace the answer, if one fires."""
    for name in ("ip-not-allowed-403", "expired-credentials"):
        fault = faults.fires(name)
        if fault is not None:
            return fault
    for name, default in DEFAULT_DELAYS.items():
        fault = faults.fires(name)
        if fault is not None:
            await asyncio.sleep(float(fault.params.get("delay", default)))
    failure = FAILURES.get(kind)
    return faults.fires(failure) if failure else None


def broken_answer(faults: FaultState, names: tuple[str, ...]) -> Fault | None:
    """The first of ``names`` (answer-mangling faults) that fires now."""
    for name in names:
        fault = faults.fires(name)
        if fault is not None:
            return fault
    return None
