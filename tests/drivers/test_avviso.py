"""A position's notice: what the proxy knows, mapped onto pagoPA's standard notice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.core.intermediary import (
    CreditorConfig,
    CreditorProfile,
    Debtor,
    DebtPosition,
    DigitalStamp,
    IntermediaryFault,
    PositionContext,
    RequestRejected,
)
from adapters.drivers.avviso import debtor_address, due_date, notice_of, render_position_notice
from adapters.drivers.gpd.driver import GpdDriver
from adapters.pagopa import generate_notice, parse_qr_payload
from tests.drivers.pdfqr import decode_pdf_qr
from tests.notice.reading import flat, pages, pages_text, read_datamatrix
from tests.notice_samples import demo_logo

NOTICE = generate_notice(3, 1234567890123, segregation_code="01")
PROFILE = CreditorProfile(
    office="Ufficio Tributi",
    contact_info="tel. 050 000000",
    website="www.comune.bugliano.pi.it",
    cbill_code="A1B2C",
    logo=demo_logo(),
    postal_account="1234567",
    postal_authorization="AUT/1",
)


def context(profile: CreditorProfile = PROFILE, **changes: object) -> PositionContext:
    creditor = CreditorConfig(
        uuid.uuid4(), uuid.uuid4(), "80000000002", "Comune di Bugliano", {}, profile
    )
    values: dict[str, object] = {
        "payment_id": uuid.uuid4(),
        "creditor": creditor,
        "position": DebtPosition(
            iud="x",
            iuv=NOTICE.iuv,
            notice_number=str(NOTICE),
            creditor_fiscal_code="80000000002",
            amount=Decimal("1234.50"),
        ),
        "debtor": Debtor(
            type="human",
            fiscal_code="RSSMRA80A01H501U",
            name="Mario",
            family_name="Rossi",
            street_name="Via Roma",
            building_number="1",
            postal_code="56100",
            town_name="Bugliano",
            province="PI",
        ),
        "reason": "Diritti di segreteria",
        # 23:30 UTC on 31 January is already 1 February in Rome.
        "expire_at": datetime(2030, 1, 31, 23, 30, tzinfo=UTC),
    }
    values.update(changes)
    return PositionContext(**values)  # type: ignore[arg-type]


def test_the_notice_carries_what_the_proxy_knows() -> None:
    notice = notice_of(context())
    assert notice.creditor.name == "Comune di Bugliano" and notice.creditor.cbill_code == "A1B2C"
    assert notice.creditor.office == "Ufficio Tributi" and notice.creditor.logo == PROFILE.logo
    account = notice.creditor.postal_account
    assert account is not None and account.number == "1234567"
    assert account.holder == "Comune di Bugliano"  # the holder defaults to the creditor
    assert notice.debtor.name == "Mario Rossi"
    assert notice.debtor.address == "Via Roma 1, 56100 Bugliano (PI)"
    assert notice.single is not None and notice.single.iuv == NOTICE.iuv
    assert notice.single.due_date is not None and notice.single.due_date.isoformat() == "2030-02-01"
    assert notice.subject == "Diritti di segreteria" and notice.stamp is None


def test_the_rendered_notice_reads_back() -> None:
    pdf = render_position_notice(context())
    payload = parse_qr_payload(decode_pdf_qr(pdf))
    assert str(payload.notice_number) == str(NOTICE) and payload.amount_cents == 123450
    matrix = read_datamatrix(pages(pdf)[0])
    assert matrix[15:33] == str(NOTICE) and matrix[35:47] == "000001234567"
    text = flat(pages_text(pdf)[0])
    assert "3011 2345 6789 0123 16" in text and "01/02/2030" in text and "1.234,50" in text


def test_without_profile_no_postal_part_and_no_due_date() -> None:
    pdf = render_position_notice(context(CreditorProfile(), expire_at=None))
    text = flat(pages_text(pdf)[0])
    assert "BOLLETTINO POSTALE PA" not in text and "Codice CBILL" not in text
    assert "senza scadenza" in text


def test_a_stamp_position_prints_the_stamp_notice() -> None:
    stamp = DigitalStamp(document_hash="aGFzaA==", province="PI", amount=Decimal("16.00"))
    text = flat(pages_text(render_position_notice(context(stamp=stamp)))[0])
    assert "MARCA DA BOLLO DIGITALE" in text and "aGFzaA==" in text
    assert "BOLLETTINO POSTALE PA" not in text


def test_helpers() -> None:
    assert due_date(None) is None
    bare = Debtor(type="legal", fiscal_code="80000000002", name="Ditta")
    assert debtor_address(bare) is None


async def test_the_gpd_driver_maps_bad_data_and_a_missing_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    driver = GpdDriver()
    try:
        assert (await driver.notice_pdf(context())).startswith(b"%PDF")
        bad = CreditorProfile(cbill_code="ab")
        with pytest.raises(RequestRejected, match="CBILL code"):
            await driver.notice_pdf(context(bad))
        monkeypatch.setenv("COLLAUDO_NOTICE_FONT_DIR", str(tmp_path))
        with pytest.raises(IntermediaryFault) as caught:
            await driver.notice_pdf(context())
        assert caught.value.diagnosis and "fonts-dejavu-extra" in caught.value.diagnosis
    finally:
        await driver.aclose()
