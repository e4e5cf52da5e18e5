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

import httpx
import pytest

from collaudo.cli import build_parser, main
from collaudo.commands import sim
from simulators.common.faults import REGISTRY
from simulators.common.server import free_port

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
    ],
)
def test_bad_arguments_exit_2_with_the_reason(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


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
    settings, took = sim.make_settings(_module(_GpdLikeSettings), args, 9020)
    assert took is True
    assert settings == _GpdLikeSettings(
        "127.0.0.1", 9020, ["timeout:0.5"], ["10.8.0.0/16"], "refuse"
    )
    # A simulator that knows nothing of host, port or allowlist: the CLI guards it itself.
    plain, took = sim.make_settings(_module(_PlainSettings), args, 9020)
    assert (plain, took) == (_PlainSettings(["timeout:0.5"]), False)


def sim_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["sim", *argv])


def test_taken_port_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with sim.bind("127.0.0.1", 0) as taken:
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
