"""The simulators' load benchmark runs end to end: both endpoints measured, no errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "bench_simulators.py"
ROW = re.compile(
    r"^(?P<label>.+?)\s+(?P<requests>[\d,]+)\s+(?P<rps>[\d,]+)\s+[\d.]+\s+[\d.]+\s+(?P<errors>\d+)$"
)


@pytest.mark.slow
def test_quick_run_measures_every_endpoint_and_a_live_peer_without_errors(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--quick",
            "--duration",
            "1",
            "--client",
            "python",
            "--warmup",
            "0",
            "--peers",
            "python,wiremock",
        ],  # fmt: skip
        cwd=REPO,
        # An empty peers folder: WireMock is "missing", the Python floor always runs.
        env={**os.environ, "COLLAUDO_PEERS_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {}
    for line in done.stdout.splitlines():
        match = ROW.match(line)
        if match:
            rows[match["label"].strip()] = match
    simulators = {
        "MyPay SOAP paaSILChiediPagati",
        "MyPay SOAP paaSILImportaDovuto",  # creations: a new IUD per request, no error
        "GPD REST GET debt position",
    }
    assert set(rows) == simulators | {"Starlette + uvicorn, static"}, done.stdout
    for label, row in rows.items():
        assert int(row["rps"].replace(",", "")) > 0, label
        assert int(row["requests"].replace(",", "")) > 0, label
        assert row["errors"] == "0", label
    assert "CLIENT-BOUND" in done.stdout  # the Python fallback says its figures are a floor
    # Ratios only against peers measured in this run; a missing one says how to install it.
    assert (
        len(re.findall(r"^  [\d.]+ x Starlette \+ uvicorn, static req/s", done.stdout, re.M)) == 3
    )
    assert "wiremock: not measured, no ratio" in done.stdout and "npm install" in done.stdout
    assert "x WireMock" not in done.stdout and "2,700" not in done.stdout
    assert re.search(r"machine: \d+ cores", done.stdout)
