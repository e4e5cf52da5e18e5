"""The paper notice (avviso di pagamento) behind ``urlFileAvviso`` and ``base64ZipAvviso``.

A real, small one-page PDF (reportlab) with creditor, debtor, subject, amount, due date,
codice avviso and the pagoPA QR code ``PAGOPA|002|<notice>|<creditor CF>|<cents>``
(ISO/IEC 18004, error correction M, drawn with segno).
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import segno
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from simulators.mypay.model import Position

QR_QUIET_ZONE = 4  # modules of white border around the QR, as ISO/IEC 18004 asks
QR_SCALE = 6  # pixels per module in the embedded PNG


def qr_payload(notice_number: str, creditor_fiscal_code: str, amount: Decimal) -> str:
    """The pagoPA notice QR string; the amount in euro cents, at least two digits."""
    cents = int((amount * 100).to_integral_value())
    return f"PAGOPA|002|{notice_number}|{creditor_fiscal_code}|{cents:02d}"


def _grouped(notice_number: str) -> str:
    return " ".join(notice_number[i : i + 4] for i in range(0, len(notice_number), 4))


def _euro(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", ".") + f",{cents} €"


def _qr_image(payload: str) -> Image.Image:
    """The QR code as the 1-bit image its PNG decodes to, without writing and reading a PNG
    (segno's pure-Python PNG writer and Pillow's decoder cost more than the drawing)."""
    # Imported here: numpy costs ~0.1 CPU-s to import, and every process that serves the
    # MyPay simulator (each `collaudo run` worker) imports this module, most never rendering.
    import numpy

    matrix = numpy.array(
        segno.make_qr(payload, error="m", boost_error=False).matrix, dtype=numpy.uint8
    )
    light = numpy.pad(matrix == 0, QR_QUIET_ZONE, constant_values=True)
    pixels = light.repeat(QR_SCALE, axis=0).repeat(QR_SCALE, axis=1)
    return Image.fromarray(pixels)


def render_pdf(position: Position) -> bytes:
    """The notice PDF of ``position``."""
    creditor = position.creditor
    payload = qr_payload(position.notice_number, creditor.fiscal_code, position.amount)
    qr_image = _qr_image(payload)

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Avviso di pagamento {position.notice_number}")
    pdf.setAuthor(f"{creditor.name} (MyPay simulator)")
    pdf.setSubject(payload)
    width, height = A4
    y = height - 25 * mm
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(20 * mm, y, "AVVISO DI PAGAMENTO")
    y -= 10 * mm
    pdf.setFont("Helvetica", 11)
    lines = [
        ("Oggetto", position.causale[:90]),
        ("Ente creditore", creditor.name),
        ("Codice fiscale ente", creditor.fiscal_code),
        ("Destinatario", position.debtor.name),
        ("Codice fiscale destinatario", position.debtor.fiscal_code),
        ("Importo", _euro(position.amount)),
        ("Scadenza", position.due_date.strftime("%d/%m/%Y") if position.due_date else "-"),
        ("Codice avviso", _grouped(position.notice_number)),
        ("Codice IUV", position.iuv),
    ]
    for label, value in lines:
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(20 * mm, y, label)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(75 * mm, y, value)
        y -= 7 * mm
    size = 45 * mm
    qr_x, qr_y = width - 20 * mm - size, height - 30 * mm - size
    pdf.drawImage(ImageReader(qr_image), qr_x, qr_y, size, size)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(
        20 * mm, 20 * mm, "Paga con pagoPA: inquadra il codice QR o usa il codice avviso."
    )
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def zip_pdf(position: Position, pdf: bytes) -> bytes:
    """A zip holding the notice PDF, as MyPay returns in ``base64ZipAvviso``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"avviso_{position.iuv}.pdf", pdf)
    return out.getvalue()
