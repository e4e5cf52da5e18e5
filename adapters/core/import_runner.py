"""The importer loop's work: CSV import jobs run in the background, resumable after a crash.

:meth:`ImportRunner.run_batch` is what :class:`~adapters.core.runtime.ProxyRuntime`
calls in its ``importer`` loop: it claims an unfinished job (the one it holds, else
one a dead replica held, else the oldest queued: replicas sharing the store run
different jobs; the claim is renewed by a heartbeat while a batch runs), reads its
stored file from where the ledger says it stopped, and imports rows for at most
``batch_seconds`` (a few rows at a time concurrently, so creations on the
intermediary overlap), then returns to let the other loops run. Rows that need no
intermediary call are done in slices of ``slice_seconds`` (one store transaction
each), ``busy_slice_seconds`` while other work is waiting on the event loop. Every row's
ledger entry is committed with the row's payment (see
:mod:`adapters.core.import_records`), so a job resumed after a SIGKILL skips
exactly the rows already done: no row is imported or counted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

from adapters.core.config import ServiceConfig, TenantConfig
from adapters.core.csv_file import is_blank, records, text_stream
from adapters.core.csv_rows import CsvRow, RowError, check_header, read_row
from adapters.core.errors import ConfigurationMissing
from adapters.core.import_records import ImportJob, ImportRowMark, row_mark
from adapters.core.importing import ImportRow
from adapters.core.service import PaymentService
from adapters.i18n import gettext as _
from adapters.i18n import use_language

__all__ = ["ImportRunner"]

log = logging.getLogger(__name__)


@dataclass
class _Reading:
    """Where the runner is in one job's file (rebuilt from the store after a restart)."""

    job: ImportJob
    header: list[str]
    rows: Iterator[tuple[int, int, list[str]]]  # (index, line, cells) of rows still to do
    problem: str | None = None
    stopped_at: int = 0  # the first line a job-wide problem stopped
    exhausted: bool = False
    inflight: set[asyncio.Task[None]] = field(default_factory=set)


