"""The intermediary drivers the proxy can run with, looked up by name.

``DRIVERS`` maps a name (``COLLAUDO_INTERMEDIARY``, ``collaudo proxy
--intermediary``) to a function returning the driver's :class:`DriverSpec`.
Real drivers live in ``adapters.drivers.<name>`` and expose
``driver_spec() -> DriverSpec`` (or ``spec()``); they are imported only when chosen, so a
missing or broken driver never stops the others.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from adapters.core.config import ConfigField, DriverSpec
from adapters.core.intermediary import Intermediary


class DriverMissing(LookupError):
    """The chosen driver does not exist (yet); the message says which ones do."""


def fake_driver_spec() -> DriverSpec:
    """The in-process FakeIntermediary, with the fields a real intermediary asks for."""

    def factory() -> Intermediary:
        from adapters.core.fake import FakeIntermediary

        return FakeIntermediary()

    return DriverSpec(
        name="fake",
        title="Fake intermediary (in-process, for tests and demos)",
        fields=(
            ConfigField(
                key="ipa_code",
                label="Codice IPA dell'ente",
                level="tenant",
                description="Code (lower case) of the institution in the IPA registry",
                pattern=r"^[a-z0-9_]{2,20}$",
            ),
            ConfigField(
                key="station_id",
                label="Identificativo stazione",
                level="tenant",
                required=False,
                description="pagoPA station of the intermediary, e.g. 80000000002_01",
                pattern=r"^[0-9]{11}_[0-9]{2}$",
            ),
            ConfigField(
                key="password_env",
                label="Variabile d'ambiente della password",
                level="tenant",
                required=False,
                kind="env",
                description="Password for the intermediary's web services",
            ),
            ConfigField(
                key="codice_tipo_dovuto",
                label="Codice tipo dovuto",
                level="service",
                description="Type of debt as configured at the intermediary",
                pattern=r"^[A-Z0-9_]{1,64}$",
            ),
        ),
        factory=factory,
    )


def _module_driver(name: str) -> Callable[[], DriverSpec]:
    def load() -> DriverSpec:
        module_name = f"adapters.drivers.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name not in (module_name, "adapters.drivers"):
                raise  # the driver exists but one of its own imports is missing
            raise DriverMissing(
                f"the {name!r} intermediary driver is not available in this build "
                f"({module_name} does not exist yet); available now: {', '.join(available())}"
            ) from None
        spec = getattr(module, "driver_spec", None) or getattr(module, "spec", None)
        if not callable(spec):
            raise DriverMissing(f"{module_name} has no driver_spec() or spec() function")
        result = spec()
        if not isinstance(result, DriverSpec):
            raise DriverMissing(f"{module_name}.driver_spec() did not return a DriverSpec")
        return result

    return load


DRIVERS: dict[str, Callable[[], DriverSpec]] = {
    "fake": fake_driver_spec,
    "mypay": _module_driver("mypay"),
    "gpd": _module_driver("gpd"),
}


def _installed(name: str) -> bool:
    if name == "fake":
        return True
    try:
        return importlib.util.find_spec(f"adapters.drivers.{name}") is not None
    except ModuleNotFoundError:  # no adapters.drivers package at all
        return False


def available() -> list[str]:
    """Names of the drivers whose module is present (without importing them)."""
    return [name for name in DRIVERS if _installed(name)]


def load_driver(name: str) -> DriverSpec:
    """The DriverSpec called ``name``, or :class:`DriverMissing` saying what exists."""
    load = DRIVERS.get(name)
    if load is None:
        raise DriverMissing(
            f"unknown intermediary {name!r}: choose one of {', '.join(sorted(DRIVERS))}"
        )
    return load()
