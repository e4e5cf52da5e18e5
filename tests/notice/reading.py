"""Reading a notice PDF back as a citizen, a counter clerk and a search engine would.

Pages are rendered with pypdfium2; the QR code is read with OpenCV, the data matrix with
libdmtx (pylibdmtx), the text layer with pypdf. Nothing here knows how the notice was drawn.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image
from pypdf import PdfReader

try:
    from pylibdmtx.pylibdmtx import decode as dmtx_decode
except ImportError as exc:  # the wrapper is on PyPI, the library itself is Debian's
    raise ImportError(
        f"{exc}: the notice tests read data matrices with libdmtx: apt-get install libdmtx0b"
    ) from exc

from tests.notice_samples import page_images


def pages_text(pdf: bytes) -> list[str]:
    """The extracted text of every page."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace collapsed, so a phrase can be searched across line breaks."""
    return " ".join(text.split())


def pages(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    return page_images(pdf, dpi=dpi)


def read_qr(page: Image.Image) -> str:
    """The QR code on a page ("" when none reads)."""
    gray = cv2.cvtColor(np.array(page.convert("RGB")), cv2.COLOR_RGB2GRAY)
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        text, _, _ = detector.detectAndDecode(gray)
        if text:
            return str(text)
    return ""


def read_datamatrix(page: Image.Image, timeout_ms: int = 20000) -> str:
    """The data matrix on a page (libdmtx), "" when none is found within the timeout."""
    found = dmtx_decode(page.convert("L"), timeout=timeout_ms, max_count=1)
    return found[0].data.decode("latin-1") if found else ""
