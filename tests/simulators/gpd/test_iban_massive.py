"""PATCH .../debtpositions/transfers (updateTransferIbanMassive): which transfers move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from simulators.gpd.models import utcnow
from tests.simulators.gpd.conftest import (
    IBAN,
    KEY,
    ORG,
    POSITIONS,
    future,
    new_iuv,
    position_body,
    receipt_for,
)

Create = Callable[..., dict[str, Any]]
TRANSFERS = f"{POSITIONS}/transfers"
NEW_IBAN = "IT02A0301503200000003517230"


def move(client: TestClient, new_iban: object = NEW_IBAN, **params: Any) -> Any:
    return client.patch(
        TRANSFERS, params={"oldIban": IBAN, **params}, json={"newIban": new_iban}, headers=KEY
    )


def ibans(client: TestClient, iupd: str) -> list[list[str | None]]:
    position = client.get(f"{POSITIONS}/{iupd}", headers=KEY).json()
    return [[t.get("iban") for t in o["transfer"]] for o in position["paymentOption"]]


def test_only_unpaid_options_of_updatable_positions_get_the_new_iban(
    app: Starlette, client: TestClient, create: Create, pay: Callable[..., list[bytes]]
) -> None:
    draft = create(publish=False)["iupd"]
    valid = create()["iupd"]
    paid = create()
    pay(paid)
    invalid = create()["iupd"]
    assert client.post(f"{POSITIONS}/{invalid}/invalidate", headers=KEY).status_code == 200
    expired = create(switchToExpired=True)["iupd"]
    store = app.state.simulator.store
    store.refresh(store.entry(ORG, expired), now=utcnow() + timedelta(days=60))

    # Instalments: the paid one keeps its IBAN, the open one (PARTIALLY_PAID position) moves.
    body = position_body(f"{ORG}-instalments")
    body["paymentOption"][0]["isPartialPayment"] = True
    body["paymentOption"].append(
        {**body["paymentOption"][0], "iuv": new_iuv(), "dueDate": future(60)}
    )
    instalments = client.post(
        POSITIONS, params={"toPublish": "true"}, json=body, headers=KEY
    ).json()
    first = dict(instalments, paymentOption=[instalments["paymentOption"][0]])
    app.state.simulator.station.send_receipt(receipt_for(first, "rata-1"))

    answer = move(client)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"description": "Updated IBAN on 3 Transfers", "updatedTransfers": 3}
    assert ibans(client, draft) == [[NEW_IBAN]]
    assert ibans(client, valid) == [[NEW_IBAN]]
    assert ibans(client, instalments["iupd"]) == [[IBAN], [NEW_IBAN]]
    for untouched in (paid["iupd"], invalid, expired):
        assert ibans(client, untouched) == [[IBAN]], untouched
    # A second pass finds nothing left to move.
    assert move(client).json()["updatedTransfers"] == 0


def test_stamps_and_other_ibans_are_left_alone(client: TestClient, create: Create) -> None:
    iupd = create(stamp=True)["iupd"]
    other = client.patch(
        TRANSFERS,
        params={"oldIban": "IT60X0542811101000000999999"},
        json={"newIban": NEW_IBAN},
        headers=KEY,
    )
    assert other.json()["updatedTransfers"] == 0
    assert move(client).json()["updatedTransfers"] == 1
    position = client.get(f"{POSITIONS}/{iupd}", headers=KEY).json()
    transfers = position["paymentOption"][0]["transfer"]
    assert transfers[0]["iban"] == NEW_IBAN
    assert "iban" not in transfers[1] and "stamp" in transfers[1]


def test_limit_caps_how_many_transfers_move(client: TestClient, create: Create) -> None:
    for _ in range(3):
        create()
    assert move(client, limit=2).json() == {
        "description": "Updated IBAN on 2 Transfers",
        "updatedTransfers": 2,
    }
    assert move(client, limit=0).json()["updatedTransfers"] == 0
    assert move(client).json()["updatedTransfers"] == 1


def test_malformed_requests_are_400_naming_the_problem(client: TestClient, create: Create) -> None:
    iupd = create()["iupd"]
    no_old = client.patch(TRANSFERS, json={"newIban": NEW_IBAN}, headers=KEY)
    assert no_old.status_code == 400 and "oldIban is required" in no_old.json()["detail"]
    too_many = move(client, limit=1001)
    assert too_many.status_code == 400 and "between 0 and 1000" in too_many.json()["detail"]
    no_body = client.patch(TRANSFERS, params={"oldIban": IBAN}, json={}, headers=KEY)
    assert no_body.status_code == 400 and "newIban" in no_body.json()["detail"]
    bad_iban = move(client, new_iban="IT60 X054")
    assert bad_iban.status_code == 400 and "1 to 35 letters and digits" in bad_iban.text
    assert move(client, new_iban=42).status_code == 400
    assert ibans(client, iupd) == [[IBAN]]  # nothing moved on any refusal


def test_key_and_creditor_are_checked(client: TestClient, create: Create) -> None:
    create()
    unsigned = client.patch(TRANSFERS, params={"oldIban": IBAN}, json={"newIban": NEW_IBAN})
    assert unsigned.status_code == 401
    other = client.patch(
        TRANSFERS.replace(ORG, "12345678901"),
        params={"oldIban": IBAN},
        json={"newIban": NEW_IBAN},
        headers=KEY,
    )
    assert other.status_code == 403
    assert move(client).json()["updatedTransfers"] == 1  # neither touched anything
