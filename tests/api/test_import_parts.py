"""A job's file is stored in parts and read a part at a time as its rows are imported; a file
stored whole by an earlier release is still read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from adapters.core import store_imports
from adapters.core.bus import MemoryBus
from adapters.core.csv_file import text_stream
from adapters.core.fake import FakeIntermediary
from adapters.core.import_records import ImportJob
from adapters.core.import_runner import ImportRunner
from adapters.core.service import PaymentService
from adapters.core.store import Store
from tests.api.test_import_jobs import ACCENTED, accented_rows, quiet_proxy_with_job
from tests.api.test_imports import (  # noqa: F401  (fixtures: the app with its runtime)
    IDS,
    app,
    client,
    report_of,
)


def _payers(service: PaymentService, report: dict[str, object]) -> set[tuple[str, str]]:
    found = set()
    for row in report["rows"]:  # type: ignore[attr-defined]
        stored = service.store.get_payment(uuid.UUID(row["payment_id"]))
        assert stored is not None
        found.add((stored.event.payer.name, stored.event.payer.family_name))
    return found


def test_the_parts_make_the_file_and_a_finished_job_drops_them(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_imports, "FILE_PART_BYTES", 5)
    data = "Niccolò;Carità\r\nZoë;D’Àngelo\r\n".encode()
    job = ImportJob(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        service_id=uuid.uuid4(),
        encoding="UTF-8",
        delimiter=";",
        total=2,
        header=["name", "family_name"],
        created_at=datetime.now(UTC),
    )
    store.add_import(job, data)
    parts = list(store.import_file_parts(job.id))
    assert len(parts) == -(-len(data) // 5) and max(len(p) for p in parts) == 5
    assert b"".join(parts) == data == store.import_file(job.id)
    # Characters split between two parts are decoded whole.
    assert text_stream(store.import_file_parts(job.id), "UTF-8").read() == data.decode()
    store.finish_import(job.id, "done")
    assert store.import_file(job.id) == b"" and list(store.import_file_parts(job.id)) == []


async def test_a_file_in_many_small_parts_keeps_its_accents(
    configured: httpx.AsyncClient, service: PaymentService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_imports, "FILE_PART_BYTES", 7)  # characters split across parts
    for encoding in ("utf-8", "utf-8-sig", "cp1252"):
        rows = accented_rows().replace("TARI 2025", f"TARI 2025 ({encoding})")  # new rows
        report = await report_of(configured, rows.encode(encoding))
        assert (report["created"], report["failed"]) == (3, 0), report["errors"]
        assert _payers(service, report) == set(ACCENTED), encoding


async def test_a_job_stored_whole_by_an_earlier_release_is_imported(
    store: Store, fake: FakeIntermediary, bus: MemoryBus
) -> None:
    quiet, job = await quiet_proxy_with_job(store, fake, bus, accented_rows())
    job_id = str(job)
    data = store.import_file(job)
    with store._tx() as db:  # as the release before the parts stored it
        db.execute("DELETE FROM import_file_parts WHERE import_id = ?", (job_id,))
        db.execute("INSERT INTO import_files (import_id, data) VALUES (?, ?)", (job_id, data))
    runner = ImportRunner(quiet.state.service)
    while await runner.run_batch():
        pass
    done = store.get_import(job)
    assert done is not None
    assert (done.state, done.read, done.created, done.failed) == ("done", 3, 3, 0), done
    assert store.import_file(job) == b""
