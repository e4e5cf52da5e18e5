"""Parse a CSV file of pending payments ("dovuti") into validated rows.

Columns (header names, case-insensitive, in any order):

================================ ======== ==============================================
column                           required meaning
================================ ======== ==============================================
notice_number                    no       18-digit numero avviso already issued
                                          (mod-93 check digit verified); empty: the proxy
                                          creates the position on the intermediary
amount                           yes      euros, decimal comma or point ("20,00", "20.00",
                                          "1.234,56")
reason                           yes      causale, at most 140 characters
expire_at                        yes      due date: ``YYYY-MM-DD``, ``DD/MM/YYYY`` or ISO
                                          8601 date-time; a date means the end of that day
                                          (Europe/Rome); may be empty to use the service's
                                          validity in days
payer_type                       yes      ``human`` or ``legal`` (empty: ``human``)
payer_tax_identification_number  yes      codice fiscale (16 characters) or, for ``legal``,
                                          11-digit partita IVA
payer_name                       yes      given name, or company name for ``legal``
payer_family_name                yes      family name (may be empty for ``legal``)
payer_email                      yes      e-mail address (may be empty)
remote_id                        no       UUID of the platform object the payment belongs to
created_at                       no       ISO 8601 date-time the debt was created
payer_street_name,               no       payer's address; ``payer_country_subdivision``
payer_building_number,                    is the 2-letter province (needed for the marca
payer_postal_code,                        da bollo digitale)
payer_town_name,
payer_country_subdivision,
payer_country
================================ ======== ==============================================

The delimiter is tab, ``;`` or ``,`` (read from the header line); the file is
UTF-8, with or without a byte-order mark, or Windows-1252 when that reading is
unambiguous (see :mod:`adapters.core.csv_file`). Line numbers in errors count the
header as line 1 and are physical lines, so they match what an editor shows.
The columns ``line`` and ``error_reason`` that ``errors.csv`` adds are recognised
and skipped, so a corrected errors file imports as it is.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from adapters.core.csv_file import (
    CsvFileError,
    CsvLayout,
    detect_encoding,
    is_blank,
    records,
    sniff_delimiter,
    text_stream,
)
from adapters.core.models import Payer
from adapters.i18n import gettext as _
from adapters.pagopa import (
    InvalidAmount,
    InvalidFiscalCode,
    InvalidNoticeNumber,
    NoticeNumber,
    parse_amount,
    validate_creditor_fiscal_code,
    validate_personal_fiscal_code,
)

REQUIRED_COLUMNS = (
    "amount",
    "reason",
    "expire_at",
    "payer_type",
    "payer_tax_identification_number",
    "payer_name",
    "payer_family_name",
    "payer_email",
)
ADDRESS_COLUMNS = (
    "payer_street_name",
    "payer_building_number",
    "payer_postal_code",
    "payer_town_name",
    "payer_country_subdivision",
    "payer_country",
)
OPTIONAL_COLUMNS = ("notice_number", "remote_id", "created_at", *ADDRESS_COLUMNS)
KNOWN_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
#: The columns ``errors.csv`` adds to the office's own (``reason`` is the causale).
ERROR_COLUMNS = ("line", "error_reason")
MAX_ROWS = 200_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _rome() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Rome")
    except Exception:  # no tz database: UTC is a safe, documented fallback
        return UTC


@dataclass(frozen=True)
class RowError:
    """Why one row was refused; ``line`` is the physical line where the row starts."""

    line: int
    reason: str
    field: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class CsvRow:
    """A valid row, normalised; ``row_key`` makes a second import of it a no-op."""

    line: int
    amount: Decimal
    reason: str
    payer: Payer
    expire_at: datetime | None
    notice_number: str | None = None
    iuv: str | None = None
    remote_id: uuid.UUID | None = None
    created_at: datetime | None = None
    row_key: str = ""


@dataclass
class ParsedCsv:
    rows: list[CsvRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    delimiter: str = ","
    ignored_columns: list[str] = field(default_factory=list)
    total: int = 0
    encoding: str = "UTF-8"


#: The two day formats as offices write them, read without strptime (which costs ~0.1 ms
#: a try, and a DD/MM/YYYY file paid two tries a row); anything else takes strptime's way.
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ITALIAN_DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def _plain_day(text: str) -> date | None:
    if found := _ISO_DAY.fullmatch(text):
        year, month, day = found.groups()
    elif found := _ITALIAN_DAY.fullmatch(text):
        day, month, year = found.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None  # e.g. 31/02: strptime's way gives the refusal


def parse_datetime(value: str, what: str, *, end_of_day: bool) -> datetime:
    text = value.strip()
    plain = _plain_day(text)
    if plain is not None:
        return _at(plain, end_of_day)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return _at(day, end_of_day)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            _(
                "%(column)s %(value)r is not a date: use YYYY-MM-DD, DD/MM/YYYY or an ISO 8601 "
                "date-time such as 2025-12-31T23:59:59+01:00"
            )
            % {"column": what, "value": text}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_rome())


def _at(day: date, end_of_day: bool) -> datetime:
    return datetime.combine(day, time(23, 59, 59) if end_of_day else time(0), tzinfo=_rome())


def _fiscal_code(value: str, payer_type: str) -> str:
    text = value.strip().upper()
    if payer_type == "legal" and text.isdigit():
        return validate_creditor_fiscal_code(text)
    return validate_personal_fiscal_code(text)


def row_key(tenant_id: uuid.UUID, service_id: uuid.UUID, row: CsvRow) -> str:
    """tenant+notice when the row names a notice, else a hash of the normalised row."""
    if row.notice_number:
        return f"notice:{tenant_id}:{row.notice_number}"
    payer = row.payer
    parts = [
        str(tenant_id),
        str(service_id),
        f"{row.amount:.2f}",
        " ".join(row.reason.split()).casefold(),
        row.expire_at.astimezone(UTC).isoformat() if row.expire_at else "",
        payer.type,
        payer.tax_identification_number,
        " ".join(payer.name.split()).casefold(),
        " ".join((payer.family_name or "").split()).casefold(),
        str(row.remote_id or ""),
    ]
    return "row:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class _RowRefused(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _cell(record: dict[str, str], column: str) -> str:
    return (record.get(column) or "").strip()


def _required(record: dict[str, str], column: str, hint: str) -> str:
    """The cell's value; refused when empty, with ``hint`` (translated) on what to write."""
    value = _cell(record, column)
    if not value:
        raise _RowRefused(
            column, _("%(column)s is empty: %(hint)s") % {"column": column, "hint": hint}
        )
    return value


