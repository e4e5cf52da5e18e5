"""Drawing primitives shared by the notice's sections: colours, labels, fitted values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from adapters.notice.fonts import BOLD, REGULAR
from adapters.notice.text import fit, wrap
from adapters.pagopa import format_it

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 12 * mm
LEFT = MARGIN
RIGHT = PAGE_WIDTH - MARGIN
CONTENT = RIGHT - LEFT
BOTTOM = 10 * mm

INK = HexColor("#17324D")
BLUE = HexColor("#0066CC")
GREY = HexColor("#5C6F82")
BAND = HexColor("#E8EEF4")
LINE = HexColor("#C5D1DC")


def euro(amount: Decimal) -> str:
    """``1.234,50`` (Italian grouping, decimal comma)."""
    return format_it(amount)


def day(value: date | None) -> str:
    """``dd/mm/yyyy``, or "senza scadenza"."""
    return value.strftime("%d/%m/%Y") if value else "senza scadenza"


def text(
    canvas: Canvas,
    x: float,
    y: float,
    value: str,
    *,
    size: float = 9,
    bold: bool = False,
    color: Color = INK,
    room: float | None = None,
    align: str = "left",
) -> float:
    """One line at baseline ``y``, cut to ``room`` points; returns its width."""
    font = BOLD if bold else REGULAR
    shown = fit(value, font, size, room) if room is not None else value
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    if align == "right":
        canvas.drawRightString(x, y, shown)
    elif align == "center":
        canvas.drawCentredString(x, y, shown)
    else:
        canvas.drawString(x, y, shown)
    return float(canvas.stringWidth(shown, font, size))


def lines(
    canvas: Canvas,
    x: float,
    y: float,
    value: str,
    *,
    room: float,
    max_lines: int,
    size: float = 9,
    bold: bool = False,
    color: Color = INK,
    leading: float | None = None,
) -> float:
    """A wrapped paragraph from baseline ``y`` down; returns the baseline after it."""
    font = BOLD if bold else REGULAR
    step = leading or size * 1.25
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    for line in wrap(value, font, size, room, max_lines):
        canvas.drawString(x, y, line)
        y -= step
    return y


def labelled(
    canvas: Canvas, x: float, y: float, label: str, value: str, room: float, size: float = 9
) -> None:
    """A small grey label with its bold value under it (label baseline at ``y``)."""
    text(canvas, x, y, label, size=6.5, color=GREY, room=room)
    text(canvas, x, y - size - 2.5, value, size=size, bold=True, room=room)


def band(canvas: Canvas, y_top: float, height: float) -> None:
    """The light band behind a section's title."""
    canvas.setFillColor(BAND)
    canvas.rect(LEFT, y_top - height, CONTENT, height, stroke=0, fill=1)


def frame(canvas: Canvas, y_top: float, height: float) -> None:
    """The thin border around a payment part."""
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(0.8)
    canvas.rect(LEFT, y_top - height, CONTENT, height, stroke=1, fill=0)
