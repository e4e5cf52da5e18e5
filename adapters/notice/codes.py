"""The two codes of a notice, drawn as vector modules (sharp at any print resolution).

- the pagoPA QR code: version 4 (33×33), error correction M, byte mode (notice spec,
  "Codice QR"), with its 4-module quiet zone;
- Poste's ECC200 data matrix (pyStrich's encoder, symbol size chosen for the payload),
  with a 2-module quiet zone.
"""

from __future__ import annotations

import segno
from pystrich.datamatrix import DataMatrixData, DataMatrixEncoder
from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas

QR_VERSION = 4
QR_ERROR = "m"
QR_QUIET_ZONE = 4
DM_QUIET_ZONE = 2


def qr_code(payload: str) -> segno.QRCode:
    """The notice QR code: version 4, error correction M, byte mode."""
    return segno.make(payload, version=QR_VERSION, error=QR_ERROR, mode="byte", boost_error=False)


def datamatrix_modules(payload: str) -> list[list[bool]]:
    """The data matrix's modules (finder pattern included, no quiet zone); ASCII payload."""
    encoder = DataMatrixEncoder(DataMatrixData(payload, encoding="ascii"), quiet_zone=0)
    return [[bool(cell) for cell in row] for row in encoder.init_renderer().matrix]


def _draw_modules(
    canvas: Canvas, modules: list[list[bool]], x: float, y: float, side: float, quiet: int
) -> None:
    count = len(modules) + 2 * quiet
    module = side / count
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    top = y + side - quiet * module
    path = canvas.beginPath()  # one filled path: a single fill operator for the whole code
    for row_index, row in enumerate(modules):
        col = 0
        while col < len(row):  # one rectangle per horizontal run of dark modules
            if not row[col]:
                col += 1
                continue
            start = col
            while col < len(row) and row[col]:
                col += 1
            path.rect(
                x + (quiet + start) * module,
                top - (row_index + 1) * module,
                (col - start) * module,
                module,
            )
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, side: float) -> None:
    """The QR with its quiet zone in a ``side``-point square, lower-left corner at (x, y)."""
    matrix = [[bool(m & 1) for m in row] for row in qr_code(payload).matrix]
    _draw_modules(canvas, matrix, x, y, side, QR_QUIET_ZONE)


def draw_datamatrix(canvas: Canvas, payload: str, x: float, y: float, side: float) -> None:
    """The data matrix with its quiet zone in a ``side``-point square at (x, y)."""
    _draw_modules(canvas, datamatrix_modules(payload), x, y, side, DM_QUIET_ZONE)
