"""The GPD simulator as the creditor's station: what the Nodo mock asks and sends.

``paVerifyPaymentNotice`` / ``paGetPaymentV2`` read a payable debt position by notice
number; ``paSendRTV2`` closes it (PAID) and files the receipt the payments-receipts
API serves. A digital-stamp transfer is answered with ``richiestaMarcaDaBollo`` and
its ``MBDAttachment`` stays in the stored receipt.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from simulators.common.safexml import MalformedXML, UnsafeXML
from simulators.common.station import (
    StationError,
    StationPosition,
    StationReceipt,
    StationStamp,
    StationTransfer,
    send_rt_request,
)
from simulators.common.station_xml import SoapFormatError, unwrap
from simulators.gpd.models import PaymentOption
from simulators.gpd.store import Entry, GpdStore, NotFound, ReceiptRecord

CENT = Decimal("0.01")
# Why a notice cannot be paid, by position status (pagoPA's EC fault codes).
REFUSALS = {
    "DRAFT": ("PAA_PAGAMENTO_SCONOSCIUTO", "is a DRAFT, not yet published"),
    "PUBLISHED": ("PAA_PAGAMENTO_SCONOSCIUTO", "is published but its validity date is ahead"),
    "INVALID": ("PAA_PAGAMENTO_ANNULLATO", "was invalidated by the creditor"),
    "EXPIRED": ("PAA_PAGAMENTO_SCADUTO", "expired after its due date"),
    "PAID": ("PAA_PAGAMENTO_DUPLICATO", "is already paid"),
    "REPORTED": ("PAA_PAGAMENTO_DUPLICATO", "is already paid and reported"),
}


def cents_to_euro(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


class GpdStation:
    """:class:`simulators.common.station.CreditorStation` over a :class:`GpdStore`."""

    def __init__(self, store: GpdStore, *, broker_id: str, station_id: str) -> None:
        self.store = store
        self.broker_id = broker_id
        self.station_id = station_id

    def _payable(
        self, fiscal_code: str, notice_number: str, operation: str
    ) -> tuple[Entry, PaymentOption]:
        try:
            entry, option = self.store.find_notice(fiscal_code, notice_number)
        except NotFound as exc:
            raise StationError("PAA_PAGAMENTO_SCONOSCIUTO", str(exc)) from exc
        status = entry.position.status
        refusal = REFUSALS.get(status)
        if refusal is None and option.status != "PO_UNPAID":
            refusal = ("PAA_PAGAMENTO_DUPLICATO", "is already paid")
        if refusal is None and status == "PARTIALLY_PAID" and not option.is_partial_payment:
            refusal = ("PAA_PAGAMENTO_DUPLICATO", "already has a paid instalment")
        if refusal is not None:
            code, why = refusal
            self.store.record(entry, "paForNode", operation, f"KO {code}")
            raise StationError(
                code, f"notice {notice_number} of debt position {entry.position.iupd} {why}"
            )
        return entry, option

    def _describe(self, entry: Entry, option: PaymentOption) -> StationPosition:
        position = entry.position
        org = position.organization_fiscal_code
        return StationPosition(
            fiscal_code=org,
            notice_number=option.nav,
            creditor_reference_id=option.iuv,
            amount=cents_to_euro(option.amount),
            due_date=option.due_date.date(),
            description=option.description,
            company_name=position.company_name,
            office_name=position.office_name,
            debtor_fiscal_code=position.debtor.fiscal_code,
            debtor_name=position.debtor.full_name,
            transfers=[
                StationTransfer(
                    id_transfer=int(t.id_transfer),
                    amount=cents_to_euro(t.amount),
                    fiscal_code_pa=t.organization_fiscal_code or org,
                    iban=None if t.stamp is not None else (t.iban or t.postal_iban),
                    remittance_information=t.remittance_information,
                    transfer_category=t.category,
                    stamp=StationStamp(
                        stamp_type=t.stamp.stamp_type,
                        document_hash=t.stamp.hash_document,
                        province=t.stamp.provincial_residence,
                    )
                    if t.stamp is not None
                    else None,
                )
                for t in option.transfers
            ],
        )

    def verify_payment_notice(self, fiscal_code: str, notice_number: str) -> StationPosition:
        entry, option = self._payable(fiscal_code, notice_number, "paVerifyPaymentNotice")
        self.store.record(entry, "paForNode", "paVerifyPaymentNotice", "OK")
        return self._describe(entry, option)

    def get_payment(
        self, fiscal_code: str, notice_number: str, amount: Decimal | None
    ) -> StationPosition:
        entry, option = self._payable(fiscal_code, notice_number, "paGetPayment")
        expected = cents_to_euro(option.amount)
        if amount is not None and amount != expected:
            self.store.record(entry, "paForNode", "paGetPayment", "KO PAA_SEMANTICA")
            raise StationError(
                "PAA_SEMANTICA",
                f"notice {notice_number} is due for {expected} EUR, the request says {amount}",
            )
        self.store.record(entry, "paForNode", "paGetPayment", "OK")
        return self._describe(entry, option)

    def send_receipt(self, receipt: StationReceipt) -> None:
        with self.store.lock:
            try:
                entry, option = self.store.find_notice(receipt.fiscal_code, receipt.notice_number)
            except NotFound as exc:
                raise StationError("PAA_PAGAMENTO_SCONOSCIUTO", str(exc)) from exc
            if receipt.outcome != "OK":
                # pagoPA sends receipts of completed payments only; a KO changes nothing.
                self.store.record(entry, "paForNode", "paSendRT", "OK (outcome KO ignored)")
                return
            if option.status != "PO_UNPAID":
                self.store.record(entry, "paForNode", "paSendRT", "KO PAA_RECEIPT_DUPLICATA")
                raise StationError(
                    "PAA_RECEIPT_DUPLICATA",
                    f"notice {receipt.notice_number} already has receipt {option.id_receipt}",
                )
            status = entry.position.status
            if status not in ("VALID", "PARTIALLY_PAID"):
                self.store.record(entry, "paForNode", "paSendRT", "KO PAA_SEMANTICA")
                raise StationError(
                    "PAA_SEMANTICA",
                    f"debt position {entry.position.iupd} is {status}: it cannot take a receipt",
                )
            expected = cents_to_euro(option.amount)
            if receipt.amount != expected:
                self.store.record(entry, "paForNode", "paSendRT", "KO PAA_SEMANTICA")
                raise StationError(
                    "PAA_SEMANTICA",
                    f"receipt amount {receipt.amount} differs from the notice's {expected} EUR",
                )
            record = ReceiptRecord(
                organization_fiscal_code=receipt.fiscal_code,
                iuv=option.iuv,
                notice_number=option.nav,
                receipt_id=receipt.receipt_id,
                debtor=receipt.debtor_fiscal_code,
                payment_datetime=receipt.payment_datetime.isoformat(timespec="seconds"),
                amount_cents=option.amount,
                document=self.receipt_document(entry, receipt),
                mbd_attachments=dict(receipt.mbd_attachments),
            )
            self.store.pay(
                entry,
                option,
                record,
                payment_date=receipt.payment_datetime.replace(tzinfo=None),
                payment_method=receipt.payment_method,
                psp_company=receipt.psp_name,
            )
            self.store.record(entry, "paForNode", "paSendRT", f"OK receipt {receipt.receipt_id}")

    def receipt_document(self, entry: Entry, receipt: StationReceipt) -> bytes:
        """The ``paSendRTV2Request`` as received, or rebuilt from ``receipt`` when absent."""
        element = None
        if receipt.raw_xml:
            try:
                element = unwrap(receipt.raw_xml)
            except (SoapFormatError, MalformedXML, UnsafeXML):
                element = None
        if element is None:
            position = entry.position
            element = unwrap(
                send_rt_request(
                    receipt,
                    company_name=position.company_name,
                    debtor_name=position.debtor.full_name,
                    office_name=position.office_name,
                    id_broker_pa=self.broker_id,
                    id_station=self.station_id,
                    v2=True,
                )
            )
        document = etree.ElementTree(element)
        return bytes(etree.tostring(document, xml_declaration=True, encoding="UTF-8"))
