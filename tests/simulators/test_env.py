"""simulators.common.env: Settings fields from environment variables and ``field=value`` text."""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import pytest

from simulators.common.checks import http_url, one_of, station_map
from simulators.common.env import (
    SettingError,
    describe,
    from_assignments,
    from_environ,
    parse,
    setting,
    unknown,
    variables,
)

PREFIX = "COLLAUDO_DEMO_"


@dataclass(frozen=True)
class Thing:
    """Not settable from text."""

    name: str = "x"


@dataclass
class DemoSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    ratio: float = 0.5
    amount: Decimal = Decimal("20.00")
    tenant: uuid.UUID = uuid.UUID(int=1)
    enabled: bool = True
    mode: Literal["fast", "slow"] = "fast"
    public_url: str | None = field(default=None, metadata=setting("base URL", check=http_url))
    faults: list[str] = field(default_factory=list)
    delays: tuple[float, ...] = (1.0, 2.0)
    stations: dict[str, str] = field(
        default_factory=dict, metadata=setting("registry", check=station_map, form="CF=URL,...")
    )
    token: str = field(default="hidden-default", metadata=setting("a token", secret=True))
    pin: int = field(default=0, metadata=setting("a PIN", secret=True, check=one_of("1")))
    things: list[Thing] = field(default_factory=list)


def test_every_text_form_by_variable() -> None:
    environ = {
        "COLLAUDO_DEMO_HOST": "0.0.0.0",
        "COLLAUDO_DEMO_PORT": "8030",
        "COLLAUDO_DEMO_RATIO": "0.25",
        "COLLAUDO_DEMO_AMOUNT": "16.50",
        "COLLAUDO_DEMO_TENANT": "60e35f02-1509-408c-b101-3b1a28109329",
        "COLLAUDO_DEMO_ENABLED": "Off",
        "COLLAUDO_DEMO_MODE": "slow",
        "COLLAUDO_DEMO_PUBLIC_URL": "https://demo.example:8443/base",
        "COLLAUDO_DEMO_FAULTS": "timeout:0.5, slow-response",
        "COLLAUDO_DEMO_DELAYS": "0.1,3",
        "COLLAUDO_DEMO_STATIONS": "80000000002=http://mypay:8010/p,80000000003=http://gpd:8020/p",
        "COLLAUDO_DEMO_TOKEN": "s3cret",
        "OTHER_PORT": "1",
    }
    settings = DemoSettings(**from_environ(DemoSettings, PREFIX, environ))
    assert settings == DemoSettings(
        host="0.0.0.0",
        port=8030,
        ratio=0.25,
        amount=Decimal("16.50"),
        tenant=uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329"),
        enabled=False,
        mode="slow",
        public_url="https://demo.example:8443/base",
        faults=["timeout:0.5", "slow-response"],
        delays=(0.1, 3.0),
        stations={"80000000002": "http://mypay:8010/p", "80000000003": "http://gpd:8020/p"},
        token="s3cret",
    )


def test_empty_variables_are_unset_and_empty_assignments_clear() -> None:
    assert from_environ(DemoSettings, PREFIX, {"COLLAUDO_DEMO_PORT": ""}) == {}
    values = from_assignments(DemoSettings, ["public-url=", "faults=", "stations="], PREFIX)
    assert values == {"public_url": None, "faults": [], "stations": {}}
    # An empty text is a value for a plain str field.
    assert from_assignments(DemoSettings, ["host="], PREFIX) == {"host": ""}


@pytest.mark.parametrize(
    ("field_name", "text", "message"),
    [
        ("port", "8o30", "COLLAUDO_DEMO_PORT='8o30': not an integer (write it like 8030)"),
        ("ratio", "half", "COLLAUDO_DEMO_RATIO='half': not a number"),
        ("amount", "20,00", "COLLAUDO_DEMO_AMOUNT='20,00': not a decimal number"),
        ("tenant", "bugliano", "COLLAUDO_DEMO_TENANT='bugliano': not a UUID"),
        ("enabled", "si", "COLLAUDO_DEMO_ENABLED='si': not a boolean (write true or false)"),
        ("mode", "medium", "COLLAUDO_DEMO_MODE='medium': choose one of fast, slow"),
        ("public_url", "demo:80", "COLLAUDO_DEMO_PUBLIC_URL='demo:80': not an http(s) URL"),
        ("delays", "1,x", "COLLAUDO_DEMO_DELAYS='1,x': not a number"),
        ("stations", "80000000002", "'80000000002' is not KEY=VALUE"),
        ("stations", "8000=http://x:1/p", "'8000' is not a creditor fiscal code (11 digits)"),
        ("stations", "80000000002=x", "80000000002: 'x' is not an http(s) URL; write the"),
    ],
)
def test_malformed_text_names_the_variable_and_the_form(
    field_name: str, text: str, message: str
) -> None:
    variable = f"{PREFIX}{field_name.upper()}"
    with pytest.raises(SettingError) as info:
        from_environ(DemoSettings, PREFIX, {variable: text})
    assert message in str(info.value)
    assert str(info.value).startswith(f"{variable}={text!r}: ")


