"""The paper notice (avviso di pagamento) rendered locally, as an A4 PDF.

Drivers whose intermediary does not print notices (GPD) render it here: creditor, debtor,
subject, amount, due date, the notice code and the QR code with the payload of the pagoPA
notice specification (``PAGOPA|002|<notice>|<creditor CF>|<cents>``; QR version 4, 33×33
modules, error correction M, byte mode — "Avviso 3.0", dati per il pagamento, codice QR).
The QR is drawn as vector modules, so it stays sharp at any print or render resolution.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import segno
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from adapters.core.intermediary import PositionContext
from adapters.pagopa import build_qr_payload, format_it

QR_VERSION = 4
QR_ERROR = "m"
QR_MODULE = 1.2 * mm
QR_QUIET_ZONE = 4  # modules of white border, as ISO/IEC 18004 asks
BLUE = HexColor("#0066CC")
GREY = HexColor("#5C6F82")


@dataclass(frozen=True)
class NoticeData:
    """What a notice shows."""

    creditor_name: str
    creditor_fiscal_code: str
    debtor_name: str
    debtor_fiscal_code: str
    subject: str
    amount: Decimal
    notice_number: str
    due_date: date | None = None
    debtor_address: str | None = None

    @property
    def qr_payload(self) -> str:
        # strict=False: pagoPA's own test creditor (77777777777) fails the check digit.
        return build_qr_payload(
            self.notice_number, self.creditor_fiscal_code, self.amount, strict=False
        )


def notice_data(ctx: PositionContext) -> NoticeData:
    """The notice of a position, from what the proxy knows about it."""
    debtor = ctx.debtor
    address_parts = [
        " ".join(p for p in (debtor.street_name, debtor.building_number) if p),
        " ".join(p for p in (debtor.postal_code, debtor.town_name) if p),
        f"({debtor.province})" if debtor.province else "",
    ]
    address = " ".join(p for p in address_parts if p).strip() or None
    return NoticeData(
        creditor_name=ctx.creditor.creditor_name,
        creditor_fiscal_code=ctx.position.creditor_fiscal_code,
        debtor_name=debtor.full_name or debtor.fiscal_code,
        debtor_fiscal_code=debtor.fiscal_code,
        subject=ctx.reason,
        amount=ctx.position.amount,
        notice_number=ctx.position.notice_number,
        due_date=ctx.expire_at.date() if ctx.expire_at else None,
        debtor_address=address,
    )


def qr_code(payload: str) -> segno.QRCode:
    """The notice QR code: version 4, error correction M, byte mode."""
    return segno.make(payload, version=QR_VERSION, error=QR_ERROR, mode="byte", boost_error=False)


def grouped(notice_number: str) -> str:
    """The notice code in blocks of four digits, as printed on notices."""
    return " ".join(notice_number[i : i + 4] for i in range(0, len(notice_number), 4))


def _draw_qr(canvas: Canvas, payload: str, x: float, y: float) -> float:
    """Draw the QR with its quiet zone, lower-left corner at (x, y); return its side."""
    matrix = qr_code(payload).matrix
    size = len(matrix)
    side: float = (size + 2 * QR_QUIET_ZONE) * QR_MODULE
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    top = y + side - QR_QUIET_ZONE * QR_MODULE
    for row_index, row in enumerate(matrix):
        for col_index, module in enumerate(row):
            if module & 1:
                canvas.rect(
                    x + (QR_QUIET_ZONE + col_index) * QR_MODULE,
                    top - (row_index + 1) * QR_MODULE,
                    QR_MODULE,
                    QR_MODULE,
                    stroke=0,
                    fill=1,
                )
    return side


def _label(canvas: Canvas, x: float, y: float, label: str, value: str, size: int = 11) -> None:
    canvas.setFillColor(GREY)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(x, y, label.upper())
    canvas.setFillColor(black)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(x, y - size - 2, value)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines[:4] or [""]


def render_notice(data: NoticeData) -> bytes:
    """The A4 notice as PDF bytes (byte-for-byte reproducible for the same data)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"Avviso di pagamento {data.notice_number}")
    canvas.setAuthor(data.creditor_name)
    canvas.setSubject(data.subject)
    width, height = A4
    left = 20 * mm
    right = width - 20 * mm

    canvas.setFillColor(BLUE)
    canvas.rect(0, height - 32 * mm, width, 32 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawString(left, height - 18 * mm, "AVVISO DI PAGAMENTO")
    canvas.setFont("Helvetica", 10)
    canvas.drawString(left, height - 25 * mm, "pagoPA — sistema dei pagamenti della PA")
    canvas.drawRightString(right, height - 18 * mm, data.creditor_name[:60])

    y = height - 48 * mm
    canvas.setFillColor(black)
    canvas.setFont("Helvetica-Bold", 13)
    for line in _wrap(data.subject, 70):
        canvas.drawString(left, y, line)
        y -= 6 * mm

    y -= 6 * mm
    _label(canvas, left, y, "Ente creditore", data.creditor_name[:60])
    _label(canvas, left, y - 12 * mm, "Codice fiscale ente", data.creditor_fiscal_code)
    _label(canvas, width / 2, y, "Destinatario dell'avviso", data.debtor_name[:45])
    _label(canvas, width / 2, y - 12 * mm, "Codice fiscale destinatario", data.debtor_fiscal_code)
    if data.debtor_address:
        canvas.setFont("Helvetica", 9)
        canvas.drawString(width / 2, y - 28 * mm, data.debtor_address[:60])

    y -= 42 * mm
    canvas.setStrokeColor(BLUE)
    canvas.setLineWidth(1)
    canvas.line(left, y + 8 * mm, right, y + 8 * mm)
    _label(canvas, left, y, "Importo", f"{format_it(data.amount)} euro", size=18)
    due = data.due_date.strftime("%d/%m/%Y") if data.due_date else "senza scadenza"
    _label(canvas, width / 2, y, "Entro il", due, size=18)

    y -= 20 * mm
    _label(canvas, left, y, "Codice avviso", grouped(data.notice_number), size=14)
    _label(canvas, left, y - 14 * mm, "Codice fiscale ente creditore", data.creditor_fiscal_code)

    side = _draw_qr(canvas, data.qr_payload, right - 58 * mm, y - 50 * mm)
    canvas.setFont("Helvetica", 7)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(right - 58 * mm + side / 2, y - 54 * mm, data.qr_payload)

    canvas.setFillColor(black)
    canvas.setFont("Helvetica", 9)
    text_y = y - 36 * mm
    for line in (
        "Puoi pagare con carte, conto corrente o altri canali sul sito o sull'app",
        "dell'ente, sull'app IO, presso banche, uffici postali, sportelli ATM,",
        "punti vendita SISAL, Lottomatica e Banca 5, inquadrando il codice QR",
        "o indicando il codice avviso e il codice fiscale dell'ente.",
    ):
        canvas.drawString(left, text_y, line)
        text_y -= 5 * mm

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
