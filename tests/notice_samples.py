"""The four notices of docs/notice/, shared by the renderer's tests and ``make notices``.

``python -m tests.notice_samples [FOLDER]`` renders each to PDF and writes page PNGs
(pypdfium2, 110 dpi) into FOLDER (default docs/notice), to compare with pagoPA's notice.
"""

from __future__ import annotations

import base64
import io
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw

from adapters.notice import (
    Creditor,
    Debtor,
    Notice,
    PaymentOption,
    PostalAccount,
    StampDetails,
    render_notice,
)
from adapters.pagopa import document_hash, generate_notice


def notice_number(base: int) -> str:
    return str(generate_notice(3, base, segregation_code="01"))


def demo_logo() -> bytes:
    """A small crest drawn here (PNG), standing in for a municipality's logo."""
    image = Image.new("RGB", (120, 140), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon([(10, 10), (110, 10), (110, 80), (60, 130), (10, 80)], fill="#0066CC")
    draw.rectangle([35, 35, 85, 85], fill="white")
    draw.rectangle([50, 20, 70, 100], fill="#F2C200")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


LOGO_DATA_URL = "data:image/png;base64," + base64.b64encode(demo_logo()).decode()

CREDITOR = Creditor(
    name="Comune di Bugliano",
    fiscal_code="80000000002",
    office="Settore Entrate - Ufficio Tributi",
    contact_info=(
        "Piazza del Municipio 1, Bugliano · tel. 050 000000 · tributi@comune.bugliano.pi.it"
    ),
    website="www.comune.bugliano.pi.it",
    cbill_code="A1B2C",
    logo=demo_logo(),
)
POSTAL = PostalAccount(
    number="12345678",
    holder="Comune di Bugliano - Servizio Tesoreria",
    authorization="AUT/2026/0042",
)
DEBTOR = Debtor(
    name="Niccolò Dell'Acqua",
    fiscal_code="DLLNCC80A01G702Q",
    address="Via Giosuè Carducci 12, 56100 Bugliano (PI)",
)

SINGLE = Notice(
    creditor=CREDITOR,
    debtor=DEBTOR,
    subject="Diritti di segreteria per occupazione suolo pubblico - pratica n. 2026/117",
    single=PaymentOption(notice_number(1234567890123), Decimal("1234.50"), date(2030, 1, 31)),
)
INSTALMENTS = Notice(
    creditor=Creditor(**{**CREDITOR.__dict__, "postal_account": POSTAL}),
    debtor=DEBTOR,
    subject="TARI 2026 - Tassa sui rifiuti, utenza domestica di via Carducci 12",
    single=PaymentOption(notice_number(2000000000001), Decimal("300.00"), date(2030, 4, 16)),
    instalments=[
        PaymentOption(notice_number(2000000000002), Decimal("100.00"), date(2030, 4, 16)),
        PaymentOption(notice_number(2000000000003), Decimal("100.00"), date(2030, 7, 16)),
        PaymentOption(notice_number(2000000000004), Decimal("100.00"), date(2030, 10, 16)),
    ],
)
POSTAL_SINGLE = Notice(
    creditor=Creditor(**{**CREDITOR.__dict__, "postal_account": POSTAL}),
    debtor=DEBTOR,
    subject="Canone unico patrimoniale (CUP) 2026 - passo carrabile",
    single=PaymentOption(notice_number(3000000000001), Decimal("87.25"), date(2030, 3, 31)),
)
STAMP = Notice(
    creditor=CREDITOR,
    debtor=DEBTOR,
    subject="Marca da bollo per l'istanza di residenza n. 2026/554",
    single=PaymentOption(notice_number(4000000000001), Decimal("16.00"), date(2030, 2, 28)),
    stamp=StampDetails(
        document_hash=document_hash(b"istanza di residenza 2026/554"), province="PI"
    ),
)

SAMPLES = {
    "rata-unica": SINGLE,
    "rate": INSTALMENTS,
    "bollettino-postale": POSTAL_SINGLE,
    "marca-da-bollo": STAMP,
}


def page_images(pdf: bytes, dpi: int = 110) -> list[Image.Image]:
    """Every page of ``pdf`` rendered to a PIL image (pypdfium2)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def main(folder: str = "docs/notice") -> None:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, notice in SAMPLES.items():
        for old in target.glob(f"{name}-*.png"):
            old.unlink()
        pages = page_images(render_notice(notice))
        for number, image in enumerate(pages, start=1):
            path = target / f"{name}-{number}.png"
            # 64 colours without dithering: crisp text, a fraction of the bytes.
            image.convert("RGB").quantize(
                64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
            ).save(path, optimize=True)
            print(f"wrote {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
