"""``collaudo intermediary new`` on a WSDL, in a temporary copy of the repository: a zeep driver
generated from MyPay's contract (the built-in one, always present, and the official one when
fetched) passes ruff, ``ruff format --check``, mypy --strict, the architecture test and its
own conformance tests, and ``collaudo run --target sim-demosoap`` on a few scenarios ends with
no failure."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from simulators.common.contracts import find
from tests.scaffold.test_intermediary_new import BIN, REPO, _copy, _run

BUILTIN = REPO / "simulators" / "common" / "builtin_contracts" / "mypay" / "pa-per-ente.wsdl"
OFFICIAL = find("mypay/pa-per-ente.wsdl")
WSDLS = {
    "builtin": BUILTIN,
    "official": OFFICIAL if OFFICIAL is not None and OFFICIAL != BUILTIN else None,
}


@pytest.fixture(scope="module", params=sorted(WSDLS))
def checkout(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    wsdl = WSDLS[request.param]
    if wsdl is None:
        pytest.skip(
            "the official MyPay WSDL is absent: run `collaudo contracts fetch` or set "
            "COLLAUDO_CONTRACTS_DIR"
        )
    root = _copy(tmp_path_factory.mktemp("scaffold-soap") / "repo")
    done = _run(
        [sys.executable, "-m", "collaudo", "intermediary", "new", "demosoap"]
        + ["--contract", str(wsdl)],
        root,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "create_debt_position   paaSILImportaDovuto" in done.stdout
    assert "status                 paaSILChiediPagatiConRicevuta" in done.stdout
    return root


def test_the_driver_calls_the_mapped_operations_with_zeep(checkout: Path) -> None:
    package = checkout / "adapters" / "drivers" / "demosoap"
    driver = (package / "driver.py").read_text(encoding="utf-8")
    assert "_scaffold_soap.SoapClient(" in driver and "httpx.AsyncClient" not in driver
    for operation in ("paaSILImportaDovuto", "paaSILVerificaAvviso"):
        assert f'"{operation}"' in driver
    payloads = (package / "payloads.py").read_text(encoding="utf-8")
    # matched by name: the IUV from the payment, the password from its environment variable
    assert '"identificativoUnivocoVersamento": ctx.position.iuv' in payloads
    assert "config.F_PASSWORD_SECRET, environ" in payloads
    assert "TODO(integrator)" in payloads
    # the header the contract declares: its member is a configuration field, sent in it
    assert "ppthead}intestazionePPT" in payloads
    config = (package / "config.py").read_text(encoding="utf-8")
    assert '"demosoap_cod_ipa_ente"' in config and '"demosoap_wsdl_url"' in config
    assert "[targets.sim-demosoap]" in (checkout / "collaudo.toml").read_text(encoding="utf-8")
    assert not (REPO / "adapters" / "drivers" / "demosoap").exists()


def test_the_generated_code_passes_ruff_mypy_and_the_architecture_test(checkout: Path) -> None:
    package = ["adapters/drivers/demosoap", "tests/drivers/demosoap"]
    ruff = _run([str(BIN / "ruff"), "check", *package], checkout)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    formatted = _run([str(BIN / "ruff"), "format", "--check", *package], checkout)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    mypy = _run(
        [str(BIN / "mypy"), "--strict", "--follow-imports=silent", "--no-incremental", *package],
        checkout,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    tests = ["tests/test_architecture.py", "tests/drivers/demosoap"]
    pytest_run = _run(
        [sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider", *tests],
        checkout,
    )
    assert pytest_run.returncode == 0, pytest_run.stdout[-3000:] + pytest_run.stderr[-2000:]
    assert " passed" in pytest_run.stdout


def test_the_driver_is_found_by_name_with_its_fields(checkout: Path) -> None:
    probe = _run(
        [
            sys.executable,
            "-c",
            "from adapters.api.drivers import load_driver; s = load_driver('demosoap'); "
            "print(s.name, s.extra['url_fields'], [f.key for f in s.fields])",
        ],
        checkout,
    )
    assert probe.returncode == 0, probe.stderr
    assert "'demosoap_wsdl_url': '/ws/pa?wsdl'" in probe.stdout
    assert "demosoap_password_env" in probe.stdout and "demosoap_endpoint_url" in probe.stdout


def test_run_on_sim_demosoap_finishes_without_failures(checkout: Path) -> None:
    # Scenarios that create payments through the generated driver (paaSILImportaDovuto with
    # the intestazionePPT header and the password from its variable) and ask for receipts.
    tags = "(ricevuta or bollo) and not manuale and not browser"
    done = _run(
        [sys.executable, "-m", "collaudo", "run", "--target", "sim-demosoap", "--tags", tags]
        + ["-n", "0"],
        checkout,
    )
    out = done.stdout
    assert done.returncode in (0, 3), out[-4000:] + done.stderr[-2000:]
    assert "falliti 0" in out
    passed = int(out.split("passati ", 1)[1].split(",", 1)[0])
    assert passed >= 5
    junit = (checkout / "reports" / "junit.xml").read_text(encoding="utf-8")
    assert "<failure" not in junit and "<error" not in junit
