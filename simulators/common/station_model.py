"""The creditor's side of paForNode as plain values: what a station knows and answers.

These are re-exported by :mod:`simulators.common.station`; import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

# faultString per EC-domain faultCode (pagoPA "faultcode e faultstring — dominio EC").
FAULT_STRINGS: dict[str, str] = {
    "PAA_PAGAMENTO_SCONOSCIUTO": "Pagamento in attesa risulta sconosciuto all'Ente Creditore",
    "PAA_PAGAMENTO_DUPLICATO": "Pagamento in attesa risulta concluso all'Ente Creditore",
    "PAA_PAGAMENTO_IN_CORSO": "Pagamento in attesa risulta in corso all'Ente Creditore",
    "PAA_PAGAMENTO_SCADUTO": "Pagamento in attesa risulta scaduto all'Ente Creditore",
    "PAA_PAGAMENTO_ANNULLATO": "Pagamento in attesa risulta annullato all'Ente Creditore",
    "PAA_ID_DOMINIO_ERRATO": "La PAA non corrisponde al Dominio indicato",
    "PAA_ID_INTERMEDIARIO_ERRATO": "Identificativo intermediario non corrispondente",
    "PAA_STAZIONE_INT_ERRATA": "Stazione intermediario non corrispondente",
    "PAA_SEMANTICA": "Errore semantico",
    "PAA_SINTASSI_XSD": "Errore di sintassi XSD",
    "PAA_SINTASSI_EXTRAXSD": "Errore di sintassi extra XSD",
    "PAA_RECEIPT_DUPLICATA": "Receipt duplicata",
    "PAA_SYSTEM_ERROR": "Errore generico",
}


@dataclass(frozen=True)
class StationStamp:
    """A ``richiestaMarcaDaBollo``: the digital stamp requested for one transfer."""

    stamp_type: str  # tipoBollo, "01" = imposta di bollo
    document_hash: str  # hashDocumento: base64 SHA-256 of the stamped document
    province: str  # provinciaResidenza, e.g. "PI"


@dataclass(frozen=True)
class StationTransfer:
    """One transfer of a payment: credited to ``iban``, or a digital ``stamp``."""

    id_transfer: int
    amount: Decimal
    fiscal_code_pa: str
    iban: str | None
    remittance_information: str
    transfer_category: str
    stamp: StationStamp | None = None


@dataclass(frozen=True)
class StationPosition:
    """A payable notice as the creditor describes it (verify / getPayment answers)."""

    fiscal_code: str
    notice_number: str
    creditor_reference_id: str  # the IUV
    amount: Decimal
    due_date: date | None
    description: str
    company_name: str
    office_name: str | None
    debtor_fiscal_code: str
    debtor_name: str
    transfers: list[StationTransfer] = field(default_factory=list)


@dataclass(frozen=True)
class StationReceipt:
    """A receipt (paSendRT / paSendRTV2) as the station receives it."""

    receipt_id: str
    notice_number: str
    fiscal_code: str
    creditor_reference_id: str
    amount: Decimal
    description: str
    psp_id: str
    psp_name: str
    channel_id: str
    payment_method: str
    fee: Decimal
    payment_datetime: datetime
    outcome: str  # "OK" | "KO"
    debtor_fiscal_code: str
    payer_fiscal_code: str | None
    transfers: list[StationTransfer]
    mbd_attachments: dict[int, bytes]  # id_transfer -> MBD XML document
    raw_xml: bytes  # the whole request as received


class StationError(Exception):
    """A creditor's refusal, answered as ``outcome KO`` with a ``fault`` bean."""

    def __init__(self, fault_code: str, description: str, fault_string: str | None = None):
        self.fault_code = fault_code
        self.description = description
        self.fault_string = fault_string or FAULT_STRINGS.get(fault_code, fault_code)
        super().__init__(f"{fault_code}: {description}")


class CreditorStation(Protocol):
    """What a creditor (or its intermediary) answers to the Nodo."""

    def verify_payment_notice(self, fiscal_code: str, notice_number: str) -> StationPosition:
        """The current amount/description of a notice, or :class:`StationError`."""
        ...

    def get_payment(
        self, fiscal_code: str, notice_number: str, amount: Decimal | None
    ) -> StationPosition:
        """The full position (debtor, transfers) at payment time, or :class:`StationError`."""
        ...

    def send_receipt(self, receipt: StationReceipt) -> None:
        """Take a receipt and close the position, or :class:`StationError`."""
        ...
