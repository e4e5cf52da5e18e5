"""The whole stack in-process, and ``collaudo up`` (``collaudo run``: tests/bdd/)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from collaudo.cli import main
from collaudo.stack import DEMO_TENANT_ID, StackError, StackOptions, StackThread, running_stack
from simulators.common.server import free_port
from tests.journey import run_journey


@pytest.mark.parametrize("intermediary", ["mypay", "gpd", "govpay"])
def test_a_citizen_pays_end_to_end_through_the_stack(intermediary: str, tmp_path: Path) -> None:
    options = StackOptions(intermediary=intermediary, data_dir=tmp_path)  # type: ignore[arg-type]
    with running_stack(options) as stack:
        result = asyncio.run(run_journey(stack))
        assert [s.name for s in result.steps if not s.ok] == []
        assert len(result.steps) == 7
        # The proxy was seeded through its own API with the demo tenant.
        tenant = httpx.get(
            f"{stack.urls['proxy']}/tenants/{DEMO_TENANT_ID}",
            headers={"Authorization": f"Bearer {stack.api_token}"},
        )
        assert tenant.status_code == 200
        assert tenant.json()["tax_identification_number"] == "80000000002"
        # The intermediary simulator's backoffice shows the paid position.
        positions = httpx.get(f"{stack.urls[intermediary]}/_admin/positions").json()
        assert len(positions) == 1
        if intermediary == "govpay":
            # GovPay pushed the receipt to the proxy's API Ente v2, which accepted it (201)
            # with the credentials the seeded tenant expects.
            settled = httpx.post(f"{stack.urls['govpay']}/_admin/notifications/settle").json()
            [notification] = settled["notifications"]
            assert notification["url"].startswith(f"{stack.urls['proxy']}/govpay/ente/v2/")
            assert [a.get("status") for a in notification["attempts"]][-1] == 201


def test_a_failing_step_fails_the_journey(tmp_path: Path) -> None:
    options = StackOptions(
        intermediary="mypay", data_dir=tmp_path, faults={"mypay": ["notice-download-failure"]}
    )
    with running_stack(options) as stack:
        result = asyncio.run(run_journey(stack))
    assert not result.ok
    failed = [s for s in result.steps if not s.ok]
    assert [s.name for s in failed] == ["paper notice (avviso) downloaded"]
    assert result.steps[-1] is failed[0]  # the journey stops at the first failure


def test_collaudo_up_prints_every_url_and_stops_on_sigint(tmp_path: Path) -> None:
    ports = [
        arg
        for name in ("proxy", "platform", "mypay", "gpd", "checkout", "govpay")
        for arg in (f"--{name}-port", str(free_port()))
    ]
    env = {**os.environ, "COLLAUDO_API_TOKEN": "test-token"}
    process = subprocess.Popen(
        [sys.executable, "-m", "collaudo", "up", "--data-dir", str(tmp_path), *ports],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("ready") or not line:
            break
    try:
        text = "".join(lines)
        assert "ready" in text, text
        platform_url = next(ln.split()[-1] for ln in lines if "citizen page" in ln)
        assert httpx.get(platform_url).status_code == 200
        assert "from COLLAUDO_API_TOKEN" in text and "test-token" not in text
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "stopped." in out


def test_collaudo_up_docker_says_plainly_when_no_engine(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["up", "--docker"]) == 2
    assert "no Docker engine answers" in capsys.readouterr().err


def test_a_taken_port_fails_the_stack_at_once_naming_the_component(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        options = StackOptions(intermediary="gpd", data_dir=tmp_path, ports={"proxy": port})
        with pytest.raises(StackError, match=rf"the proxy component: cannot listen on .*:{port}"):
            StackThread(options)
        assert time.monotonic() - started < 5  # not the 60 s start-up timeout
