"""The seam between the store's SQL and its two databases, SQLite and PostgreSQL.

The store's queries are written once, in SQLite's dialect (``?`` placeholders,
``INSERT OR IGNORE``, ``BEGIN IMMEDIATE``). :func:`pg_sql` rewrites such a statement
for PostgreSQL and :class:`PgConnection` runs it there, so the store's methods run
unchanged on either connection (both satisfy :class:`Connection`). Rows are read by
column name on both (``sqlite3.Row`` and psycopg's ``dict_row``: :class:`Row`).
What cannot be rewritten textually is bridged in the database instead: the
PostgreSQL schema defines ``json_extract`` and ``julianday`` as SQLite has them
(see :mod:`adapters.core.store_pg_schema`).

:func:`is_database_url` tells a ``COLLAUDO_DB`` URL from a file path, and
:func:`mask_url` prints one without its password.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "Connection",
    "Cursor",
    "PgConnection",
    "Row",
    "is_database_url",
    "mask_url",
    "pg_sql",
    "store_location",
]

_SCHEMES = ("postgresql://", "postgres://")


class Row(Protocol):
    """A result row, read by column name."""

    def __getitem__(self, key: str, /) -> Any: ...


class Cursor(Protocol):
    """What the store reads from an executed statement."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What the store's methods use of a connection inside a transaction."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Any, /) -> Cursor: ...


def is_database_url(location: str | Path) -> bool:
    """True for a PostgreSQL URL (``postgresql://…``, ``postgres://…``), not a file path."""
    return isinstance(location, str) and location.strip().lower().startswith(_SCHEMES)


def store_location(text: str) -> str | Path:
    """A ``COLLAUDO_DB``/``--db`` value: the URL as given, or the file path."""
    text = text.strip()
    return text if is_database_url(text) else Path(text)


def mask_url(location: str | Path) -> str:
    """The location fit for logs and errors: a URL's password replaced by ``***``."""
    text = str(location)
    if not is_database_url(text):
        return text
    try:
        parts = urlsplit(text)
    except ValueError:  # not even a URL: hide whatever could be a password
        text = re.sub(r"(?i)(password=)[^&\s]*", r"\1***", text)
        return re.sub(r"^([^:]+://[^:/@]*):[^@]*@", r"\1:***@", text)
    masked = re.sub(r"(?i)(password=)[^&\s]*", r"\1***", parts.query)
    netloc = parts.netloc
    if "@" in netloc:
        credentials, host = netloc.rsplit("@", 1)
        if ":" in credentials:
            credentials = credentials.split(":", 1)[0] + ":***"
        netloc = f"{credentials}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, masked, parts.fragment))


_LITERAL_OR_MARK = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_RETURNING = re.compile(r"\sRETURNING\s", re.IGNORECASE)


def _mark(match: re.Match[str]) -> str:
    token = match.group(0)
    if token == "?":
        return "%s"
    if token == "%":
        return "%%"
    return token.replace("%", "%%")  # psycopg reads placeholders inside literals too


@lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """A statement in the store's SQLite dialect, rewritten for PostgreSQL."""
    stripped = sql.strip()
    if stripped.upper() == "BEGIN IMMEDIATE":  # PostgreSQL locks rows as they are written
        return "BEGIN"
    text = _LITERAL_OR_MARK.sub(_mark, sql)
    if _INSERT_OR_IGNORE.match(text):
        text = _INSERT_OR_IGNORE.sub("INSERT INTO", text, count=1)
        returning = _RETURNING.search(text)
        if returning:
            at = returning.start()
            text = f"{text[:at]} ON CONFLICT DO NOTHING{text[at:]}"
        else:
            text += " ON CONFLICT DO NOTHING"
    return text


class PgConnection:
    """A psycopg connection taking the store's SQLite-dialect statements."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.raw = connection

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        # Always with a parameter tuple: psycopg then reads %% as a literal % (it does
        # not look at a statement run without parameters).
        return self.raw.execute(pg_sql(sql), tuple(parameters))

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        cursor.executemany(pg_sql(sql), [tuple(p) for p in parameters])
        return cursor
