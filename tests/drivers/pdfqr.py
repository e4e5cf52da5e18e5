"""Reading the QR code back out of a notice PDF, the way a citizen's phone would.

With ``pdftoppm`` (poppler) the page is rendered to an image. Without it, the PDF itself is
taken apart: every embedded image XObject is decoded, and the filled rectangles of the page
content (how a vector QR is drawn) are rasterised. Either way ``cv2.QRCodeDetector`` reads
the result: what is decoded is what the PDF really carries.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

_NUMBER = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_TOKEN = re.compile(rb"(" + _NUMBER + rb")|(/?[A-Za-z*]+)")


def _objects(pdf: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(dictionary, decoded stream) of every stream object."""
    for chunk in pdf.split(b"endobj"):
        start = chunk.find(b"stream")
        if start < 0:
            continue
        header = chunk[:start]
        body = chunk[start + len(b"stream") :].lstrip(b"\r\n")
        end = body.rfind(b"endstream")
        data = body[:end].rstrip(b"\r\n")
        filters = re.findall(rb"/(ASCII85Decode|FlateDecode)", header)
        for name in filters:
            if name == b"ASCII85Decode":
                text = data.strip()
                data = base64.a85decode(text if text.endswith(b"~>") else text + b"~>", adobe=True)
            elif name == b"FlateDecode":
                data = zlib.decompress(data)
        yield header, data


def _decode(image: np.ndarray) -> str:
    """Read a QR; a generous white margin helps when the printed quiet zone is thin."""
    for pad in (0, 40, 80):
        candidate = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            text, _, _ = detector.detectAndDecode(candidate)
            if text:
                return str(text)
    return ""


def _images(pdf: bytes) -> Iterator[np.ndarray]:
    for header, data in _objects(pdf):
        if b"/Image" not in header:
            continue
        width = int(re.search(rb"/Width (\d+)", header).group(1))  # type: ignore[union-attr]
        height = int(re.search(rb"/Height (\d+)", header).group(1))  # type: ignore[union-attr]
        channels = 3 if b"DeviceRGB" in header else 1
        pixels = np.frombuffer(data[: width * height * channels], np.uint8)
        image = (
            pixels.reshape(height, width, channels)
            if channels == 3
            else pixels.reshape(height, width)
        )
        yield cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if channels == 3 else image


def _vector(pdf: bytes, scale: float = 3.0) -> Iterator[np.ndarray]:
    """Rasterise the black filled rectangles of each page content stream."""
    for header, data in _objects(pdf):
        if b"/Image" in header or b" re" not in data:
            continue
        boxes = re.search(
            rb"/MediaBox \[ ?("
            + _NUMBER
            + rb") ("
            + _NUMBER
            + rb") ("
            + _NUMBER
            + rb") ("
            + _NUMBER
            + rb")",
            pdf,
        )
        width, height = (float(boxes.group(3)), float(boxes.group(4))) if boxes else (595.3, 841.9)
        image = np.full((int(height * scale), int(width * scale)), 255, np.uint8)
        stack: list[float] = []
        fill = 0
        path: list[tuple[float, float, float, float]] = []
        for number, operator in _TOKEN.findall(data):
            if number:
                stack.append(float(number))
                continue
            if operator == b"rg" and len(stack) >= 3:
                fill = 0 if max(stack[-3:]) < 0.5 else 255
            elif operator == b"g" and stack:
                fill = 0 if stack[-1] < 0.5 else 255
            elif operator == b"re" and len(stack) >= 4:
                path.append(tuple(stack[-4:]))  # type: ignore[arg-type]
            elif operator in (b"f", b"f*", b"F"):
                for x, y, w, h in path:
                    x0, x1 = sorted((x, x + w))
                    y0, y1 = sorted((height - y - h, height - y))
                    image[
                        round(y0 * scale) : round(y1 * scale), round(x0 * scale) : round(x1 * scale)
                    ] = fill
                path = []
            elif operator == b"n":
                path = []
            stack = []
        yield image


def decode_pdf_qr(pdf: bytes) -> str:
    """The text of the QR code printed in ``pdf`` ("" when none can be read)."""
    assert pdf.startswith(b"%PDF"), pdf[:20]
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as directory:
            source = Path(directory) / "notice.pdf"
            source.write_bytes(pdf)
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "200",
                    "-gray",
                    "-png",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    str(source),
                    str(Path(directory) / "page"),
                ],
                check=True,
                timeout=30,
            )
            [page] = Path(directory).glob("page*.png")
            rendered = cv2.imread(str(page), cv2.IMREAD_GRAYSCALE)
            text = _decode(rendered) if rendered is not None else ""
            if text:
                return text
    for image in (*_images(pdf), *_vector(pdf)):
        text = _decode(image)
        if text:
            return text
    return ""
