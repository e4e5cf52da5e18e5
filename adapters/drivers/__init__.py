"""Intermediary drivers: one module per intermediary, each implementing ``Intermediary``.

``DRIVERS`` maps a driver name to a function returning its :class:`DriverSpec` (factory
plus the configuration fields the tenant/service forms must show)::

    spec = DRIVERS["mypay"]()
    driver = spec.factory()
    position = await driver.create_debt_position(request)

Drivers are stateless with respect to tenants: every call carries its
``CreditorConfig``. A driver package added later (``adapters/drivers/<name>/``, e.g. one
``collaudo intermediary new`` generated) is found by name without editing ``DRIVERS``: it
exposes the same entry point as the hand-written ones, a ``spec()`` returning its
:class:`DriverSpec`. ``stamp_attachments(receipt.content)`` returns the digital stamps
(``MBDAttachment``) a receipt carries.
"""

from __future__ import annotations

import importlib
import importlib.util
import keyword
from collections.abc import Callable

from adapters.core.config import DriverSpec
from adapters.drivers import govpay, gpd, mypay
from adapters.drivers._receipt import ReceiptFacts, read_receipt

DRIVERS: dict[str, Callable[[], DriverSpec]] = {
    "mypay": mypay.spec,
    "gpd": gpd.spec,
    "govpay": govpay.spec,
}


class UnknownDriver(KeyError):
    def __str__(self) -> str:
        known = ", ".join(sorted({*DRIVERS, *discovered()}))
        return f"unknown intermediary driver {self.args[0]!r}; known: {known}"


def discovered() -> list[str]:
    """Driver packages beside the listed ones (``adapters/drivers/<name>/`` with a ``spec``
    entry point), by name; private modules (``_http``…) and plain modules are not drivers."""
    import pkgutil

    return sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if info.ispkg and not info.name.startswith("_") and info.name not in DRIVERS
    )


def _package_spec(name: str) -> DriverSpec:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise UnknownDriver(name)
    if importlib.util.find_spec(f"{__name__}.{name}") is None:
        raise UnknownDriver(name)
    module = importlib.import_module(f"{__name__}.{name}")
    entry = getattr(module, "spec", None)
    if not callable(entry):
        raise TypeError(
            f"adapters/drivers/{name} has no spec() entry point: a driver package exposes "
            "spec() -> DriverSpec, as adapters/drivers/gpd does"
        )
    found = entry()
    if not isinstance(found, DriverSpec):
        raise TypeError(f"adapters.drivers.{name}.spec() returned {type(found).__name__}")
    return found


def driver_spec(name: str) -> DriverSpec:
    """The spec of driver ``name`` (a listed one, else a package ``adapters/drivers/<name>``),
    or :class:`UnknownDriver` listing the known ones."""
    listed = DRIVERS.get(name)
    if listed is not None:
        return listed()
    return _package_spec(name)


def stamp_attachments(receipt_content: bytes) -> list[bytes]:
    """The digital stamp documents (``MBDAttachment``, decoded XML) inside a receipt."""
    return read_receipt(receipt_content).stamps


__all__ = [
    "DRIVERS",
    "ReceiptFacts",
    "UnknownDriver",
    "discovered",
    "driver_spec",
    "read_receipt",
    "stamp_attachments",
]
