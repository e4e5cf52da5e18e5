"""Fitting text into the notice's boxes: cut with an ellipsis, never overflowing."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

ELLIPSIS = "…"


def width(text: str, font: str, size: float) -> float:
    """The printed width of ``text`` in points."""
    return float(stringWidth(text, font, size))


def fit(text: str, font: str, size: float, room: float) -> str:
    """``text`` on one line of at most ``room`` points, cut with "…" when longer."""
    text = " ".join(text.split())
    if width(text, font, size) <= room:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if width(text[:mid].rstrip() + ELLIPSIS, font, size) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ELLIPSIS


def wrap(text: str, font: str, size: float, room: float, max_lines: int) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines of ``room`` points; the last one is
    cut with "…" when the text does not fit."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if width(candidate, font, size) <= room or not current:
            current = candidate
            continue
        if len(lines) == max_lines - 1:
            return [*lines, fit(" ".join([current, *words[index:]]), font, size, room)]
        lines.append(fit(current, font, size, room))
        current = word
    if current:
        lines.append(fit(current, font, size, room))
    return lines[:max_lines]
