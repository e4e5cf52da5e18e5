"""The proxy's durable state: SQLite in WAL mode, with a transactional outbox.

One file (by default ``.collaudo/proxy.sqlite3``) holds the tenant and service
configurations, every payment (its latest event, its debt position and the
bookkeeping of retries and polling), the outbox of events to publish, the
notifications to deliver, paper stamps and the exchanges kept for vendor reports.

A state change, the event announcing it and the notifications it causes are
written in one transaction (:meth:`Store.save_payment`): a crash either keeps
all of them or none. The publisher drains the outbox afterwards
(:meth:`Store.pending_outbox` / :meth:`Store.mark_published`); a crash between
publishing and marking republishes the same ``event_id``, which consumers
deduplicate.

The schema and the records the store hands out (:class:`StoredPayment`,
:class:`OutboxRecord`, :class:`NotificationRecord`) live in
:mod:`adapters.core.store_rows`.

Methods are synchronous (SQLite is local and fast) and thread-safe: one
connection guarded by a lock, so Starlette's thread pool may call them too.

``Store.open("postgresql://…")`` opens the same store on PostgreSQL instead
(:class:`adapters.core.store_pg.PostgresStore`): the queries below are written once,
in SQLite's dialect, and rewritten for it by :mod:`adapters.core.store_dialect`.

Several proxy replicas may open the same store: the due-work queries claim what they
return, and work done by one replica at a time holds a named lease
(:mod:`adapters.core.store_leases`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

from adapters.core.config import ServiceConfig, TenantConfig
from adapters.core.crash import crash_point
from adapters.core.import_records import IMPORT_SCHEMA, current_row
from adapters.core.intermediary import Exchange
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.replica import DEFAULT_LEASE_SECONDS
from adapters.core.store_checkpoint import BACKSTOP_PAGES, WalCheckpointer
from adapters.core.store_dialect import Connection, Row, is_database_url
from adapters.core.store_imports import IMPORT_PRUNING, ImportStore
from adapters.core.store_leases import LeaseStore, upgrade
from adapters.core.store_rows import (
    PAYMENT_COLUMNS,
    SCHEMA,
    NotificationRecord,
    OutboxRecord,
    StoredPayment,
    event_key,
    from_timestamp,
    notification_record,
    outbox_record,
    payment_from_row,
    position_json,
    to_timestamp,
)
from adapters.i18n import gettext as _

__all__ = [
    "DEFAULT_STORE_PATH",
    "PaymentExists",
    "StaleWrite",
    "StampAlreadyUsed",
    "Store",
]

DEFAULT_STORE_PATH = Path(".collaudo") / "proxy.sqlite3"
_POLLED = (PaymentStatus.PAYMENT_PENDING.value, PaymentStatus.PAYMENT_STARTED.value)


class StampAlreadyUsed(ValueError):
    """A paper stamp identifier was already registered in this tenant."""

    def __init__(self, tenant_id: uuid.UUID, identifier: str, registered_for: str) -> None:
        super().__init__(
            _(
                "marca da bollo %(identifier)s was already used in this tenant (%(target)s); "
                "each stamp can pay for one document only: ask the citizen for another stamp"
            )
            % {"identifier": identifier, "target": registered_for}
        )
        self.tenant_id = tenant_id
        self.identifier = identifier


class StaleWrite(RuntimeError):
    """The payment changed since it was read (another task or replica wrote it)."""


class PaymentExists(StaleWrite):
    """A payment with this id (or this notice number in the tenant) is already stored."""


def _mebibytes(name: str, default: int) -> int:
    """A size in MiB from the environment variable ``name`` (``default`` when unset)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        size = int(value)
    except ValueError:
        size = -1
    if size < 0:
        raise ValueError(f"{name}={value!r}: give a whole number of MiB (0 or more), e.g. 64")
    return size


# Reads outside write transactions come from a memory map of the file (no copy, no read()
# per page: at 100,000 payments a lookup by id costs ~1.2x its cost at 1,000 this way, ~2x
# through read() and the page cache). The mapped pages are the OS page cache, shared and
# reclaimable, but counted in the process's RSS: COLLAUDO_STORE_MMAP_MB=0 keeps them out.
# SQLite's own page cache then holds mostly the pages written lately: 16 MiB, not the 64
# that filled with an import's pages (anonymous memory, never given back).
MMAP_BYTES = 1 << 30  # the defaults of COLLAUDO_STORE_MMAP_MB and COLLAUDO_STORE_CACHE_MB
CACHE_KIB = 16 * 1024


