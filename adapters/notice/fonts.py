"""The notice's typeface: DejaVu Sans Condensed, from Debian's ``fonts-dejavu-extra``.

A free font with every Italian glyph (à è é ì ò ù, the euro sign, typographic quotes),
embedded in the PDF as a subset, so the text stays searchable and prints the same
everywhere. It is read from its installed path, never downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_PACKAGE = "fonts-dejavu-extra"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "NoticeSans"
BOLD = "NoticeSans-Bold"
_FILES = {REGULAR: "DejaVuSansCondensed.ttf", BOLD: "DejaVuSansCondensed-Bold.ttf"}


class NoticeFontMissing(RuntimeError):
    """The notice font is not installed; the message names the package to install."""


def font_dir() -> Path:
    """Where the font files are: ``$COLLAUDO_NOTICE_FONT_DIR`` or Debian's path."""
    return Path(os.environ.get("COLLAUDO_NOTICE_FONT_DIR") or FONT_DIR)


def register_fonts() -> None:
    """Make :data:`REGULAR` and :data:`BOLD` known to reportlab (once)."""
    directory = font_dir()
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in _FILES.items():
        path = directory / filename
        if not path.is_file():  # checked every time: a removed package fails loudly
            raise NoticeFontMissing(
                f"the notice font {path} is missing: install the Debian package "
                f"{FONT_PACKAGE} (apt-get install {FONT_PACKAGE}), or point "
                "COLLAUDO_NOTICE_FONT_DIR at a folder holding "
                f"{', '.join(_FILES.values())}"
            )
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))
