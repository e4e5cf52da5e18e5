"""``collaudo run``: the suite in a pytest subprocess, progress lines, summary, reports."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pytest

from collaudo import contract_facts
from collaudo.cli import main
from collaudo.commands.run import REPO, clear_aside, default_workers, pytest_environment

FAILING_FEATURE = """\
# language: it
Funzionalità: Una funzionalità che non passa
  Scenario: il proxy risponde ciò che non deve
    Quando una chiamata senza token chiede l'elenco degli enti
    Allora il proxy risponde 200
"""


def test_a_passing_run_prints_progress_a_table_and_writes_the_reports(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["run", "--target", "sim-gpd", "--tags", "configurazione and not browser",
         "--reports", str(tmp_path)]
    )  # fmt: skip
    out = capfd.readouterr().out
    assert code == 0, out
    assert "[ok  ]" in out and "sim-gpd" in out
    assert "Configurazione del pagamento tramite le API del proxy" in out
    assert "tutti superati: passati 8, falliti 0" in out and "durata" in out
    assert contract_facts.run_line() in out  # what the simulators were checked against
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# Collaudo: SUPERATO")
    assert "| Configurazione del pagamento tramite le API del proxy | 8/8 |" in summary
    assert (tmp_path / "junit.xml").exists()
    attachments = {p.suffix for p in (tmp_path / "allure-results").iterdir()}
    assert {".svg", ".html", ".json", ".txt"} <= attachments


def test_a_failing_scenario_fails_the_run_and_is_named_in_the_summary(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    features = tmp_path / "features"
    features.mkdir()
    (features / "conftest.py").write_text('pytest_plugins = ["collaudo.bdd.plugin"]\n')
    (features / "test_failing.py").write_text(
        "from pytest_bdd import scenarios\n\nscenarios('.')\n"
    )
    (features / "failing.feature").write_text(FAILING_FEATURE, encoding="utf-8")
    reports = tmp_path / "reports"
    code = main(
        ["run", "--target", "sim-mypay", "--features", str(features), "--reports", str(reports)]
    )
    out = capfd.readouterr().out
    assert code != 0
    assert "[FAIL]" in out and "NON SUPERATO: passati 0, falliti 1" in out
    summary = (reports / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# Collaudo: NON SUPERATO")
    assert (
        "**sim-mypay** · Una funzionalità che non passa › il proxy risponde ciò che non deve"
        in (summary)
    )
    # The failure points to its exchanges, and one command turns them into a vendor report.
    commands = [line.split() for line in out.splitlines() if "vendor-report --scenario" in line]
    assert commands, out
    command = commands[0]
    scenario_file = Path(command[-1])
    assert scenario_file.parent == reports / "scenarios" and scenario_file.exists()
    bundle = tmp_path / "vendor.zip"
    assert main(["vendor-report", "--scenario", str(scenario_file), "--out", str(bundle)]) == 0
    with zipfile.ZipFile(bundle) as archive:
        page = archive.read("index.html").decode()
    assert "il proxy risponde ciò che non deve" in page
    assert "GET" in page and "/tenants" in page  # the exchange the scenario made


def test_an_unknown_target_is_refused_before_anything_starts(
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--target", "sim-nexi"]) == 2
    assert "unknown target 'sim-nexi'" in capfd.readouterr().err


def test_a_live_target_skips_the_simulator_scenarios_saying_why(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "collaudo.toml"
    config.write_text(
        '[targets.vendor]\nintermediary = "gpd"\nkind = "live"\n'
        '[targets.vendor.tenant]\ngpd_base_url = "https://gpd.vendor.invalid/v1"\n'
        'gpd_subscription_key_env = "COLLAUDO_TEST_VENDOR_KEY"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("COLLAUDO_TEST_VENDOR_KEY", "not-printed")
    code = main(
        ["run", "--config", str(config), "--target", "vendor", "--tags", "criticita",
         "--reports", str(tmp_path / "reports")]
    )  # fmt: skip
    captured = capfd.readouterr()
    out = captured.out
    assert code == 1, out  # nothing ran: that proves nothing, so it does not pass
    assert "NESSUNO SCENARIO ESEGUITO: passati 0, falliti 0, saltati 20" in out
    assert "ogni scenario è stato saltato" in captured.err
    summary = (tmp_path / "reports" / "summary.md").read_text(encoding="utf-8")
    assert "vendor is a live target" in summary and "not-printed" not in summary


def test_the_last_runs_reports_are_cleared_at_once_and_deleted_meanwhile(tmp_path: Path) -> None:
    old = tmp_path / "allure-results"
    (old / "nested").mkdir(parents=True)
    for n in range(50):
        (old / f"{n}-attachment.png").write_bytes(b"x")
    (old / "nested" / "deep.json").write_text("{}")
    leftover = tmp_path / ".allure-results-old-1"  # a run killed before its thread ended
    leftover.mkdir()
    (leftover / "stale.txt").write_text("stale")
    (tmp_path / "junit.xml").write_text("<testsuites/>")  # beside it: not touched

    clear_aside(old)

    assert not old.exists()  # the new run writes into an empty place at once
    for thread in threading.enumerate():
        if thread.name == "clear-reports":
            thread.join(timeout=30)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junit.xml"]
    clear_aside(old)  # nothing to clear: nothing happens


def test_the_suite_keeps_its_bytecode_in_collaudos_directory_when_writing_it_is_off() -> None:
    # Otherwise every worker compiled ~1,300 modules again on every run.
    env = pytest_environment({"PYTHONDONTWRITEBYTECODE": "1", "HOME": "/home/x"})
    assert "PYTHONDONTWRITEBYTECODE" not in env and env["HOME"] == "/home/x"
    assert Path(env["PYTHONPYCACHEPREFIX"]) == REPO / ".collaudo" / "pycache"
    # Never beside the sources, and a cache the user placed stays theirs.
    chosen = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": "/tmp/mine"}
    assert pytest_environment(chosen) == {**chosen, "PYTHONUNBUFFERED": "1"}
    assert "PYTHONPYCACHEPREFIX" not in pytest_environment({"HOME": "/home/x"})


def test_the_default_is_one_worker_more_than_the_cpus_and_none_on_one_cpu() -> None:
    # A third worker on two CPUs fills the core another leaves idle while it waits.
    assert default_workers(2) == 3 and default_workers(4) == 5
    assert default_workers(1) == 0
