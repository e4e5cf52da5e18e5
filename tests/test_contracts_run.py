"""What a run is and is not checked against: the line under ``collaudo run``'s table, each
simulator's ``/status``, and a stack that cannot start said once, before any scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from adapters.i18n import ENV_VAR
from collaudo import contract_facts
from collaudo.cli import main
from collaudo.i18n import use_language
from simulators.checkout import app as checkout_sim
from simulators.common import contracts
from simulators.common.contracts import Located, Place
from simulators.gpd import app as gpd_sim
from simulators.mypay import app as mypay_sim
from tests.contracts_env import needs_official

REPO = Path(__file__).resolve().parents[1]
Isolate = Callable[..., dict[str, Path]]
WSDL = contracts.MYPAY_WSDL
XSD = contracts.PAFORNODE_XSD
SIMULATED_FILES = contract_facts.simulator_files()


def _at(kind: str, relative: str, state: str) -> Located:
    place = Place(kind, Path("/x"))  # type: ignore[arg-type]
    return Located(relative, place, Path("/x") / relative, state)  # type: ignore[arg-type]


def test_the_run_line_says_verified_built_in_missing_and_differs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)  # Italian, the default
    verified = [_at("cache", WSDL, "verified"), _at("cache", XSD, "verified")]
    assert contract_facts.run_line(verified) == "contratti ufficiali: verificati (sha256)"
    builtin = [_at("builtin", WSDL, "built-in"), Located(XSD, None, None, "missing")]
    assert contract_facts.run_line(builtin) == (
        "contratti ufficiali: contratto MyPay incorporato; non verificati rispetto a: "
        f"{WSDL}, {XSD} — eseguire collaudo contracts fetch"
    )
    differs = [_at("env", WSDL, "verified"), _at("env", XSD, "differs")]
    line = contract_facts.run_line(differs)
    assert line.startswith(
        f"contratti ufficiali: diversi da quelli del lock: {XSD} — eseguire collaudo drift"
    )
    assert WSDL not in line
    with use_language("en"):
        assert contract_facts.run_line(builtin) == (
            "official contracts: built-in MyPay contract; not validated against: "
            f"{WSDL}, {XSD} — run collaudo contracts fetch"
        )
        assert contract_facts.run_line(verified) == "official contracts: verified (sha256)"


def test_simulators_files_cover_the_mypay_contract_and_paf_or_node() -> None:
    assert {WSDL, contracts.MYPAY_DOCUMENTS_XSD, XSD} <= set(SIMULATED_FILES)


def test_every_simulator_status_says_what_it_is_not_validated_against(
    isolated_contracts: Isolate,
) -> None:
    isolated_contracts()
    apps = {
        "mypay": mypay_sim.create_app(mypay_sim.Settings()),
        "gpd": gpd_sim.create_app(gpd_sim.Settings()),
        "checkout": checkout_sim.create_app(checkout_sim.Settings()),
    }
    for name, app in apps.items():
        with TestClient(app) as client:
            facts = client.get("/status").json()["contracts"]
        assert facts["official"] == "missing", name
        assert XSD in facts["not_validated_against"], name
        assert facts["remedy"] == "run collaudo contracts fetch", name
        assert {f["found"] for f in facts["files"]} == {"missing"}, name


@needs_official(*SIMULATED_FILES)
def test_with_the_official_files_every_simulator_status_says_verified() -> None:
    contracts.clear_caches()
    for app in (mypay_sim.create_app(mypay_sim.Settings()), gpd_sim.create_app(gpd_sim.Settings())):
        with TestClient(app) as client:
            facts = client.get("/status").json()["contracts"]
        assert facts["official"] == "verified" and facts["not_validated_against"] == []
        assert facts["remedy"] is None


def test_a_run_whose_mypay_stack_cannot_start_says_why_before_any_scenario(
    isolated_contracts: Isolate, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    isolated_contracts()  # no official file, no built-in one
    reports = tmp_path / "reports"
    code = main(["run", "--target", "sim-mypay", "--reports", str(reports)])
    captured = capfd.readouterr()
    assert code == 2
    assert "target sim-mypay cannot start: the MyPay simulator has no contract" in captured.err
    assert WSDL in captured.err and "collaudo contracts fetch" in captured.err
    assert "nothing ran" in captured.err and "[FAIL]" not in captured.out
    assert not (reports / "junit.xml").exists()


def test_collaudo_up_without_a_mypay_contract_says_why_and_starts_nothing(
    isolated_contracts: Isolate, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isolated_contracts()
    assert main(["up", "--data-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "the stack cannot start: the MyPay simulator has no contract" in captured.err
    assert "collaudo contracts fetch" in captured.err and "starting" not in captured.out


def test_a_live_target_without_its_secrets_is_refused_before_any_scenario(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "collaudo.toml"
    config.write_text(
        '[targets.vendor]\nintermediary = "gpd"\nkind = "live"\n'
        '[targets.vendor.tenant]\ngpd_base_url = "https://gpd.vendor.invalid/v1"\n'
        'gpd_subscription_key_env = "COLLAUDO_TEST_UNSET_KEY"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("COLLAUDO_TEST_UNSET_KEY", raising=False)
    code = main(["run", "--config", str(config), "--target", "vendor"])
    err = capfd.readouterr().err
    assert code == 2
    assert (
        "target vendor cannot start: set the environment variables COLLAUDO_TEST_UNSET_KEY" in err
    )


def test_plain_pytest_stops_once_with_the_reason_instead_of_failing_every_scenario(
    isolated_contracts: Isolate,
) -> None:
    isolated_contracts()
    command = [sys.executable, "-m", "pytest", "features", "-p", "no:cacheprovider", "-q"]
    command += ["--collaudo-target", "sim-mypay", "-m", "pratica"]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )
    output = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert output.count("target sim-mypay cannot start") == 1, output
    assert "collaudo contracts fetch" in output and "passed" not in output


def _run(tags: str, target: str, reports: Path) -> tuple[int, str]:
    command = [sys.executable, "-m", "collaudo", "run", "--target", target, "--tags", tags]
    command += ["--reports", str(reports), "-n", "0"]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=600, env=dict(os.environ)
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.slow
@needs_official(*SIMULATED_FILES)
def test_a_run_on_a_file_that_differs_from_the_lock_says_so_under_its_table(
    isolated_contracts: Isolate, tmp_path: Path
) -> None:
    copy = tmp_path / "modified"
    for relative in SIMULATED_FILES:
        found = contracts.find_official(relative)
        assert found is not None
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        (copy / relative).write_bytes(found.read_bytes())
    (copy / XSD).write_bytes((copy / XSD).read_bytes() + b"\n<!-- another version -->\n")
    isolated_contracts(explicit=copy)
    code, out = _run("configurazione and not browser", "sim-gpd", tmp_path / "reports")
    assert code == 0, out
    differs = f"contratti ufficiali: diversi da quelli del lock: {XSD} — eseguire collaudo drift"
    assert differs in out


@pytest.mark.slow
def test_without_official_files_the_mypay_stack_runs_on_the_built_in_contract(
    isolated_contracts: Isolate, tmp_path: Path
) -> None:
    """CI's other world: every lookup place empty but the built-in contract (the package's
    own ``builtin_contracts``): MyPay scenarios pass, and the run says what it did not check."""
    isolated_contracts(builtin=contracts.BUILTIN_DIR)
    code, out = _run("(pratica or ricevuta) and not browser", "sim-mypay", tmp_path)
    assert code == 0, out
    assert "tutti superati" in out  # the run speaks Italian by default
    line = next(x for x in out.splitlines() if x.startswith("contratti ufficiali:"))
    assert line.startswith("contratti ufficiali: contratto MyPay incorporato; non verificati")
    assert XSD in line and line.endswith("— eseguire collaudo contracts fetch")


def test_drift_without_the_official_files_names_them_and_the_remedy(
    isolated_contracts: Isolate, capsys: pytest.CaptureFixture[str]
) -> None:
    isolated_contracts()
    flow = REPO / "recordings" / "sample-mypay.flow"
    assert main(["drift", str(flow), "--contract", "mypay"]) == 2
    err = capsys.readouterr().err
    assert f"skipped the mypay contract: official {WSDL}" in err
    assert "run collaudo contracts fetch" in err and "no contract could be checked" in err


def test_the_fuzzer_without_an_official_file_skips_its_target_naming_it(
    isolated_contracts: Isolate, tmp_path: Path
) -> None:
    from collaudo.fuzz import run_fuzz

    isolated_contracts(builtin=tmp_path / "builtin-mypay")  # a built-in file is no oracle
    (tmp_path / "builtin-mypay" / "mypay").mkdir(parents=True)
    (tmp_path / "builtin-mypay" / WSDL).write_text("<definitions/>")
    result = run_fuzz(["checkout", "drivers"], 1, reports_dir=None)
    assert result.skipped == {
        "checkout": "official contract(s) pagopa/openapi/checkout_v1.json not found: "
        "run collaudo contracts fetch",
        "drivers": f"official contract(s) {WSDL} not found: run collaudo contracts fetch",
    }
