"""What the proxy store keeps, and how its SQLite rows map to Python records.

The schema (:data:`SCHEMA`, applied idempotently when the store opens), the
records the :class:`~adapters.core.store.Store` hands out (:class:`StoredPayment`,
:class:`OutboxRecord`, :class:`NotificationRecord`) and the conversions between
them and their columns. No I/O here: the store owns the connection.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from adapters.core.intermediary import DebtPosition
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.store_dialect import Row

__all__ = [
    "ORIGINS",
    "PAYMENT_COLUMNS",
    "SCHEMA",
    "NotificationRecord",
    "OutboxRecord",
    "StoredPayment",
    "event_key",
    "from_timestamp",
    "notification_record",
    "outbox_record",
    "payment_from_row",
    "position_json",
    "to_timestamp",
]

ORIGINS = ("created", "adopted", "imported")

SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (
    id TEXT PRIMARY KEY, active INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS services (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, active INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS services_tenant ON services (tenant_id);
CREATE TABLE IF NOT EXISTS payments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    status TEXT NOT NULL,
    notice_number TEXT,
    origin TEXT NOT NULL,
    event TEXT NOT NULL,
    position TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    checks INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_check_at REAL,
    next_attempt_at REAL,
    version INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS payments_notice
    ON payments (tenant_id, notice_number) WHERE notice_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS payments_check
    ON payments (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS payments_attempt
    ON payments (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
-- No query reads payments by (service_id, status); the index only cost every insert one
-- entry and every transition two random leaf pages. Dropped from existing stores too.
DROP INDEX IF EXISTS payments_service_status;
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    payment_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    key BLOB NOT NULL,
    value BLOB NOT NULL,
    created_at REAL NOT NULL,
    published_at REAL);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_payment ON outbox (payment_id, seq);
CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, seen_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    body BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL,
    sent_at REAL,
    last_error TEXT,
    UNIQUE (event_id, url));
CREATE INDEX IF NOT EXISTS notifications_due
    ON notifications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS paper_stamps (
    tenant_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    payment_id TEXT,
    application_id TEXT,
    registered_at REAL NOT NULL,
    PRIMARY KEY (tenant_id, identifier));
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS exchanges_payment ON exchanges (payment_id);
"""


@dataclass
class StoredPayment:
    """A payment as the proxy keeps it: the latest event plus bookkeeping."""

    event: PaymentEvent
    position: DebtPosition | None = None
    attempts: int = 0
    last_error: str | None = None
    next_check_at: datetime | None = None
    origin: str = "created"  # "created" | "adopted" | "imported"
    checks: int = 0  # status checks done so far (drives the polling backoff)
    next_attempt_at: datetime | None = None  # when to retry a creation
    version: int = 0  # 0 = never stored; bumped by every save

    @property
    def id(self) -> uuid.UUID:
        return self.event.id

    @property
    def status(self) -> PaymentStatus:
        return self.event.status


@dataclass(frozen=True)
class OutboxRecord:
    seq: int
    event_id: uuid.UUID
    payment_id: uuid.UUID
    topic: str
    key: bytes
    value: bytes


@dataclass(frozen=True)
class NotificationRecord:
    id: int
    payment_id: uuid.UUID
    event_id: uuid.UUID
    url: str
    method: str
    body: bytes
    attempts: int


def event_key(event: PaymentEvent) -> bytes:
    """The bus key of a payment event: its ``service_id`` (keeps one service ordered)."""
    return str(event.service_id).encode()


def to_timestamp(value: datetime | None) -> float | None:
    """A datetime as the REAL column stores it (POSIX seconds)."""
    return None if value is None else value.timestamp()


def from_timestamp(value: float | None) -> datetime | None:
    """A REAL timestamp column back to an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, UTC)


def position_json(position: DebtPosition | None) -> str | None:
    """The ``payments.position`` column of a debt position."""
    if position is None:
        return None
    return json.dumps(
        {
            "iud": position.iud,
            "iuv": position.iuv,
            "notice_number": position.notice_number,
            "creditor_fiscal_code": position.creditor_fiscal_code,
            "amount": str(position.amount),
            "handle": dict(position.handle),
        }
    )


def _position(text: str | None) -> DebtPosition | None:
    if text is None:
        return None
    data = json.loads(text)
    return DebtPosition(
        iud=data["iud"],
        iuv=data["iuv"],
        notice_number=data["notice_number"],
        creditor_fiscal_code=data["creditor_fiscal_code"],
        amount=Decimal(data["amount"]),
        handle=data.get("handle") or {},
    )


# The columns :func:`payment_from_row` reads, for every ``SELECT ... FROM payments``.
PAYMENT_COLUMNS = (
    "event, position, attempts, last_error, next_check_at, origin, checks, next_attempt_at, version"
)


def payment_from_row(row: Row) -> StoredPayment:
    """A :class:`StoredPayment` from a row selecting :data:`PAYMENT_COLUMNS`."""
    return StoredPayment(
        event=PaymentEvent.model_validate_json(row["event"]),
        position=_position(row["position"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        next_check_at=from_timestamp(row["next_check_at"]),
        origin=row["origin"],
        checks=row["checks"],
        next_attempt_at=from_timestamp(row["next_attempt_at"]),
        version=row["version"],
    )


def outbox_record(row: Row) -> OutboxRecord:
    """An :class:`OutboxRecord` from an ``outbox`` row."""
    return OutboxRecord(
        seq=row["seq"],
        event_id=uuid.UUID(row["event_id"]),
        payment_id=uuid.UUID(row["payment_id"]),
        topic=row["topic"],
        key=bytes(row["key"]),
        value=bytes(row["value"]),
    )


def notification_record(row: Row) -> NotificationRecord:
    """A :class:`NotificationRecord` from a ``notifications`` row."""
    return NotificationRecord(
        id=row["id"],
        payment_id=uuid.UUID(row["payment_id"]),
        event_id=uuid.UUID(row["event_id"]),
        url=row["url"],
        method=row["method"],
        body=bytes(row["body"]),
        attempts=row["attempts"],
    )
