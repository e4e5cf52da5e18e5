"""paForNode complex types <-> station values: payments, transfers, receipts, fault beans.

Element names and order follow ``paForNode.xsd`` exactly (``ctPaymentPAV2``,
``ctTransferPAV2``, ``ctReceiptV2``, ``ctTransferPAReceiptV2``, ``ctSubject``) and the
common ``ctFaultBean`` / ``ctResponse`` of ``sac-common-types-1.0.xsd``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, timedelta
from decimal import Decimal

from simulators.common.station_model import (
    StationError,
    StationPosition,
    StationReceipt,
    StationStamp,
    StationTransfer,
)
from simulators.common.station_xml import (
    Element,
    SoapFormatError,
    date_opt,
    datetime_opt,
    decimal_of,
    money,
    root,
    sub,
    sub_opt,
    text,
    text_opt,
)

POSTAL_ABI = "07601"  # Poste Italiane: an IBAN with this bank code is a postal account


def entity_type(fiscal_code: str) -> str:
    """``F`` for a person's 16-character code, ``G`` for an organisation's 11 digits."""
    return "F" if len(fiscal_code) == 16 else "G"


def is_postal(iban: str | None) -> bool:
    return bool(iban) and iban is not None and iban[5:10] == POSTAL_ABI


def all_ccp(position: StationPosition) -> bool:
    """``allCCP``: every transfer is credited to a postal account."""
    return bool(position.transfers) and all(is_postal(t.iban) for t in position.transfers)


def default_due_date(position: StationPosition) -> date:
    # ctPaymentPA(V2).dueDate is mandatory; positions without one get a year from today.
    return position.due_date or (date.today() + timedelta(days=365))


# --- fault bean / response head ----------------------------------------------------------------


def response(name: str, error: StationError | None, fault_id: str) -> Element:
    """A ``ctResponse`` wrapper: outcome, and the fault bean when KO."""
    res = root(name)
    sub(res, "outcome", "KO" if error else "OK")
    if error is not None:
        fault = sub(res, "fault")
        sub(fault, "faultCode", error.fault_code)
        sub(fault, "faultString", error.fault_string)
        sub(fault, "id", fault_id)
        sub(fault, "description", error.description)
    return res


def raise_for_outcome(res: Element) -> None:
    """Raise :class:`StationError` when a response says ``KO``."""
    outcome = text(res, "outcome")
    if outcome == "OK":
        return
    fault = res.find("fault")
    if fault is None:
        raise StationError("PAA_SYSTEM_ERROR", f"outcome {outcome} without a fault bean")
    raise StationError(
        text(fault, "faultCode"),
        text_opt(fault, "description") or text_opt(fault, "faultString") or "",
        fault_string=text_opt(fault, "faultString"),
    )


# --- subjects and transfers --------------------------------------------------------------------


def add_subject(parent: Element, name: str, fiscal_code: str, full_name: str) -> None:
    subject = sub(parent, name)
    uid = sub(subject, "uniqueIdentifier")
    sub(uid, "entityUniqueIdentifierType", entity_type(fiscal_code))
    sub(uid, "entityUniqueIdentifierValue", fiscal_code)
    sub(subject, "fullName", full_name)


def _add_transfer(parent: Element, t: StationTransfer, v2: bool, mbd: bytes | None) -> None:
    el = sub(parent, "transfer")
    sub(el, "idTransfer", str(t.id_transfer))
    sub(el, "transferAmount", money(t.amount))
    sub(el, "fiscalCodePA", t.fiscal_code_pa)
    if mbd is not None:
        sub(el, "MBDAttachment", base64.b64encode(mbd).decode("ascii"))
    elif t.iban:
        sub(el, "IBAN", t.iban)
    elif t.stamp is not None and v2:
        stamp = sub(el, "richiestaMarcaDaBollo")
        sub(stamp, "hashDocumento", t.stamp.document_hash)
        sub(stamp, "tipoBollo", t.stamp.stamp_type)
        sub(stamp, "provinciaResidenza", t.stamp.province)
    else:
        raise StationError(
            "PAA_SEMANTICA",
            f"transfer {t.id_transfer} has neither an IBAN nor"
            + (" a stamp" if v2 else " an IBAN (stamps need the V2 primitives)"),
        )
    sub(el, "remittanceInformation", t.remittance_information)
    sub(el, "transferCategory", t.transfer_category)


def _read_transfer(el: Element) -> tuple[StationTransfer, bytes | None]:
    stamp = None
    request = el.find("richiestaMarcaDaBollo")
    if request is not None:
        stamp = StationStamp(
            stamp_type=text(request, "tipoBollo"),
            document_hash=text(request, "hashDocumento"),
            province=text(request, "provinciaResidenza"),
        )
    mbd = None
    raw_mbd = text_opt(el, "MBDAttachment")
    if raw_mbd is not None:
        try:
            mbd = base64.b64decode(raw_mbd, validate=True)
        except binascii.Error as exc:
            raise SoapFormatError(f"MBDAttachment is not base64: {exc}") from exc
    transfer = StationTransfer(
        id_transfer=int(text(el, "idTransfer")),
        amount=decimal_of(el, "transferAmount"),
        fiscal_code_pa=text(el, "fiscalCodePA"),
        iban=text_opt(el, "IBAN"),
        remittance_information=text(el, "remittanceInformation"),
        transfer_category=text(el, "transferCategory"),
        stamp=stamp,
    )
    return transfer, mbd


# --- payment data (paGetPayment / paGetPaymentV2 answers) ------------------------------------


def add_payment_data(parent: Element, position: StationPosition, v2: bool) -> None:
    """``data``: a ``ctPaymentPAV2`` (or V1 ``ctPaymentPA``) describing ``position``."""
    data = sub(parent, "data")
    sub(data, "creditorReferenceId", position.creditor_reference_id)
    sub(data, "paymentAmount", money(position.amount))
    sub(data, "dueDate", default_due_date(position).isoformat())
    sub(data, "description", position.description)
    sub(data, "companyName", position.company_name)
    sub_opt(data, "officeName", position.office_name)
    add_subject(data, "debtor", position.debtor_fiscal_code, position.debtor_name)
    transfers = sub(data, "transferList")
    for t in position.transfers:
        _add_transfer(transfers, t, v2, None)


def read_payment_data(data: Element, fiscal_code: str, notice_number: str) -> StationPosition:
    transfers = [_read_transfer(el)[0] for el in data.findall("transferList/transfer")]
    return StationPosition(
        fiscal_code=fiscal_code,
        notice_number=notice_number,
        creditor_reference_id=text(data, "creditorReferenceId"),
        amount=decimal_of(data, "paymentAmount"),
        due_date=date_opt(data, "dueDate"),
        description=text(data, "description"),
        company_name=text_opt(data, "companyName") or "",
        office_name=text_opt(data, "officeName"),
        debtor_fiscal_code=text(data, "debtor/uniqueIdentifier/entityUniqueIdentifierValue"),
        debtor_name=text(data, "debtor/fullName"),
        transfers=transfers,
    )


# --- receipts (paSendRT / paSendRTV2) ----------------------------------------------------------


def add_receipt(
    parent: Element,
    receipt: StationReceipt,
    *,
    company_name: str,
    debtor_name: str,
    office_name: str | None,
    channel_description: str,
    payer_name: str | None,
    payment_note: str | None,
    v2: bool,
) -> None:
    """``receipt``: a ``ctReceiptV2`` (or V1 ``ctReceipt``), in the schema's order."""
    el = sub(parent, "receipt")
    sub(el, "receiptId", receipt.receipt_id)
    sub(el, "noticeNumber", receipt.notice_number)
    sub(el, "fiscalCode", receipt.fiscal_code)
    sub(el, "outcome", receipt.outcome)
    sub(el, "creditorReferenceId", receipt.creditor_reference_id)
    sub(el, "paymentAmount", money(receipt.amount))
    sub(el, "description", receipt.description)
    sub(el, "companyName", company_name)
    sub_opt(el, "officeName", office_name)
    add_subject(el, "debtor", receipt.debtor_fiscal_code, debtor_name)
    transfers = sub(el, "transferList")
    for t in receipt.transfers:
        mbd = receipt.mbd_attachments.get(t.id_transfer)
        if mbd is not None and not v2:
            raise StationError("PAA_SEMANTICA", "MBD attachments need paSendRTV2")
        _add_transfer(transfers, t, v2, mbd)
    sub(el, "idPSP", receipt.psp_id)
    sub(el, "PSPCompanyName", receipt.psp_name)
    sub(el, "idChannel", receipt.channel_id)
    sub(el, "channelDescription", channel_description)
    if receipt.payer_fiscal_code:
        add_subject(el, "payer", receipt.payer_fiscal_code, payer_name or receipt.payer_fiscal_code)
    sub_opt(el, "paymentMethod", receipt.payment_method)
    if v2:
        sub_opt(el, "paymentNote", payment_note)
    sub(el, "fee", money(receipt.fee))
    sub(el, "paymentDateTime", receipt.payment_datetime.isoformat(timespec="seconds"))
    sub(el, "applicationDate", receipt.payment_datetime.date().isoformat())
    sub(el, "transferDate", receipt.payment_datetime.date().isoformat())


