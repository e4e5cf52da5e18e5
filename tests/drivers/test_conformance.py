"""One conformance suite for every intermediary driver, end to end against the simulators.

The same scenarios run for MyPay (SOAP) and GPD (REST): create → notice PDF whose QR reads
back the spec payload → checkout URL → a citizen pays with the test card through the
checkout pages → status PAID → a receipt whose amount, IUV and payer match; the digital
stamp reaching an ``MBDAttachment``; idempotent creation; cancellation (refused once paid).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from lxml import etree

from adapters.core.intermediary import (
    Cancellable,
    Intermediary,
    IntermediaryError,
    NotPaidYet,
    PositionState,
    ReturnUrls,
)
from adapters.drivers import stamp_attachments
from adapters.pagopa import NoticeNumber, parse_qr_payload
from tests.drivers.pdfqr import decode_pdf_qr
from tests.drivers.stack import (
    CREDITOR_CF,
    PAYER,
    Stack,
    context,
    creditor,
    eventually,
    pay_online,
    request,
)

RETURN = ReturnUrls(
    ok="https://ente.example/ok", cancel="https://ente.example/ko", error="https://ente.example/err"
)
MBD_NS = "http://www.agenziaentrate.gov.it/2014/MarcaDaBollo"


def own_positions(stack: Stack, driver_name: str) -> list[dict[str, Any]]:
    return stack.positions(driver_name)


async def test_the_driver_is_an_intermediary(driver: Intermediary, driver_name: str) -> None:
    assert isinstance(driver, Intermediary)
    assert driver.name == driver_name


async def test_create_notice_pay_online_status_and_receipt(
    stack: Stack, driver: Intermediary, driver_name: str
) -> None:
    req = request(creditor(stack, driver_name), amount="20.00")
    position = await driver.create_debt_position(req)
    notice = NoticeNumber.parse(position.notice_number)
    assert notice.aux_digit == 3 and notice.segregation_code == "01"
    assert notice.iuv == position.iuv
    assert position.creditor_fiscal_code == CREDITOR_CF and position.amount == Decimal("20.00")
    ctx = context(req, position)

    pdf = await driver.notice_pdf(ctx)
    payload = parse_qr_payload(decode_pdf_qr(pdf))
    assert str(payload.notice_number) == position.notice_number
    assert payload.creditor_fiscal_code == CREDITOR_CF
    assert payload.amount_cents == 2000

    assert (await driver.status(ctx)).state is PositionState.UNPAID
    try:
        await driver.receipt(ctx)
        raise AssertionError("a receipt before payment")
    except NotPaidYet as exc:
        assert not exc.retriable and exc.exchanges

    url = await driver.checkout_url(ctx, RETURN)
    outcome = await pay_online(url)
    assert 'data-outcome="OK"' in outcome.text

    async def paid() -> Any:
        status = await driver.status(ctx)
        return status if status.state is PositionState.PAID else None

    status = await eventually(paid)
    assert status, "the position never became PAID at the intermediary"
    assert status.amount_paid == Decimal("20.00") and status.transaction_id
    assert status.paid_at is not None

    receipt = await driver.receipt(ctx)
    assert receipt.iuv == position.iuv
    assert receipt.amount == Decimal("20.00")
    assert receipt.payer_fiscal_code == PAYER.fiscal_code
    assert receipt.receipt_id == status.transaction_id
    assert receipt.media_type == "application/xml" and receipt.content.lstrip().startswith(b"<")
    assert position.iuv in receipt.filename


async def test_digital_stamp_reaches_an_mbd_attachment(
    stack: Stack, driver: Intermediary, driver_name: str
) -> None:
    document = b"istanza di residenza, protocollo 42"
    req = request(creditor(stack, driver_name, stamp=True), amount="16.00", stamp_document=document)
    position = await driver.create_debt_position(req)
    ctx = context(req, position)
    url = await driver.checkout_url(ctx, RETURN)
    await pay_online(url)

    async def paid() -> Any:
        return (await driver.status(ctx)).state is PositionState.PAID

    assert await eventually(paid)
    receipt = await driver.receipt(ctx)
    assert receipt.amount == Decimal("16.00")
    [mbd] = stamp_attachments(receipt.content)
    stamp = etree.fromstring(mbd, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    assert etree.QName(stamp).namespace == MBD_NS
    digest = stamp.find(".//{http://www.w3.org/2000/09/xmldsig#}DigestValue")
    assert digest is not None and digest.text == req.stamp.document_hash  # type: ignore[union-attr]


async def test_creating_twice_returns_the_same_position_and_creates_one(
    stack: Stack, driver: Intermediary, driver_name: str
) -> None:
    req = request(creditor(stack, driver_name), payment_id=uuid.uuid4())
    first = await driver.create_debt_position(req)
    again = await driver.create_debt_position(req)
    assert (again.iuv, again.notice_number, again.iud) == (
        first.iuv,
        first.notice_number,
        first.iud,
    )
    assert len(own_positions(stack, driver_name)) == 1


async def test_two_payments_get_two_positions(
    stack: Stack, driver: Intermediary, driver_name: str
) -> None:
    config = creditor(stack, driver_name)
    one = await driver.create_debt_position(request(config))
    two = await driver.create_debt_position(request(config))
    assert one.iuv != two.iuv and one.iud != two.iud
    assert len(own_positions(stack, driver_name)) == 2


async def test_cancel_withdraws_the_position_and_repeats_harmlessly(
    stack: Stack, driver: Intermediary, driver_name: str
) -> None:
    assert isinstance(driver, Cancellable)
    req = request(creditor(stack, driver_name), amount="20.00")
    position = await driver.create_debt_position(req)
    ctx = context(req, position)
    await driver.cancel_position(ctx, "pratica ritirata")
    assert (await driver.status(ctx)).state is PositionState.CANCELED
    await driver.cancel_position(ctx, "pratica ritirata")  # again: nothing to do, no error
    assert (await driver.status(ctx)).state is PositionState.CANCELED


async def test_a_paid_position_cannot_be_cancelled(
    stack: Stack, driver: Intermediary, driver_name: str
) -> None:
    assert isinstance(driver, Cancellable)
    req = request(creditor(stack, driver_name), amount="20.00")
    position = await driver.create_debt_position(req)
    ctx = context(req, position)
    await pay_online(await driver.checkout_url(ctx, RETURN))

    async def paid() -> Any:
        return (await driver.status(ctx)).state is PositionState.PAID

    assert await eventually(paid)
    try:
        await driver.cancel_position(ctx, "troppo tardi")
        raise AssertionError("a paid position was cancelled")
    except IntermediaryError as exc:
        assert not exc.retriable and exc.exchanges
    assert (await driver.status(ctx)).state is PositionState.PAID
