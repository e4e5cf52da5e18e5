"""SIGKILL a real proxy process in the middle of an import job, start it again, and find
every row of the file exactly once on the intermediary (the GPD simulator), with the job
``done`` and its counts right, without a new upload. On the SQLite store and, when
``COLLAUDO_TEST_POSTGRES`` names a server, on the PostgreSQL store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulators.common.server import BackgroundServer, connection_guard, free_port
from simulators.gpd import app as gpd_sim
from tests.api.test_imports import HEADER

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "crash-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TENANT = "60e35f02-1509-408c-b101-3b1a28109329"
SERVICE = "a5a9bf9f-7b5c-4aed-b020-5bf2d1ca75ab"
ROWS = 1000


@pytest.fixture
def gpd() -> Iterator[str]:
    app = gpd_sim.create_app(gpd_sim.Settings())
    server = BackgroundServer(app, allowlist=connection_guard(app)).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / "proxy.sqlite3")


def start_proxy(db: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {**os.environ, "COLLAUDO_API_TOKEN": TOKEN}
    # The restarted process is a new replica: it takes the killed one's job over once that
    # one's claim has expired (2 s here instead of the default 30).
    env["COLLAUDO_LEASE_SECONDS"] = "2"
    env["COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY"] = "sim-subscription-key"
    process = subprocess.Popen(
        [sys.executable, "-m", "collaudo", "proxy", "--intermediary", "gpd",
         "--port", str(port), "--db", db],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/status", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        assert process.poll() is None, "the proxy exited at start"
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the proxy did not start within 30 s")


def configure(url: str, gpd: str) -> None:
    tenant = {
        "id": TENANT,
        "name": "Comune di Bugliano",
        "tax_identification_number": "80000000002",
        "gpd_base_url": f"{gpd}/gpd/debt-positions-service/v1",
        "gpd_receipts_url": f"{gpd}/gpd/payments-receipts-service/v1",
        "gpd_subscription_key_env": "COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY",
        "gpd_segregation_code": "01",
    }
    service = {
        "id": SERVICE,
        "tenant_id": TENANT,
        "payment_type": "pagopa",
        "remote_collection": {"id": SERVICE, "type": "service"},
        "amount": 100.0,
        "reason": "Canone unico patrimoniale",
        "expire_at": 90,
        "collection_data": "9/0101108TS/",
        "gpd_iban": "IT60X0542811101000000123456",
    }
    for kind, body in (("tenants", tenant), ("services", service)):
        answer = httpx.post(f"{url}/{kind}", json=body, headers=AUTH, timeout=10)
        assert answer.status_code == 201, answer.text


def tari_file() -> bytes:
    lines = [HEADER.replace(",", ";")]
    for n in range(1, ROWS + 1):
        lines.append(f";{n},00;TARI 2025 utenza {n};31/12/2099;human;RSSMRA80A01H501U;"
                     "Mario;Rossi;;")  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode()


def job_of(url: str, job_id: str, **params: Any) -> dict[str, Any]:
    answer = httpx.get(f"{url}/imports/{job_id}", params=params, headers=AUTH, timeout=150)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_sigkill_mid_job_then_restart_imports_every_row_exactly_once(
    store_location: str, gpd: str
) -> None:
    db = store_location
    proxy, url = start_proxy(db)
    try:
        configure(url, gpd)
        answer = httpx.post(
            f"{url}/imports",
            files={"file": ("tari.csv", tari_file(), "text/csv")},
            data={"tenant_id": TENANT, "service_id": SERVICE},
            headers=AUTH,
            timeout=30,
        )
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["id"]
        deadline = time.monotonic() + 60
        while (read := job_of(url, job_id)["read"]) < ROWS // 5:
            assert time.monotonic() < deadline, f"only {read} rows in 60 s"
            time.sleep(0.02)
        proxy.kill()  # SIGKILL: no shutdown, whatever was in flight is cut
        proxy.wait(10)
    finally:
        if proxy.poll() is None:
            proxy.kill()
    assert read < ROWS, "the job finished before the kill: nothing was tested"
    positions_at_kill = len(httpx.get(f"{gpd}/_admin/positions").json())

    proxy, url = start_proxy(db)  # same store, no new upload
    try:
        job = job_of(url, job_id, wait=120)
        listed = httpx.get(f"{url}/imports", headers=AUTH).json()["imports"]
        rows: list[dict[str, Any]] = []
        after = -1
        while after is not None:
            page = httpx.get(
                f"{url}/imports/{job_id}/rows", params={"after": after}, headers=AUTH
            ).json()
            rows += page["rows"]
            after = page["next_after"]
    finally:
        proxy.terminate()
        proxy.wait(30)

    assert [j["id"] for j in listed] == [job_id]
    counts = {k: job[k] for k in ("state", "total", "read", "created", "unchanged", "failed")}
    assert counts == {"state": "done", "total": ROWS, "read": ROWS, "created": ROWS,
                      "unchanged": 0, "failed": 0}  # fmt: skip
    assert [r["line"] for r in rows] == list(range(2, ROWS + 2))
    assert {r["outcome"] for r in rows} == {"created"}
    positions = httpx.get(f"{gpd}/_admin/positions").json()
    assert len(positions) == ROWS, f"{len(positions)} positions for {ROWS} rows"
    iupds = sorted(p["iupd"] for p in positions)
    assert iupds == sorted(r["payment_id"].replace("-", "") for r in rows)
    assert sorted(p["amount"] for p in positions) == sorted(n * 100 for n in range(1, ROWS + 1))
    assert positions_at_kill < ROWS
