"""The payment parts of a notice, one per payment option: "BANCHE E ALTRI CANALI" (QR code,
CBILL code, notice code), "BOLLETTINO POSTALE PA" (Poste's data matrix), and the box of the
marca da bollo digitale a stamp notice buys. Each is drawn from a top edge down and returns
the top of what follows.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from adapters.notice.codes import draw_datamatrix, draw_qr
from adapters.notice.draw import (
    CONTENT,
    GREY,
    LEFT,
    RIGHT,
    band,
    day,
    euro,
    frame,
    labelled,
    lines,
    text,
)
from adapters.notice.model import Notice, PaymentOption, grouped
from adapters.notice.sections import GAP

BANK_HEIGHT = 150
POSTAL_HEIGHT = 158


def stamp_box(canvas: Canvas, notice: Notice, top: float) -> float:
    """The marca da bollo digitale the payment buys."""
    stamp = notice.stamp
    assert stamp is not None
    height = 52
    band(canvas, top, 18)
    frame(canvas, top, height)
    text(canvas, LEFT + 8, top - 12.5, "MARCA DA BOLLO DIGITALE", size=10, bold=True)
    text(canvas, RIGHT - 8, top - 12.5, "@e.bollo", size=9, color=GREY, align="right")
    third = (CONTENT - 16) / 3
    y = top - 30
    labelled(canvas, LEFT + 8, y, "Tipo bollo", f"{stamp.stamp_type} - imposta di bollo", third - 8)
    labelled(
        canvas,
        LEFT + 8 + third,
        y,
        "Impronta del documento (SHA-256)",
        stamp.document_hash,
        third * 1.5 - 8,
        size=8,
    )
    labelled(
        canvas, LEFT + 8 + third * 2.5, y, "Provincia di residenza", stamp.province, third * 0.5 - 8
    )
    return top - height - GAP


def _part_band(canvas: Canvas, top: float, title: str, rata: str, option: PaymentOption) -> None:
    band(canvas, top, 18)
    text(canvas, LEFT + 8, top - 12.5, title, size=10, bold=True)
    amount = f"Euro {euro(option.amount)}"
    width = text(canvas, RIGHT - 8, top - 12.5, amount, size=11, bold=True, align="right")
    when = f"{rata}  entro il {day(option.due_date)}" if option.due_date else rata
    text(canvas, RIGHT - 20 - width, top - 12.5, when, size=9, bold=True, align="right")


def bank_part(
    canvas: Canvas, notice: Notice, option: PaymentOption, top: float, rata: str
) -> float:
    """BANCHE E ALTRI CANALI (PAGA ONLINE for a digital stamp): QR code and codes."""
    creditor = notice.creditor
    title = "PAGA ONLINE" if notice.stamp else "BANCHE E ALTRI CANALI"
    _part_band(canvas, top, title, rata, option)
    frame(canvas, top, BANK_HEIGHT)
    side = 34 * mm
    draw_qr(canvas, notice.qr_payload(option), LEFT + 4, top - 22 - side, side)
    cbill = creditor.cbill_code if notice.stamp is None else None
    caption = (
        "Qui accanto trovi il codice QR"
        + (" e il codice interbancario CBILL" if cbill else "")
        + " per pagare attraverso il circuito bancario e gli altri canali di pagamento "
        "abilitati."
        if notice.stamp is None
        else "Inquadra il codice QR o usa il codice avviso sul sito o con l'app dell'Ente "
        "Creditore."
    )
    x = LEFT + side + 14
    room = RIGHT - 8 - x
    y = top - 32
    labelled(canvas, x, y, "Destinatario", notice.debtor.name, room * 0.5 - 14)
    labelled(canvas, x + room * 0.5, y, "Ente Creditore", creditor.name, room * 0.5)
    y -= 26
    text(canvas, x, y, "Oggetto del pagamento", size=6.5, color=GREY)
    lines(canvas, x, y - 11.5, notice.subject, room=room, max_lines=2, size=9, bold=True)
    y -= 44
    columns = ([("Codice CBILL", cbill, 0.2)] if cbill else []) + [
        ("Codice Avviso", grouped(option.notice_number), 0.45),
        ("Cod. Fiscale Ente Creditore", creditor.fiscal_code, 0.35),
    ]
    cx = x
    for label, value, share in columns:
        labelled(canvas, cx, y, label, value, room * share - 6, size=11)
        cx += room * share
    lines(canvas, x, y - 28, caption, room=room, max_lines=2, size=7.5, color=GREY)
    text(
        canvas,
        RIGHT - 8,
        top - BANK_HEIGHT + 6,
        f"IUV {option.iuv}",
        size=6.5,
        color=GREY,
        align="right",
    )
    return top - BANK_HEIGHT - GAP


def postal_part(
    canvas: Canvas, notice: Notice, option: PaymentOption, top: float, rata: str
) -> float:
    """BOLLETTINO POSTALE PA: Poste's data matrix and the bollettino's fields."""
    account = notice.creditor.postal_account
    assert account is not None
    _part_band(canvas, top, "BOLLETTINO POSTALE PA", rata, option)
    frame(canvas, top, POSTAL_HEIGHT)
    side = 30 * mm
    draw_datamatrix(canvas, notice.datamatrix_payload(option), LEFT + 6, top - 24 - side, side)
    lines(
        canvas,
        LEFT + 8,
        top - 34 - side,
        "Bollettino Postale pagabile in tutti gli Uffici Postali e sui canali fisici o "
        "digitali abilitati di Poste Italiane e dell'Ente Creditore",
        room=side + 12,
        max_lines=4,
        size=6.5,
        color=GREY,
    )
    x = LEFT + side + 22
    room = RIGHT - 8 - x
    y = top - 32
    labelled(canvas, x, y, "sul C/C n.", account.number, room * 0.5 - 14, size=11)
    labelled(canvas, x + room * 0.5, y, "Euro", euro(option.amount), room * 0.5, size=11)
    y -= 26
    labelled(canvas, x, y, "Intestato a", account.holder, room * 0.5 - 14)
    labelled(canvas, x + room * 0.5, y, "Destinatario", notice.debtor.name, room * 0.5)
    y -= 24
    text(canvas, x, y, "Oggetto del pagamento", size=6.5, color=GREY)
    lines(canvas, x, y - 11.5, notice.subject, room=room, max_lines=2, size=9, bold=True)
    y -= 42
    for label, value, share, size in (
        ("Codice Avviso", grouped(option.notice_number), 0.45, 11),
        ("Tipo", "P1", 0.15, 11),
        ("Cod. Fiscale Ente Creditore", notice.creditor.fiscal_code, 0.4, 11),
    ):
        labelled(canvas, x, y, label, value, room * share - 6, size=size)
        x += room * share
    if account.authorization:
        text(
            canvas,
            LEFT + side + 22,
            top - POSTAL_HEIGHT + 6,
            f"Autorizzazione Poste Italiane {account.authorization}",
            size=6.5,
            color=GREY,
            room=CONTENT / 2,
        )
    return top - POSTAL_HEIGHT - GAP
