"""The GPD simulator's memory: debt positions, receipts, and GPD's status rules.

Everything lives in dicts keyed by (organization fiscal code, IUPD / IUV / NAV), so a
lookup is O(1). One lock guards changes: the station side runs in Starlette's thread
pool while the REST side runs on the event loop.

Status rules, as pagoPA's GPD implements them:
- create → DRAFT; ``toPublish`` (or ``publish``) → VALID when there is no validityDate,
  PUBLISHED when there is one (it becomes VALID once that date passes);
- update: not from INVALID, PARTIALLY_PAID, PAID, REPORTED; the position restarts as DRAFT;
- delete: not once a payment exists (PARTIALLY_PAID, PAID, REPORTED);
- publish: only from DRAFT; invalidate: only from PUBLISHED and VALID;
- a VALID position with ``switchToExpired`` becomes EXPIRED after its last due date;
- a receipt marks its option PO_PAID and the position PAID (PARTIALLY_PAID while
  other instalments remain unpaid);
- updateTransferIbanMassive: only the transfers of PO_UNPAID options of DRAFT, PUBLISHED,
  VALID or PARTIALLY_PAID positions (never paid, reported, invalid or expired ones), at
  most ``limit`` of them.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulators.common.heap import LongLived
from simulators.gpd.models import (
    DebtPosition,
    InvalidPosition,
    PaymentOption,
    check_iban,
    format_datetime,
    parse_position,
    utcnow,
)

MAX_EXCHANGES = 100
NOT_UPDATABLE = frozenset({"INVALID", "PARTIALLY_PAID", "PAID", "REPORTED"})
ALREADY_PAID = frozenset({"PARTIALLY_PAID", "PAID", "REPORTED"})
INVALIDABLE = frozenset({"PUBLISHED", "VALID"})
# Positions whose unpaid options may get a new IBAN (GPD's updateTransferIbanMassive).
IBAN_UPDATABLE = frozenset({"DRAFT", "PUBLISHED", "VALID", "PARTIALLY_PAID"})


#: What the simulator was sent stays until it stops: out of the GC's full passes.
LONG_LIVED = LongLived()


class GpdError(Exception):
    """A refusal GPD answers with a ``ProblemJson``: ``status``, ``title``, ``detail``."""

    status = 500
    title = "Internal Server Error"

    def __init__(self, detail: str, title: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if title is not None:
            self.title = title


class BadRequest(GpdError):
    status = 400
    title = "Error in the debt position request data"


class NotFound(GpdError):
    status = 404
    title = "Not found the debt position"


class Conflict(GpdError):
    status = 409
    title = "Conflict"


@dataclass
class Exchange:
    """One request that touched a position (REST call or paForNode primitive)."""

    at: datetime
    channel: str  # "rest" | "paForNode"
    operation: str
    outcome: str

    def to_dict(self) -> dict[str, str]:
        return {
            "at": format_datetime(self.at),
            "channel": self.channel,
            "operation": self.operation,
            "outcome": self.outcome,
        }


@dataclass
class ReceiptRecord:
    """A receipt as the payments-receipts API serves it."""

    organization_fiscal_code: str
    iuv: str
    notice_number: str
    receipt_id: str
    debtor: str
    payment_datetime: str
    amount_cents: int
    document: bytes  # the paSendRTV2Request XML document
    mbd_attachments: dict[int, bytes] = field(default_factory=dict)
    status: str = "PAID"

    def summary(self) -> dict[str, str]:
        """``ReceiptModelResponse`` of the payments-receipts service."""
        return {
            "organizationFiscalCode": self.organization_fiscal_code,
            "iuv": self.iuv,
            "debtor": self.debtor,
            "paymentDateTime": self.payment_datetime,
            "status": self.status,
        }


@dataclass
class Entry:
    """A stored position with its exchanges and its cached JSON rendering."""

    position: DebtPosition
    exchanges: deque[Exchange] = field(default_factory=lambda: deque(maxlen=MAX_EXCHANGES))
    cached: bytes | None = None


class GpdStore:
    """Debt positions and receipts of every organization served by the simulator."""

    def __init__(
        self, segregation_codes: tuple[str, ...] = (), *, verify_check_digit: bool = True
    ) -> None:
        self.segregation_codes = segregation_codes
        self.verify_check_digit = verify_check_digit
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.entries: dict[tuple[str, str], Entry] = {}
            self.by_iuv: dict[tuple[str, str], str] = {}  # (org, iuv) -> iupd
            self.by_nav: dict[tuple[str, str], str] = {}  # (org, nav) -> iupd
            self.receipts: dict[tuple[str, str], ReceiptRecord] = {}  # (org, iuv) -> receipt

    # --- reading ----------------------------------------------------------------------------

    def entry(self, org: str, iupd: str) -> Entry:
        """The position ``iupd`` of ``org``, its status refreshed; :class:`NotFound` if none."""
        entry = self.entries.get((org, iupd))
        if entry is None:
            raise NotFound(
                f"Not found a debt position for Organization Fiscal Code {org} and IUPD {iupd}"
            )
        self.refresh(entry)
        return entry

    def refresh(self, entry: Entry, now: datetime | None = None) -> None:
        """Apply the time-driven transitions (PUBLISHED → VALID, VALID → EXPIRED) on the fly."""
        position = entry.position
        if position.status != "PUBLISHED" and not (
            position.status == "VALID" and position.switch_to_expired
        ):
            return  # the common case: nothing can change with time
        now = now or utcnow()
        with self.lock:
            if (
                position.status == "PUBLISHED"
                and position.validity_date is not None
                and now > position.validity_date
            ):
                self._set_status(entry, "VALID", now)
            if (
                position.status == "VALID"
                and position.switch_to_expired
                and now > position.max_due_date
            ):
                self._set_status(entry, "EXPIRED", now)

    def organization_entries(self, org: str) -> list[Entry]:
        with self.lock:
            entries = [e for (o, _), e in self.entries.items() if o == org]
        now = utcnow()
        for entry in entries:
            self.refresh(entry, now)
        return entries

    def find_notice(self, org: str, nav: str) -> tuple[Entry, PaymentOption]:
        """The position and option behind notice number ``nav``; :class:`NotFound` if none."""
        iupd = self.by_nav.get((org, nav))
        if iupd is None:
            raise NotFound(f"no debt position of {org} has notice number {nav}")
        entry = self.entry(org, iupd)
        option = next(o for o in entry.position.options if o.nav == nav)
        return entry, option

    def all_entries(self) -> list[Entry]:
        with self.lock:
            return list(self.entries.values())

    # --- writing ----------------------------------------------------------------------------

    def record(self, entry: Entry, channel: str, operation: str, outcome: str) -> None:
        entry.exchanges.append(Exchange(utcnow(), channel, operation, outcome))

    def _set_status(self, entry: Entry, status: str, now: datetime) -> None:
        entry.position.status = status
        entry.position.last_updated_date = now
        entry.cached = None

    def _parse(self, org: str, body: object, now: datetime) -> DebtPosition:
        return parse_position(
            body,
            org,
            segregation_codes=self.segregation_codes,
            verify_check_digit=self.verify_check_digit,
            now=now,
        )

    def _check_unique(self, position: DebtPosition, replacing: str | None = None) -> None:
        org = position.organization_fiscal_code
        if replacing is None and (org, position.iupd) in self.entries:
            raise Conflict(
                f"Already exists a debt position for the Organization Fiscal Code {org} "
                f"with IUPD {position.iupd}",
                "The debt position violated constraints of uniqueness",
            )
        for option in position.options:
            for index, key in ((self.by_iuv, option.iuv), (self.by_nav, option.nav)):
                owner = index.get((org, key))
                if owner is not None and owner != replacing:
                    raise Conflict(
                        f"the payment option {key} of {org} already belongs to the debt "
                        f"position {owner}",
                        "The debt position violated constraints of uniqueness",
                    )

    def _index(self, entry: Entry) -> None:
        position = entry.position
        org = position.organization_fiscal_code
        self.entries[(org, position.iupd)] = entry
        for option in position.options:
            self.by_iuv[(org, option.iuv)] = position.iupd
            self.by_nav[(org, option.nav)] = position.iupd

    def _unindex(self, position: DebtPosition) -> None:
        org = position.organization_fiscal_code
        self.entries.pop((org, position.iupd), None)
        for option in position.options:
            self.by_iuv.pop((org, option.iuv), None)
            self.by_nav.pop((org, option.nav), None)

    def _publish(self, position: DebtPosition, now: datetime) -> None:
        if position.validity_date is None:
            if position.min_due_date <= now:
                raise Conflict(
                    f"A publish request occurred after the due date of a payment option has "
                    f"expired for the debt position with Organization Fiscal Code "
                    f"{position.organization_fiscal_code} and IUPD {position.iupd}",
                    "Publish request occurred after the due date of a payment options has expired",
                )
            position.validity_date = now
            position.status = "VALID"
        elif position.validity_date < now:
            raise Conflict(
                f"A publish request has been made after the validity date began for the debt "
                f"position with Organization Fiscal Code {position.organization_fiscal_code} "
                f"and IUPD {position.iupd}",
                "Publish request occurred after the validity date began",
            )
        else:
            position.status = "PUBLISHED"
        position.publish_date = now
        position.last_updated_date = now

    def create(self, org: str, body: object, to_publish: bool) -> Entry:
        now = utcnow()
        try:
            position = self._parse(org, body, now)
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
        with self.lock:
            self._check_unique(position)
            if to_publish:
                self._publish(position, now)
            entry = Entry(position)
            self._index(entry)
        LONG_LIVED.added()
        self.record(entry, "rest", "createPosition", f"201 {position.status}")
        return entry

    def update(self, org: str, iupd: str, body: object, to_publish: bool) -> Entry:
        now = utcnow()
        with self.lock:
            entry = self.entry(org, iupd)
            old = entry.position
            if old.status in NOT_UPDATABLE:
                raise Conflict(
                    f"the debt position with Organization Fiscal Code {org} and IUPD {iupd} is "
                    f"{old.status}: not in updatable state",
                    "Existing related payment found or not in updatable state",
                )
            try:
                position = self._parse(org, body, now)
            except ValueError as exc:
                raise BadRequest(str(exc)) from exc
            if position.iupd != iupd:
                raise BadRequest(
                    f"the body's iupd {position.iupd!r} differs from the path's {iupd!r}"
                )
            self._check_unique(position, replacing=iupd)
            position.inserted_date = old.inserted_date
            if to_publish:
                self._publish(position, now)
            self._unindex(old)
            entry.position = position
            entry.cached = None
            self._index(entry)
        self.record(entry, "rest", "updatePosition", f"200 {position.status}")
        return entry

    def delete(self, org: str, iupd: str) -> Entry:
        with self.lock:
            entry = self.entry(org, iupd)
            if entry.position.status in ALREADY_PAID:
                raise Conflict(
                    f"A payment transaction has already been carried out on the debt position "
                    f"with Organization Fiscal Code {org} and IUPD {iupd}",
                    "Existing related payment found",
                )
            self._unindex(entry.position)
        self.record(entry, "rest", "deletePosition", "200 deleted")
        return entry

    def publish(self, org: str, iupd: str) -> Entry:
        now = utcnow()
        with self.lock:
            entry = self.entry(org, iupd)
            if entry.position.status != "DRAFT":
                raise Conflict(
                    f"the debt position with Organization Fiscal Code {org} and IUPD {iupd} is "
                    f"{entry.position.status}: only DRAFT positions can be published",
                    "Existing related payment found or not in publishable state",
                )
            self._publish(entry.position, now)
            entry.cached = None
        self.record(entry, "rest", "publishPosition", f"200 {entry.position.status}")
        return entry

    def invalidate(self, org: str, iupd: str) -> Entry:
        with self.lock:
            entry = self.entry(org, iupd)
            if entry.position.status not in INVALIDABLE:
                raise Conflict(
                    f"the debt position with Organization Fiscal Code {org} and IUPD {iupd} is "
                    f"{entry.position.status}: only PUBLISHED or VALID positions can be "
                    "invalidated",
                    "Existing related payment found or not in invalidable state",
                )
            self._set_status(entry, "INVALID", utcnow())
        self.record(entry, "rest", "invalidatePosition", "200 INVALID")
        return entry

    def update_ibans(self, org: str, old_iban: str, new_iban: object, limit: int) -> int:
        """Move at most ``limit`` updatable transfers of ``org`` from ``old_iban`` to
        ``new_iban``; how many moved. Paid, reported, invalid, expired: left alone."""
        try:
            iban = check_iban(new_iban, "newIban")
        except InvalidPosition as exc:
            raise BadRequest(str(exc)) from exc
        now = utcnow()
        updated = 0
        with self.lock:
            for entry in self.organization_entries(org):  # statuses refreshed first
                if updated >= limit:
                    break
                if entry.position.status not in IBAN_UPDATABLE:
                    continue
                moved = 0
                for option in entry.position.options:
                    if option.status != "PO_UNPAID":
                        continue
                    for transfer in option.transfers:
                        if transfer.iban == old_iban and updated + moved < limit:
                            transfer.iban = iban
                            transfer.last_updated_date = now
                            moved += 1
                if moved:
                    updated += moved
                    entry.cached = None
                    self.record(entry, "rest", "updateTransferIbanMassive", f"200 {moved} IBAN")
        return updated

    def pay(
        self, entry: Entry, option: PaymentOption, receipt: ReceiptRecord, **details: Any
    ) -> None:
        """Close ``option`` with ``receipt``: PO_PAID, position PAID or PARTIALLY_PAID."""
        now = utcnow()
        with self.lock:
            position = entry.position
            paid_at = details.get("payment_date") or now
            option.status = "PO_PAID"
            option.payment_date = paid_at
            option.id_receipt = receipt.receipt_id
            option.payment_method = details.get("payment_method") or None
            option.psp_company = details.get("psp_company") or None
            others_open = any(
                o.status == "PO_UNPAID" and o.is_partial_payment
                for o in position.options
                if o is not option
            )
            position.payment_date = paid_at
            self._set_status(
                entry,
                "PARTIALLY_PAID" if option.is_partial_payment and others_open else "PAID",
                now,
            )
            self.receipts[(position.organization_fiscal_code, option.iuv)] = receipt

    def positions(self) -> list[dict[str, Any]]:
        """Every position with its state and exchanges (``/_admin/positions``)."""
        rows = []
        for entry in self.all_entries():
            self.refresh(entry)
            position = entry.position
            org = position.organization_fiscal_code
            rows.append(
                {
                    "organizationFiscalCode": org,
                    "iupd": position.iupd,
                    "status": position.status,
                    "companyName": position.company_name,
                    "debtor": position.debtor.fiscal_code,
                    "amount": position.amount,
                    "paymentOptions": [
                        {
                            "iuv": o.iuv,
                            "nav": o.nav,
                            "amount": o.amount,
                            "status": o.status,
                            "dueDate": format_datetime(o.due_date),
                            "stamps": [t.id_transfer for t in o.transfers if t.stamp is not None],
                            "receipt": self._receipt_info(org, o.iuv),
                        }
                        for o in position.options
                    ],
                    "exchanges": [x.to_dict() for x in entry.exchanges],
                }
            )
        return rows

    def _receipt_info(self, org: str, iuv: str) -> dict[str, Any] | None:
        receipt = self.receipts.get((org, iuv))
        if receipt is None:
            return None
        return {
            "receiptId": receipt.receipt_id,
            "paymentDateTime": receipt.payment_datetime,
            "mbdAttachments": sorted(receipt.mbd_attachments),
        }
