"""The rendered notice, read back: codes decoded from the page image, text from its text layer.

Each of the four cases of docs/notice/ (single payment, instalments, postal account,
digital stamp) is checked for what a citizen, a bank and a post-office counter rely on.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from adapters.notice import (
    Creditor,
    InvalidNotice,
    Notice,
    NoticeFontMissing,
    PaymentOption,
    StampDetails,
    grouped,
    render_notice,
)
from adapters.notice.codes import qr_code
from adapters.notice.draw import LEFT, RIGHT
from adapters.notice.sections import COLUMN
from tests.notice.reading import flat, pages, pages_text, read_datamatrix, read_qr
from tests.notice_samples import (
    CREDITOR,
    DEBTOR,
    INSTALMENTS,
    POSTAL,
    POSTAL_SINGLE,
    SINGLE,
    STAMP,
    main,
    notice_number,
)

SECTIONS = (
    "AVVISO DI PAGAMENTO",
    "ENTE CREDITORE",
    "DESTINATARIO AVVISO",
    "QUANTO E QUANDO PAGARE?",
    "DOVE PAGARE?",
    "PAGA SUL SITO O CON LE APP",
)


def qr_text(option: PaymentOption, creditor: str = "80000000002") -> str:
    cents = int(option.amount * 100)
    return f"PAGOPA|002|{option.notice_number}|{creditor}|{cents}"


def test_single_payment_shows_every_section_and_its_qr_reads_back() -> None:
    pdf = render_notice(SINGLE)
    assert pdf == render_notice(SINGLE)  # reproducible, byte for byte
    [page] = pages(pdf)
    assert SINGLE.single is not None
    assert read_qr(page) == qr_text(SINGLE.single)
    assert read_qr(page) == "PAGOPA|002|301123456789012316|80000000002|123450"
    [text] = [flat(t) for t in pages_text(pdf)]
    for shown in (*SECTIONS, "PAGA SUL TERRITORIO", "BANCHE E ALTRI CANALI", "RATA UNICA"):
        assert shown in text, shown
    assert "3011 2345 6789 0123 16" in text  # the notice code in groups of 4
    assert "1.234,50 Euro" in text and "Euro 1.234,50" in text  # decimal comma
    assert "entro il 31/01/2030" in text
    assert "Codice CBILL A1B2C" in text and "Cod. Fiscale Ente Creditore 80000000002" in text
    assert "Comune di Bugliano" in text and "Settore Entrate - Ufficio Tributi" in text
    assert "www.comune.bugliano.pi.it" in text
    assert "BOLLETTINO POSTALE PA" not in text and "Poste Italiane" not in text
    assert read_datamatrix(page, timeout_ms=2000) == ""


def test_accented_italian_is_right_in_the_text_layer() -> None:
    text = flat(pages_text(render_notice(SINGLE))[0])
    for shown in (
        "Niccolò Dell'Acqua",
        "Via Giosuè Carducci 12, 56100 Bugliano (PI)",
        "L'importo è aggiornato automaticamente",
        "indennità di mora",
    ):
        assert shown in text, shown


def test_postal_account_adds_the_bollettino_with_a_data_matrix_poste_can_read() -> None:
    pdf = render_notice(POSTAL_SINGLE)
    [page] = pages(pdf)
    option = POSTAL_SINGLE.single
    assert option is not None
    assert read_qr(page) == qr_text(option)
    payload = read_datamatrix(page)
    assert payload == POSTAL_SINGLE.datamatrix_payload(option)
    assert len(payload) == 256 and payload.startswith("codfase=NBPA;18")
    # The fields at the offsets the IO app's decoder reads.
    assert payload[15:33] == option.notice_number
    assert payload[49:59] == "0000008725"
    assert payload[66:77] == "80000000002"
    assert payload[33:47] == "12000012345678" and payload[59:66] == "38961P1"
    assert payload[77:93] == "DLLNCC80A01G702Q"
    assert payload[93:133] == "Niccolo Dell'Acqua".ljust(40)  # folded to ASCII
    assert payload.endswith(" " * 12 + "A")
    text = flat(pages_text(pdf)[0])
    for shown in (
        "BOLLETTINO POSTALE PA",
        "sul C/C n. 12345678",
        "Intestato a Comune di Bugliano - Servizio Tesoreria",
        "Tipo P1",
        "Autorizzazione Poste Italiane AUT/2026/0042",
        "di Poste Italiane",
        "in tutti gli Uffici Postali",
        "87,25",
        "31/03/2030",
    ):
        assert shown in text, shown
    assert text.count(grouped(option.notice_number)) == 2  # bank part and bollettino


def test_instalments_one_page_with_every_option_then_one_page_each() -> None:
    pdf = render_notice(INSTALMENTS)
    images = pages(pdf)
    texts = [flat(t) for t in pages_text(pdf)]
    assert len(images) == 1 + len(INSTALMENTS.instalments)
    first = texts[0]
    assert "Puoi pagare con una unica rata oppure in 3 rate" in first
    for row in (
        "Rata unica entro il 16/04/2030 300,00 Euro",
        "Rata 1 entro il 16/04/2030 100,00 Euro",
        "Rata 2 entro il 16/07/2030 100,00 Euro",
        "Rata 3 entro il 16/10/2030 100,00 Euro",
    ):
        assert row in first, row
    assert INSTALMENTS.single is not None
    assert read_qr(images[0]) == qr_text(INSTALMENTS.single)
    assert read_datamatrix(images[0]) == INSTALMENTS.datamatrix_payload(INSTALMENTS.single)
    for number, (instalment, image, text) in enumerate(
        zip(INSTALMENTS.instalments, images[1:], texts[1:], strict=True), start=1
    ):
        assert read_qr(image) == qr_text(instalment)
        payload = read_datamatrix(image)
        assert payload == INSTALMENTS.datamatrix_payload(instalment)
        assert payload[15:33] == instalment.notice_number and payload[49:59] == "0000010000"
        assert f"RATA {number} DI 3" in text
        assert f"entro il {instalment.due_date:%d/%m/%Y}" in text
        assert grouped(instalment.notice_number) in text and "Euro 100,00" in text
        assert "RATA UNICA" not in text


def test_only_instalments_and_many_of_them() -> None:
    options = [
        PaymentOption(notice_number(5000000000000 + n), Decimal("10.05"), date(2030, n, 1))
        for n in range(1, 13)
    ]
    notice = Notice(creditor=CREDITOR, debtor=DEBTOR, subject="Rette mensa", instalments=options)
    pdf = render_notice(notice)
    texts = [flat(t) for t in pages_text(pdf)]
    assert len(texts) == 13
    assert "Puoi pagare in 12 rate" in texts[0] and "RATA UNICA" not in texts[0]
    assert "Rata 12 entro il 01/12/2030 10,05 Euro" in texts[0]
    assert read_qr(pages(pdf)[12]) == qr_text(options[11])


def test_digital_stamp_is_paid_online_only() -> None:
    # Even with a postal account: a marca da bollo digitale cannot go on a bollettino.
    notice = dataclasses.replace(
        STAMP, creditor=dataclasses.replace(CREDITOR, postal_account=POSTAL)
    )
    pdf = render_notice(notice)
    [page] = pages(pdf)
    assert notice.single is not None and notice.stamp is not None
    assert read_qr(page) == qr_text(notice.single)
    assert read_datamatrix(page, timeout_ms=2000) == ""
    text = flat(pages_text(pdf)[0])
    for shown in (
        *SECTIONS,
        "MARCA DA BOLLO DIGITALE",
        "01 - imposta di bollo",
        notice.stamp.document_hash,
        "Provincia di residenza PI",
        "PAGA ONLINE",
        "si paga solo online",
        "16,00 Euro entro il 28/02/2030",
        grouped(notice.single.notice_number),
    ):
        assert shown in text, shown
    for absent in ("BANCHE E ALTRI CANALI", "PAGA SUL TERRITORIO", "BOLLETTINO", "CBILL"):
        assert absent not in text, absent


def _char_boxes(pdf: bytes, needle: str) -> list[tuple[float, float, float, float]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        textpage = document[0].get_textpage()
        searcher = textpage.search(needle)
        found = searcher.get_next()
        assert found, needle
        start, count = found
        return [textpage.get_charbox(i) for i in range(start, start + count)]
    finally:
        document.close()


def _all_boxes(pdf: bytes) -> list[tuple[float, float, float, float]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        textpage = document[0].get_textpage()
        return [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    finally:
        document.close()


def test_long_names_and_reasons_are_cut_not_overflowing() -> None:
    long_name = "Società Cooperativa Sociale " + "Onlus Servizi Integrati " * 8
    notice = dataclasses.replace(
        POSTAL_SINGLE,
        creditor=dataclasses.replace(POSTAL_SINGLE.creditor, name="Unione dei Comuni " * 12),
        debtor=dataclasses.replace(DEBTOR, name=long_name),
        subject="Canone per l'occupazione di suolo pubblico " * 10,
    )
    pdf = render_notice(notice)
    text = flat(pages_text(pdf)[0])
    assert long_name.strip() not in text and "Società Cooperativa Sociale Onlus" in text
    assert "…" in text
    boxes = _all_boxes(pdf)  # (left, bottom, right, top) of every character
    assert boxes and all(LEFT - 0.5 <= b[0] and b[2] <= RIGHT + 0.5 for b in boxes)
    # The creditor's name stays in its column (the debtor's starts beside it).
    creditor_line = _char_boxes(pdf, "Unione dei Comuni Unione")
    assert max(b[2] for b in creditor_line) <= LEFT + COLUMN + 0.5
    # The data matrix fields are cut to their widths, so every offset stays put.
    assert notice.single is not None
    payload = read_datamatrix(pages(pdf)[0])
    assert len(payload) == 256
    assert payload[93:133] == ("Societa Cooperativa Sociale " + "Onlus Servizi Integrati " * 8)[:40]
    assert payload[133:243] == " ".join(notice.subject.split())[:110]


def test_logo_is_optional() -> None:
    without = dataclasses.replace(SINGLE, creditor=dataclasses.replace(CREDITOR, logo=None))
    assert b"/Subtype /Image" in render_notice(SINGLE)
    assert b"/Subtype /Image" not in render_notice(without)
    assert read_qr(pages(render_notice(without))[0]).startswith("PAGOPA|002|")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"single": None}, "single payment, instalments, or both"),
        ({"instalments": [SINGLE.single]}, "one instalment alone"),
        ({"subject": "  "}, "subject"),
        (
            {"stamp": StampDetails("aGFzaA==", "PI"), "instalments": INSTALMENTS.instalments},
            "exactly one single payment",
        ),
    ],
)
def test_contradictory_notices_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidNotice, match=message):
        dataclasses.replace(SINGLE, **changes)  # type: ignore[arg-type]


def test_bad_creditor_data_is_refused_with_what_to_fix() -> None:
    with pytest.raises(InvalidNotice, match="CBILL code 'ab' must be 5"):
        Creditor(name="Comune", fiscal_code="80000000002", cbill_code="ab")
    with pytest.raises(InvalidNotice, match="11 digits"):
        Creditor(name="Comune", fiscal_code="8000000000")
    with pytest.raises(InvalidNotice, match="18 cifre"):
        PaymentOption("12345", Decimal("1.00"))


def test_a_missing_font_names_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLLAUDO_NOTICE_FONT_DIR", str(tmp_path))
    with pytest.raises(NoticeFontMissing, match="apt-get install fonts-dejavu-extra"):
        render_notice(SINGLE)


def test_the_qr_is_the_spec_s_version_4_with_error_correction_m() -> None:
    assert SINGLE.single is not None
    code = qr_code(SINGLE.qr_payload(SINGLE.single))
    assert len(code.matrix) == 33 and code.error == "M"


def test_make_notices_writes_a_png_per_page(tmp_path: Path) -> None:
    main(str(tmp_path))
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written == [
        "bollettino-postale-1.png",
        "marca-da-bollo-1.png",
        "rata-unica-1.png",
        "rate-1.png",
        "rate-2.png",
        "rate-3.png",
        "rate-4.png",
    ]
    with Image.open(tmp_path / "rate-1.png") as image:
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.01  # A4
        assert read_qr(image.convert("RGB")).startswith("PAGOPA|002|3012")


def test_an_amount_beyond_the_bollettino_s_digits_keeps_the_notice_without_it() -> None:
    huge = PaymentOption(notice_number(6000000000001), Decimal("150000000.00"), None)
    notice = dataclasses.replace(POSTAL_SINGLE, single=huge)
    assert not notice.postal
    text = flat(pages_text(render_notice(notice))[0])
    assert "150.000.000,00 Euro" in text and "BOLLETTINO POSTALE PA" not in text
    assert "senza scadenza" in text
