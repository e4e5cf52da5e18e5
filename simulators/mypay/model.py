"""What the MyPay simulator knows: creditors, dovuti (debt positions), sessions, receipts."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

State = Literal["DA_PAGARE", "IN_CORSO", "PAGATO", "NON_PAGATO", "ANNULLATO"]

TIPO_MARCA_BOLLO = "MARCA_BOLLO_DIGITALE"
MAX_EXCHANGES = 50  # per position: the backoffice shows the latest ones
MAX_EXCHANGE_CHARS = 20_000
_PASSWORD = re.compile(rb"(<(?:[\w.-]+:)?password>)[^<]*(</)")


@dataclass(frozen=True)
class Creditor:
    """One ente on the simulated MyPay, with its SIL credentials."""

    cod_ipa: str = "c_bugliano"
    fiscal_code: str = "80000000002"
    name: str = "Comune di Bugliano"
    password: str = "sim-password"
    segregation_code: str = "01"
    iban: str = "IT60X0542811101000000123456"
    tipi_dovuto: tuple[str, ...] = ("DIRITTI_SEGRETERIA", "CANONE_CUP", TIPO_MARCA_BOLLO)
    stamp_amount: Decimal = Decimal("16.00")


@dataclass(frozen=True)
class Debtor:
    """``soggettoPagatore``: F (persona fisica) or G (persona giuridica)."""

    kind: str
    fiscal_code: str
    name: str
    email: str | None = None
    address: str | None = None
    civic: str | None = None
    postal_code: str | None = None
    city: str | None = None
    province: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Stamp:
    """``datiMarcaBolloDigitale``: the digital stamp requested with a dovuto."""

    tipo_bollo: str
    hash_documento: str
    provincia_residenza: str


@dataclass(frozen=True)
class Item:
    """One ``datiSingoloVersamento``: a dovuto with its IUD (becomes one pagoPA transfer)."""

    iud: str
    amount: Decimal
    tipo_dovuto: str
    causale: str
    dati_specifici_riscossione: str
    commissione_carico_pa: Decimal | None = None
    stamp: Stamp | None = None


@dataclass(frozen=True)
class Paid:
    """The receipt that closed a position (from the station's paSendRT/paSendRTV2)."""

    receipt_id: str
    outcome: str
    amount: Decimal
    paid_at: datetime
    psp_id: str
    psp_name: str
    channel_id: str
    payment_method: str
    fee: Decimal
    payer_fiscal_code: str | None
    transfer_amounts: dict[int, Decimal]
    mbd_attachments: dict[int, bytes]
    raw_xml: bytes


class Exchange:
    """A request/response that touched a position, for the backoffice.

    ``request`` and ``response`` may be given as the raw bytes on the wire: they are then
    decoded (and the request's password redacted) only when someone reads them, so
    recording costs the hot path nothing but a reference.
    """

    __slots__ = ("_request", "_response", "at", "operation", "status")

    def __init__(
        self, at: datetime, operation: str, request: str | bytes, response: str | bytes, status: int
    ) -> None:
        self.at = at
        self.operation = operation
        self._request = request
        self._response = response
        self.status = status

    @property
    def request(self) -> str:
        """The request, its password redacted, at most :data:`MAX_EXCHANGE_CHARS`."""
        if isinstance(self._request, bytes):
            self._request = redacted(self._request)
        return self._request

    @property
    def response(self) -> str:
        """The answer, at most :data:`MAX_EXCHANGE_CHARS`."""
        if isinstance(self._response, bytes):
            self._response = self._response[:MAX_EXCHANGE_CHARS].decode("utf-8", "replace")
        return self._response

    def __repr__(self) -> str:
        return f"Exchange({self.at!r}, {self.operation!r}, status={self.status})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "operation": self.operation,
            "status": self.status,
            "request": self.request,
            "response": self.response,
        }


def redacted(data: bytes) -> str:
    """``data`` as text, at most :data:`MAX_EXCHANGE_CHARS`, its SIL password masked: passwords
    never reach the backoffice, the admin API or a report built from them."""
    return _PASSWORD.sub(rb"\1***\2", data[:MAX_EXCHANGE_CHARS]).decode("utf-8", "replace")


@dataclass(eq=False)  # identity: a position is a mutable record, hashable by identity
class Position:
    """A debt position: one IUV / notice number, 1..5 dovuti, one debtor."""

    creditor: Creditor
    iuv: str
    debtor: Debtor
    items: list[Item]
    due_date: date | None
    origin: str
    created_at: datetime
    updated_at: datetime
    state: State = "DA_PAGARE"
    paid: Paid | None = None
    sessions: list[str] = field(default_factory=list)
    exchanges: deque[Exchange] = field(default_factory=lambda: deque(maxlen=MAX_EXCHANGES))
    # Built lazily and dropped on change: Pagati documents, the notice PDF.
    cache: dict[str, bytes] = field(default_factory=dict)

    @property
    def notice_number(self) -> str:
        return "3" + self.iuv

    @property
    def amount(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))

    @property
    def causale(self) -> str:
        return self.items[0].causale

    def touch(self, now: datetime) -> None:
        self.updated_at = now
        self.cache.clear()

    def record(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def to_dict(self, with_exchanges: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "cod_ipa": self.creditor.cod_ipa,
            "fiscal_code": self.creditor.fiscal_code,
            "iuv": self.iuv,
            "notice_number": self.notice_number,
            "iud": [item.iud for item in self.items],
            "amount": f"{self.amount:.2f}",
            "state": self.state,
            "origin": self.origin,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "debtor": {
                "kind": self.debtor.kind,
                "fiscal_code": self.debtor.fiscal_code,
                "name": self.debtor.name,
            },
            "items": [
                {
                    "iud": item.iud,
                    "amount": f"{item.amount:.2f}",
                    "tipo_dovuto": item.tipo_dovuto,
                    "causale": item.causale,
                    "dati_specifici_riscossione": item.dati_specifici_riscossione,
                    "stamp": None
                    if item.stamp is None
                    else {
                        "tipo_bollo": item.stamp.tipo_bollo,
                        "hash_documento": item.stamp.hash_documento,
                        "provincia_residenza": item.stamp.provincia_residenza,
                    },
                }
                for item in self.items
            ],
            "sessions": list(self.sessions),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "receipt": None
            if self.paid is None
            else {
                "receipt_id": self.paid.receipt_id,
                "outcome": self.paid.outcome,
                "amount": f"{self.paid.amount:.2f}",
                "paid_at": self.paid.paid_at.isoformat(),
                "psp_id": self.paid.psp_id,
                "psp_name": self.paid.psp_name,
                "mbd_attachments": sorted(self.paid.mbd_attachments),
            },
        }
        if with_exchanges:
            data["exchanges"] = [exchange.to_dict() for exchange in self.exchanges]
        return data


@dataclass(frozen=True)
class Session:
    """An ``idSession``: a citizen's online payment of one position."""

    id: str
    cod_ipa: str
    iuv: str
    created_at: datetime
    return_url: str | None
