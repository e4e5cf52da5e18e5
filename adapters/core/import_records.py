"""What the store keeps of a CSV import job, and the mark that ties a row to its payment.

A job (:class:`ImportJob`) is a row of ``imports``; the uploaded file is kept as
sent in ``import_file_parts``, 1 MiB a row, read back a part at a time (``import_files``
held it whole before, and is still read for jobs stored then); ``import_rows`` is the
job's ledger: one entry per data
row done (its outcome, its payment, or its error with the cells as sent). The
ledger is the job's durable cursor: a row's entry is committed in the same
transaction as the row's payment (:class:`ImportRowMark`, read by
:meth:`Store.save_payment`), so after a crash a resumed job skips exactly the
rows whose effect is stored and counts each row once. No I/O here.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adapters.core.models import PaymentStatus
from adapters.core.store_dialect import Row
from adapters.core.store_rows import StoredPayment, from_timestamp
from adapters.i18n import gettext as _

__all__ = [
    "IMPORT_SCHEMA",
    "JOB_STATES",
    "OUTCOMES",
    "ImportJob",
    "ImportRowMark",
    "current_row",
    "job_from_row",
    "row_mark",
]

JOB_STATES = ("queued", "running", "done", "failed")
OUTCOMES = ("created", "registered", "unchanged", "error")

IMPORT_SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    state TEXT NOT NULL,
    filename TEXT,
    encoding TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    total INTEGER NOT NULL,
    created INTEGER NOT NULL DEFAULT 0,
    registered INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    problem TEXT,
    doc TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL);
CREATE INDEX IF NOT EXISTS imports_service ON imports (tenant_id, service_id, created_at);
CREATE INDEX IF NOT EXISTS imports_open ON imports (created_at)
    WHERE state IN ('queued', 'running');
CREATE TABLE IF NOT EXISTS import_files (import_id TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS import_file_parts (
    import_id TEXT NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (import_id, part));
CREATE TABLE IF NOT EXISTS import_rows (
    import_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    line INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    payment_id TEXT,
    field TEXT,
    reason TEXT,
    cells TEXT,
    PRIMARY KEY (import_id, idx)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS import_rows_payment ON import_rows (payment_id)
    WHERE outcome IN ('created', 'registered');
"""


@dataclass
class ImportJob:
    """One uploaded file being imported; counts grow as rows are done."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    service_id: uuid.UUID
    encoding: str
    delimiter: str
    total: int
    header: list[str]  # as the office wrote it
    created_at: datetime
    filename: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    state: str = "queued"
    created: int = 0
    registered: int = 0
    unchanged: int = 0
    failed: int = 0
    problem: str | None = None  # why the job as a whole failed
    # The language the office uploaded with: the job's errors and problem are written in it
    # (None: a job stored before languages were kept; the process's language then).
    language: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # The replica whose claim on the running job holds or last held (None when unclaimed).
    replica: str | None = None

    @property
    def read(self) -> int:
        """Rows done so far (each counted once, whatever its outcome)."""
        return self.created + self.registered + self.unchanged + self.failed

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def doc(self) -> str:
        doc: dict[str, Any] = {"header": self.header, "ignored_columns": self.ignored_columns}
        if self.language:
            doc["language"] = self.language
        return json.dumps(doc)

    def to_dict(self) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "id": str(self.id),
            "tenant_id": str(self.tenant_id),
            "service_id": str(self.service_id),
            "state": self.state,
            "filename": self.filename,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "total": self.total,
            "read": self.read,
            "created": self.created,
            "registered": self.registered,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "problem": self.problem,
            "language": self.language,
            "ignored_columns": self.ignored_columns,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "replica": self.replica,
        }


def job_from_row(row: Row) -> ImportJob:
    """An :class:`ImportJob` from an ``imports`` row (every column)."""
    doc = json.loads(row["doc"])
    created_at = from_timestamp(row["created_at"]) or datetime.now(UTC)
    return ImportJob(
        id=uuid.UUID(row["id"]),
        tenant_id=uuid.UUID(row["tenant_id"]),
        service_id=uuid.UUID(row["service_id"]),
        encoding=row["encoding"],
        delimiter=row["delimiter"],
        total=row["total"],
        header=doc["header"],
        ignored_columns=doc.get("ignored_columns", []),
        language=doc.get("language"),
        created_at=created_at,
        filename=row["filename"],
        state=row["state"],
        created=row["created"],
        registered=row["registered"],
        unchanged=row["unchanged"],
        failed=row["failed"],
        problem=row["problem"],
        started_at=from_timestamp(row["started_at"]),
        finished_at=from_timestamp(row["finished_at"]),
        replica=row["lease_owner"],
    )


@dataclass
class ImportRowMark:
    """The job row a payment write belongs to; the store writes its ledger entry with it."""

    import_id: uuid.UUID
    idx: int  # the data row's index in the file (0 = first row after the header)
    line: int
    notice_given: bool
    cells: list[str]
    written: bool = False  # set once the ledger entry is committed

    def outcome(self, stored: StoredPayment) -> tuple[str, str | None]:
        """(outcome, error reason) of the row, from the payment its write stores."""
        if stored.status is PaymentStatus.CREATION_FAILED:
            return "error", stored.last_error or _("the intermediary refused the creation")
        return ("registered" if self.notice_given else "created"), None


_CURRENT: ContextVar[ImportRowMark | None] = ContextVar("collaudo_import_row", default=None)


def current_row() -> ImportRowMark | None:
    """The import row the running task is processing, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def row_mark(mark: ImportRowMark) -> Iterator[ImportRowMark]:
    """While inside, a payment this task saves carries ``mark``'s ledger entry."""
    token = _CURRENT.set(mark)
    try:
        yield mark
    finally:
        _CURRENT.reset(token)