def parse_row(record: dict[str, str], line: int, now: datetime) -> CsvRow:
    """Validate one record (column → cell); raises :class:`_RowRefused` on the first problem."""
    notice_text = _cell(record, "notice_number")
    notice: NoticeNumber | None = None
    if notice_text:
        try:
            notice = NoticeNumber.parse(notice_text)
        except InvalidNoticeNumber as exc:
            raise _RowRefused("notice_number", str(exc)) from None
    try:
        amount = parse_amount(
            _required(record, "amount", _("write the amount in euros, e.g. 20,00")),
            allow_zero=False,
        )
    except InvalidAmount as exc:
        raise _RowRefused("amount", str(exc)) from None
    reason = " ".join(_required(record, "reason", _("write the payment reason")).split())
    if len(reason) > 140:
        raise _RowRefused(
            "reason",
            _("reason has %(count)s characters, at most 140 allowed") % {"count": len(reason)},
        )
    expire_at: datetime | None = None
    if _cell(record, "expire_at"):
        try:
            expire_at = parse_datetime(_cell(record, "expire_at"), "expire_at", end_of_day=True)
        except ValueError as exc:
            raise _RowRefused("expire_at", str(exc)) from None
        if expire_at <= now:
            raise _RowRefused(
                "expire_at",
                _("expire_at %(date)s is already past: write a due date still to come")
                % {"date": expire_at.date().isoformat()},
            )
    payer_type = (_cell(record, "payer_type") or "human").lower()
    if payer_type not in ("human", "legal"):
        raise _RowRefused(
            "payer_type",
            _("payer_type %(value)r must be human or legal") % {"value": payer_type},
        )
    try:
        tax_id = _fiscal_code(
            _required(
                record,
                "payer_tax_identification_number",
                _("write the payer's fiscal code"),
            ),
            payer_type,
        )
    except InvalidFiscalCode as exc:
        raise _RowRefused("payer_tax_identification_number", str(exc)) from None
    email = _cell(record, "payer_email") or None
    if email and not _EMAIL.match(email):
        raise _RowRefused(
            "payer_email", _("payer_email %(value)r is not an e-mail address") % {"value": email}
        )
    remote_id: uuid.UUID | None = None
    if _cell(record, "remote_id"):
        try:
            remote_id = uuid.UUID(_cell(record, "remote_id"))
        except ValueError:
            raise _RowRefused("remote_id", _("remote_id must be a UUID")) from None
    created_at: datetime | None = None
    if _cell(record, "created_at"):
        try:
            created_at = parse_datetime(_cell(record, "created_at"), "created_at", end_of_day=False)
        except ValueError as exc:
            raise _RowRefused("created_at", str(exc)) from None
    address = {c.removeprefix("payer_"): _cell(record, c) or None for c in ADDRESS_COLUMNS}
    if address["country_subdivision"]:
        address["country_subdivision"] = address["country_subdivision"].upper()
    payer = Payer(
        type="legal" if payer_type == "legal" else "human",
        tax_identification_number=tax_id,
        name=_required(record, "payer_name", _("write the payer's name")),
        family_name=_cell(record, "payer_family_name") or None,
        email=email,
        **address,
    )
    return CsvRow(
        line=line,
        amount=amount,
        reason=reason,
        payer=payer,
        expire_at=expire_at,
        notice_number=notice.notice_number if notice else None,
        iuv=notice.iuv if notice else None,
        remote_id=remote_id,
        created_at=created_at,
    )


