"""Intermediary drivers: one module per intermediary, each implementing ``Intermediary``.

``DRIVERS`` maps a driver name to a function returning its :class:`DriverSpec` (factory
plus the configuration fields the tenant/service forms must show)::

    spec = DRIVERS["mypay"]()
    driver = spec.factory()
    position = await driver.create_debt_position(request)

Drivers are stateless with respect to tenants: every call carries its
``CreditorConfig``. ``stamp_attachments(receipt.content)`` returns the digital stamps
(``MBDAttachment``) a receipt carries.
"""

from __future__ import annotations

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
        return f"unknown intermediary driver {self.args[0]!r}; known: {', '.join(sorted(DRIVERS))}"


def driver_spec(name: str) -> DriverSpec:
    """The spec of driver ``name``, or :class:`UnknownDriver` listing the known ones."""
    try:
        return DRIVERS[name]()
    except KeyError:
        raise UnknownDriver(name) from None


def stamp_attachments(receipt_content: bytes) -> list[bytes]:
    """The digital stamp documents (``MBDAttachment``, decoded XML) inside a receipt."""
    return read_receipt(receipt_content).stamps


__all__ = [
    "DRIVERS",
    "ReceiptFacts",
    "UnknownDriver",
    "driver_spec",
    "read_receipt",
    "stamp_attachments",
]
