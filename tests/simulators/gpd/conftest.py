"""Shared fixtures for the GPD simulator: an in-process app, a valid position body, a payer."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from simulators.common.station import (
    StationReceipt,
    StationTransfer,
    get_payment_request,
    send_rt_request,
    verify_request,
)
from simulators.common.station_mbd import MbdDocument, build_mbd
from simulators.gpd.app import Settings, create_app
from simulators.gpd.iuv import make_iuv

ORG = "80000000002"
KEY = {"Ocp-Apim-Subscription-Key": "sim-subscription-key"}
POSITIONS = f"/gpd/debt-positions-service/v1/organizations/{ORG}/debtpositions"
RECEIPTS = f"/gpd/payments-receipts-service/v1/payments/{ORG}/receipts"
IBAN = "IT60X0542811101000000123456"
_bases = itertools.count(1)


def future(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")


def new_iuv() -> str:
    return make_iuv("01", f"{next(_bases):013d}")


def position_body(
    iupd: str, *, stamp: bool = False, amount: int = 2000, **extra: Any
) -> dict[str, Any]:
    """A valid ``PaymentPositionModel``: one option, an IBAN transfer (+ a €16 stamp)."""
    transfers: list[dict[str, Any]] = [
        {
            "idTransfer": "1",
            "amount": amount,
            "remittanceInformation": "Diritti di segreteria",
            "category": "9/0101108TS/",
            "iban": IBAN,
        }
    ]
    if stamp:
        transfers.append(
            {
                "idTransfer": "2",
                "amount": 1600,
                "remittanceInformation": "Marca da bollo",
                "category": "9/0301116TS/9/24B0060000000017",
                "stamp": {
                    "hashDocument": "wHpFSLCGZjIvNSXxqtGbxg7275t446DRTk5ZrsdUQ6E=",
                    "stampType": "01",
                    "provincialResidence": "PI",
                },
            }
        )
    body: dict[str, Any] = {
        "iupd": iupd,
        "type": "F",
        "fiscalCode": "RSSMRA80A01H501U",
        "fullName": "Mario Rossi",
        "companyName": "Comune di Bugliano",
        "officeName": "Ufficio tributi",
        "switchToExpired": False,
        "paymentOption": [
            {
                "iuv": new_iuv(),
                "amount": sum(t["amount"] for t in transfers),
                "description": "Occupazione suolo pubblico",
                "isPartialPayment": False,
                "dueDate": future(),
                "retentionDate": future(90),
                "fee": 0,
                "transfer": transfers,
            }
        ],
    }
    body.update(extra)
    return body


@pytest.fixture
def app() -> Starlette:
    return create_app(Settings())


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def create(client: TestClient) -> Callable[..., dict[str, Any]]:
    """Create a position (published by default) and return the 201 body."""
    counter = itertools.count(1)

    def make(publish: bool = True, **kwargs: Any) -> dict[str, Any]:
        body = position_body(f"{ORG}-test-{next(counter)}", **kwargs)
        answer = client.post(
            POSITIONS, params={"toPublish": str(publish).lower()}, json=body, headers=KEY
        )
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    return make


def soap(client: TestClient, operation: str, envelope: bytes) -> bytes:
    answer = client.post(
        "/pagopa/paForNode",
        content=envelope,
        headers={"SOAPAction": operation, "Content-Type": "text/xml; charset=utf-8"},
    )
    assert answer.status_code == 200, answer.text
    content: bytes = answer.content
    return content


def receipt_for(position: dict[str, Any], receipt_id: str = "r-0001") -> StationReceipt:
    """The receipt the Nodo would send once the checkout paid ``position``'s first option."""
    option = position["paymentOption"][0]
    transfers, attachments = [], {}
    for t in option["transfer"]:
        transfer = StationTransfer(
            id_transfer=int(t["idTransfer"]),
            amount=Decimal(t["amount"]) / 100,
            fiscal_code_pa=ORG,
            iban=t.get("iban"),
            remittance_information=t["remittanceInformation"],
            transfer_category=t["category"],
        )
        transfers.append(transfer)
        if "stamp" in t:
            attachments[transfer.id_transfer] = build_mbd(
                MbdDocument(
                    psp_fiscal_code="70000000001",
                    psp_name="PSP di prova",
                    iubd="01234567890123",
                    purchased_at=datetime(2025, 3, 1, 10, 0, 0),
                    amount=Decimal("16.00"),
                    stamp_type="01",
                    document_hash=t["stamp"]["hashDocument"],
                )
            )
    return StationReceipt(
        receipt_id=receipt_id,
        notice_number=option["nav"],
        fiscal_code=ORG,
        creditor_reference_id=option["iuv"],
        amount=Decimal(option["amount"]) / 100,
        description=option["description"],
        psp_id="70000000001",
        psp_name="PSP di prova",
        channel_id="70000000001_01",
        payment_method="creditCard",
        fee=Decimal("1.00"),
        payment_datetime=datetime(2025, 3, 1, 10, 0, 0),
        outcome="OK",
        debtor_fiscal_code=position["fiscalCode"],
        payer_fiscal_code=None,
        transfers=transfers,
        mbd_attachments=attachments,
        raw_xml=b"",
    )


@pytest.fixture
def pay(client: TestClient) -> Callable[[dict[str, Any]], list[bytes]]:
    """Walk the Nodo's three calls for ``position`` over HTTP; the SOAP answers."""

    def walk(position: dict[str, Any], receipt_id: str = "r-0001") -> list[bytes]:
        option = position["paymentOption"][0]
        nav = option["nav"]
        verify = soap(client, "paVerifyPaymentNotice", verify_request(ORG, nav))
        get = soap(
            client,
            "paGetPaymentV2",
            get_payment_request(ORG, nav, amount=Decimal(option["amount"]) / 100),
        )
        sent = send_rt_request(
            receipt_for(position, receipt_id),
            company_name=position["companyName"],
            debtor_name=position["fullName"],
        )
        return [verify, get, soap(client, "paSendRTV2", sent)]

    return walk
