"""The intermediary drivers the proxy can run with, looked up by name.

``DRIVERS`` maps a name (``COLLAUDO_INTERMEDIARY``, ``collaudo proxy
--intermediary``) to a function returning the driver's :class:`DriverSpec`.
Real drivers come from :mod:`adapters.drivers`' own registry and are imported only
when chosen.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.core.config import ConfigField, DriverSpec
from adapters.core.intermediary import Intermediary
from adapters.i18n import N_


class DriverMissing(LookupError):
    """The chosen driver does not exist (yet); the message says which ones do."""


def fake_driver_spec() -> DriverSpec:
    """The in-process FakeIntermediary, with the fields a real intermediary asks for."""

    def factory() -> Intermediary:
        from adapters.core.fake import FakeIntermediary

        return FakeIntermediary()

    return DriverSpec(
        name="fake",
        title=N_("Fake intermediary (in-process, for tests and demos)"),
        fields=(
            ConfigField(
                key="ipa_code",
                label=N_("Creditor's IPA code"),
                level="tenant",
                description=N_("Code (lower case) of the institution in the IPA registry"),
                pattern=r"^[a-z0-9_]{2,20}$",
            ),
            ConfigField(
                key="station_id",
                label=N_("Station id"),
                level="tenant",
                required=False,
                description=N_("pagoPA station of the intermediary, e.g. 80000000002_01"),
                pattern=r"^[0-9]{11}_[0-9]{2}$",
            ),
            ConfigField(
                key="password_env",
                label=N_("Password environment variable"),
                level="tenant",
                required=False,
                kind="env",
                description=N_("Password for the intermediary's web services"),
            ),
            ConfigField(
                key="codice_tipo_dovuto",
                label=N_("Debt type code (codice tipo dovuto)"),
                level="service",
                description=N_("Type of debt as configured at the intermediary"),
                pattern=r"^[A-Z0-9_]{1,64}$",
            ),
        ),
        factory=factory,
    )


def _real_driver(name: str) -> Callable[[], DriverSpec]:
    def load() -> DriverSpec:
        # Imported when chosen: the proxy for one intermediary never loads the other's stack.
        from adapters.drivers import UnknownDriver, driver_spec

        try:
            return driver_spec(name)
        except UnknownDriver:
            raise DriverMissing(
                f"the {name!r} intermediary driver is not available in this build; "
                f"available: {', '.join(sorted(DRIVERS))}"
            ) from None

    return load


DRIVERS: dict[str, Callable[[], DriverSpec]] = {
    "fake": fake_driver_spec,
    "mypay": _real_driver("mypay"),
    "gpd": _real_driver("gpd"),
    "govpay": _real_driver("govpay"),
}


def load_driver(name: str) -> DriverSpec:
    """The DriverSpec called ``name``, or :class:`DriverMissing` saying what exists.

    Beside the listed ones, a driver package ``adapters/drivers/<name>`` exposing
    ``spec()`` (e.g. one ``collaudo intermediary new`` generated) is found by its name."""
    load = DRIVERS.get(name)
    if load is None:
        from adapters.drivers import discovered

        if name not in discovered():
            known = sorted({*DRIVERS, *discovered()})
            raise DriverMissing(
                f"unknown intermediary {name!r}: choose one of {', '.join(known)}, or "
                f"generate one with `collaudo intermediary new {name} --contract FILE`"
            )
        load = _real_driver(name)
    return load()
