"""Claims and leases: how replicas sharing one store split the work without doing it twice.

Two kinds, both expiring (a replica that dies holds nothing once its lease is over):

- **row claims**: ``lease_owner`` and ``lease_until`` on ``payments`` (status checks,
  creation retries), ``notifications`` and ``imports`` (a job). A due-work query claims
  the rows it returns in one statement (:meth:`LeaseStore._claim`)::

      UPDATE t SET lease_owner = :me, lease_until = :until
      WHERE key IN (SELECT key FROM t WHERE <due> AND <free> ORDER BY .. LIMIT n SKIP_LOCKED)
        AND <free>
      RETURNING ..

  ``<free>`` (no lease, an expired one, or one of ``:me``) is checked again outside the subquery: on
  PostgreSQL (READ COMMITTED) a claimer that waited for another's row lock re-reads the
  row and leaves it when the other claimed it; on SQLite writers take turns anyway.
  Saving the payment, or marking the notification sent or failed, releases the claim.
- **named leases** (table ``leases``: name, owner, until) for work one replica does at a
  time: the outbox publisher (a payment's events must reach the bus in order, which
  split batches would not keep), the retention pruner. Renewed by the holder at each
  batch that has work; taken by another replica once expired.

Lease times are wall-clock (``time.time()``), not the service's clock: they measure
whether a process is still alive, not when a payment is due.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from adapters.core.replica import default_replica_id

__all__ = ["CLAIM_COLUMNS", "LEASE_SCHEMA", "POSTGRES_CLAIM_UPGRADE", "LeaseStore", "upgrade"]

LEASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY, owner TEXT NOT NULL, until REAL NOT NULL);
"""

#: The claim columns of each claimable table (added to a store made before claims).
CLAIM_COLUMNS = {
    table: (("lease_owner", "TEXT"), ("lease_until", "REAL"))
    for table in ("payments", "notifications", "imports")
}
_CLAIM_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {table}_lease ON {table} (lease_owner) "
    "WHERE lease_owner IS NOT NULL"
    for table in CLAIM_COLUMNS
]

#: The same for PostgreSQL (times as DOUBLE PRECISION: its REAL is 4 bytes, too coarse
#: for POSIX seconds), a database that knows ``ADD COLUMN IF NOT EXISTS``.
POSTGRES_CLAIM_UPGRADE = (
    LEASE_SCHEMA.replace("REAL", "DOUBLE PRECISION")
    + "".join(
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} "
        f"{'DOUBLE PRECISION' if kind == 'REAL' else kind};\n"
        for table, columns in CLAIM_COLUMNS.items()
        for name, kind in columns
    )
    + "".join(f"{sql};\n" for sql in _CLAIM_INDEXES)
)


def upgrade(db: sqlite3.Connection) -> None:
    """Add the claim columns and the ``leases`` table to a SQLite store (new or older than
    claims), in one transaction: replicas opening an old file at once take turns."""
    db.executescript(LEASE_SCHEMA)
    db.execute("BEGIN IMMEDIATE")
    try:
        for table, columns in CLAIM_COLUMNS.items():
            have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        for sql in _CLAIM_INDEXES:
            db.execute(sql)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