def test_secrets_stay_out_of_messages_help_and_command_lines() -> None:
    with pytest.raises(SettingError) as info:
        from_environ(DemoSettings, PREFIX, {"COLLAUDO_DEMO_PIN": "7777"})
    assert str(info.value) == "COLLAUDO_DEMO_PIN: choose one of 1"
    with pytest.raises(SettingError, match="token is a secret.*set COLLAUDO_DEMO_TOKEN instead"):
        from_assignments(DemoSettings, ["token=s3cret"], PREFIX)
    text = describe(DemoSettings, PREFIX)
    assert "hidden-default" not in text
    assert "COLLAUDO_DEMO_TOKEN (text): a token; secret, environment only" in text


def test_unknown_fields_and_untyped_ones_are_refused() -> None:
    with pytest.raises(SettingError, match=r"--set prot: there is no setting 'prot' \(did you"):
        from_assignments(DemoSettings, ["prot=1"], PREFIX)
    with pytest.raises(SettingError, match="things cannot be set from text"):
        parse(DemoSettings, "things", "a", "--set things")
    with pytest.raises(SettingError, match="write it as FIELD=VALUE"):
        from_assignments(DemoSettings, ["port"], PREFIX)
    # No variable for a field without a text form; a variable that sets nothing is reported.
    assert "COLLAUDO_DEMO_THINGS" not in {v.env for v in variables(DemoSettings, PREFIX)}
    environ = {"COLLAUDO_DEMO_PROT": "1", "COLLAUDO_DEMO_EXTRA": "x", "COLLAUDO_DEMO_PORT": "1"}
    assert unknown(DemoSettings, PREFIX, environ, extra={"COLLAUDO_DEMO_EXTRA"}) == [
        "COLLAUDO_DEMO_PROT is not a setting of this simulator; did you mean COLLAUDO_DEMO_PORT?"
    ]


def test_help_lists_every_variable_with_its_form_and_default() -> None:
    text = describe(DemoSettings, PREFIX, {"COLLAUDO_DEMO_EXTRA": "read elsewhere"})
    lines = text.splitlines()[1:]
    assert "  COLLAUDO_DEMO_PORT (integer): default 8000" in lines
    assert "  COLLAUDO_DEMO_ENABLED (true|false): default true" in lines
    assert "  COLLAUDO_DEMO_MODE (fast|slow): default fast" in lines
    assert "  COLLAUDO_DEMO_PUBLIC_URL (text): base URL; default unset" in lines
    assert "  COLLAUDO_DEMO_STATIONS (CF=URL,...): registry; default empty" in lines
    assert "  COLLAUDO_DEMO_DELAYS (number,...): default 1.0,2.0" in lines
    assert lines[-1] == "  COLLAUDO_DEMO_EXTRA: read elsewhere"


@pytest.mark.parametrize("name", ["platform", "checkout", "mypay", "gpd"])
def test_every_simulator_documents_each_of_its_variables(name: str) -> None:
    module = importlib.import_module(f"simulators.{name}.app")
    assert module.ENV_PREFIX == f"COLLAUDO_{name.upper()}_"
    documented = " ".join((module.__doc__ or "").split())
    names = [v.env for v in variables(module.Settings, module.ENV_PREFIX)]
    names += list(getattr(module, "ENV_EXTRA", {}))
    missing = [n for n in names if f"``{n}``" not in documented]
    assert missing == [], f"simulators.{name}.app's docstring does not list {missing}"
    # Every default a simulator starts with passes its own checks.
    defaults = module.Settings()
    for var in variables(module.Settings, module.ENV_PREFIX):
        if var.secret:
            continue
        value = getattr(defaults, var.field)
        check = next(
            f.metadata.get("check")
            for f in module.Settings.__dataclass_fields__.values()
            if f.name == var.field
        )
        if check is not None and value is not None:
            check(value)
