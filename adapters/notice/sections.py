"""The upper sections of the notice, each drawn from a top edge down; each returns its bottom.

Texts are the standard notice's (pagoPA "Avviso di pagamento"): section titles, channels,
the amount disclaimer. Every variable value is fitted to its box (cut with "…").
"""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from adapters.notice.draw import (
    BLUE,
    CONTENT,
    GREY,
    LEFT,
    LINE,
    RIGHT,
    day,
    euro,
    lines,
    text,
)
from adapters.notice.model import Notice, PaymentOption

GAP = 10
COLUMN = (CONTENT - 2 * GAP) / 2
RIGHT_COLUMN = LEFT + COLUMN + 2 * GAP
MAX_LISTED = 40

DISCLAIMER = (
    "L'importo è aggiornato automaticamente dal sistema e potrebbe subire variazioni per "
    "eventuali sgravi, note di credito, indennità di mora, sanzioni o interessi, ecc. Un "
    "operatore, il sito o l'app che userai ti potrebbero quindi chiedere una cifra diversa "
    "da quella qui indicata."
)


def header(canvas: Canvas, notice: Notice, top: float, *, compact: bool = False) -> float:
    """Logo, "AVVISO DI PAGAMENTO" and the subject; the pagoPA mark on the right."""
    logo_side = 16 * mm if compact else 22 * mm
    x = LEFT
    if notice.creditor.logo:
        image = ImageReader(io.BytesIO(notice.creditor.logo))
        canvas.drawImage(
            image,
            LEFT,
            top - logo_side,
            logo_side,
            logo_side,
            preserveAspectRatio=True,
            anchor="c",
            mask="auto",
        )
        x = LEFT + logo_side + 4 * mm
    text(canvas, RIGHT, top - 16, "pagoPA", size=16, bold=True, color=BLUE, align="right")
    room = RIGHT - x - 70
    text(canvas, x, top - 10, "AVVISO DI PAGAMENTO", size=9, bold=True, color=BLUE)
    size = 12 if compact else 15
    bottom = lines(
        canvas,
        x,
        top - 12 - size,
        notice.subject,
        room=room,
        max_lines=1 if compact else 2,
        size=size,
        bold=True,
    )
    bottom = min(bottom + size * 1.25 - 4, top - logo_side if notice.creditor.logo else top)
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(0.8)
    canvas.line(LEFT, bottom - 6, RIGHT, bottom - 6)
    return bottom - 10


def _party(
    canvas: Canvas,
    x: float,
    top: float,
    title: str,
    fiscal_code: str,
    name: str,
    details: list[tuple[str, int, float]],
) -> float:
    width = text(canvas, x, top - 9, title, size=8, bold=True)
    text(
        canvas,
        x + width + 8,
        top - 9,
        f"Cod. Fiscale {fiscal_code}",
        size=8,
        color=GREY,
        room=COLUMN - width - 8,
    )
    y = lines(canvas, x, top - 24, name, room=COLUMN, max_lines=2, size=11, bold=True)
    for value, max_lines, size in details:
        y = lines(canvas, x, y, value, room=COLUMN, max_lines=max_lines, size=size)
    return y


def parties(canvas: Canvas, notice: Notice, top: float) -> float:
    """ENTE CREDITORE and DESTINATARIO AVVISO, side by side."""
    creditor = notice.creditor
    details: list[tuple[str, int, float]] = []
    if creditor.office:
        details.append((creditor.office, 1, 9))
    if creditor.contact_info:
        details.append((creditor.contact_info, 2, 8))
    left = _party(canvas, LEFT, top, "ENTE CREDITORE", creditor.fiscal_code, creditor.name, details)
    debtor = notice.debtor
    right = _party(
        canvas,
        RIGHT_COLUMN,
        top,
        "DESTINATARIO AVVISO",
        debtor.fiscal_code,
        debtor.name,
        [(debtor.address, 2, 9)] if debtor.address else [],
    )
    return min(left, right) - 2


def _options_line(notice: Notice) -> str:
    count = len(notice.instalments)
    if notice.stamp is not None:
        return "Marca da bollo digitale: imposta di bollo assolta in modo virtuale (@e.bollo)."
    if count and notice.single:
        return f"Puoi pagare con una unica rata oppure in {count} rate (vedi pagine seguenti)."
    if count:
        return f"Puoi pagare in {count} rate (vedi pagine seguenti)."
    return "Puoi pagare con una unica rata."


