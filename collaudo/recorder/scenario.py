"""A failed scenario's exchanges as a vendor-report input: the scenario exchange format.

``collaudo run`` records, per scenario, who called whom (``collaudo.exchanges``). For
``collaudo vendor-report --scenario ID`` a scenario's exchanges are read from a JSON file
under ``reports/scenarios/`` in this format (``format`` must be ``collaudo-scenario/1``)::

    {
      "format": "collaudo-scenario/1",
      "scenario": {"id": "…", "nodeid": "features/…::…", "name": "…", "target": "sim-mypay",
                   "outcome": "failed", "failure": "assertion text: expected … got …",
                   "started": "2026-01-01T10:00:00+00:00"},
      "exchanges": [ {"seq": 0, "at": 1767261600.0, "kind": "http", "caller": "Proxy",
                      "callee": "MyPay", "method": "POST", "path": "/ws/pa", "status": 200,
                      "operation": "paaSILImportaDovuto", "fault": "PAA_SYSTEM_ERROR",
                      "duration_ms": 12.5, "request": "…", "response": "…"} ]
    }

The exchange members are those of ``collaudo.exchanges.Exchange.to_dict()``; unknown
members are ignored, missing optional ones default. Request/response excerpts are
redacted again here (personal data included) before they reach a report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collaudo.recorder.evidence import Evidence
from collaudo.recorder.flows import RecordingError
from collaudo.recorder.redaction import Redactor

FORMAT = "collaudo-scenario/1"
SCENARIOS_DIR = Path("reports") / "scenarios"


@dataclass
class Scenario:
    id: str
    nodeid: str
    name: str
    target: str
    outcome: str
    failure: str
    started: str
    exchanges: list[Evidence] = field(default_factory=list)
    source: Path | None = None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _evidence(index: int, item: dict[str, Any], redactor: Redactor) -> Evidence:
    at = item.get("at")
    started = datetime.fromtimestamp(float(at), UTC).isoformat() if at else ""
    fault = _text(item.get("fault"))
    status = item.get("status")
    status = int(status) if isinstance(status, int | float) else None
    method = _text(item.get("method")) or "POST"
    path = _text(item.get("path"))
    request = redactor.free_text(_text(item.get("request")))
    response = redactor.free_text(_text(item.get("response")))
    if item.get("kind") == "bus":
        outcome = "OK"
    elif status is None:
        outcome = "ERROR"
    else:
        outcome = "KO" if fault else ("OK" if status < 400 else f"HTTP {status}")
    return Evidence(
        index=index,
        caller=_text(item.get("caller")) or "?",
        callee=_text(item.get("callee")) or "?",
        operation=_text(item.get("operation")) or f"{method} {path.split('?')[0]}",
        method=method,
        endpoint=path,
        started=started,
        duration_ms=float(item.get("duration_ms") or 0.0),
        status=status,
        outcome=outcome,
        fault_code=fault,
        request=f"{method} {path}\n\n{request}",
        response=response,
        request_body=request.encode(),
    )


def load(path: Path) -> Scenario:
    """A scenario file; :class:`RecordingError` says what is wrong with it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordingError(f"cannot read the scenario file {path}: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RecordingError(
            f'{path} is not a scenario exchange file (expected "format": "{FORMAT}")'
        )
    meta = document.get("scenario") or {}
    redactor = Redactor()
    items = [i for i in document.get("exchanges") or [] if isinstance(i, dict)]
    return Scenario(
        id=_text(meta.get("id")),
        nodeid=_text(meta.get("nodeid")),
        name=_text(meta.get("name")),
        target=_text(meta.get("target")),
        outcome=_text(meta.get("outcome")),
        failure=redactor.free_text(_text(meta.get("failure"))),
        started=_text(meta.get("started")),
        exchanges=[_evidence(i, item, redactor) for i, item in enumerate(items)],
        source=path,
    )


def find(reference: str, directory: Path = SCENARIOS_DIR) -> Scenario:
    """The scenario named by a file path, an id or a pytest node id."""
    direct = Path(reference)
    if direct.is_file():
        return load(direct)
    candidates = sorted(directory.glob("*.json")) if directory.is_dir() else []
    for candidate in candidates:
        try:
            scenario = load(candidate)
        except RecordingError:
            continue
        if reference in (scenario.id, scenario.nodeid, scenario.name, candidate.stem):
            return scenario
    known = ", ".join(c.stem for c in candidates[:10]) or "none"
    raise RecordingError(
        f"no scenario {reference!r} in {directory} (known: {known}); run `collaudo run` "
        "first, or give the path of a scenario file"
    )
