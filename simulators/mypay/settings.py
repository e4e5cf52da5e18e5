"""Settings of the MyPay simulator, defaulted to the demo world of DESIGN.md.

Its environment variables are listed in :mod:`simulators.mypay.app`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from simulators.common.checks import fault_specs, networks, port_number, url_setting
from simulators.common.env import setting
from simulators.mypay.model import Creditor

ENV_PREFIX = "COLLAUDO_MYPAY_"
PASSWORD_VARIABLE = "COLLAUDO_MYPAY_PASSWORD"
# Read elsewhere than by the prefix rule; listed by ``collaudo sim mypay --help``.
ENV_EXTRA = {
    PASSWORD_VARIABLE: "the demo creditor's SIL password (secret; default: the demo one)",
}


def demo_creditors() -> list[Creditor]:
    """Comune di Bugliano, with its password from ``COLLAUDO_MYPAY_PASSWORD`` when set."""
    password = os.environ.get(PASSWORD_VARIABLE)
    return [Creditor(password=password) if password else Creditor()]


@dataclass
class Settings:
    """Everything the MyPay simulator can be told at start.

    ``creditors``: the enti with their codice IPA, password, segregation code and tipi
    dovuto (default: Comune di Bugliano). ``checkout_url``: the pagoPA checkout/Nodo mock
    where ``url`` sends the citizen. ``public_url``: this simulator's base URL as clients
    see it (default: taken from each request). ``faults``: fault specs
    ``name[:rate[:seed]]``. ``allowlist``/``allowlist_mode``: IP allowlist (``403``
    answers HTTP 403; ``refuse`` resets the connection, applied by the server runner).
    ``validate``: check SOAP bodies and base64 documents against the contract in use.
    ``duplicate_iud``: what ``azione I`` with an IUD already used answers — ``fault``
    (``PAA_IUD_DUPLICATO``, as MyPay does) or ``existing`` (the existing IUV).
    ``pagati_double_base64``: encode ``pagati`` twice, as MyPay's JAXB DataHandler does
    (decoded once, the element yields base64 text); off by default.
    ``notice_in_create``: also zip the notice PDF into ``base64ZipAvviso`` when answering
    ``azione`` I and M, as this simulator once did; off by default, as in MyPay, which
    answers those with ``urlFileAvviso`` only and renders the notice when it is downloaded
    or asked for with ``azione`` S (see :func:`simulators.mypay.avvisi.notice_answer`).
    """

    creditors: list[Creditor] = field(default_factory=demo_creditors)
    checkout_url: str = field(
        default="http://127.0.0.1:8030",
        metadata=url_setting("the checkout where citizens pay (browser URL)"),
    )
    public_url: str | None = field(
        default=None,
        metadata=url_setting("base URL of this simulator in what it answers"),
    )
    host: str = field(default="127.0.0.1", metadata=setting("address to listen on"))
    port: int = field(default=8010, metadata=setting("port", check=port_number))
    faults: list[str] = field(
        default_factory=list, metadata=setting("fault profiles", check=fault_specs("mypay"))
    )
    allowlist: list[str] = field(
        default_factory=list, metadata=setting("networks allowed in", check=networks)
    )
    allowlist_mode: Literal["refuse", "403"] = field(
        default="403", metadata=setting("403 or refuse")
    )
    max_body_bytes: int = field(default=1024 * 1024, metadata=setting("largest SOAP request"))
    validate: bool = field(default=True, metadata=setting("check requests against the XSDs"))
    duplicate_iud: Literal["fault", "existing"] = field(
        default="fault", metadata=setting("what a reused IUD gets")
    )
    pagati_double_base64: bool = field(
        default=False, metadata=setting("encode pagati twice, as MyPay does")
    )
    notice_in_create: bool = field(
        default=False, metadata=setting("zip the notice into azione I/M answers too")
    )
