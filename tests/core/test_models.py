"""The payment event v2 and the status machine."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.status import ALLOWED, TERMINAL, IllegalTransition, check_transition

from .conftest import creation_pending

S = PaymentStatus


def test_reference_shaped_event_round_trips_every_field() -> None:
    data = creation_pending()
    data["debtor"] = dict(data["payer"], name="Anna")
    data["payment"]["split"][0]["meta"] = {"split_budget_chapter": "1234"}
    data["links"]["confirm"] = {"url": "http://x/confirm", "method": "PATCH"}
    data["custom_field"] = {"kept": True}  # unknown fields travel on untouched
    event = PaymentEvent.model_validate(data)
    assert event.payment.amount == Decimal("20.00")
    assert event.debtor is not None and event.debtor.name == "Anna"
    back = json.loads(event.to_json())
    assert back["custom_field"] == {"kept": True}
    assert back["payment"]["split"][0]["meta"] == {"split_budget_chapter": "1234"}
    assert back["links"]["confirm"]["method"] == "PATCH"
    assert back["payment"]["paid_at"] is None and "status_reason" not in back
    assert back["payment"]["amount"] == 20.0


def test_amount_with_three_decimals_is_refused() -> None:
    data = creation_pending()
    data["payment"]["amount"] = 1.005
    with pytest.raises(ValidationError, match="more than 2 decimal places"):
        PaymentEvent.model_validate(data)


def test_next_version_has_fresh_identity() -> None:
    event = PaymentEvent.model_validate(creation_pending())
    now = datetime(2025, 5, 1, tzinfo=UTC)
    nxt = event.next_version("collaudo-payment-proxy:1.0", now=now, status=S.PAYMENT_PENDING)
    assert nxt.event_id != event.event_id and isinstance(nxt.event_id, uuid.UUID)
    assert nxt.event_created_at == nxt.updated_at == now
    assert nxt.app_id == "collaudo-payment-proxy:1.0" and nxt.event_version == "2.0"
    assert event.status is S.CREATION_PENDING  # the original is untouched


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.CREATION_PENDING, S.PAYMENT_PENDING),
        (S.CREATION_PENDING, S.CREATION_FAILED),
        (S.PAYMENT_PENDING, S.PAYMENT_STARTED),
        (S.PAYMENT_PENDING, S.COMPLETE),
        (S.PAYMENT_PENDING, S.EXPIRED),
        (S.PAYMENT_PENDING, S.CANCELED),
        (S.PAYMENT_STARTED, S.COMPLETE),
        (S.PAYMENT_STARTED, S.EXPIRED),
    ],
)
def test_documented_transitions_are_allowed(current: S, target: S) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.CREATION_PENDING, S.COMPLETE),
        (S.COMPLETE, S.PAYMENT_PENDING),
        (S.EXPIRED, S.COMPLETE),
        (S.CREATION_FAILED, S.PAYMENT_PENDING),
        (S.PAYMENT_STARTED, S.PAYMENT_PENDING),
    ],
)
def test_other_transitions_are_refused_with_the_allowed_ones(current: S, target: S) -> None:
    with pytest.raises(IllegalTransition, match=f"cannot move a payment from {current}"):
        check_transition(current, target)


def test_terminal_states() -> None:
    assert {S.COMPLETE, S.EXPIRED, S.CANCELED, S.CREATION_FAILED} <= TERMINAL
    assert set(ALLOWED) == set(S)
