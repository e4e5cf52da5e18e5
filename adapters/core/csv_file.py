"""A CSV file as offices save it: its encoding, its delimiter, its header, its records.

Encoding. UTF-8, with or without a byte-order mark, is read as such. A file that
is not valid UTF-8 is read as **Windows-1252** (what Excel on Windows writes for
"CSV (delimitato dal separatore di elenco)") only when that reading is
*unambiguous*, which here means all of:

- every byte is defined in Windows-1252 (0x81, 0x8D, 0x8F, 0x90 and 0x9D are not:
  a file holding one is in some other encoding);
- the text holds no control character but tab, carriage return and line feed (a
  NUL or another C0 byte means UTF-16 or a binary file, not a Windows text file;
  the same check refuses such a file when it happens to be valid UTF-8).

Otherwise the file is refused, naming the encoding tried and the first bad line.
A file that is valid UTF-8 is never read as Windows-1252, even when it would
also decode as such (e.g. pure ASCII): UTF-8 wins.

Delimiter: tab, ``;`` or ``,``, whichever the header line holds most (header
names hold none of them). Line numbers are physical lines, header = line 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.i18n import gettext as _

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "CsvFileError",
    "CsvLayout",
    "ENCODINGS",
    "detect_encoding",
    "records",
    "sniff_delimiter",
]

#: The encodings the proxy reads: how a job names them → Python codec.
ENCODINGS = {"UTF-8": "utf-8", "UTF-8 with BOM": "utf-8-sig", "Windows-1252": "cp1252"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DELIMITERS = ("\t", ";", ",")


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, header); no row was processed."""


@dataclass(frozen=True)
class CsvLayout:
    """What a whole-file check found: enough to read the rows later, job by job."""

    encoding: str  # a key of ENCODINGS
    delimiter: str
    header: list[str]  # normalised (stripped, lower case)
    raw_header: list[str]  # as the office wrote it (for errors.csv)
    total: int  # data rows, blank lines excluded


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _no_controls(text: str, encoding: str, not_utf8: str | None = None) -> None:
    control = _CONTROL.search(text)
    if control is None:
        return
    values = {
        "encoding": encoding,
        "char": f"0x{ord(control.group()):02x}",
        "line": text.count("\n", 0, control.start()) + 1,
        "not_utf8": not_utf8,
    }
    if not_utf8 is None:
        raise CsvFileError(
            _(
                "the file cannot be read: as %(encoding)s it holds the control character "
                "%(char)s on line %(line)s (UTF-16, or not a text file?); "
                "save it as 'CSV UTF-8' and import it again"
            )
            % values
        )
    raise CsvFileError(
        _(
            "the file cannot be read: %(not_utf8)s, and as %(encoding)s it holds the control "
            "character %(char)s on line %(line)s (UTF-16, or not a text file?); "
            "save it as 'CSV UTF-8' and import it again"
        )
        % values
    )


def detect_encoding(data: bytes) -> str:
    """The name (a key of :data:`ENCODINGS`) of the encoding to read ``data`` with."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8:
        utf8_line = _line_of(data, utf8.start)
        utf8_byte = data[utf8.start]
    else:
        _no_controls(text, "UTF-8")
        return "UTF-8 with BOM" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
    not_utf8 = _("it is not UTF-8 (byte %(byte)s on line %(line)s)") % {
        "byte": f"0x{utf8_byte:02x}",
        "line": utf8_line,
    }
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            _(
                "the file cannot be read: %(not_utf8)s, nor Windows-1252 (byte "
                "%(byte)s on line %(line)s is undefined there); "
                "save it as 'CSV UTF-8' and import it again"
            )
            % {
                "not_utf8": not_utf8,
                "byte": f"0x{data[exc.start]:02x}",
                "line": _line_of(data, exc.start),
            }
        ) from None
    _no_controls(text, "Windows-1252", not_utf8)
    return "Windows-1252"


def sniff_delimiter(header_line: str) -> str:
    """Tab, ``;`` or ``,``: whichever the header line uses most (ties: ``,``)."""
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def text_stream(data: bytes | Iterable[bytes], encoding: str) -> io.TextIOWrapper:
    """The file as text, decoded lazily (a 100,000-row file is not held twice); ``data`` is
    the file, or its parts in order (read one at a time, as the text is read)."""
    binary: io.BufferedIOBase
    if isinstance(data, bytes):
        binary = io.BytesIO(data)
    else:
        binary = io.BufferedReader(_Parts(iter(data)))
    return io.TextIOWrapper(binary, encoding=ENCODINGS[encoding], newline="")


class _Parts(io.RawIOBase):
    """A readable binary stream over a file's parts (a character may span two parts: the
    text wrapper's decoder is incremental)."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._rest = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._rest:
            part = next(self._parts, None)
            if part is None:
                return 0
            self._rest = memoryview(part)
        target = memoryview(buffer).cast("B")
        size = min(len(target), len(self._rest))
        target[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


def records(stream: io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line where the record starts, cells) for every record, header included.

    Raises :class:`CsvFileError` on a broken quote, naming the line.
    """
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    last = 0
    while True:
        start = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvFileError(
                _("line %(line)s: %(error)s; check the quotes")
                % {"line": reader.line_num, "error": _quote_error(exc)}
            ) from None
        last = reader.line_num
        yield start, cells


def _quote_error(exc: csv.Error) -> str:
    """The csv module's complaint in the office's words (its own text is English)."""
    text = str(exc)
    if text == "unexpected end of data":
        return _("a quoted value is never closed")
    if text.endswith("expected after '\"'"):
        return _('a quoted value goes on after its closing quote (write a quote inside as "")')
    if "new-line character seen in unquoted field" in text:
        return _("a line ends with a lone carriage return")
    return text


def is_blank(cells: list[str]) -> bool:
    """Blank lines (often at the end of a file) are not rows."""
    return not any(c.strip() for c in cells)
