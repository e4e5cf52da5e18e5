"""The locally rendered notice: what it shows, and a QR that reads back the spec payload."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.drivers.avviso import NoticeData, grouped, qr_code, render_notice
from adapters.pagopa import generate_notice, parse_qr_payload
from tests.drivers.pdfqr import _objects, decode_pdf_qr

NOTICE = str(generate_notice(3, 1234567890123, segregation_code="01"))
DATA = NoticeData(
    creditor_name="Comune di Bugliano",
    creditor_fiscal_code="80000000002",
    debtor_name="Mario Rossi",
    debtor_fiscal_code="RSSMRA80A01H501U",
    subject="Diritti di segreteria per occupazione suolo pubblico",
    amount=Decimal("1234.50"),
    notice_number=NOTICE,
    due_date=date(2030, 1, 31),
    debtor_address="Via Roma 1 56100 Bugliano (PI)",
)


def page_text(pdf: bytes) -> bytes:
    return b"".join(data for header, data in _objects(pdf) if b"/Image" not in header)


def test_notice_shows_who_what_how_much_and_when() -> None:
    pdf = render_notice(DATA)
    assert pdf.startswith(b"%PDF") and pdf == render_notice(DATA)  # reproducible
    text = page_text(pdf)
    for shown in (
        "AVVISO DI PAGAMENTO",
        "Comune di Bugliano",
        "80000000002",
        "Mario Rossi",
        "RSSMRA80A01H501U",
        "Diritti di segreteria per occupazione suolo pubblico",
        "1.234,50 euro",
        "31/01/2030",
        grouped(NOTICE),
    ):
        assert shown.encode() in text, shown


def test_the_qr_reads_back_the_payload_of_the_specification() -> None:
    payload = parse_qr_payload(decode_pdf_qr(render_notice(DATA)))
    assert str(payload.notice_number) == NOTICE
    assert payload.creditor_fiscal_code == "80000000002" and payload.amount_cents == 123450
    assert DATA.qr_payload == f"PAGOPA|002|{NOTICE}|80000000002|123450"
    assert len(qr_code(DATA.qr_payload).matrix) == 33  # version 4, as the spec says
    assert qr_code(DATA.qr_payload).error == "M"


def test_no_due_date_and_grouping() -> None:
    undated = NoticeData(**{**DATA.__dict__, "due_date": None})
    assert b"senza scadenza" in page_text(render_notice(undated))
    assert grouped("301123456789012316") == "3011 2345 6789 0123 16"
