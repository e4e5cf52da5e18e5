"""``collaudo proxy`` as a person starts it: a real process on a real port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from simulators.common.server import free_port


def test_proxy_process_prints_where_it_listens_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "COLLAUDO_API_TOKEN"}
    env["COLLAUDO_DB"] = str(tmp_path / "proxy.sqlite3")
    process = subprocess.Popen(
        [sys.executable, "-m", "collaudo", "proxy", "--intermediary", "fake", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline and not any("Ctrl-C" in ln for ln in lines):
            lines.append(process.stdout.readline())
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}" in text, text
        token = re.search(r"COLLAUDO_API_TOKEN=(\S+)|token[^:\n]*:\s*(\S+)", text)
        assert token, f"a generated token is printed when none is set:\n{text}"
        secret = token.group(1) or token.group(2)
        for _ in range(50):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/status").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        tenants = f"http://127.0.0.1:{port}/tenants"
        assert httpx.get(tenants, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
        assert httpx.get(tenants).status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, out
    assert (tmp_path / "proxy.sqlite3").exists()