def _amount_line(canvas: Canvas, y: float, option: PaymentOption) -> None:
    width = text(canvas, LEFT, y, f"{euro(option.amount)} Euro", size=16, bold=True)
    when = f"entro il {day(option.due_date)}" if option.due_date else "senza scadenza"
    text(canvas, LEFT + width + 8, y, when, size=10, room=COLUMN - width - 8)


def _options_table(canvas: Canvas, notice: Notice, y: float) -> float:
    rows = [("Rata unica", notice.single)] if notice.single else []
    rows += [(f"Rata {n}", o) for n, o in enumerate(notice.instalments, start=1)]
    shown = rows if len(rows) <= MAX_LISTED else rows[: MAX_LISTED - 1]
    for name, option in shown:
        assert option is not None
        text(canvas, LEFT, y, name, size=8.5, bold=True)
        text(
            canvas,
            LEFT + 55,
            y,
            f"entro il {day(option.due_date)}" if option.due_date else "senza scadenza",
            size=8.5,
        )
        text(
            canvas,
            LEFT + COLUMN,
            y,
            f"{euro(option.amount)} Euro",
            size=8.5,
            bold=True,
            align="right",
        )
        y -= 11
    if len(shown) < len(rows):
        text(
            canvas,
            LEFT,
            y,
            f"… e altre {len(rows) - len(shown)} rate nelle pagine seguenti",
            size=8.5,
            color=GREY,
        )
        y -= 11
    return y


def _channels(notice: Notice) -> list[tuple[str, str]]:
    site = "del tuo Ente Creditore"
    if notice.creditor.website:
        site += f" ({notice.creditor.website})"
    if notice.stamp is not None:
        return [
            (
                "PAGA SUL SITO O CON LE APP",
                f"{site}. La marca da bollo digitale si paga solo online, sul sito o con "
                "l'app dell'Ente Creditore: non è pagabile in banca, negli uffici postali o "
                "presso altri esercenti.",
            )
        ]
    poste = ", di Poste Italiane" if notice.postal else ""
    where = "in tutti gli Uffici Postali, in Banca" if notice.postal else "in Banca"
    return [
        (
            "PAGA SUL SITO O CON LE APP",
            f"{site}{poste}, della tua Banca o degli altri canali di pagamento. "
            "Potrai pagare con carte, conto corrente, CBILL.",
        ),
        (
            "PAGA SUL TERRITORIO",
            f"{where}, in Ricevitoria, dal Tabaccaio, al Bancomat, al Supermercato. "
            "Potrai pagare in contanti, con carte o conto corrente.",
        ),
    ]


def how_much_and_where(canvas: Canvas, notice: Notice, top: float) -> float:
    """ "QUANTO E QUANDO PAGARE?" on the left, "DOVE PAGARE?" on the right."""
    text(canvas, LEFT, top - 12, "QUANTO E QUANDO PAGARE?", size=10, bold=True)
    y = top - 34
    if notice.single:
        _amount_line(canvas, y, notice.single)
        y -= 14
    y = lines(canvas, LEFT, y, _options_line(notice), room=COLUMN, max_lines=2, size=8.5)
    if notice.instalments:
        y = _options_table(canvas, notice, y - 2)
    left = lines(canvas, LEFT, y - 3, DISCLAIMER, room=COLUMN, max_lines=5, size=7, color=GREY)

    x = RIGHT_COLUMN
    text(canvas, x, top - 12, "DOVE PAGARE?", size=10, bold=True)
    channels = "Lista dei canali di pagamento su www.pagopa.gov.it"
    text(canvas, x, top - 24, channels, size=7.5, color=GREY, room=COLUMN)
    right = top - 38
    for title, body in _channels(notice):
        text(canvas, x, right, title, size=8.5, bold=True)
        right = lines(canvas, x, right - 11, body, room=COLUMN, max_lines=4, size=8) - 5
    bottom = min(left, right)
    text(
        canvas,
        LEFT + CONTENT / 2,
        bottom - 6,
        "Utilizza la porzione di avviso relativa al canale di pagamento che preferisci.",
        size=8.5,
        bold=True,
        align="center",
        color=BLUE,
    )
    return bottom - 16
