"""The MyPay driver's parts without a network: identifiers and what the Pagati
document and fault beans mean for a position."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from adapters.core.intermediary import (
    CreditorConfig,
    DebtPosition,
    IntermediaryFault,
    NotPaidYet,
    PositionState,
)
from adapters.drivers._http import CallRecord
from adapters.drivers.mypay.create import iuv_of, notice_for
from adapters.drivers.mypay.faults import MyPayFault
from adapters.drivers.mypay.payments import position_status, receipt_of
from tests.drivers.stack import CREDITOR_CF
from tests.drivers.stack import context as make_context
from tests.drivers.stack import request as make_request


def creditor(**extra: str) -> CreditorConfig:
    settings = {"mypay_segregation_code": "01", **extra}
    return CreditorConfig(uuid.uuid4(), uuid.uuid4(), CREDITOR_CF, "Comune", settings)


def pagati(esito: str, amount: str = "20.00") -> bytes:
    return (
        f"<Pagati><datiPagamento><codiceEsitoPagamento>{esito}</codiceEsitoPagamento>"
        "<identificativoUnivocoVersamento>01123456789012316</identificativoUnivocoVersamento>"
        f"<importoTotalePagato>{amount}</importoTotalePagato></datiPagamento></Pagati>"
    ).encode()


def test_a_17_digit_iuv_with_the_segregation_code_is_an_aux_3_notice() -> None:
    record = CallRecord("create")
    assert notice_for(creditor(), "01123456789012316", record) == "301123456789012316"


def test_a_15_digit_iuv_needs_the_application_code() -> None:
    record = CallRecord("create")
    assert notice_for(creditor(mypay_application_code="07"), "123456789012345", record) == (
        "007123456789012345"
    )


def test_an_iuv_that_is_no_iuv_is_a_retriable_malformed_answer() -> None:
    with pytest.raises(IntermediaryFault, match="expected 15 or 17 digits") as caught:
        notice_for(creditor(), "0112-ABC", CallRecord("create"))
    assert caught.value.code == "MALFORMED_ANSWER"


def test_esito_ko_has_no_iuv() -> None:
    class Answer:
        esito = "KO"
        identificativoUnivocoVersamento = "01123456789012316"

    with pytest.raises(IntermediaryFault, match="esito KO"):
        iuv_of(Answer(), CallRecord("create"), "paaSILImportaDovuto")


def test_fault_beans_and_esito_codes_become_states() -> None:
    record = CallRecord("status")
    expired = MyPayFault("PAA_PAGAMENTO_SCADUTO", "scaduto")
    assert position_status(None, expired, record).state is PositionState.EXPIRED
    canceled = MyPayFault("PAA_PAGAMENTO_ANNULLATO", "annullato")
    assert position_status(None, canceled, record).state is PositionState.CANCELED
    assert position_status(pagati("1"), None, record).state is PositionState.UNPAID
    paid = position_status(pagati("0"), None, record)
    assert paid.state is PositionState.PAID and paid.amount_paid == Decimal("20.00")
    with pytest.raises(IntermediaryFault, match="not one of 0-4"):
        position_status(pagati("9"), None, record)


def test_only_a_paid_pagati_is_a_receipt() -> None:
    req = make_request(creditor(), amount="20.00")
    position = DebtPosition(
        iud=req.iud,
        iuv="01123456789012316",
        notice_number="301123456789012316",
        creditor_fiscal_code=CREDITOR_CF,
        amount=Decimal("20.00"),
        handle={},
    )
    ctx = make_context(req, position)
    record = CallRecord("receipt")
    with pytest.raises(NotPaidYet, match="codiceEsitoPagamento 1"):
        receipt_of(ctx, pagati("1"), None, None, record)
    receipt = receipt_of(ctx, pagati("0"), None, None, record)
    assert receipt.iuv == "01123456789012316" and receipt.content == pagati("0")
    assert receipt.filename == "ricevuta-01123456789012316.xml"
