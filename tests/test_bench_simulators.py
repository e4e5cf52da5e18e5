"""The simulators' load benchmark runs end to end: both endpoints measured, no errors."""

from __future__ import annotations

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
def test_quick_run_with_the_python_client_measures_both_endpoints_without_errors() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--duration", "1", "--client", "python"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {}
    for line in done.stdout.splitlines():
        match = ROW.match(line)
        if match:
            rows[match["label"]] = match
    assert set(rows) == {"MyPay SOAP paaSILChiediPagati", "GPD REST GET debt position"}, done.stdout
    for label, row in rows.items():
        assert int(row["rps"].replace(",", "")) > 0, label
        assert int(row["requests"].replace(",", "")) > 0, label
        assert row["errors"] == "0", label
    assert "CLIENT-BOUND" in done.stdout  # the Python fallback says its figures are a floor
    assert re.search(r"WireMock static stub .* 2,700", done.stdout)
    assert re.search(r"machine: \d+ cores", done.stdout)