class ImportRunner:
    """Runs the store's CSV import jobs, one batch at a time (see the module docstring)."""

    def __init__(
        self,
        service: PaymentService,
        *,
        concurrency: int = 8,
        batch_seconds: float = 0.5,
        slice_seconds: float = 0.02,
        busy_slice_seconds: float = 0.003,
    ) -> None:
        self.service = service
        self.concurrency = concurrency
        self.batch_seconds = batch_seconds
        self.slice_seconds = slice_seconds
        self.busy_slice_seconds = busy_slice_seconds
        # The longest stretch (seconds) a slice held the event loop, and the most CPU time a
        # slice used (what the slice costs by itself; the wall clock adds what the OS gave
        # to other processes meanwhile).
        self.longest_slice = 0.0
        self.longest_slice_cpu = 0.0
        self._reading: _Reading | None = None
        # Until when (monotonic) this replica's claim on the job being read surely holds.
        self._held_until = 0.0
        # Set when a batch ends, then replaced: a client waiting for a job this runner
        # works (``Prefer: wait``) looks again at once instead of at its next poll.
        self._batch_ended = asyncio.Event()

    async def batch_end(self, timeout: float) -> None:
        """Wait until a batch of this runner ends, at most ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._batch_ended.wait(), timeout)

    async def run_batch(self) -> int:
        """Import rows of the oldest unfinished job for a while; returns how many were done."""
        store = self.service.store
        settings = self.service.settings
        claimed_at = time.monotonic()
        job = store.next_import(
            self.service.clock(), owner=settings.replica_id, lease=settings.lease_seconds
        )
        if job is None:
            self._reading = None
            return 0
        if claimed_at > self._held_until:
            # Our claim lapsed since the last batch (the job may have been worked by
            # another replica meanwhile): reopen it from the ledger.
            self._reading = None
        self._held_until = claimed_at + settings.lease_seconds
        # The rows' errors and the job's problem in the language the office uploaded with
        # (tasks made inside copy the context, so row creations write in it too).
        try:
            with use_language(job.language):
                async with self._heartbeat(job):
                    return await self._run(job)
        finally:
            ended, self._batch_ended = self._batch_ended, asyncio.Event()
            ended.set()

    @contextlib.asynccontextmanager
    async def _heartbeat(self, job: ImportJob) -> AsyncIterator[None]:
        """Renew the claim on the job while a batch runs: a batch waiting for a slow
        intermediary must not let another replica take the job over meanwhile."""
        settings = self.service.settings

        async def beat() -> None:
            while True:
                await asyncio.sleep(settings.lease_seconds / 3)
                renewed_at = time.monotonic()
                if not self.service.store.renew_import(
                    job.id, settings.replica_id, settings.lease_seconds
                ):
                    log.warning("import %s: the claim on it was lost", job.id)
                    return
                self._held_until = renewed_at + settings.lease_seconds

        task = asyncio.create_task(beat(), name=f"import-heartbeat-{job.id}")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, job: ImportJob) -> int:
        store = self.service.store
        reading = self._reading
        if reading is None or reading.job.id != job.id:
            reading = self._reading = await self._open(job)
        done = await self._import_some(reading)
        if reading.problem is not None or reading.exhausted:
            state = "failed" if reading.problem else "done"
            store.finish_import(job.id, state, reading.problem, self.service.clock())
            self._reading = None
            finished = store.get_import(job.id)
            if finished is not None:
                log.info(
                    "import %s %s: %d rows, %d created, %d registered, %d unchanged, %d errors%s",
                    job.id,
                    state,
                    finished.total,
                    finished.created,
                    finished.registered,
                    finished.unchanged,
                    finished.failed,
                    f" ({reading.problem})" if reading.problem else "",
                )
            return max(done, 1)
        return done

    async def _open(self, job: ImportJob) -> _Reading:
        store = self.service.store
        parts = store.import_file_parts(job.id)  # read as the rows are: never whole
        skip = store.import_rows_done(job.id)
        if skip:
            log.info("import %s resumes: %d of %d rows already done", job.id, len(skip), job.total)
        found = records(text_stream(parts, job.encoding), job.delimiter)
        try:
            _line, raw_header = next(found)
            header = check_header(raw_header, job.delimiter)
        except (StopIteration, ValueError) as exc:  # checked at upload: the store lost it
            problem = _("the stored file cannot be read any more (%(error)s)") % {
                "error": exc or _("it is empty")
            }
            return _Reading(job, [], iter(()), problem=problem)
        return _Reading(job, header, self._pending(found, skip))

    @staticmethod
    def _pending(
        found: Iterator[tuple[int, list[str]]], skip: set[int]
    ) -> Iterator[tuple[int, int, list[str]]]:
        index = -1
        for line, cells in found:
            if is_blank(cells):
                continue
            index += 1
            if index not in skip:
                yield index, line, cells

    async def _import_some(self, reading: _Reading) -> int:
        """Rows for up to ``batch_seconds``: those needing no intermediary call a slice at a
        time in one store transaction; the others as tasks, ``concurrency`` at a time."""
        started = time.monotonic()
        count = 0
        slice_seconds = self.busy_slice_seconds
        try:
            while reading.problem is None and not reading.exhausted:
                if count and time.monotonic() - started >= self.batch_seconds:
                    break
                if len(reading.inflight) >= self.concurrency:
                    await asyncio.wait(reading.inflight, return_when=asyncio.FIRST_COMPLETED)
                    continue
                began, began_cpu = time.monotonic(), time.thread_time()
                count += self._slice(reading, slice_seconds)
                self.longest_slice = max(self.longest_slice, time.monotonic() - began)
                self.longest_slice_cpu = max(self.longest_slice_cpu, time.thread_time() - began_cpu)
                yielded = time.monotonic()
                await asyncio.sleep(0)  # let the other loops, the API and the tasks in
                # Others had work waiting: short slices, so a consumer or a poller that
                # awaits many times is not held up a whole slice at each await.
                busy = time.monotonic() - yielded > 0.0002
                slice_seconds = self.busy_slice_seconds if busy else self.slice_seconds
            if reading.inflight:  # a batch ends with its rows done: nothing runs between batches
                await asyncio.gather(*reading.inflight)
        except BaseException:
            self._reading = None  # reopen from the ledger: what was not committed is redone
            raise
        return count

    def _slice(self, reading: _Reading, seconds: float) -> int:
        """Read rows for ``slice_seconds``, without awaiting: registrations, unchanged and
        refused rows are done in one transaction; creations become tasks (run after it)."""
        job = reading.job
        now = self.service.clock()
        creations: list[tuple[ImportRowMark, CsvRow]] = []
        count = 0
        deadline = time.monotonic() + seconds
        config = self.service.store.active_config(job.tenant_id, job.service_id)
        with self.service.store.group("import"):
            while time.monotonic() < deadline:
                if len(reading.inflight) + len(creations) >= self.concurrency:
                    break
                try:
                    index, line, cells = next(reading.rows)
                except StopIteration:
                    reading.exhausted = True
                    break
                except ValueError as exc:  # the stored file cannot be read (checked at upload)
                    reading.problem = _("the stored file became unreadable: %(error)s") % {
                        "error": exc
                    }
                    break
                count += 1
                checked = read_row(reading.header, cells, line, now, job.tenant_id, job.service_id)
                if isinstance(checked, RowError):
                    mark = ImportRowMark(job.id, index, line, False, cells)
                    self.service.metrics.processing_errors.labels(kind="internal").inc()
                    self.service.store.record_import_row(
                        mark, "error", reason=checked.reason, field=checked.field
                    )
                    continue
                mark = ImportRowMark(job.id, index, line, bool(checked.notice_number), cells)
                if not checked.notice_number or not self._register(reading, mark, checked, config):
                    creations.append((mark, checked))
                if reading.problem is not None:
                    break
        for mark, checked in creations:
            task = asyncio.create_task(self._create(reading, mark, checked))
            reading.inflight.add(task)
            task.add_done_callback(reading.inflight.discard)
        return count

    def _row(self, reading: _Reading, checked: CsvRow) -> ImportRow:
        job = reading.job
        return ImportRow(
            tenant_id=job.tenant_id,
            service_id=job.service_id,
            row_key=checked.row_key,
            amount=checked.amount,
            reason=checked.reason,
            payer=checked.payer,
            notice_number=checked.notice_number,
            expire_at=checked.expire_at,
            remote_id=checked.remote_id,
            created_at=checked.created_at,
        )

    def _register(
        self,
        reading: _Reading,
        mark: ImportRowMark,
        checked: CsvRow,
        config: tuple[TenantConfig, ServiceConfig] | None,
    ) -> bool:
        """A row with a notice number, now; False when it must wait for a lock (a task)."""
        try:
            with row_mark(mark):
                result = self.service.register_now(self._row(reading, checked), config)
        except Exception as exc:
            self._failed(reading, mark, exc)
            return True
        if result is None:
            return False
        if not mark.written:
            self.service.store.record_import_row(mark, "unchanged", result.payment_id)
        return True

    async def _create(self, reading: _Reading, mark: ImportRowMark, checked: CsvRow) -> None:
        try:
            with row_mark(mark):
                result = await self.service.import_row(self._row(reading, checked))
        except Exception as exc:
            self._failed(reading, mark, exc)
            return
        if not mark.written:
            self.service.store.record_import_row(mark, "unchanged", result.payment_id)

    def _failed(self, reading: _Reading, mark: ImportRowMark, exc: Exception) -> None:
        """One row's trouble never stops the job; a configuration gone does."""
        if isinstance(exc, ConfigurationMissing):
            if reading.problem is None or mark.line < reading.stopped_at:
                reading.stopped_at = mark.line
                reading.problem = _(
                    "stopped at line %(line)s: %(error)s; the rows done are kept: upload "
                    "the file again once the service is active (done rows stay unchanged)"
                ) % {"line": mark.line, "error": exc}
            return
        if mark.written:
            return  # the row's outcome is stored (e.g. CREATION_FAILED, counted as an error)
        if not isinstance(exc, ValueError):
            log.exception("import %s line %d failed", reading.job.id, mark.line)
        self.service.store.record_import_row(mark, "error", reason=str(exc) or type(exc).__name__)
