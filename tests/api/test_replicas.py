"""Two real proxy processes on one shared store, one GPD simulator: 2,000 payments created
through the import API of either replica, one replica SIGKILLed halfway. Every payment
gets exactly one debt position on the simulator, reaches PAYMENT_PENDING with one event,
and its citizen link works on both replicas (one PAYMENT_STARTED event however many
times it is opened).

The store is a parameter: a SQLite file (WAL works across processes on one machine),
and PostgreSQL when ``COLLAUDO_TEST_POSTGRES`` names an empty database (postgresql://…);
without it that run is skipped saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.core.models import PaymentStatus
from adapters.core.store import Store
from simulators.checkout import app as checkout_sim
from simulators.common.server import BackgroundServer, connection_guard, free_port
from simulators.gpd import app as gpd_sim
from tests.api.test_import_crash import SERVICE, TENANT, configure
from tests.api.test_imports import HEADER

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "crash-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PAYMENTS = 2000
JOBS = 8  # uploaded alternately to each replica
LEASE = 2.0  # seconds a dead replica's claims wait before the other takes them

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where both replicas keep their state (``COLLAUDO_DB``)."""
    if request.param == "sqlite":
        yield str(tmp_path / "shared.sqlite3")
        return
    from tests.postgres import fresh_schema

    with fresh_schema() as url:  # skips naming COLLAUDO_TEST_POSTGRES when it is unset
        yield url


@dataclass
class Outside:
    gpd: str
    checkout: str


@pytest.fixture
def outside() -> Iterator[Outside]:
    gpd = gpd_sim.create_app(gpd_sim.Settings())
    checkout = checkout_sim.create_app(checkout_sim.Settings())
    servers = [
        BackgroundServer(app, allowlist=connection_guard(app)).start() for app in (gpd, checkout)
    ]
    try:
        yield Outside(servers[0].url, servers[1].url)
    finally:
        for server in servers:
            server.stop()


@dataclass
class Replica:
    name: str
    process: subprocess.Popen[bytes]
    url: str


def start_replica(name: str, store: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COLLAUDO_API_TOKEN": TOKEN, "COLLAUDO_DB": store}
    env |= {"COLLAUDO_REPLICA_ID": name, "COLLAUDO_LEASE_SECONDS": str(LEASE)}
    env["COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY"] = "sim-subscription-key"
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "collaudo", "proxy", "--intermediary", "gpd",
             "--port", str(free_port())],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def start_replicas(names: str, store: str, tmp: Path) -> list[Replica]:
    """Start the replicas at once and wait until each answers ``/status`` as itself."""
    logs = {name: tmp / f"replica-{name}.log" for name in names}
    # A restarted replica appends to its log: read only what this start wrote.
    skip = {name: logs[name].stat().st_size if logs[name].exists() else 0 for name in names}
    processes = {name: start_replica(name, store, logs[name]) for name in names}
    ready: dict[str, Replica] = {}
    deadline = time.monotonic() + 60
    while len(ready) < len(names):
        for name, process in processes.items():
            assert process.poll() is None, f"replica {name} exited at start: see {logs[name]}"
            text = logs[name].read_bytes()[skip[name] :].decode(errors="replace")
            found = re.search(r"listening on (http://\S+)", text)
            if name in ready or not found:
                continue
            with contextlib.suppress(httpx.TransportError):
                status = httpx.get(f"{found[1]}/status", timeout=1)
                if status.status_code == 200:
                    assert status.json()["replica"] == name
                    ready[name] = Replica(name, process, found[1])
        if time.monotonic() > deadline:
            for process in processes.values():
                process.kill()
            raise AssertionError(f"replicas did not start within 60 s: see {list(logs.values())}")
        time.sleep(0.1)
    return [ready[name] for name in names]


def stop(replica: Replica) -> None:
    if replica.process.poll() is None:
        replica.process.terminate()
        try:
            replica.process.wait(30)
        except subprocess.TimeoutExpired:
            replica.process.kill()


def csv_file(first: int, rows: int) -> bytes:
    lines = [HEADER.replace(",", ";")]
    for n in range(first, first + rows):
        lines.append(f";{n},00;Canone {n};31/12/2099;human;RSSMRA80A01H501U;Mario;Rossi;;")
    return ("\r\n".join(lines) + "\r\n").encode()


