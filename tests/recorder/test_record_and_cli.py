"""Recording end to end (the drivers through mitmproxy against the simulators), flow
metadata, and the CLI verbs record → replay → drift → vendor-report on the result."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from collaudo.cli import main
from collaudo.recorder.flows import RecordingError, read_flows
from collaudo.recorder.proxy import ProxyError, ReverseProxy
from collaudo.recorder.sample import World, record_sample
from tests.recorder.conftest import SECRETS, need_contracts


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("recorded") / "mypay.flow"
    assert record_sample("mypay", out) > 0
    return out


def test_a_fresh_recording_keeps_report_metadata_and_no_secret(fresh: Path) -> None:
    flows = read_flows(fresh)
    data = fresh.read_bytes().decode("latin-1")
    assert not [s for s in SECRETS if s in data]
    meta = [f.metadata["collaudo"] for f in flows]
    operations = [m["operation"] for m in meta]
    assert operations[0] == "GET WSDL"
    for op in (
        "paaSILImportaDovuto",
        "paaSILChiediPagatiConRicevuta",
        "paVerifyPaymentNotice",
        "paGetPaymentV2",
        "paSendRTV2",
    ):
        assert op in operations, operations
    create = meta[operations.index("paaSILImportaDovuto")]
    assert create["outcome"] == "OK" and create["iud"] and create["iuv"]
    assert create["started"] <= create["ended"] and create["endpoint"].endswith("/ws/pa")
    station = meta[operations.index("paGetPaymentV2")]
    assert station["station"] == "80000000002_01"
    assert station["creditor_fiscal_code"] == "80000000002"
    status = meta[operations.index("paaSILChiediPagatiConRicevuta")]
    assert status["codice_ipa"] == "c_bugliano"
    assert status["fault_code"] == "PAA_PAGAMENTO_NON_INIZIATO"
    failed = meta[-1]
    assert (failed["outcome"], failed["fault_code"]) == ("KO", "PAA_SYSTEM_ERROR")


def test_cli_replay_client_drift_and_report(
    fresh: Path, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.environ["COLLAUDO_TEST_RECORDER_PASSWORD"] = "sim-password"
    code = main(
        [
            "replay",
            str(fresh),
            "--mode",
            "client",
            "--target",
            world.mypay.url,
            "--credential",
            "password=COLLAUDO_TEST_RECORDER_PASSWORD",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1 and "answers as recorded" in out and "DIFFERS" in out
    need_contracts("mypay", "paForNode")
    assert main(["drift", str(fresh), "--contract", "mypay"]) == 0
    assert "0 violations" in capsys.readouterr().out
    report = tmp_path / "report.zip"
    assert main(["vendor-report", "--recording", str(fresh), "--out", str(report)]) == 0
    assert "PAA_SYSTEM_ERROR" in capsys.readouterr().out
    with zipfile.ZipFile(report) as z:
        summary = json.loads(z.read("summary.json"))
        assert "recording.flow" in z.namelist()
    assert summary["drift"] and all(not d["violations"] for d in summary["drift"])


def test_cli_errors_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path / "none.flow"), "--mode", "server"]) == 2
    assert "collaudo record" in capsys.readouterr().err
    bad = tmp_path / "bad.flow"
    bad.write_bytes(b"not a flow file")
    with pytest.raises(RecordingError, match="not a mitmproxy flow file"):
        read_flows(bad)
    assert main(["record", "--upstream", "ftp://x", "--listen", "1", "--out", "x.flow"]) == 1
    assert "not an http(s) URL" in capsys.readouterr().err
    assert main(["replay", str(bad), "--mode", "client"]) == 2
    assert main(["vendor-report", "--scenario", "nope", "--scenarios-dir", str(tmp_path)]) == 2
    assert "run `collaudo run` first" in capsys.readouterr().err


def test_a_taken_port_is_reported(world: World) -> None:
    with pytest.raises(ProxyError, match="port"):
        ReverseProxy([(world.mypay.url, world.mypay.port)]).start(timeout=10)
