"""Two ``collaudo proxy`` processes on one PostgreSQL store: what one is told, the other
knows; the store's URL is printed without its password, and a store that cannot be
reached stops the proxy with a message saying what to check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

from simulators.common.server import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "replicas-test-token"


@contextmanager
def proxy(store: str) -> Iterator[tuple[str, str]]:
    """A proxy process on ``store``: (its base URL, what it printed before serving)."""
    port = free_port()
    env = {**os.environ, "COLLAUDO_API_TOKEN": TOKEN, "COLLAUDO_DB": store}
    process = subprocess.Popen(
        [sys.executable, "-m", "collaudo", "proxy", "--intermediary", "fake", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and not any("Ctrl-C" in ln for ln in lines):
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/status").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, "".join(lines)
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, "".join(lines) + out


def test_two_replicas_share_one_store_and_never_print_its_password(postgres_url: str) -> None:
    password = str(psycopg.conninfo.conninfo_to_dict(postgres_url).get("password") or "")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    tenant_id = str(uuid.uuid4())
    tenant = {
        "id": tenant_id,
        "name": "Comune di Bugliano",
        "tax_identification_number": "80000000002",
        "ipa_code": "c_bugliano",
    }
    with proxy(postgres_url) as (first, printed_first), proxy(postgres_url) as (second, printed):
        created = httpx.post(f"{first}/tenants", json=tenant, headers=auth)
        assert created.status_code in (200, 201), created.text
        seen = httpx.get(f"{second}/tenants/{tenant_id}", headers=auth)
        assert seen.status_code == 200 and seen.json()["id"] == tenant_id
        for text in (printed_first, printed):
            assert "store: postgresql://" in text and ":***@" in text, text
            assert not password or password not in text


def test_an_unreachable_store_stops_the_proxy_saying_what_to_check() -> None:
    dead = f"postgresql://proxy:Hush-{uuid.uuid4().hex[:6]}@127.0.0.1:{free_port()}/payments"
    env = {**os.environ, "COLLAUDO_API_TOKEN": TOKEN, "COLLAUDO_DB": dead}
    done = subprocess.run(
        [sys.executable, "-m", "collaudo", "proxy", "--intermediary", "fake", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot open the PostgreSQL store at postgresql://proxy:***@127.0.0.1" in done.stderr
    assert "check that the server runs" in done.stderr
    assert "Hush-" not in done.stdout + done.stderr
