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

from simulators.common.faults import Fault, FaultState

DEFAULT_DELAYS = {"slow-response": 3.0, "timeout": 16.0}
# Verbs that say what an operation does, in the languages contracts are written in.
CREATE_VERBS = frozenset(
    "inserisci crea creare importa invia registra carica apri salva emetti genera prenota "
    "autorizza create add insert new post put upload submit send open save issue generate".split()
)
READ_VERBS = frozenset(
    "chiedi leggi verifica cerca recupera ottieni elenca scarica stato get read find search "
    "list verify query retrieve fetch check status demand download lookup show view".split()
)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_RECEIPT = re.compile(r"receipt|ricevut|pagati", re.I)
_NOTICE = re.compile(r"notice|avvis|stampa|print|pdf", re.I)
FAILURES = {
    "create": "creation-error",
    "status": "status-error",
    "receipt": "receipt-download-failure",
    "notice": "notice-download-failure",
}


def words(name: str) -> list[str]:
    """``paaSILChiediPagati`` -> paa, sil, chiedi, pagati; also snake, kebab and paths."""
    return [w.lower() for w in _WORDS.findall(name)]


def _verb(name: str) -> str | None:
    """``create`` or ``read`` by the first verb among the name's first words."""
    for word in words(name)[:4]:
        if word in CREATE_VERBS:
            return "create"
        if word in READ_VERBS:
            return "read"
    return None


def operation_kind(name: str, method: str = "post") -> str:
    """``receipt``, ``notice``, ``create``, ``status`` (a read) or ``other``."""
    verb = _verb(name)
    if _RECEIPT.search(name) or any(w in ("rt", "rtv") for w in words(name)):
        return "receipt"
    if _NOTICE.search(name) and verb != "create":
        return "notice"
    if verb == "create" or (verb is None and method in ("post", "put")):
        return "create"
    if verb == "read" or method == "get":
        return "status"
    return "other"


def is_create(name: str) -> bool:
    """Whether the operation's name says it creates something (its state is remembered)."""
    return _verb(name) == "create"


def is_read(name: str) -> bool:
    """Whether the operation's name says it reads something."""
    return _verb(name) == "read"


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