class LeaseStore:
    """Claims and named leases; mixed into :class:`~adapters.core.store.Store`."""

    # Provided by Store ("" on SQLite, " FOR UPDATE SKIP LOCKED" on PostgreSQL).
    SKIP_LOCKED: ClassVar[str]

    # Provided by Store; typed loosely, as the store's connection and rows are SQLite's or
    # PostgreSQL's.
    def _tx(self, label: str = "write") -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        raise NotImplementedError

    def _claim(
        self,
        table: str,
        key: str,
        due: str,
        order: str,
        params: Sequence[object],
        *,
        columns: str,
        limit: int,
        owner: str | None,
        seconds: float,
        prefer_own: bool = False,
        also_set: str = "",
        also_params: Sequence[object] = (),
    ) -> list[Any]:
        """Claim up to ``limit`` rows of ``table`` that are ``due`` and not leased by another
        replica, for ``seconds``; returns their ``columns`` (in no particular order).
        Rows ``owner`` holds count as free: a renewal, or a replica restarted under the
        same ``COLLAUDO_REPLICA_ID`` taking its work back at once. ``prefer_own``: those
        come first. ``owner`` None: this process
        (:func:`~adapters.core.replica.default_replica_id`)."""
        owner = owner or default_replica_id()
        now = time.time()
        free = "(lease_owner = ? OR lease_until IS NULL OR lease_until <= ?)"
        first = "CASE WHEN lease_owner = ? THEN 0 ELSE 1 END, " if prefer_own else ""
        sql = (
            f"UPDATE {table} SET lease_owner = ?, lease_until = ?{also_set} "
            f"WHERE {key} IN (SELECT {key} FROM {table} WHERE {due} AND {free} "
            f"ORDER BY {first}{order} LIMIT ?{self.SKIP_LOCKED}) AND {free} "
            f"RETURNING {columns}"
        )
        # Most calls find nothing to do (a loop woken by every write): a read says so
        # without taking the write lock the other replicas are waiting for.
        probe = f"SELECT 1 FROM {table} WHERE {due} AND {free} LIMIT 1"
        if not self._query(probe, [*params, owner, now]):
            return []
        values = [owner, now + seconds, *also_params, *params, owner, now]
        values += [owner] if prefer_own else []
        values += [limit, owner, now]
        with self._tx(f"claim.{table}") as db:
            rows: list[Any] = db.execute(sql, values).fetchall()
        return rows

    def release_payments(self, payment_ids: Sequence[uuid.UUID], owner: str) -> None:
        """Give back claimed payments not worked on (a batch cut short)."""
        self._release("payments", [str(p) for p in payment_ids], owner)

    def release_notifications(self, notification_ids: Sequence[int], owner: str) -> None:
        """Give back claimed notifications not attempted (a batch cut short)."""
        self._release("notifications", list(notification_ids), owner)

    def _release(self, table: str, keys: Sequence[object], owner: str) -> None:
        if not keys:
            return
        with self._tx("release") as db:
            db.executemany(
                f"UPDATE {table} SET lease_owner = NULL, lease_until = NULL "
                "WHERE id = ? AND lease_owner = ?",
                [(key, owner) for key in keys],
            )

    def acquire_lease(self, name: str, owner: str, seconds: float) -> bool:
        """Take (or renew, once half of it is gone) the named lease for ``seconds``; False
        while another replica holds it unexpired."""
        now = time.time()
        # Read first: most calls find the lease held by another replica, or by this one
        # for long enough still; neither needs the write lock.
        held = self._query("SELECT owner, until FROM leases WHERE name = ?", (name,))
        if held and held[0]["until"] > now:
            if held[0]["owner"] != owner:
                return False
            if held[0]["until"] - now > seconds / 2:
                return True
        with self._tx("lease") as db:
            row = db.execute(
                "INSERT INTO leases (name, owner, until) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until "
                "WHERE leases.owner = excluded.owner OR leases.until <= ? RETURNING owner",
                (name, owner, now + seconds, now),
            ).fetchone()
        return row is not None

    def release_lease(self, name: str, owner: str) -> None:
        """Give the named lease up, if this owner holds it."""
        with self._tx("lease") as db:
            db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    def lease_holder(self, name: str) -> str | None:
        """Who holds the named lease now (None: nobody, or only an expired holder)."""
        rows = self._query(
            "SELECT owner FROM leases WHERE name = ? AND until > ?", (name, time.time())
        )
        return str(rows[0]["owner"]) if rows else None

    def claim_owners(self) -> set[str]:
        """Every replica holding an unexpired claim or lease now."""
        now = time.time()
        owners = {
            str(row["owner"])
            for row in self._query("SELECT owner FROM leases WHERE until > ?", (now,))
        }
        for table in CLAIM_COLUMNS:
            owners.update(
                str(row["owner"])
                for row in self._query(
                    f"SELECT DISTINCT lease_owner AS owner FROM {table} "
                    "WHERE lease_owner IS NOT NULL AND lease_until > ?",
                    (now,),
                )
            )
        return owners

    def release_claims(self, owner: str) -> int:
        """Give back everything ``owner`` holds (a replica stopping gracefully), so the
        others need not wait for the leases to expire; returns how many were held."""
        released = 0
        with self._tx("release") as db:
            for table in CLAIM_COLUMNS:
                # An import job keeps the name of the replica that last ran it (shown by
                # GET /imports/{id}); a claim without lease_until is free all the same.
                keep = table == "imports"
                released += int(
                    db.execute(
                        f"UPDATE {table} SET lease_until = NULL"
                        f"{'' if keep else ', lease_owner = NULL'} WHERE lease_owner = ?"
                        f"{' AND lease_until IS NOT NULL' if keep else ''}",
                        (owner,),
                    ).rowcount
                )
            released += int(db.execute("DELETE FROM leases WHERE owner = ?", (owner,)).rowcount)
        return released
