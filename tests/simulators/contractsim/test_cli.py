"""`collaudo sim contract FILE|URL`: serves in the foreground, prints where; bad input is a
clear error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from collaudo.cli import build_parser, main
from collaudo.commands import sim
from simulators.common.server import free_port
from tests.simulators.contractsim import synthetic_soap

ROOT = Path(__file__).resolve().parents[3]


def test_serves_a_wsdl_in_the_foreground_and_prints_where(tmp_path: Path) -> None:
    contract = synthetic_soap.write(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "collaudo", "sim", "contract", str(contract), "--port", str(port),
         "--faults", "slow-response:0"],
        cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()
            try:
                wsdl = httpx.get(f"{base}/servizi/pratiche/v1?wsdl", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the simulator did not answer in 30 s"
                time.sleep(0.1)
        assert wsdl.status_code == 200 and f"{base}/servizi/pratiche/v1".encode() in wsdl.content
        status = httpx.get(f"{base}/status").json()
        assert status["simulator"] == "contract" and status["kind"] == "wsdl"
        assert status["faults"][0]["name"] == "slow-response"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert f"Contract simulator listening on {base}" in out
    assert f"2 operations: {base}/servizi/pratiche/v1" in out
    assert f"WSDL: {base}/servizi/pratiche/v1?wsdl" in out
    assert f"admin: violations: {base}/_admin/violations" in out
    assert "contract defect worked around" in out and "com:stCodiceFiscale" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sim", "contract", "/nowhere/api.yaml"], "no such file"),
        (["sim", "contract", "{path}", "--faults", "lost-notification"], "does not apply"),
    ],
)
def test_bad_input_exits_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    contract = synthetic_soap.write(tmp_path)
    assert main([a.replace("{path}", str(contract)) for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_a_contract_is_required(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLLAUDO_CONTRACT_CONTRACT", raising=False)
    assert main(["sim", "contract"]) == 2
    assert "no contract given" in capsys.readouterr().err


def test_the_contract_from_the_environment_and_the_argument_wins() -> None:
    module = sim.load("contract")
    environ = {"COLLAUDO_CONTRACT_CONTRACT": "vendor.wsdl"}
    from_env, _ = sim.make_settings(module, build_parser().parse_args(["sim", "contract"]), environ)
    assert from_env.contract == "vendor.wsdl"
    argv = ["sim", "contract", "api.yaml", "--port", "9000"]
    given, took_allowlist = sim.make_settings(module, build_parser().parse_args(argv), environ)
    assert (given.contract, given.port, took_allowlist) == ("api.yaml", 9000, True)
