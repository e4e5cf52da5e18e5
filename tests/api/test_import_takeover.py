"""Two replicas on one store file and one CSV import job: the replica that claimed it runs
it alone while its claim is renewed; when it dies the other one takes the job over after
the lease and finishes it from the ledger, nothing imported or counted twice. Two jobs
are shared: each replica runs one."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx
from starlette.applications import Starlette

from adapters.api.app import create_app
from adapters.api.settings import ApiSettings
from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.import_runner import ImportRunner
from adapters.core.store import Store
from tests.api.conftest import (
    AUTH,
    PAYER_CF,
    PUBLIC_URL,
    TOKEN,
    service_body,
    tenant_body,
)
from tests.api.test_imports import HEADER, IDS

LEASE = 0.4


def replica(path: Path, name: str, fake: FakeIntermediary) -> Starlette:
    settings = ApiSettings(
        api_token=TOKEN, public_url=PUBLIC_URL, replica_id=name, lease_seconds=LEASE
    )
    return create_app(
        settings, intermediary=fake, store=Store.open(path), bus=MemoryBus(), run_background=False
    )


async def upload(app: Starlette, rows: int, first: int = 1, configure: bool = False) -> uuid.UUID:
    lines = [f",{n},Canone {n},2099-12-31,human,{PAYER_CF},Mario,Rossi,,"
             for n in range(first, first + rows)]  # fmt: skip
    body = "\n".join([HEADER, *lines]).encode()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        if configure:
            for kind, doc in (("tenants", tenant_body()), ("services", service_body())):
                assert (await http.post(f"/{kind}", json=doc, headers=AUTH)).status_code == 201
        answer = await http.post(
            "/imports", files={"file": ("x.csv", body, "text/csv")}, data=IDS, headers=AUTH
        )
    assert answer.status_code == 202, answer.text
    return uuid.UUID(answer.json()["id"])


async def test_a_dead_replicas_import_job_is_taken_over_and_finished_once(
    tmp_path: Path,
) -> None:
    fake = FakeIntermediary()  # the one intermediary behind both replicas
    a, b = (
        replica(tmp_path / "shared.sqlite3", "a", fake),
        replica(tmp_path / "shared.sqlite3", "b", fake),
    )
    job_id = await upload(a, 40, configure=True)
    store = b.state.store
    runner_a = ImportRunner(a.state.service, batch_seconds=0.0, concurrency=1)
    runner_b = ImportRunner(b.state.service, batch_seconds=0.0, concurrency=1)
    for _ in range(15):  # one row per batch, each batch renewing a's claim
        assert await runner_a.run_batch() == 1
        assert await runner_b.run_batch() == 0  # the job is a's: b has nothing to do
    half = store.get_import(job_id)
    assert half is not None and (half.state, half.read, half.replica) == ("running", 15, "a")
    # a dies here (no more batches, no heartbeat); b takes over once the lease is over.
    died = time.monotonic()
    while await runner_b.run_batch() == 0:
        assert time.monotonic() - died < 10, "b never took the job over"
        await asyncio.sleep(0.05)
    assert time.monotonic() - died >= LEASE * 0.9
    while await runner_b.run_batch():
        pass
    job = store.get_import(job_id)
    assert job is not None
    assert (job.state, job.read, job.created, job.unchanged) == ("done", 40, 40, 0)
    assert job.replica == "b"  # the replica that finished it
    assert fake.count("create_debt_position") == 40 and store.count_payments() == 40
    rows = store.import_rows(job_id)
    assert [r["line"] for r in rows] == list(range(2, 42))


async def test_a_running_jobs_claim_is_kept_alive_by_its_heartbeat(tmp_path: Path) -> None:
    class Slow(FakeIntermediary):
        async def create_debt_position(self, request):  # type: ignore[no-untyped-def]
            await asyncio.sleep(LEASE * 3)  # one creation outlasts the lease three times
            return await super().create_debt_position(request)

    fake = Slow()
    path = tmp_path / "shared.sqlite3"
    a, b = replica(path, "a", fake), replica(path, "b", fake)
    job_id = await upload(a, 2, configure=True)
    runner_a = ImportRunner(a.state.service, batch_seconds=0.0, concurrency=1)
    runner_b = ImportRunner(b.state.service, batch_seconds=0.0, concurrency=1)
    batch = asyncio.create_task(runner_a.run_batch())
    await asyncio.sleep(LEASE * 2)
    assert await runner_b.run_batch() == 0, "b took a job whose replica is alive"
    assert await batch == 1
    assert b.state.store.get_import(job_id).read == 1  # type: ignore[union-attr]


async def test_two_jobs_run_on_two_replicas_at_once(tmp_path: Path) -> None:
    fake = FakeIntermediary()
    path = tmp_path / "shared.sqlite3"
    a, b = replica(path, "a", fake), replica(path, "b", fake)
    first = await upload(a, 20, configure=True)
    second = await upload(b, 20, first=21)
    runner_a = ImportRunner(a.state.service, batch_seconds=0.0, concurrency=1)
    runner_b = ImportRunner(b.state.service, batch_seconds=0.0, concurrency=1)
    await runner_a.run_batch()
    await runner_b.run_batch()
    store = a.state.store
    jobs = {j.id: j.read for j in store.list_imports()}
    assert jobs == {first: 1, second: 1}, "each replica claimed its own job"
    while await runner_a.run_batch() + await runner_b.run_batch():
        pass
    assert {(j.state, j.created) for j in store.list_imports()} == {("done", 20)}
    assert fake.count("create_debt_position") == 40 and store.count_payments() == 40
