"""What every ``paaSIL*`` handler shares: its request context, the ``faultBean`` refusal,
MyPay's ente check and the system faults a fault profile strikes with.

Business refusals are answered as MyPay does, with a ``faultBean`` inside the normal
``...Risposta``; fault codes and strings follow MyPay 4's
``PagamentiTelematiciDovutiPagatiImpl``/``DovutoService``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from simulators.common.faults import Fault, FaultState
from simulators.mypay.model import Creditor, Position
from simulators.mypay.settings import Settings
from simulators.mypay.soap import SoapFault, SoapRequest
from simulators.mypay.store import Store


class MyPayFault(Exception):
    """A refusal answered inside the response's ``faultBean``."""

    def __init__(self, code: str, string: str, description: str | None = None) -> None:
        super().__init__(f"{code}: {string}")
        self.code = code
        self.string = string
        self.description = description


@dataclass
class Context:
    """What one request's handler may use and what it touched."""

    settings: Settings
    store: Store
    faults: FaultState
    base_url: str
    ns: str
    credentials_expired: bool = False
    touched: list[Position] = field(default_factory=list)


Handler = Callable[[Context, SoapRequest], etree._Element]


def check_ente(ctx: Context, cod_ipa: str | None, password: str | None) -> Creditor:
    """MyPay's ``verificaEnte``: the ente exists and the password is its own."""
    creditor = ctx.store.creditors.get(cod_ipa or "")
    if creditor is None:
        raise MyPayFault("PAA_ENTE_NON_VALIDO", f"codice IPA Ente [{cod_ipa}] non valido")
    if ctx.credentials_expired:
        raise MyPayFault(
            "PAA_ENTE_NON_VALIDO",
            f"Password non valida per ente [{cod_ipa}]",
            "credenziali scadute: rinnovare la password del SIL",
        )
    if password != creditor.password:
        raise MyPayFault("PAA_ENTE_NON_VALIDO", f"Password non valida per ente [{cod_ipa}]")
    return creditor


def system_fault(fault: Fault, what: str) -> Exception:
    """How a ``creation-error``/``status-error``/``receipt-download-failure`` strikes.

    Param ``as``: ``soap`` (default: SOAP Fault, HTTP 500) or ``bean`` (faultBean
    PAA_SYSTEM_ERROR inside a normal answer).
    """
    description = f"{what} (fault profile {fault.name})"
    if fault.params.get("as", "soap") == "bean":
        return MyPayFault("PAA_SYSTEM_ERROR", "PAA SYSTEM ERROR", description)
    return SoapFault("soap:Server", "PAA_SYSTEM_ERROR: PAA SYSTEM ERROR", description)
