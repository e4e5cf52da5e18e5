"""MyPay as the creditor's station towards the pagoPA Nodo (``/pagopa/paForNode``).

``paVerifyPaymentNotice`` / ``paGetPaymentV2`` describe a payable dovuto by notice
number (a ``MARCA_BOLLO_DIGITALE`` dovuto as a ``richiestaMarcaDaBollo`` transfer);
``paGetPayment`` moves it to "payment in progress"; ``paSendRTV2`` closes it: the
receipt, the MBD attachments and the whole request are kept with the dovuto, and
``paaSILChiediPagati`` / ``paaSILChiediPagatiConRicevuta`` return them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from simulators.common.station import (
    StationError,
    StationPosition,
    StationReceipt,
    StationStamp,
    StationTransfer,
)
from simulators.mypay.model import Exchange, Paid, Position
from simulators.mypay.store import Store, now

# Why a notice cannot be paid, by dovuto state (pagoPA's EC fault codes).
REFUSALS = {
    "PAGATO": ("PAA_PAGAMENTO_DUPLICATO", "is already paid"),
    "ANNULLATO": ("PAA_PAGAMENTO_ANNULLATO", "was cancelled by the creditor (azione A)"),
}


def transfer_category(dati_specifici_riscossione: str) -> str:
    """The taxonomy code of ``9/0101108TS/...`` (``0101108TS``), as pagoPA's transferCategory."""
    parts = dati_specifici_riscossione.split("/")
    return parts[1] if len(parts) > 1 and parts[1] else dati_specifici_riscossione


class MyPayStation:
    """:class:`simulators.common.station.CreditorStation` over the simulator's :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _record(
        self, position: Position, operation: str, request: Mapping[str, object], outcome: str
    ) -> None:
        self.store.record(
            position,
            Exchange(now(), f"paForNode {operation}", json.dumps(request), outcome, 200),
        )

    def _payable(self, fiscal_code: str, notice_number: str, operation: str) -> Position:
        if fiscal_code not in self.store.by_fiscal_code:
            raise StationError(
                "PAA_ID_DOMINIO_ERRATO",
                f"creditor {fiscal_code} is not served by this MyPay station",
            )
        position = self.store.by_notice(fiscal_code, notice_number)
        if position is None:
            raise StationError(
                "PAA_PAGAMENTO_SCONOSCIUTO",
                f"no dovuto with notice number {notice_number} for {fiscal_code}",
            )
        refusal = REFUSALS.get(position.state)
        if refusal is not None:
            code, why = refusal
            self._record(position, operation, {"noticeNumber": notice_number}, f"KO {code}")
            raise StationError(code, f"notice {notice_number} {why}")
        return position

    def describe(self, position: Position) -> StationPosition:
        """The dovuto as paForNode describes a payable notice."""
        creditor = position.creditor
        return StationPosition(
            fiscal_code=creditor.fiscal_code,
            notice_number=position.notice_number,
            creditor_reference_id=position.iuv,
            amount=position.amount,
            due_date=position.due_date,
            description=position.causale[:140],
            company_name=creditor.name,
            office_name=None,
            debtor_fiscal_code=position.debtor.fiscal_code,
            debtor_name=position.debtor.name,
            transfers=[
                StationTransfer(
                    id_transfer=index,
                    amount=item.amount,
                    fiscal_code_pa=creditor.fiscal_code,
                    iban=None if item.stamp else creditor.iban,
                    remittance_information=item.causale[:140],
                    transfer_category=transfer_category(item.dati_specifici_riscossione),
                    stamp=None
                    if item.stamp is None
                    else StationStamp(
                        stamp_type=item.stamp.tipo_bollo,
                        document_hash=item.stamp.hash_documento,
                        province=item.stamp.provincia_residenza,
                    ),
                )
                for index, item in enumerate(position.items, start=1)
            ],
        )

    def verify_payment_notice(self, fiscal_code: str, notice_number: str) -> StationPosition:
        position = self._payable(fiscal_code, notice_number, "paVerifyPaymentNotice")
        self._record(position, "paVerifyPaymentNotice", {"noticeNumber": notice_number}, "OK")
        return self.describe(position)

    def get_payment(
        self, fiscal_code: str, notice_number: str, amount: Decimal | None
    ) -> StationPosition:
        position = self._payable(fiscal_code, notice_number, "paGetPayment")
        request = {"noticeNumber": notice_number, "amount": None if amount is None else str(amount)}
        if amount is not None and amount != position.amount:
            self._record(position, "paGetPayment", request, "KO PAA_SEMANTICA")
            raise StationError(
                "PAA_SEMANTICA",
                f"notice {notice_number} is due for {position.amount:.2f} EUR, "
                f"the request says {amount}",
            )
        position.state = "IN_CORSO"
        position.touch(now())
        self._record(position, "paGetPayment", request, "OK")
        return self.describe(position)

    def send_receipt(self, receipt: StationReceipt) -> None:
        # Check-then-close under the store's lock: two deliveries of one receipt race.
        with self.store.lock:
            self._close(receipt)

    def _close(self, receipt: StationReceipt) -> None:
        position = self.store.by_notice(receipt.fiscal_code, receipt.notice_number)
        if position is None:
            raise StationError(
                "PAA_PAGAMENTO_SCONOSCIUTO", f"no dovuto with notice number {receipt.notice_number}"
            )
        request = {
            "receiptId": receipt.receipt_id,
            "outcome": receipt.outcome,
            "amount": str(receipt.amount),
            "noticeNumber": receipt.notice_number,
        }
        if position.paid is not None and position.state == "PAGATO":
            if position.paid.receipt_id == receipt.receipt_id:
                self._record(position, "paSendRT", request, "OK (same receipt again)")
                return  # the Nodo retrying after a lost answer: already taken
            self._record(position, "paSendRT", request, "KO PAA_RECEIPT_DUPLICATA")
            raise StationError(
                "PAA_RECEIPT_DUPLICATA",
                f"notice {receipt.notice_number} already has receipt {position.paid.receipt_id}",
            )
        if position.state == "ANNULLATO":
            self._record(position, "paSendRT", request, "KO PAA_PAGAMENTO_ANNULLATO")
            raise StationError(
                "PAA_PAGAMENTO_ANNULLATO", f"notice {receipt.notice_number} was cancelled"
            )
        if receipt.outcome == "OK" and receipt.amount != position.amount:
            self._record(position, "paSendRT", request, "KO PAA_SEMANTICA")
            raise StationError(
                "PAA_SEMANTICA",
                f"receipt amount {receipt.amount} differs from the dovuto's "
                f"{position.amount:.2f} EUR",
            )
        position.paid = Paid(
            receipt_id=receipt.receipt_id,
            outcome=receipt.outcome,
            amount=receipt.amount,
            paid_at=receipt.payment_datetime,
            psp_id=receipt.psp_id,
            psp_name=receipt.psp_name,
            channel_id=receipt.channel_id,
            payment_method=receipt.payment_method,
            fee=receipt.fee,
            payer_fiscal_code=receipt.payer_fiscal_code,
            transfer_amounts={t.id_transfer: t.amount for t in receipt.transfers},
            mbd_attachments=dict(receipt.mbd_attachments),
            raw_xml=receipt.raw_xml,
        )
        position.state = "PAGATO" if receipt.outcome == "OK" else "NON_PAGATO"
        position.touch(now())
        self._record(position, "paSendRT", request, f"OK receipt {receipt.receipt_id}")
