"""The store's CSV import jobs: the job, the file as sent, the ledger of rows done.

A mixin of :class:`adapters.core.store.Store` (same connection, lock and
transactions); plain SQL, one short transaction per call. The schema and the
records are in :mod:`adapters.core.import_records`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from adapters.core.import_records import ImportJob, ImportRowMark, job_from_row
from adapters.core.replica import DEFAULT_LEASE_SECONDS
from adapters.core.store_dialect import Connection, Row
from adapters.core.store_leases import LeaseStore

__all__ = ["IMPORT_PRUNING", "ImportStore"]

#: What :meth:`Store.prune` deletes of jobs finished before the cutoff, in this order
#: (``?`` = the cutoff, then the batch size): the ledger first, then the jobs left empty.
IMPORT_PRUNING = {
    "import_rows": (
        "DELETE FROM import_rows WHERE (import_id, idx) IN (SELECT r.import_id, r.idx "
        "FROM import_rows AS r JOIN imports AS i ON i.id = r.import_id "
        "WHERE i.finished_at < ? LIMIT ?)"
    ),
    "imports": (
        "DELETE FROM imports WHERE id IN (SELECT id FROM imports AS i WHERE finished_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM import_rows WHERE import_id = i.id) LIMIT ?)"
    ),
}

_COUNTERS = {"created", "registered", "unchanged", "error"}

#: A job's file is stored in parts of this size (``import_file_parts``), so the importer
#: reads it a part at a time: a 100,000-row file is never held whole while its job runs,
#: nor read in one go on the event loop when the job starts or resumes.
FILE_PART_BYTES = 1 << 20


class ImportStore(LeaseStore):
    """CSV import jobs; mixed into :class:`~adapters.core.store.Store` (a job is claimed
    by one replica: :meth:`LeaseStore._claim`)."""

    # Provided by Store.
    def _tx(self, label: str = "write") -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        raise NotImplementedError

    def add_import(self, job: ImportJob, data: bytes) -> None:
        """Store a new job and its file, in one transaction."""
        with self._tx("add_import") as db:
            db.execute(
                "INSERT INTO imports (id, tenant_id, service_id, state, filename, encoding, "
                "delimiter, total, doc, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(job.id),
                    str(job.tenant_id),
                    str(job.service_id),
                    job.state,
                    job.filename,
                    job.encoding,
                    job.delimiter,
                    job.total,
                    job.doc(),
                    job.created_at.timestamp(),
                ),
            )
            whole = memoryview(data)  # parts without copies
            db.executemany(
                "INSERT INTO import_file_parts (import_id, part, data) VALUES (?, ?, ?)",
                (
                    (str(job.id), n, whole[start : start + FILE_PART_BYTES])
                    for n, start in enumerate(range(0, len(data), FILE_PART_BYTES))
                ),
            )

    def get_import(self, import_id: uuid.UUID) -> ImportJob | None:
        rows = self._query("SELECT * FROM imports WHERE id = ?", (str(import_id),))
        return job_from_row(rows[0]) if rows else None

    def list_imports(
        self,
        tenant_id: uuid.UUID | None = None,
        service_id: uuid.UUID | None = None,
        state: str | None = None,
        limit: int = 50,
    ) -> list[ImportJob]:
        """Jobs, newest first, optionally of one tenant, one service, one state."""
        where, params = ["1 = 1"], []
        for column, value in (("tenant_id", tenant_id), ("service_id", service_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(str(value))
        if state is not None:
            where.append("state = ?")
            params.append(state)
        rows = self._query(
            f"SELECT * FROM imports WHERE {' AND '.join(where)} "
            "ORDER BY created_at DESC, id LIMIT ?",
            (*params, limit),
        )
        return [job_from_row(r) for r in rows]

    def next_import(
        self,
        now: datetime,
        *,
        owner: str | None = None,
        lease: float = DEFAULT_LEASE_SECONDS,
    ) -> ImportJob | None:
        """Claim an unfinished job for ``owner`` (marked running) for ``lease`` seconds: the
        one it holds already (a renewal, the heartbeat of a running job), else one whose
        lease expired (its replica died: resumed from its ledger), else the oldest queued.
        Jobs other replicas hold are left to them."""
        rows = self._claim(
            "imports",
            "id",
            "state IN ('queued', 'running')",
            "CASE WHEN state = 'queued' THEN 1 ELSE 0 END, created_at",
            (),
            columns="*",
            limit=1,
            owner=owner,
            seconds=lease,
            prefer_own=True,
            also_set=", state = 'running', started_at = COALESCE(started_at, ?)",
            also_params=(now.timestamp(),),
        )
        return job_from_row(rows[0]) if rows else None

    def renew_import(self, import_id: uuid.UUID, owner: str, lease: float) -> bool:
        """The heartbeat of a running job: extend ``owner``'s claim on it by ``lease``
        seconds from now; False when the job is no longer ``owner``'s (finished, or taken
        over after the claim expired)."""
        with self._tx("renew_import") as db:
            return (
                db.execute(
                    "UPDATE imports SET lease_until = ? WHERE id = ? AND lease_owner = ? "
                    "AND state = 'running'",
                    (time.time() + lease, str(import_id), owner),
                ).rowcount
                == 1
            )

    def import_file(self, import_id: uuid.UUID) -> bytes:
        """The job's stored file, whole (b"" once the job is finished)."""
        return b"".join(self.import_file_parts(import_id))

    def import_file_parts(self, import_id: uuid.UUID) -> Iterator[bytes]:
        """The job's stored file a part at a time, one short query per part (nothing held
        between parts: safe to read across awaits and inside :meth:`Store.group`)."""
        key = str(import_id)
        rows = self._query("SELECT data FROM import_files WHERE import_id = ?", (key,))
        if rows:  # stored whole, by a release before the parts
            yield bytes(rows[0]["data"])
            return
        part = 0
        while rows := self._query(
            "SELECT data FROM import_file_parts WHERE import_id = ? AND part = ?", (key, part)
        ):
            yield bytes(rows[0]["data"])
            part += 1

    def import_rows_done(self, import_id: uuid.UUID) -> set[int]:
        """The indexes of the rows whose effect is stored (the job's durable cursor)."""
        rows = self._query("SELECT idx FROM import_rows WHERE import_id = ?", (str(import_id),))
        return {r["idx"] for r in rows}

    def record_import_row(
        self,
        mark: ImportRowMark,
        outcome: str,
        payment_id: uuid.UUID | None = None,
        reason: str | None = None,
        field: str | None = None,
    ) -> None:
        """The ledger entry of a row that stored no payment (unchanged, or refused)."""
        with self._tx("import_row") as db:
            self._write_import_row(db, mark, outcome, payment_id, reason, field)
        mark.written = True

    def _write_import_row(
        self,
        db: Connection,
        mark: ImportRowMark,
        outcome: str,
        payment_id: uuid.UUID | None,
        reason: str | None,
        field: str | None = None,
    ) -> None:
        if outcome not in _COUNTERS:
            raise ValueError(f"unknown import outcome {outcome!r}")
        error = outcome == "error"
        inserted = db.execute(
            "INSERT OR IGNORE INTO import_rows (import_id, idx, line, outcome, payment_id, "
            "field, reason, cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(mark.import_id),
                mark.idx,
                mark.line,
                outcome,
                str(payment_id) if payment_id else None,
                field,
                reason,
                json.dumps(mark.cells, ensure_ascii=False) if error else None,
            ),
        ).rowcount
        if inserted:  # a row is counted once, even if written twice
            column = "failed" if error else outcome
            db.execute(
                f"UPDATE imports SET {column} = {column} + 1 WHERE id = ?", (str(mark.import_id),)
            )

    def finish_import(
        self,
        import_id: uuid.UUID,
        state: str,
        problem: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Mark the job done or failed (``problem`` says why it failed) and drop its file:
        only a resumed job reads it, and errors.csv comes from the ledger."""
        at = (now or datetime.now(UTC)).timestamp()
        with self._tx("finish_import") as db:
            db.execute(
                "UPDATE imports SET state = ?, problem = ?, finished_at = ?, lease_until = NULL "
                "WHERE id = ?",
                (state, problem, at, str(import_id)),
            )
            db.execute("DELETE FROM import_files WHERE import_id = ?", (str(import_id),))
            db.execute("DELETE FROM import_file_parts WHERE import_id = ?", (str(import_id),))

    def import_rows(
        self, import_id: uuid.UUID, after: int = -1, limit: int = 1000, errors_only: bool = False
    ) -> list[dict[str, Any]]:
        """Ledger entries by row index (after ``after``), with the payment's status and notice."""
        only = " AND r.outcome = 'error'" if errors_only else ""
        rows = self._query(
            "SELECT r.idx, r.line, r.outcome, r.payment_id, r.field, r.reason, r.cells, "
            "p.status, p.notice_number FROM import_rows AS r "
            "LEFT JOIN payments AS p ON p.id = r.payment_id "
            f"WHERE r.import_id = ? AND r.idx > ?{only} ORDER BY r.idx LIMIT ?",
            (str(import_id), after, limit),
        )
        return [
            {
                "idx": r["idx"],
                "line": r["line"],
                "outcome": r["outcome"],
                "payment_id": r["payment_id"],
                "status": r["status"],
                "notice_number": r["notice_number"],
                "field": r["field"],
                "reason": r["reason"],
                "cells": json.loads(r["cells"]) if r["cells"] else None,
            }
            for r in rows
        ]

    def iter_import_rows(
        self, import_id: uuid.UUID, errors_only: bool = False, page: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every ledger entry in file order, a page at a time (a big job is not loaded whole)."""
        after = -1
        while True:
            rows = self.import_rows(import_id, after, page, errors_only)
            yield from rows
            if len(rows) < page:
                return
            after = rows[-1]["idx"]

    def import_of_payment(self, payment_id: uuid.UUID) -> tuple[uuid.UUID, int] | None:
        """(job, line) of the CSV row that brought this payment in, if one did."""
        rows = self._query(
            "SELECT import_id, line FROM import_rows WHERE payment_id = ? "
            "AND outcome IN ('created', 'registered') LIMIT 1",
            (str(payment_id),),
        )
        return (uuid.UUID(rows[0]["import_id"]), rows[0]["line"]) if rows else None
