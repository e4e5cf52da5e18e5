"""JSON renderings of positions, exactly the properties ``gpd.json`` declares.

``PaymentPositionModel`` answers create/update/publish/invalidate;
``PaymentPositionModelBaseResponse`` answers get and list. Absent values are
left out rather than sent as ``null`` (the spec's types do not allow null).
"""

from __future__ import annotations

from typing import Any

from simulators.gpd.models import DebtPosition, PaymentOption, Transfer, format_datetime


def _put(target: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        target[key] = value


def _date(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = format_datetime(value)


def _stamp(transfer: Transfer) -> dict[str, str] | None:
    if transfer.stamp is None:
        return None
    return {
        "hashDocument": transfer.stamp.hash_document,
        "stampType": transfer.stamp.stamp_type,
        "provincialResidence": transfer.stamp.provincial_residence,
    }


def _transfer(
    transfer: Transfer, org: str, response: bool, position: DebtPosition
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if response:
        out["organizationFiscalCode"] = transfer.organization_fiscal_code or org
    else:
        _put(out, "organizationFiscalCode", transfer.organization_fiscal_code)
    _put(out, "companyName", transfer.company_name)
    out["idTransfer"] = transfer.id_transfer
    out["amount"] = transfer.amount
    out["remittanceInformation"] = transfer.remittance_information
    out["category"] = transfer.category
    _put(out, "iban", transfer.iban)
    _put(out, "postalIban", transfer.postal_iban)
    _put(out, "stamp", _stamp(transfer))
    if response:
        out["insertedDate"] = format_datetime(position.inserted_date)
        out["status"] = transfer.status
        updated = position.last_updated_date
        if transfer.last_updated_date is not None:  # its IBAN changed since
            updated = max(updated, transfer.last_updated_date)
        out["lastUpdatedDate"] = format_datetime(updated)
    out["transferMetadata"] = [dict(pair) for pair in transfer.metadata]
    return out


def _option(
    option: PaymentOption, org: str, response: bool, position: DebtPosition
) -> dict[str, Any]:
    out: dict[str, Any] = {"nav": option.nav, "iuv": option.iuv}
    if response:
        out["organizationFiscalCode"] = org
    out["amount"] = option.amount
    out["description"] = option.description
    out["isPartialPayment"] = option.is_partial_payment
    _date(out, "dueDate", option.due_date)
    _date(out, "retentionDate", option.retention_date)
    if response:
        _date(out, "paymentDate", option.payment_date)
        _date(out, "insertedDate", position.inserted_date)
        _put(out, "paymentMethod", option.payment_method)
    out["fee"] = option.fee
    out["notificationFee"] = option.notification_fee
    if response:
        _put(out, "pspCompany", option.psp_company)
        _put(out, "idReceipt", option.id_receipt)
        out["status"] = option.status
        _date(out, "lastUpdatedDate", position.last_updated_date)
    key = "paymentOptionMetadata"
    out[key] = [dict(pair) for pair in option.metadata]
    out["transfer"] = [_transfer(t, org, response, position) for t in option.transfers]
    return out


def position_model(position: DebtPosition) -> dict[str, Any]:
    """``PaymentPositionModel``: the position as created, with its read-only status."""
    org = position.organization_fiscal_code
    out: dict[str, Any] = {
        "iupd": position.iupd,
        "type": position.debtor.type,
        "payStandIn": position.pay_stand_in,
        "fiscalCode": position.debtor.fiscal_code,
        "fullName": position.debtor.full_name,
    }
    out.update(position.debtor.address)
    out["switchToExpired"] = position.switch_to_expired
    out["companyName"] = position.company_name
    _put(out, "officeName", position.office_name)
    _date(out, "validityDate", position.validity_date)
    _date(out, "paymentDate", position.payment_date)
    out["status"] = position.status
    out["paymentOption"] = [_option(o, org, False, position) for o in position.options]
    return out


def position_response(position: DebtPosition) -> dict[str, Any]:
    """``PaymentPositionModelBaseResponse``: the position as get and list show it."""
    org = position.organization_fiscal_code
    out: dict[str, Any] = {
        "iupd": position.iupd,
        "organizationFiscalCode": org,
        "type": position.debtor.type,
        "companyName": position.company_name,
    }
    _put(out, "officeName", position.office_name)
    out["insertedDate"] = format_datetime(position.inserted_date)
    _date(out, "publishDate", position.publish_date)
    _date(out, "validityDate", position.validity_date)
    _date(out, "paymentDate", position.payment_date)
    out["status"] = position.status
    out["lastUpdatedDate"] = format_datetime(position.last_updated_date)
    out["paymentOption"] = [_option(o, org, True, position) for o in position.options]
    return out
