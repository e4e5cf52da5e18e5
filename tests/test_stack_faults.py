"""Every creation fault of each intermediary simulator, through the whole stack.

For each fault profile that strikes debt position creation, with the real driver
against its simulator: the payment is never lost (it stays CREATION_PENDING and is
created once the fault is gone, or ends CREATION_FAILED for a permanent refusal),
never duplicated (one debt position at the intermediary), and the reason is
readable in the payment's state (``GET /payments/{id}`` and ``status_reason``).
Timeouts are exercised at the driver level with short timeouts
(tests/drivers/test_faults.py): here they would cost pagoPA's 7 s each.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from collaudo.stack import DEMO_TENANT_ID, SUOLO_PUBBLICO_ID, Stack, StackOptions, StackThread
from simulators.common.faults import available

RETRIABLE = {
    "creation-error": "PAA_SYSTEM_ERROR|500",
    "malformed-xml": "XML|xml",
    "wrong-namespace": "namespace|element",
    "missing-element": "MALFORMED_ANSWER|without|missing",
    "malformed-json": "JSON|json",
    "ip-not-allowed-refuse": "source address",
}
PERMANENT = {
    "ip-not-allowed-403": "source address",
    "expired-credentials": "PAA_ENTE_NON_VALIDO|401|credenziali|subscription",
}
CASES = [
    (intermediary, fault.name)
    for intermediary in ("mypay", "gpd")
    for fault in available(intermediary)
    if fault.name in RETRIABLE | PERMANENT
]


@pytest.fixture(scope="module")
def running(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StackThread, Stack]]:
    data: Path = tmp_path_factory.mktemp(request.param)
    runner = StackThread(StackOptions(intermediary=request.param, data_dir=data))
    stack = runner.start()
    yield runner, stack
    runner.stop()


def _apply(stack: Stack, component: str, method: str, path: str, **kw: Any) -> None:
    httpx.request(method, f"{stack.urls[component]}/_admin{path}", **kw).raise_for_status()


def _positions(stack: Stack, intermediary: str) -> list[Any]:
    body = httpx.get(f"{stack.urls[intermediary]}/_admin/positions").json()
    return list(body.get("positions", []) if isinstance(body, dict) else body)


def _detail(stack: Stack, payment_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {stack.api_token}"}
    response = httpx.get(f"{stack.urls['proxy']}/payments/{payment_id}", headers=headers)
    return dict(response.json()) if response.status_code == 200 else {}


def _wait(probe: Any, what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize(("running", "fault"), CASES, indirect=["running"])
def test_creation_fault_loses_nothing_duplicates_nothing_and_says_why(
    running: tuple[StackThread, Stack], fault: str
) -> None:
    runner, stack = running
    intermediary = stack.options.intermediary
    _apply(stack, intermediary, "DELETE", "/faults")
    _apply(stack, intermediary, "POST", "/reset")
    _apply(stack, intermediary, "PUT", f"/faults/{fault}", json={"rate": 1.0})
    try:
        created = httpx.post(
            f"{stack.urls['platform']}/applications",
            json={
                "tenant_id": str(DEMO_TENANT_ID),
                "service_id": str(SUOLO_PUBBLICO_ID),
                "amount": 20.0,
                "reason": "Occupazione suolo pubblico",
                "payer": {"type": "human", "tax_identification_number": "RSSMRA80A01H501U",
                          "name": "Mario", "family_name": "Rossi"},
            },
        )  # fmt: skip
        assert created.status_code == 201, created.text
        payment_id = created.json()["payment_id"]

        def failed_once() -> dict[str, Any] | None:
            detail = _detail(stack, payment_id)
            if detail.get("event", {}).get("status") == "CREATION_FAILED":
                return detail
            return detail if detail.get("processing", {}).get("last_error") else None

        detail = _wait(failed_once, f"the proxy to meet {fault}")
    finally:
        _apply(stack, intermediary, "DELETE", "/faults")

    if fault in PERMANENT:
        event = detail["event"]
        assert event["status"] == "CREATION_FAILED"
        assert re.search(PERMANENT[fault], event["status_reason"]), event["status_reason"]
        assert _positions(stack, intermediary) == []  # refused: nothing was created
        return

    reason = detail["processing"]["last_error"]
    assert re.search(RETRIABLE[fault], reason), reason
    assert detail["event"]["status"] == "CREATION_PENDING"  # not lost, not failed
    # The retry comes when its backoff is due; bring that moment forward.
    service = stack.apps["proxy"].state.service  # type: ignore[attr-defined]
    later = datetime.now(UTC) + timedelta(hours=1)
    runner.call(service.poll_due(later))
    detail = _wait(
        lambda: (
            (d := _detail(stack, payment_id)) and d["event"]["status"] == "PAYMENT_PENDING" and d
        ),
        "the retried creation",
    )
    assert detail["processing"]["creation_attempts"] >= 2
    positions = _positions(stack, intermediary)
    assert len(positions) == 1, positions  # one debt position, however many attempts