def read_receipt(el: Element, raw_xml: bytes) -> StationReceipt:
    transfers: list[StationTransfer] = []
    attachments: dict[int, bytes] = {}
    for t_el in el.findall("transferList/transfer"):
        transfer, mbd = _read_transfer(t_el)
        transfers.append(transfer)
        if mbd is not None:
            attachments[transfer.id_transfer] = mbd
    fee = el.find("fee")
    paid_at = datetime_opt(el, "paymentDateTime") or datetime.now().replace(microsecond=0)
    return StationReceipt(
        receipt_id=text(el, "receiptId"),
        notice_number=text(el, "noticeNumber"),
        fiscal_code=text(el, "fiscalCode"),
        creditor_reference_id=text(el, "creditorReferenceId"),
        amount=decimal_of(el, "paymentAmount"),
        description=text(el, "description"),
        psp_id=text(el, "idPSP"),
        psp_name=text(el, "PSPCompanyName"),
        channel_id=text(el, "idChannel"),
        payment_method=text_opt(el, "paymentMethod") or "",
        fee=decimal_of(el, "fee") if fee is not None else Decimal("0.00"),
        # paymentDateTime is optional in the schema; absent, the receipt is dated on arrival.
        payment_datetime=paid_at,
        outcome=text(el, "outcome"),
        debtor_fiscal_code=text(el, "debtor/uniqueIdentifier/entityUniqueIdentifierValue"),
        payer_fiscal_code=text_opt(el, "payer/uniqueIdentifier/entityUniqueIdentifierValue"),
        transfers=transfers,
        mbd_attachments=attachments,
        raw_xml=raw_xml,
    )
