"""The notice's pages: the first with every option, then one page per instalment."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from adapters.notice.draw import BOTTOM, MARGIN, PAGE_HEIGHT, PAGE_WIDTH
from adapters.notice.fonts import register_fonts
from adapters.notice.model import Notice, PaymentOption
from adapters.notice.parts import BANK_HEIGHT, POSTAL_HEIGHT, bank_part, postal_part, stamp_box
from adapters.notice.sections import GAP, header, how_much_and_where, parties

TOP = PAGE_HEIGHT - MARGIN


def _parts(canvas: Canvas, notice: Notice, option: PaymentOption, y: float, rata: str) -> float:
    """The payment parts of one option, on a new page when they do not fit below ``y``."""
    needed = BANK_HEIGHT + GAP + ((POSTAL_HEIGHT + GAP) if notice.postal else 0)
    if y - needed < BOTTOM:
        canvas.showPage()
        y = parties(canvas, notice, header(canvas, notice, TOP, compact=True))
    y = bank_part(canvas, notice, option, y, rata)
    if notice.postal:
        y = postal_part(canvas, notice, option, y, rata)
    return y


def render_notice(notice: Notice) -> bytes:
    """The A4 notice as PDF bytes (byte-for-byte reproducible for the same data).

    Raises :class:`~adapters.notice.fonts.NoticeFontMissing` when the font is not installed.
    """
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    first = notice.options[0]
    canvas.setTitle(f"Avviso di pagamento {first.notice_number}")
    canvas.setAuthor(notice.creditor.name)
    canvas.setSubject(notice.subject)

    y = parties(canvas, notice, header(canvas, notice, TOP))
    y = how_much_and_where(canvas, notice, y)
    if notice.stamp is not None:
        y = stamp_box(canvas, notice, y)
    if notice.single is not None:
        _parts(canvas, notice, notice.single, y, "RATA UNICA")
    total = len(notice.instalments)
    for number, instalment in enumerate(notice.instalments, start=1):
        canvas.showPage()
        y = parties(canvas, notice, header(canvas, notice, TOP, compact=True))
        _parts(canvas, notice, instalment, y, f"RATA {number} DI {total}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
