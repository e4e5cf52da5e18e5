"""`collaudo sim`: listing fault profiles, refusing bad arguments, serving a simulator."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from collaudo.cli import build_parser, main
from collaudo.commands import sim
from simulators.common import env as env_settings
from simulators.common.faults import REGISTRY
from simulators.common.server import bind_socket, free_port

ROOT = Path(__file__).resolve().parent.parent


def test_list_faults_prints_every_profile_with_its_simulators(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sim", "--list-faults"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["fault", "profile", "simulators", "description"]
    by_name = {line.split()[0]: line for line in lines[1:] if line.strip()}
    for name, cls in REGISTRY.items():
        line = by_name[name]
        assert ", ".join(sorted(cls.simulators)) in line
        assert line.endswith(cls.description)


def test_missing_simulator_package_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_import = importlib.import_module

    def without_gpd(name: str, package: str | None = None) -> ModuleType:
        if name.startswith("simulators.gpd"):
            raise ModuleNotFoundError(f"No module named {name!r}", name="simulators.gpd")
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", without_gpd)
    assert main(["sim", "gpd"]) == 2
    assert "the gpd simulator is not available in this build" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sim", "platform", "--faults", "timeout"], "does not apply to the platform simulator"),
        (["sim", "mypay", "--faults", "no-such-fault"], "unknown fault profile 'no-such-fault'"),
        (["sim", "mypay", "--faults", "timeout:fast"], "expected name[:rate[:seed]]"),
        (["sim", "platform", "--allowlist", "10.8.0.300/16"], "not an IP network"),
        (["sim"], "name a simulator"),
        (["sim", "checkout", "--port", "80a"], "--port='80a': not an integer"),
        (["sim", "checkout", "--port", "70000"], "--port='70000': choose a port between 1"),
        (["sim", "checkout", "--station", "80000000002"], "'80000000002' is not KEY=VALUE"),
        (["sim", "checkout", "--station", "123=http://x:1/s"], "'123' is not a creditor"),
        (
            ["sim", "checkout", "--station", "80000000002=mypay:8010/pagopa/paForNode"],
            "--station='80000000002=mypay:8010/pagopa/paForNode': 80000000002: "
            "'mypay:8010/pagopa/paForNode' is not an http(s) URL",
        ),
        (["sim", "platform", "--notify-url", "platform:8001"], "not an http(s) URL"),
        (["sim", "mypay", "--set", "nope=1"], "no setting 'nope' (known: creditors,"),
        (["sim", "mypay", "--set", "validat=no"], "did you mean validate?"),
        (["sim", "mypay", "--set", "creditors=x"], "creditors cannot be set from text"),
        (["sim", "mypay", "--set", "validate"], "write it as FIELD=VALUE"),
        (["sim", "mypay", "--set", "duplicate_iud=skip"], "choose one of fault, existing"),
        (["sim", "checkout", "--set", "api_key=k"], "set COLLAUDO_CHECKOUT_API_KEY instead"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("simulator", "variable", "value", "message"),
    [
        ("checkout", "COLLAUDO_CHECKOUT_STATIONS", "80000000002,x", "is not KEY=VALUE"),
        ("checkout", "COLLAUDO_CHECKOUT_FEE_CENTS", "1,50", "not an integer (write it like"),
        ("checkout", "COLLAUDO_CHECKOUT_ALLOWLIST_MODE", "drop", "choose one of 403, refuse"),
        ("platform", "COLLAUDO_PLATFORM_NOTIFY_URL", "platform", "not an http(s) URL"),
        ("platform", "COLLAUDO_PLATFORM_PUBLIC_URL", "ftp://x", "not an http(s) URL"),
        ("platform", "COLLAUDO_PLATFORM_TENANT_ID", "bugliano", "not a UUID"),
        ("mypay", "COLLAUDO_MYPAY_CHECKOUT_URL", "127.0.0.1:8030", "not an http(s) URL"),
        ("mypay", "COLLAUDO_MYPAY_VALIDATE", "maybe", "not a boolean (write true or false)"),
        ("mypay", "COLLAUDO_MYPAY_FAULTS", "timeout:fast", "expected name[:rate[:seed]]"),
        ("gpd", "COLLAUDO_GPD_FAULTS", "card-screen-error", "does not apply to the gpd"),
        ("gpd", "COLLAUDO_GPD_ALLOWED_NETWORKS", "10.8.0.0/16,vpn", "vpn: not an IP network"),
    ],
)
def test_malformed_variables_exit_2_naming_the_variable(
    simulator: str,
    variable: str,
    value: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["sim", simulator]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"collaudo sim: {variable}={value!r}: ") and message in err, err


def test_a_misspelt_variable_is_pointed_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLLAUDO_CHECKOUT_STATION", "80000000002=http://gpd:8020/p")
    monkeypatch.setenv("COLLAUDO_CHECKOUT_PORT", "nope")  # stops it before it listens
    assert main(["sim", "checkout"]) == 2
    err = capsys.readouterr().err
    assert (
        "warning: COLLAUDO_CHECKOUT_STATION is not a setting of this simulator; "
        "did you mean COLLAUDO_CHECKOUT_STATIONS?"
    ) in err


@pytest.mark.parametrize(
    ("simulator", "expected"),
    [
        ("platform", ["--public-url", "--notify-url", "COLLAUDO_PLATFORM_NOTIFY_URL (URL)"]),
        ("checkout", ["--station CF=URL", "COLLAUDO_CHECKOUT_STATIONS (CF=URL,...)"]),
        ("mypay", ["--checkout-url", "COLLAUDO_MYPAY_CHECKOUT_URL", "COLLAUDO_MYPAY_PASSWORD"]),
        ("gpd", ["--set FIELD=VALUE", "COLLAUDO_GPD_SUBSCRIPTION_KEY (text): the APIs' key; "
                 "secret, environment only"]),
    ],
)  # fmt: skip
def test_each_simulators_help_lists_its_flags_and_variables(
    simulator: str,
    expected: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLLAUDO_GPD_SUBSCRIPTION_KEY", "never-shown")
    with pytest.raises(SystemExit) as done:
        main(["sim", simulator, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for text in expected:
        assert text in " ".join(out.split()), text
    module = sim.load(simulator)
    for variable in env_settings.variables(module.Settings, module.ENV_PREFIX):
        assert variable.env in out
    assert "never-shown" not in out and "sim-subscription-key" not in out


@dataclass
class _PlainSettings:
    faults: list[str] = field(default_factory=list)


@dataclass
class _GpdLikeSettings:
    host: str = "127.0.0.1"
    port: int = 8020
    faults: list[str] = field(default_factory=list)
    allowed_networks: list[str] = field(default_factory=list)
    allow_mode: str = "403"


def _module(settings: type) -> ModuleType:
    module = ModuleType("fake_sim")
    module.Settings = settings  # type: ignore[attr-defined]
    return module


def test_settings_follow_each_simulators_field_names() -> None:
    args = sim_args("gpd", "--port", "9020", "--allowlist", "10.8.0.0/16", "--allowlist-mode",
                    "refuse", "--faults", "timeout:0.5")  # fmt: skip
    settings, took = sim.make_settings(_module(_GpdLikeSettings), args, {})
    assert took is True
    assert settings == _GpdLikeSettings(
        "127.0.0.1", 9020, ["timeout:0.5"], ["10.8.0.0/16"], "refuse"
    )
    # A simulator that knows nothing of host, port or allowlist: the CLI guards it itself.
    plain, took = sim.make_settings(_module(_PlainSettings), args, {})
    assert (plain, took) == (_PlainSettings(["timeout:0.5"]), False)


def settings_of(name: str, *argv: str, **environ: str) -> Any:
    """The Settings `collaudo sim NAME ARGV...` builds with ``environ`` as its environment."""
    settings, _ = sim.make_settings(sim.load(name), sim_args(name, *argv), environ)
    return settings


def test_platform_urls_from_variables_and_flags() -> None:
    variables = {
        "COLLAUDO_PLATFORM_PUBLIC_URL": "http://127.0.0.1:18001",
        "COLLAUDO_PLATFORM_NOTIFY_URL": "http://platform:8001",
    }
    settings = settings_of("platform", **variables)
    assert (settings.public_url, settings.notify_url) == (
        "http://127.0.0.1:18001",
        "http://platform:8001",
    )
    flags = ("--public-url", "http://localhost:1", "--notify-url", "http://p:2")
    settings = settings_of("platform", *flags, **variables)  # flags win over variables
    assert (settings.public_url, settings.notify_url) == ("http://localhost:1", "http://p:2")
    assert settings_of("platform").notify_url is None  # default: as the public URL


def test_checkout_stations_and_public_url_from_variables_and_flags() -> None:
    variables = {
        "COLLAUDO_CHECKOUT_STATIONS": "80000000002=http://gpd:8020/pagopa/paForNode, "
        "80000000003=https://ente.example/paForNode",
        "COLLAUDO_CHECKOUT_PUBLIC_URL": "http://127.0.0.1:18030",
    }
    settings = settings_of("checkout", **variables)
    assert settings.stations == {
        "80000000002": "http://gpd:8020/pagopa/paForNode",
        "80000000003": "https://ente.example/paForNode",
    }
    assert settings.base_url == "http://127.0.0.1:18030"
    flags = ("--station", "80000000002=http://mypay:8010/pagopa/paForNode",
             "--station", "80000000004=http://x:1/s", "--public-url", "http://c:8030")  # fmt: skip
    settings = settings_of("checkout", *flags, **variables)
    assert settings.stations == {
        "80000000002": "http://mypay:8010/pagopa/paForNode",
        "80000000004": "http://x:1/s",
    }
    assert settings.base_url == "http://c:8030"
    assert settings_of("checkout").stations == {
        "80000000002": "http://127.0.0.1:8010/pagopa/paForNode"
    }


def test_mypay_urls_and_password_from_variables_and_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    variables = {
        "COLLAUDO_MYPAY_CHECKOUT_URL": "http://127.0.0.1:18030",
        "COLLAUDO_MYPAY_PUBLIC_URL": "http://mypay:8010",
    }
    settings = settings_of("mypay", **variables)
    assert (settings.checkout_url, settings.public_url) == (
        "http://127.0.0.1:18030",
        "http://mypay:8010",
    )
    flags = ("--checkout-url", "http://c:1", "--public-url", "http://m:2")
    settings = settings_of("mypay", *flags, **variables)
    assert (settings.checkout_url, settings.public_url) == ("http://c:1", "http://m:2")
    monkeypatch.delenv("COLLAUDO_MYPAY_PASSWORD", raising=False)
    assert [c.password for c in settings_of("mypay").creditors] == ["sim-password"]
    monkeypatch.setenv("COLLAUDO_MYPAY_PASSWORD", "from-the-environment")
    assert [c.password for c in settings_of("mypay").creditors] == ["from-the-environment"]


def test_any_other_field_by_variable_or_set(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_of(
        "checkout",
        "--set", "fee_cents=250", "--set", "rt_retry_delays=0.5,1",
        COLLAUDO_CHECKOUT_PSP_NAME="PSP di prova", COLLAUDO_CHECKOUT_FEE_CENTS="150",
        COLLAUDO_CHECKOUT_API_KEY="a-key",
    )  # fmt: skip
    assert (settings.fee_cents, settings.rt_retry_delays) == (250, (0.5, 1.0))
    assert (settings.psp_name, settings.api_key) == ("PSP di prova", "a-key")
    mypay = settings_of("mypay", "--set", "validate=false", COLLAUDO_MYPAY_DUPLICATE_IUD="existing")
    assert (mypay.validate, mypay.duplicate_iud) == (False, "existing")
    gpd = settings_of("gpd", "--set", "organizations=", "--set", "broker_id=",
                      COLLAUDO_GPD_SEGREGATION_CODES="01,02", COLLAUDO_GPD_PORT="9020")  # fmt: skip
    assert (gpd.organizations, gpd.broker_id) == ((), None)
    assert (gpd.segregation_codes, gpd.port) == (("01", "02"), 9020)
    # An empty variable counts as unset (compose's ${VAR:-}).
    assert settings_of("checkout", COLLAUDO_CHECKOUT_PUBLIC_URL="").public_url is None


def sim_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["sim", *argv])


def test_taken_port_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with bind_socket("127.0.0.1", 0) as taken:
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sim", "platform", "--port", str(port)]) == 1
    assert "choose another port with --port" in capsys.readouterr().err


def test_platform_runs_in_the_foreground_and_stops_on_ctrl_c() -> None:
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("COLLAUDO_KAFKA_BOOTSTRAP", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "collaudo", "sim", "platform", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/status", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the simulator did not answer in 30 s"
                time.sleep(0.1)
        assert status.status_code == 200 and status.json()["simulator"] == "platform"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert f"Platform simulator listening on http://127.0.0.1:{port}" in out
    assert f"http://127.0.0.1:{port}/_admin/faults" in out
    assert "GET /events" in out  # says where the events go without Kafka
    assert "Platform simulator stopped." in out


def test_checkout_runs_with_the_stations_and_urls_it_was_given() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLAUDO_CHECKOUT_")}
    env.update(PYTHONUNBUFFERED="1", COLLAUDO_CHECKOUT_PUBLIC_URL="http://checkout.test:8030")
    command = [sys.executable, "-m", "collaudo", "sim", "checkout", "--port", str(port),
               "--station", "80000000002=http://gpd:8020/pagopa/paForNode",
               "--station", "80000000003=http://127.0.0.1:1/pagopa/paForNode"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    configured = {
        "80000000002": "http://gpd:8020/pagopa/paForNode",
        "80000000003": "http://127.0.0.1:1/pagopa/paForNode",
    }
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()
            try:
                stations = httpx.get(f"{base}/_admin/stations", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the simulator did not answer in 30 s"
                time.sleep(0.1)
        assert stations.json() == configured
        # Changed at run time, then reset: back to what it was started with.
        moved = {"url": "http://elsewhere:9/pagopa/paForNode"}
        assert httpx.put(f"{base}/_admin/stations/80000000002", json=moved).status_code == 200
        assert httpx.post(f"{base}/_admin/reset").status_code == 204
        assert httpx.get(f"{base}/_admin/stations").json() == configured
        # The cart's page is handed out on the public URL.
        cart = {
            "paymentNotices": [{"noticeNumber": "301000000000000017", "fiscalCode": "80000000002",
                                "amount": 2000, "companyName": "Comune", "description": "d"}],
            "returnUrls": {"returnOkUrl": "https://e.example/ok",
                           "returnCancelUrl": "https://e.example/ko",
                           "returnErrorUrl": "https://e.example/err"},
        }  # fmt: skip
        answer = httpx.post(f"{base}/checkout/ec/v1/carts", json=cart)
        assert answer.status_code == 302
        assert answer.headers["location"].startswith("http://checkout.test:8030/c/")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "station of 80000000002: http://gpd:8020/pagopa/paForNode" in out
    assert "URLs for browsers: http://checkout.test:8030" in out
