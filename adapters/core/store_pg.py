"""The proxy's durable state in PostgreSQL, shared by several proxy replicas.

``COLLAUDO_DB=postgresql://user:password@host:5432/db`` (or ``postgres://``) opens a
:class:`PostgresStore` instead of the SQLite file (:meth:`Store.open` looks at the
scheme). It is the same :class:`~adapters.core.store.Store`: every query method is
inherited and runs through :class:`~adapters.core.store_dialect.PgConnection`, which
rewrites the store's SQLite dialect for PostgreSQL; only the connection layer
differs. Opening applies the schema's migrations under an advisory lock
(:mod:`adapters.core.store_pg_schema`).

Connections come from a pool (``psycopg_pool``): a call borrows one for its
transaction or query and gives it back, so threads (Starlette's pool) run their
store calls side by side, and a connection the server dropped is replaced.
:meth:`group` and each write transaction keep one connection for their length, bound
to the calling thread: that thread's store calls inside use it (a read sees the
transaction's writes, a write inside a group is a savepoint of it, as on SQLite's one
connection), while other threads keep using their own connections.

The interface stays synchronous, as the SQLite store's: ~70 call sites in
``adapters.api`` and ``adapters.core`` call it, from the event loop and from the
thread pool, and an async store would change every one of them. A call therefore
holds its caller (on the event loop: every coroutine) for its round trips to the
server; ``benchmarks/bench_core.py --store both`` prints that cost per operation,
beside SQLite's. The password is never logged: errors and :attr:`location` show the
URL with ``***`` instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from adapters.core.crash import crash_point
from adapters.core.store import DEFAULT_STORE_PATH, Store
from adapters.core.store_dialect import Connection, PgConnection, Row, mask_url, pg_sql
from adapters.core.store_pg_schema import migrate

__all__ = ["PostgresStore", "StoreUnreachable"]

POOL_SIZE = 8  # connections per process at most: a replica's thread pool plus its loop
CONNECT_TIMEOUT = 10  # seconds to reach the server before saying so
# Every session's limits: a call waits for another replica's row at most as long as SQLite
# waits for its file lock (30 s), and a replica hung inside a transaction (alive, not
# dead: the server ends a dead one's at once) releases its rows after a minute.
SESSION_SETTINGS = {"lock_timeout": "30s", "idle_in_transaction_session_timeout": "60s"}


def _configure(connection: psycopg.Connection[Any]) -> None:
    for name, value in SESSION_SETTINGS.items():
        connection.execute("SELECT set_config(%s, %s, false)", (name, value))


class StoreUnreachable(OSError):
    """The PostgreSQL server could not be reached, or refused the login or the database."""


class _NoConnection:
    """Where the SQLite store keeps its connection: PostgresStore borrows from its pool."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(
            f"PostgresStore has no single connection ({name}): use _tx() or _query()"
        )


def _scrub(error: BaseException, url: str) -> str:
    """An error's text without the URL's password (psycopg may echo parts of the URL)."""
    text = str(error).strip().replace(url, mask_url(url))  # libpq quotes a URL it cannot parse
    try:
        password = psycopg.conninfo.conninfo_to_dict(url).get("password")
    except psycopg.Error:
        found = re.match(r"[^:]+://[^:/@]*:([^@]*)@", url)
        password = unquote(found.group(1)) if found else None
    if password:
        text = text.replace(str(password), "***")
    return text


class PostgresStore(Store):
    """:class:`~adapters.core.store.Store` on a PostgreSQL database (see above)."""

    SKIP_LOCKED: ClassVar[str] = " FOR UPDATE SKIP LOCKED"
    INTEGRITY_ERRORS: ClassVar[tuple[type[Exception], ...]] = (psycopg.errors.IntegrityError,)

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]], url: str) -> None:
        super().__init__(_NoConnection(), None)  # type: ignore[arg-type]
        self._pool = pool
        self._bound = threading.local()  # .connection: the group() of this thread
        self.location = mask_url(url)

    @classmethod
    def open(cls, path: str | Path = DEFAULT_STORE_PATH) -> PostgresStore:
        """Connect to the database at the URL ``path``, migrating its schema first."""
        url = str(path)
        where = mask_url(url)
        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except (psycopg.ProgrammingError, ValueError) as exc:
            raise StoreUnreachable(
                f"COLLAUDO_DB={where} is not a PostgreSQL URL libpq accepts: {_scrub(exc, url)}; "
                "write it as postgresql://user:password@host:5432/database"
            ) from None
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as db:
                migrate(db)
        except psycopg.OperationalError as exc:
            raise StoreUnreachable(
                f"cannot open the PostgreSQL store at {where}: {_scrub(exc, url)}; check that "
                "the server runs and accepts connections at that host and port, that the "
                "database exists (createdb), and the user and password in COLLAUDO_DB"
            ) from exc
        except psycopg.Error as exc:
            raise StoreUnreachable(
                f"cannot prepare the PostgreSQL store at {where}: {_scrub(exc, url)}; the "
                "user needs the right to create tables in the database (its schema)"
            ) from exc
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            kwargs={
                "autocommit": True,  # transactions are explicit (_tx, group)
                "row_factory": dict_row,
                "connect_timeout": CONNECT_TIMEOUT,
            },
            configure=_configure,
            name="collaudo-store",
            open=False,
        )
        try:
            pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout as exc:
            pool.close()
            raise StoreUnreachable(
                f"the PostgreSQL store at {where} accepted one connection but not the pool's "
                f"({POOL_SIZE} at most): check the server's max_connections"
            ) from exc
        return cls(pool, url)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _borrowed(self) -> Iterator[psycopg.Connection[Any]]:
        bound = getattr(self._bound, "connection", None)
        if bound is not None:
            yield bound
            return
        with self._pool.connection() as connection:
            yield connection

    @contextmanager
    def _bind(self, connection: psycopg.Connection[Any]) -> Iterator[None]:
        """While inside, this thread's store calls use ``connection`` (its transaction),
        as they use the one SQLite connection: a read sees the transaction's writes."""
        self._bound.connection = connection
        try:
            yield
        finally:
            self._bound.connection = None

    @contextmanager
    def group(self, label: str = "group") -> Iterator[None]:
        """One transaction for many writes (see :meth:`Store.group`); on PostgreSQL only
        the calling thread's writes join it, other threads go on with their own."""
        if getattr(self._bound, "connection", None) is not None:
            raise RuntimeError("Store.group() does not nest")
        with self._pool.connection() as connection, self._bind(connection):
            with connection.transaction():
                yield
                crash_point(f"store.{label}.before_commit")
        crash_point(f"store.{label}.after_commit")

    @contextmanager
    def _tx(self, label: str = "write") -> Iterator[Connection]:
        if getattr(self._bound, "connection", None) is not None:
            yield from self._savepoint()
            return
        with self._pool.connection() as connection, self._bind(connection):
            with connection.transaction():
                yield PgConnection(connection)
                crash_point(f"store.{label}.before_commit")
        crash_point(f"store.{label}.after_commit")

    def _savepoint(self) -> Iterator[Connection]:
        connection = self._bound.connection
        with connection.transaction():  # nested: a savepoint, rolled back alone on error
            yield PgConnection(connection)

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with self._borrowed() as connection:
            rows: list[Row] = connection.execute(pg_sql(sql), tuple(params)).fetchall()
            return rows