class Store(ImportStore, LeaseStore):
    """SQLite-backed storage of configurations, payments, outbox, notifications and
    CSV import jobs (:class:`~adapters.core.store_imports.ImportStore`), shareable by
    replicas through claims and leases (:class:`~adapters.core.store_leases.LeaseStore`)."""

    #: Appended to a claim's SELECT (rows other replicas hold are skipped): nothing on
    #: SQLite, where one writer holds the whole database anyway.
    SKIP_LOCKED: ClassVar[str] = ""
    #: What a write violating a unique key raises (PaymentExists is raised from it).
    INTEGRITY_ERRORS: ClassVar[tuple[type[Exception], ...]] = (sqlite3.IntegrityError,)

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self._grouped = False  # inside group(): writes are savepoints of its transaction
        self.path = path
        #: Where the store is, fit for logs (a PostgreSQL URL without its password).
        self.location = str(path) if path is not None else ":memory:"
        self._checkpointer: WalCheckpointer | None = None
        if path is not None:
            # Checkpoints (4 MB written and fsynced) off the event loop's commits.
            connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
            self._checkpointer = WalCheckpointer(path, self)
            self._checkpointer.start()

    @classmethod
    def open(cls, path: str | Path = DEFAULT_STORE_PATH) -> Store:
        """Open (creating it and its directory if needed) the store at ``path``.

        ``":memory:"`` gives a private in-memory store (no WAL), handy in tests; a
        ``postgresql://`` URL the PostgreSQL store (:mod:`adapters.core.store_pg`).
        """
        if is_database_url(path):
            from adapters.core.store_pg import PostgresStore  # psycopg only when used

            return PostgresStore.open(path)
        mmap_mib = _mebibytes("COLLAUDO_STORE_MMAP_MB", MMAP_BYTES >> 20)
        cache_mib = _mebibytes("COLLAUDO_STORE_CACHE_MB", CACHE_KIB >> 10)
        memory = str(path) == ":memory:"
        file_path = None if memory else Path(path)
        if file_path is not None:
            file_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(
                ":memory:" if memory else str(file_path),
                check_same_thread=False,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                timeout=30,
            )
        except sqlite3.Error as exc:
            raise OSError(
                f"cannot open the proxy store at {path}: {exc}; check the directory is writable"
            ) from exc
        db.row_factory = sqlite3.Row
        if not memory:
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL survives a process crash (SIGKILL); only power loss can
            # drop the last commits, never corrupt the file.
            db.execute("PRAGMA synchronous=NORMAL")
            # Reads from a memory map instead of a read() per page: with random payment
            # ids every lookup lands on another page, and at 100,000 payments (~230 MB)
            # the page cache below is far too small to hold the indexes' hot pages.
            db.execute(f"PRAGMA mmap_size={mmap_mib << 20}")
        # SQLite's default page cache is 2 MB; see CACHE_KIB.
        db.execute(f"PRAGMA cache_size=-{cache_mib << 10}")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA + IMPORT_SCHEMA)
        upgrade(db)  # claim columns and leases, also on a file made before them
        return cls(db, file_path)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._lock:
            self._db.close()

    @contextmanager
    def group(self, label: str = "group") -> Iterator[None]:
        """One transaction for many writes made without awaiting in between (a batch of
        imported rows): each write inside is a savepoint of it, undone alone if it fails;
        the commit keeps all of them, a crash none. Holds the store for its length: keep
        it short (other threads wait; no coroutine can run, as nothing awaits inside).
        """
        with self._lock:
            if self._grouped:
                raise RuntimeError("Store.group() does not nest")
            self._db.execute("BEGIN IMMEDIATE")
            self._grouped = True
            try:
                yield
                crash_point(f"store.{label}.before_commit")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            finally:
                self._grouped = False
        crash_point(f"store.{label}.after_commit")

    @contextmanager
    def _tx(self, label: str = "write") -> Iterator[Connection]:
        with self._lock:
            if self._grouped:  # checked under the lock: another thread waits for the group
                yield from self._savepoint()
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                crash_point(f"store.{label}.before_commit")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        crash_point(f"store.{label}.after_commit")

    def _savepoint(self) -> Iterator[Connection]:
        self._db.execute("SAVEPOINT write")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK TO write")
            self._db.execute("RELEASE write")
            raise
        self._db.execute("RELEASE write")

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with self._lock:
            rows: list[Row] = self._db.execute(sql, params).fetchall()
            return rows

    # -- configurations -------------------------------------------------------------------

    def put_tenant(self, tenant: TenantConfig) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO tenants (id, active, doc) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET active = excluded.active, doc = excluded.doc",
                (str(tenant.id), int(tenant.active), tenant.model_dump_json()),
            )

    def get_tenant(self, tenant_id: uuid.UUID) -> TenantConfig | None:
        rows = self._query("SELECT doc FROM tenants WHERE id = ?", (str(tenant_id),))
        return TenantConfig.model_validate_json(rows[0]["doc"]) if rows else None

    def list_tenants(self) -> list[TenantConfig]:
        rows = self._query("SELECT doc FROM tenants ORDER BY id")
        return [TenantConfig.model_validate_json(r["doc"]) for r in rows]

    def put_service(self, service: ServiceConfig) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO services (id, tenant_id, active, doc) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, "
                "active = excluded.active, doc = excluded.doc",
                (
                    str(service.id),
                    str(service.tenant_id),
                    int(service.active),
                    service.model_dump_json(),
                ),
            )

    def get_service(self, service_id: uuid.UUID) -> ServiceConfig | None:
        rows = self._query("SELECT doc FROM services WHERE id = ?", (str(service_id),))
        return ServiceConfig.model_validate_json(rows[0]["doc"]) if rows else None

    def list_services(self, tenant_id: uuid.UUID | None = None) -> list[ServiceConfig]:
        if tenant_id is None:
            rows = self._query("SELECT doc FROM services ORDER BY id")
        else:
            rows = self._query(
                "SELECT doc FROM services WHERE tenant_id = ? ORDER BY id", (str(tenant_id),)
            )
        return [ServiceConfig.model_validate_json(r["doc"]) for r in rows]

    def active_config(
        self, tenant_id: uuid.UUID, service_id: uuid.UUID
    ) -> tuple[TenantConfig, ServiceConfig] | None:
        """The tenant and service when both exist, are active and belong together."""
        tenant = self.get_tenant(tenant_id)
        service = self.get_service(service_id)
        if tenant is None or service is None or not tenant.active or not service.active:
            return None
        if service.tenant_id != tenant.id:
            return None
        return tenant, service

    # -- payments -------------------------------------------------------------------------

    def get_payment(self, payment_id: uuid.UUID) -> StoredPayment | None:
        rows = self._query(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?", (str(payment_id),)
        )
        return payment_from_row(rows[0]) if rows else None

    def find_by_notice(self, tenant_id: uuid.UUID, notice_number: str) -> StoredPayment | None:
        rows = self._query(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE tenant_id = ? AND notice_number = ?",
            (str(tenant_id), notice_number),
        )
        return payment_from_row(rows[0]) if rows else None

    def count_payments(self, status: PaymentStatus | None = None) -> int:
        if status is None:
            rows = self._query("SELECT COUNT(*) AS n FROM payments")
        else:
            rows = self._query(
                "SELECT COUNT(*) AS n FROM payments WHERE status = ?", (status.value,)
            )
        return int(rows[0]["n"])

    def save_payment(
        self,
        stored: StoredPayment,
        *,
        publish: bool = False,
        topic: str = "payments",
        seen_event_id: uuid.UUID | None = None,
        now: datetime | None = None,
    ) -> StoredPayment:
        """Insert (``version == 0``) or update the payment, in one transaction with:

        - when ``publish``: the event in the outbox and one notification per
          ``links.notify`` URL;
        - when ``seen_event_id``: the consumed event's id, so a redelivery is ignored;
        - when the task is importing a CSV row (:func:`~adapters.core.import_records.row_mark`):
          the row's ledger entry and the job's counts, so a crash keeps both or neither.

        Raises :class:`StaleWrite` when someone else saved the payment since it was
        read, :class:`PaymentExists` when inserting an id or notice number already there.
        Returns the stored payment with its new version.
        """
        event = stored.event
        at = (now or datetime.now(UTC)).timestamp()
        position = stored.position
        notice = position.notice_number if position else event.payment.notice_code
        values = (
            event.status.value,
            notice,
            stored.origin,
            event.model_dump_json(),
            position_json(position),
            stored.attempts,
            stored.checks,
            stored.last_error,
            to_timestamp(stored.next_check_at),
            to_timestamp(stored.next_attempt_at),
        )
        mark = current_row()
        if mark is not None and mark.written:
            mark = None  # the row's outcome is recorded; later writes are plain updates
        with self._tx("save_payment") as db:
            if stored.version == 0:
                try:
                    db.execute(
                        "INSERT INTO payments (status, notice_number, origin, event, position, "
                        "attempts, checks, last_error, next_check_at, next_attempt_at, "
                        "id, tenant_id, service_id, version) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                        (*values, str(event.id), str(event.tenant_id), str(event.service_id)),
                    )
                except self.INTEGRITY_ERRORS as exc:
                    raise PaymentExists(
                        f"payment {event.id} (notice {notice}) is already stored: {exc}"
                    ) from exc
            else:
                cursor = db.execute(
                    "UPDATE payments SET status = ?, origin = ?, event = ?, "
                    "position = ?, attempts = ?, checks = ?, last_error = ?, next_check_at = ?, "
                    "next_attempt_at = ?, version = version + 1, lease_owner = NULL, "
                    "lease_until = NULL WHERE id = ? AND version = ?",
                    (values[0], *values[2:], str(event.id), stored.version),
                )
                if cursor.rowcount != 1:
                    raise StaleWrite(
                        f"payment {event.id} changed since version {stored.version} was read"
                    )
                # Apart: SQLite rewrites the index entry of every indexed column in a SET,
                # changed or not (a random leaf page of payments_notice per update at 100,000
                # payments); the notice changes once, when the position is created.
                # (Not SQLite's "IS NOT ?": PostgreSQL spells it IS DISTINCT FROM.)
                if notice is None:
                    db.execute(
                        "UPDATE payments SET notice_number = NULL "
                        "WHERE id = ? AND notice_number IS NOT NULL",
                        (str(event.id),),
                    )
                else:
                    db.execute(
                        "UPDATE payments SET notice_number = ? WHERE id = ? "
                        "AND (notice_number IS NULL OR notice_number <> ?)",
                        (notice, str(event.id), notice),
                    )
            if publish:
                self._enqueue(db, event, topic, at)
            if seen_event_id is not None:
                db.execute(
                    "INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)",
                    (str(seen_event_id), at),
                )
            if mark is not None:
                outcome, reason = mark.outcome(stored)
                self._write_import_row(db, mark, outcome, event.id, reason)
        if mark is not None:
            mark.written = True
        stored.version += 1
        return stored

    def _enqueue(self, db: Connection, event: PaymentEvent, topic: str, at: float) -> None:
        body = event.to_json()
        db.execute(
            "INSERT INTO outbox (event_id, payment_id, topic, key, value, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (str(event.event_id), str(event.id), topic, event_key(event), body, at),
        )
        for link in event.links.notify:
            db.execute(
                "INSERT OR IGNORE INTO notifications "
                "(payment_id, event_id, url, method, body, next_attempt_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (str(event.id), str(event.event_id), link.url, link.method.value, body, at),
            )

    def due_for_check(
        self,
        now: datetime,
        limit: int = 100,
        *,
        owner: str | None = None,
        lease: float = DEFAULT_LEASE_SECONDS,
    ) -> list[StoredPayment]:
        """Pending or started payments whose next status check is due, oldest first,
        claimed by ``owner`` for ``lease`` seconds (no other replica gets them meanwhile;
        saving the payment releases the claim)."""
        rows = self._claim(
            "payments",
            "id",
            "next_check_at <= ? AND status IN (?, ?)",
            "next_check_at",
            (now.timestamp(), *_POLLED),
            columns=PAYMENT_COLUMNS,
            limit=limit,
            owner=owner,
            seconds=lease,
        )
        due = [payment_from_row(r) for r in rows]
        return sorted(due, key=lambda p: p.next_check_at or now)

    def due_for_creation(
        self,
        now: datetime,
        limit: int = 100,
        *,
        owner: str | None = None,
        lease: float = DEFAULT_LEASE_SECONDS,
    ) -> list[StoredPayment]:
        """Payments whose creation failed retriably and whose next attempt is due, claimed
        as :meth:`due_for_check` claims them."""
        rows = self._claim(
            "payments",
            "id",
            "next_attempt_at <= ? AND status = ?",
            "next_attempt_at",
            (now.timestamp(), PaymentStatus.CREATION_PENDING.value),
            columns=PAYMENT_COLUMNS,
            limit=limit,
            owner=owner,
            seconds=lease,
        )
        due = [payment_from_row(r) for r in rows]
        return sorted(due, key=lambda p: p.next_attempt_at or now)

    # -- consumed events ------------------------------------------------------------------

    def seen_event(self, event_id: uuid.UUID) -> bool:
        """True when this event already caused a change here, or was published by us."""
        key = str(event_id)
        rows = self._query(
            "SELECT 1 FROM seen_events WHERE event_id = ? "
            "UNION ALL SELECT 1 FROM outbox WHERE event_id = ? LIMIT 1",
            (key, key),
        )
        return bool(rows)

    def is_own_event(self, event_id: uuid.UUID) -> bool:
        """True when this event was published by this proxy (it is in the outbox)."""
        return bool(self._query("SELECT 1 FROM outbox WHERE event_id = ?", (str(event_id),)))

    # -- outbox ---------------------------------------------------------------------------

    def pending_outbox(self, limit: int = 500) -> list[OutboxRecord]:
        rows = self._query(
            "SELECT seq, event_id, payment_id, topic, key, value FROM outbox "
            "WHERE published_at IS NULL ORDER BY seq LIMIT ?",
            (limit,),
        )
        return [outbox_record(r) for r in rows]

    def mark_published(self, seqs: Sequence[int], now: datetime | None = None) -> None:
        at = (now or datetime.now(UTC)).timestamp()
        with self._tx("mark_published") as db:
            db.executemany(
                "UPDATE outbox SET published_at = ? WHERE seq = ?", [(at, s) for s in seqs]
            )

    def outbox_backlog(self) -> int:
        rows = self._query("SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL")
        return int(rows[0]["n"])

    def published_events(self, payment_id: uuid.UUID) -> list[PaymentEvent]:
        """Every event this proxy enqueued for a payment, in order (published or not)."""
        rows = self._query(
            "SELECT value FROM outbox WHERE payment_id = ? ORDER BY seq", (str(payment_id),)
        )
        return [PaymentEvent.model_validate_json(bytes(r["value"])) for r in rows]

    def prune(self, before: datetime, batch: int = 1_000) -> dict[str, int]:
        """Delete bookkeeping older than ``before``, at most ``batch`` rows per table.

        Goes: CSV import jobs finished before ``before`` (their ledger, then the job),
        published outbox rows (a payment's event history; its current event
        stays on the payment), consumed event ids, finished notifications (delivered
        before ``before``, or given up on for an event whose outbox row is gone) and
        recorded exchanges. Payments, configurations, unpublished events, pending
        notifications and paper stamps always stay. Redeliveries are recognised only
        within the window: keep ``before`` older than the topic's retention.

        Returns the rows deleted per table; call again while any is ``batch`` (one
        short transaction each, so the proxy's writers are not held up).
        """
        cutoff = before.timestamp()
        statements = {
            # Old rows sit at the front of the rowid order, so each batch finds its rows
            # in the first pages it reads instead of re-reading what earlier batches kept.
            "outbox": (
                "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox "
                "WHERE published_at < ? ORDER BY seq LIMIT ?)"
            ),
            "seen_events": (
                "DELETE FROM seen_events WHERE event_id IN "
                "(SELECT event_id FROM seen_events WHERE seen_at < ? LIMIT ?)"
            ),
            "notifications": (
                "DELETE FROM notifications WHERE id IN (SELECT id FROM notifications AS n "
                "WHERE next_attempt_at IS NULL AND (sent_at < ? OR (sent_at IS NULL AND "
                "NOT EXISTS (SELECT 1 FROM outbox WHERE event_id = n.event_id))) LIMIT ?)"
            ),
            "exchanges": (
                "DELETE FROM exchanges WHERE id IN (SELECT id FROM exchanges WHERE "
                "(julianday(json_extract(doc, '$.started_at')) - 2440587.5) * 86400.0 < ? "
                "LIMIT ?)"
            ),
        }
        statements.update(IMPORT_PRUNING)  # import jobs finished before the cutoff
        deleted: dict[str, int] = {}
        for table, sql in statements.items():
            with self._tx(f"prune.{table}") as db:
                deleted[table] = db.execute(sql, (cutoff, batch)).rowcount
        return deleted

    # -- notifications --------------------------------------------------------------------

    def due_notifications(
        self,
        now: datetime,
        limit: int = 100,
        *,
        owner: str | None = None,
        lease: float = DEFAULT_LEASE_SECONDS,
    ) -> list[NotificationRecord]:
        """Notifications due for a delivery attempt, claimed by ``owner`` for ``lease``
        seconds; marking one sent or failed releases it."""
        rows = self._claim(
            "notifications",
            "id",
            "next_attempt_at <= ?",
            "next_attempt_at, id",
            (now.timestamp(),),
            columns="id, payment_id, event_id, url, method, body, attempts, next_attempt_at",
            limit=limit,
            owner=owner,
            seconds=lease,
        )
        rows.sort(key=lambda r: (r["next_attempt_at"], r["id"]))
        return [notification_record(r) for r in rows]

    def notification_sent(self, record: NotificationRecord, sent_at: datetime) -> None:
        """Mark delivered, and record ``sent_at`` on the payment's matching notify link."""
        with self._tx() as db:
            db.execute(
                "UPDATE notifications SET sent_at = ?, next_attempt_at = NULL, "
                "attempts = attempts + 1, last_error = NULL, lease_owner = NULL, "
                "lease_until = NULL WHERE id = ?",
                (sent_at.timestamp(), record.id),
            )
            row = db.execute(
                "SELECT event FROM payments WHERE id = ?", (str(record.payment_id),)
            ).fetchone()
            if row is None:
                return
            event = PaymentEvent.model_validate_json(row["event"])
            if event.event_id != record.event_id:
                return  # a newer version exists; its own notification will record sent_at
            for link in event.links.notify:
                if link.url == record.url:
                    link.sent_at = sent_at
            # No version bump: sent_at is bookkeeping, it must not conflict with a transition.
            db.execute(
                "UPDATE payments SET event = ? WHERE id = ?",
                (event.model_dump_json(), str(record.payment_id)),
            )

    def notification_failed(
        self, record: NotificationRecord, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed delivery; ``retry_at=None`` gives up on it."""
        with self._tx() as db:
            db.execute(
                "UPDATE notifications SET attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                (error, to_timestamp(retry_at), record.id),
            )

    def notification_status(self, payment_id: uuid.UUID) -> list[dict[str, object]]:
        """Delivery state of every notification of a payment (for the API and reports)."""
        rows = self._query(
            "SELECT event_id, url, attempts, sent_at, last_error, next_attempt_at "
            "FROM notifications WHERE payment_id = ? ORDER BY id",
            (str(payment_id),),
        )
        return [
            {
                "event_id": r["event_id"],
                "url": r["url"],
                "attempts": r["attempts"],
                "sent_at": from_timestamp(r["sent_at"]),
                "last_error": r["last_error"],
                "next_attempt_at": from_timestamp(r["next_attempt_at"]),
            }
            for r in rows
        ]

    # -- paper stamps ---------------------------------------------------------------------

    def register_paper_stamp(
        self,
        tenant_id: uuid.UUID,
        identifier: str,
        issued_on: date,
        payment_id: uuid.UUID | None,
        application_id: uuid.UUID | None,
    ) -> None:
        """Register a paper marca da bollo; :class:`StampAlreadyUsed` if seen in the tenant.

        The insert itself decides (the key is tenant and identifier): two replicas
        registering one stamp at once get one registration and one refusal, never an
        integrity error.
        """
        with self._tx() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO paper_stamps (tenant_id, identifier, issued_on, "
                "payment_id, application_id, registered_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    str(tenant_id),
                    identifier,
                    issued_on.isoformat(),
                    str(payment_id) if payment_id else None,
                    str(application_id) if application_id else None,
                    datetime.now(UTC).timestamp(),
                ),
            ).rowcount
            if inserted:
                return
            row = db.execute(
                "SELECT payment_id, application_id FROM paper_stamps "
                "WHERE tenant_id = ? AND identifier = ?",
                (str(tenant_id), identifier),
            ).fetchone()
        target = (
            _("registered for payment %(id)s") % {"id": row["payment_id"]}
            if row["payment_id"]
            else _("registered for application %(id)s") % {"id": row["application_id"]}
        )
        raise StampAlreadyUsed(tenant_id, identifier, target)

    # -- exchanges (evidence for vendor reports) ------------------------------------------

    def record_exchanges(
        self, payment_id: uuid.UUID, operation: str, exchanges: Sequence[Exchange]
    ) -> None:
        if not exchanges:
            return
        with self._tx() as db:
            db.executemany(
                "INSERT INTO exchanges (payment_id, operation, doc) VALUES (?, ?, ?)",
                [(str(payment_id), operation, json.dumps(e.to_dict())) for e in exchanges],
            )

    def exchanges_for(self, payment_id: uuid.UUID) -> list[dict[str, object]]:
        rows = self._query(
            "SELECT operation, doc FROM exchanges WHERE payment_id = ? ORDER BY id",
            (str(payment_id),),
        )
        return [{"operation": r["operation"], **json.loads(r["doc"])} for r in rows]
