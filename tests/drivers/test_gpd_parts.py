"""The GPD driver's parts without a network: the JSON it sends and how it reads answers."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.core.intermediary import (
    CreditorConfig,
    DebtPositionRequest,
    DigitalStamp,
    IntermediaryFault,
    PositionState,
    RequestRejected,
    Transfer,
)
from adapters.drivers._http import CallRecord
from adapters.drivers.gpd.answers import checkout_location, position_status
from adapters.drivers.gpd.payloads import iupd_of, position_body, transfers
from tests.drivers.stack import CREDITOR_CF, IBAN
from tests.drivers.stack import request as make_request


def request(amount: str = "20.00", **changes: Any) -> DebtPositionRequest:
    creditor = CreditorConfig(
        uuid.uuid4(), uuid.uuid4(), CREDITOR_CF, "Comune di Bugliano", {"gpd_iban": IBAN}
    )
    return dataclasses.replace(make_request(creditor, amount=amount), **changes)


def test_a_split_must_add_up_to_the_payment() -> None:
    split = (Transfer("a", Decimal("5.00")), Transfer("b", Decimal("10.00")))
    with pytest.raises(RequestRejected, match="split sums to 15.00") as caught:
        transfers(request(transfers=split), "9/0101108TS/")
    assert caught.value.code == "INVALID_REQUEST"


def test_a_stamp_is_its_own_transfer_after_the_ordinary_share() -> None:
    stamp = DigitalStamp(document_hash="aGFzaA==", province="pi")
    found = transfers(request(amount="36.00", stamp=stamp), "9/0101108TS/")
    assert [t["amount"] for t in found] == [2000, 1600]
    assert found[0]["iban"] == IBAN and "iban" not in found[1]
    assert found[1]["stamp"]["provincialResidence"] == "PI"


def test_the_position_body_carries_the_notice_and_a_long_reason_is_cut() -> None:
    req = request(reason="x" * 200)
    body = position_body(req, iupd_of(req), "01123456789012316", "301123456789012316")
    option = body["paymentOption"][0]
    assert option["nav"] == "301123456789012316" and option["amount"] == 2000
    assert len(option["description"]) == 140 and option["description"].endswith("…")
    assert body["iupd"] == req.iud and body["type"] == "F"


def test_position_states() -> None:
    record = CallRecord("status")
    paid = position_status(
        {"status": "VALID", "paymentOption": [{"status": "PO_PAID", "amount": 2000}]},
        record,
        "GPD",
    )
    assert paid.state is PositionState.PAID and paid.amount_paid == Decimal("20.00")
    invalid = position_status({"status": "INVALID", "paymentOption": [{}]}, record, "GPD")
    assert invalid.state is PositionState.CANCELED
    with pytest.raises(IntermediaryFault, match="no status") as caught:
        position_status({"paymentOption": [{}]}, record, "GPD")
    assert caught.value.code == "MALFORMED_ANSWER"


def test_only_a_redirect_to_a_web_page_is_a_checkout_url() -> None:
    record = CallRecord("checkout")
    found = httpx.Response(302, headers={"location": "https://checkout.test/c/1"})
    assert checkout_location(found, record, "Checkout") == "https://checkout.test/c/1"
    for answer in (
        httpx.Response(200, headers={"location": "https://checkout.test/c/1"}),
        httpx.Response(302, headers={"location": "javascript:alert(1)"}),
    ):
        with pytest.raises(IntermediaryFault) as caught:
            checkout_location(answer, record, "Checkout")
        assert caught.value.code == "BROKEN_REDIRECT"
