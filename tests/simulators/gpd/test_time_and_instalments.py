"""Time-driven transitions (validity date, expiry) and instalments (PARTIALLY_PAID)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from simulators.common.station import StationError
from simulators.gpd.models import utcnow
from tests.simulators.gpd.conftest import (
    KEY,
    ORG,
    POSITIONS,
    future,
    new_iuv,
    position_body,
    receipt_for,
)

Create = Callable[..., dict[str, Any]]


def test_published_becomes_valid_at_its_validity_date_and_expires_after_due_date(
    app: Starlette, client: TestClient, create: Create
) -> None:
    sim = app.state.simulator
    created = create(publish=False, validityDate=future(2), switchToExpired=True)
    iupd = created["iupd"]
    assert client.post(f"{POSITIONS}/{iupd}/publish", headers=KEY).json()["status"] == "PUBLISHED"
    nav = created["paymentOption"][0]["nav"]
    with pytest.raises(StationError) as not_yet:
        sim.station.verify_payment_notice(ORG, nav)
    assert not_yet.value.fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"

    entry = sim.store.entry(ORG, iupd)
    sim.store.refresh(entry, now=utcnow() + timedelta(days=3))
    assert entry.position.status == "VALID"
    assert sim.station.verify_payment_notice(ORG, nav).notice_number == nav

    sim.store.refresh(entry, now=utcnow() + timedelta(days=60))
    assert client.get(f"{POSITIONS}/{iupd}", headers=KEY).json()["status"] == "EXPIRED"
    with pytest.raises(StationError) as expired:
        sim.station.get_payment(ORG, nav, None)
    assert expired.value.fault_code == "PAA_PAGAMENTO_SCADUTO"
    assert client.post(f"{POSITIONS}/{iupd}/invalidate", headers=KEY).status_code == 409


def test_without_switch_to_expired_a_position_stays_payable(app: Starlette, create: Create) -> None:
    sim = app.state.simulator
    created = create()
    entry = sim.store.entry(ORG, created["iupd"])
    sim.store.refresh(entry, now=utcnow() + timedelta(days=365))
    assert entry.position.status == "VALID"


def test_instalments_pay_one_by_one(app: Starlette, client: TestClient) -> None:
    body = position_body(f"{ORG}-rate")
    first = body["paymentOption"][0]
    first["isPartialPayment"] = True
    second = {**first, "iuv": new_iuv(), "dueDate": future(60), "retentionDate": future(120)}
    body["paymentOption"].append(second)
    created = client.post(POSITIONS, params={"toPublish": "true"}, json=body, headers=KEY).json()
    station = app.state.simulator.station

    one = dict(created, paymentOption=[created["paymentOption"][0]])
    station.send_receipt(receipt_for(one, "rata-1"))
    got = client.get(f"{POSITIONS}/{created['iupd']}", headers=KEY).json()
    assert got["status"] == "PARTIALLY_PAID"
    assert [o["status"] for o in got["paymentOption"]] == ["PO_PAID", "PO_UNPAID"]
    assert client.delete(f"{POSITIONS}/{created['iupd']}", headers=KEY).status_code == 409

    two = dict(created, paymentOption=[created["paymentOption"][1]])
    station.send_receipt(receipt_for(two, "rata-2"))
    assert client.get(f"{POSITIONS}/{created['iupd']}", headers=KEY).json()["status"] == "PAID"


def test_get_payment_with_a_different_amount_is_a_semantic_error(
    app: Starlette, create: Create
) -> None:
    from decimal import Decimal

    created = create()
    with pytest.raises(StationError) as wrong:
        app.state.simulator.station.get_payment(
            ORG, created["paymentOption"][0]["nav"], Decimal("1.00")
        )
    assert wrong.value.fault_code == "PAA_SEMANTICA"
