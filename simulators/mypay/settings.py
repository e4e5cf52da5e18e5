"""Settings of the MyPay simulator, defaulted to the demo world of DESIGN.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simulators.mypay.model import Creditor


@dataclass
class Settings:
    """Everything the MyPay simulator can be told at start.

    ``creditors``: the enti with their codice IPA, password, segregation code and tipi
    dovuto (default: Comune di Bugliano). ``checkout_url``: the pagoPA checkout/Nodo mock
    where ``url`` sends the citizen. ``public_url``: this simulator's base URL as clients
    see it (default: taken from each request). ``faults``: fault specs
    ``name[:rate[:seed]]``. ``allowlist``/``allowlist_mode``: IP allowlist (``403``
    answers HTTP 403; ``refuse`` resets the connection, applied by the server runner).
    ``validate``: check SOAP bodies and base64 documents against the official contracts.
    ``duplicate_iud``: what ``azione I`` with an IUD already used answers — ``fault``
    (``PAA_IUD_DUPLICATO``, as MyPay does) or ``existing`` (the existing IUV).
    ``pagati_double_base64``: encode ``pagati`` twice, as MyPay's JAXB DataHandler does
    (decoded once, the element yields base64 text); off by default.
    """

    creditors: list[Creditor] = field(default_factory=lambda: [Creditor()])
    checkout_url: str = "http://127.0.0.1:8030"
    public_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8010
    faults: list[str] = field(default_factory=list)
    allowlist: list[str] = field(default_factory=list)
    allowlist_mode: Literal["refuse", "403"] = "403"
    max_body_bytes: int = 1024 * 1024
    validate: bool = True
    duplicate_iud: Literal["fault", "existing"] = "fault"
    pagati_double_base64: bool = False