def upload(replica: Replica, first: int, rows: int) -> str:
    answer = httpx.post(
        f"{replica.url}/imports",
        files={"file": (f"canone-{first}.csv", csv_file(first, rows), "text/csv")},
        data={"tenant_id": TENANT, "service_id": SERVICE},
        headers=AUTH,
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    job_id: str = answer.json()["id"]
    return job_id


def positions(outside: Outside) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(f"{outside.gpd}/_admin/positions", timeout=30).json()
    return found


def job_rows(replica: Replica, job_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after: int | None = -1
    while after is not None:
        page = httpx.get(
            f"{replica.url}/imports/{job_id}/rows",
            params={"after": after},
            headers=AUTH,
            timeout=30,
        ).json()
        rows += page["rows"]
        after = page["next_after"]
    return rows


async def open_links(replicas: list[Replica], payment_ids: list[str]) -> Counter[str]:
    """Open every payment's ``/online-payment`` link on every replica; the answers' codes.

    A 503 (the intermediary unavailable: on an overloaded machine the checkout simulator,
    in this process, can answer after the driver's 7 s) is clicked again once, as a
    citizen would, and printed."""
    codes: Counter[str] = Counter()
    gate = asyncio.Semaphore(16)

    async def open_link(http: httpx.AsyncClient, replica: Replica, payment_id: str) -> None:
        url = f"{replica.url}/online-payment/{payment_id}"
        answer = await http.get(url)
        if answer.status_code == 503:
            print(f"503 from {replica.name}, clicked again: {answer.text[:300]}")
            answer = await http.get(url)
        location = answer.headers.get("location", "")
        cart = re.search(r"/c/[0-9a-f-]{36}$", location)  # the checkout's cart page
        # Anything else is kept with its problem's detail, to say what went wrong.
        what = "checkout" if cart else f"{location}{answer.text[:300]}"
        codes[f"{answer.status_code} {what}"] += 1

    async def both(http: httpx.AsyncClient, n: int, payment_id: str) -> None:
        async with gate:  # one replica after the other: the first opening starts it
            for replica in replicas if n % 2 else replicas[::-1]:
                await open_link(http, replica, payment_id)

    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(*(both(http, n, p) for n, p in enumerate(payment_ids)))
    return codes


def test_two_replicas_share_the_work_and_a_dead_ones_share_is_done_once(
    shared_store: str, outside: Outside, tmp_path: Path
) -> None:
    started = time.monotonic()

    def phase(what: str) -> None:
        print(f"{time.monotonic() - started:6.1f} s  {what}")

    replicas = start_replicas("ab", shared_store, tmp_path)
    a, b = replicas
    try:
        phase("replicas up")
        configure(a.url, outside.gpd)
        # The tenant written through a is the one b serves: one store.
        tenant = httpx.get(f"{b.url}/tenants/{TENANT}", headers=AUTH, timeout=10).json()
        assert tenant["gpd_base_url"].startswith(outside.gpd)
        patch = {"checkout_base_url": f"{outside.checkout}/checkout/ec/v1"}
        answer = httpx.patch(f"{b.url}/tenants/{TENANT}", json=patch, headers=AUTH, timeout=10)
        assert answer.status_code == 200, answer.text

        size = PAYMENTS // JOBS
        jobs = [upload(replicas[n % 2], 1 + n * size, size) for n in range(JOBS)]
        # The kill strikes once half the payments exist and while a is inside a job with
        # most of its rows still to read: killed between two jobs (one just finished, the
        # next not claimed yet), a would hold nothing and the takeover would go untested.
        deadline = time.monotonic() + 60
        while True:
            listed = httpx.get(f"{b.url}/imports", headers=AUTH, timeout=10).json()["imports"]
            held = [
                j["id"]
                for j in listed
                if j["state"] == "running" and j["replica"] == "a" and j["read"] * 2 <= j["total"]
            ]
            if held and sum(int(j["created"]) for j in listed) >= PAYMENTS // 2:
                break
            assert time.monotonic() < deadline, f"a never held a half-read job: {listed}"
            time.sleep(0.02)
        phase("half the payments created, a in the middle of a job")
        a.process.kill()  # SIGKILL: whatever a had in flight is cut
        a.process.wait(10)
        at_kill = len(positions(outside))
        assert at_kill < PAYMENTS, "everything was done before the kill: nothing was tested"

        for job_id in jobs:  # b finishes them all, a's half-done one after its lease
            job = httpx.get(
                f"{b.url}/imports/{job_id}", params={"wait": 60}, headers=AUTH, timeout=90
            ).json()
            assert (job["state"], job["created"], job["failed"]) == ("done", size, 0), job
            if job_id in held:
                assert job["replica"] == "b", "b took over the job a was running"
        phase("every job done by b")
        [a] = replicas[:1] = start_replicas("a", shared_store, tmp_path)  # a comes back
        phase("a restarted")

        rows = [row for job_id in jobs for row in job_rows(b, job_id)]
        payment_ids = [row["payment_id"] for row in rows]
        assert len(set(payment_ids)) == PAYMENTS
        assert {row["outcome"] for row in rows} == {"created"}
        assert {row["status"] for row in rows} == {"PAYMENT_PENDING"}

        # Exactly one debt position per payment on the intermediary.
        iupds = Counter(p["iupd"] for p in positions(outside))
        assert len(iupds) == PAYMENTS and max(iupds.values()) == 1
        assert set(iupds) == {uuid.UUID(p).hex for p in payment_ids}

        # Every citizen link works on both replicas, whichever created the payment.
        phase("positions checked")
        codes = asyncio.run(open_links(replicas, payment_ids))
        phase("links opened")
        assert codes == Counter({"302 checkout": 2 * PAYMENTS}), codes
    finally:
        for replica in replicas:
            stop(replica)

    # One event per transition: PAYMENT_PENDING once, PAYMENT_STARTED once (the second
    # opening of a link changes nothing), whichever replica wrote or published it.
    store = Store.open(shared_store)
    try:
        for payment_id in payment_ids:
            events = store.published_events(uuid.UUID(payment_id))
            assert [e.status for e in events] == [
                PaymentStatus.PAYMENT_PENDING,
                PaymentStatus.PAYMENT_STARTED,
            ], payment_id
        assert store.outbox_backlog() == 0
    finally:
        store.close()
    print(f"two replicas, {PAYMENTS} payments, one killed: {time.monotonic() - started:.1f} s")