def check_header(cells: list[str], delimiter: str) -> list[str]:
    """The normalised header; :class:`CsvFileError` when a required column is missing."""
    header = [h.strip().lstrip("\ufeff").lower() for h in cells]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        shown = _("tab") if delimiter == "\t" else repr(delimiter)
        found = ", ".join(h for h in header if h)
        if not found:
            raise CsvFileError(
                _(
                    "the header (line 1, delimiter %(delimiter)s) lacks the columns "
                    "%(missing)s; it names no column: the first line must be the header"
                )
                % {"delimiter": shown, "missing": ", ".join(missing)}
            )
        raise CsvFileError(
            _(
                "the header (line 1, delimiter %(delimiter)s) lacks the columns "
                "%(missing)s; found %(found)s"
            )
            % {"delimiter": shown, "missing": ", ".join(missing), "found": found}
        )
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise CsvFileError(
            _("the header repeats the columns %(columns)s: keep one of each")
            % {"columns": ", ".join(duplicated)}
        )
    return header


def ignored_columns(header: list[str]) -> list[str]:
    return [h for h in header if h not in KNOWN_COLUMNS and h not in ERROR_COLUMNS]


def inspect_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> CsvLayout:
    """Check the whole file (encoding, header, quotes, size) without validating rows.

    CPU-bound for a large file: call it in a thread from async code.
    """
    encoding = detect_encoding(data)
    stream = text_stream(data, encoding)
    first = stream.readline()
    if not first.strip() and not stream.read(1).strip():
        raise CsvFileError(
            _("the file is empty: the first line must be the header, e.g. %(header)s")
            % {"header": ",".join(REQUIRED_COLUMNS)}
        )
    delimiter = sniff_delimiter(first)
    stream.seek(0)
    found = records(stream, delimiter)
    _line, raw_header = next(found)
    header = check_header(raw_header, delimiter)
    total = 0
    for _line, cells in found:
        if is_blank(cells):
            continue
        total += 1
        if total > max_rows:
            raise CsvFileError(
                _("the file has more than %(max)s rows: split it into smaller files")
                % {"max": f"{max_rows:,}"}
            )
    return CsvLayout(encoding, delimiter, header, [c.lstrip("\ufeff") for c in raw_header], total)


def _pydantic_reason(column: str, error: Any) -> str:
    """A pydantic limit said in the office's words (the ones a CSV cell can break)."""
    limit = (error.get("ctx") or {}).get("max_length")
    if error.get("type") == "string_too_long" and limit is not None:
        return _("%(column)s is longer than %(max)s characters: shorten it") % {
            "column": column,
            "max": limit,
        }
    return _("%(column)s is not valid: %(error)s") % {"column": column, "error": error["msg"]}


def read_row(
    header: list[str],
    cells: list[str],
    line: int,
    now: datetime,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
) -> CsvRow | RowError:
    """One record checked: the valid row with its key, or why it is refused."""
    if len(cells) != len(header):
        return RowError(
            line,
            _(
                "the row has %(cells)s cells but the header has %(columns)s; "
                "check for a stray delimiter (quote values that contain it)"
            )
            % {"cells": len(cells), "columns": len(header)},
        )
    try:
        row = parse_row(dict(zip(header, cells, strict=True)), line, now)
    except _RowRefused as exc:
        return RowError(line, exc.reason, exc.column)
    except ValidationError as exc:  # pydantic limits (e.g. a name longer than 255)
        first = exc.errors()[0]
        column = "payer_" + "_".join(str(p) for p in first["loc"])
        return RowError(line, _pydantic_reason(column, first), column)
    return replace(row, row_key=row_key(tenant_id, service_id, row))


def parse_csv(
    data: bytes, tenant_id: uuid.UUID, service_id: uuid.UUID, *, now: datetime | None = None
) -> ParsedCsv:
    """Read the whole file; valid rows and per-row errors, never stopping at a bad row."""
    layout = inspect_csv(data)
    now = now or datetime.now(UTC)
    parsed = ParsedCsv(
        delimiter=layout.delimiter,
        ignored_columns=ignored_columns(layout.header),
        total=layout.total,
        encoding=layout.encoding,
    )
    found = records(text_stream(data, layout.encoding), layout.delimiter)
    next(found)
    for line, cells in found:
        if is_blank(cells):
            continue
        checked = read_row(layout.header, cells, line, now, tenant_id, service_id)
        if isinstance(checked, RowError):
            parsed.errors.append(checked)
        else:
            parsed.rows.append(checked)
    return parsed
