"""The Nodo's part: calling each creditor's station as pagoPA would.

When a cart is opened, ``paVerifyPaymentNotice`` for each notice (the page shows the
creditor's amount and description, or its refusal). At confirmation,
``paGetPaymentV2`` (``paymentNote`` = the creditor's ``idCart``); the payment goes
ahead only if every answer is OK and each position's transfers add up to its amount.
Once paid, one ``paSendRTV2`` per notice with the receipt: PSP, channel, fee (on the
first notice), the transfers, and for each ``richiestaMarcaDaBollo`` transfer an
``MBDAttachment`` with the stamp document. A refused or failed receipt is sent again
after ``Settings.rt_retry_delays``. Fault profiles at point ``notify`` change the last
step: duplicate-notification (sent twice), late-notification (after ``delay``
seconds, default ``Settings.late_notification_delay``), lost-notification (never).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from simulators.checkout.state import Cart, CheckoutState, Notice
from simulators.common.station import (
    Exchange,
    StationClient,
    StationError,
    StationReceipt,
    send_rt_request,
)
from simulators.common.station_mbd import MbdDocument, build_mbd, iubd_for

if TYPE_CHECKING:
    from simulators.checkout.app import Settings

log = logging.getLogger(__name__)


class Nodo:
    """Talks paForNode to the creditors' stations on behalf of the checkout."""

    def __init__(self, state: CheckoutState, settings: Settings) -> None:
        self.state = state
        self.settings = settings

    def client(self, cart: Cart, fiscal_code: str) -> StationClient:
        url = self.state.stations.get(fiscal_code)
        if url is None:
            raise StationError(
                "PPT_STAZIONE_INT_PA_SCONOSCIUTA",
                f"no station is registered for creditor {fiscal_code}: register it with "
                f'PUT /_admin/stations/{fiscal_code} {{"url": "http://.../pagopa/paForNode"}}',
            )
        return StationClient(
            url, timeout=self.settings.station_timeout, on_exchange=self._recorder(cart)
        )

    @staticmethod
    def _recorder(cart: Cart) -> Callable[[Exchange], None]:
        return lambda exchange: cart.exchanges.append(exchange.to_dict())

    async def verify(self, cart: Cart) -> None:
        """paVerifyPaymentNotice for every notice not verified yet."""
        for notice in cart.notices:
            if notice.verified is not None:
                continue
            try:
                client = self.client(cart, notice.fiscal_code)
                notice.verified = await client.verify(notice.fiscal_code, notice.notice_number)
                notice.verify_error = None
            except StationError as exc:
                notice.verify_error = exc

    async def activate(self, cart: Cart) -> StationError | None:
        """paGetPaymentV2 for every notice; the first refusal, if any."""
        for notice in cart.notices:
            try:
                client = self.client(cart, notice.fiscal_code)
                position = await client.get_payment(
                    notice.fiscal_code,
                    notice.notice_number,
                    amount=notice.amount,
                    payment_note=cart.id_cart or cart.id,
                )
            except StationError as exc:
                return exc
            transfers = sum((t.amount for t in position.transfers), Decimal("0.00"))
            if transfers != position.amount:
                return StationError(
                    "PPT_SEMANTICA",
                    f"notice {notice.notice_number}: paymentAmount {position.amount:.2f} is not "
                    f"the sum of its transfers ({transfers:.2f})",
                )
            notice.position = position
        return None

    def prepare_receipts(self, cart: Cart) -> None:
        """Build the paSendRTV2 envelope of each paid notice (kept for re-sending)."""
        paid_at = cart.paid_at
        assert paid_at is not None, "receipts exist only for paid carts"
        for index, notice in enumerate(cart.notices):
            position = notice.position
            assert position is not None, "paid notices went through paGetPaymentV2"
            notice.receipt_id = uuid.uuid4().hex
            attachments: dict[int, bytes] = {}
            for transfer in position.transfers:
                if transfer.stamp is not None and not transfer.iban:
                    attachments[transfer.id_transfer] = build_mbd(
                        MbdDocument(
                            psp_fiscal_code=self.settings.psp_fiscal_code,
                            psp_name=self.settings.psp_name,
                            iubd=iubd_for(f"{notice.receipt_id}-{transfer.id_transfer}"),
                            purchased_at=paid_at,
                            amount=transfer.amount,
                            stamp_type=transfer.stamp.stamp_type,
                            document_hash=transfer.stamp.document_hash,
                        )
                    )
            receipt = StationReceipt(
                receipt_id=notice.receipt_id,
                notice_number=notice.notice_number,
                fiscal_code=notice.fiscal_code,
                creditor_reference_id=position.creditor_reference_id,
                amount=position.amount,
                description=position.description,
                psp_id=self.settings.psp_id,
                psp_name=self.settings.psp_name,
                channel_id=self.settings.channel_id,
                payment_method="creditCard",
                fee=Decimal(self.settings.fee_cents) / 100 if index == 0 else Decimal("0.00"),
                payment_datetime=paid_at,
                outcome="OK",
                debtor_fiscal_code=position.debtor_fiscal_code,
                payer_fiscal_code=None,
                transfers=position.transfers,
                mbd_attachments=attachments,
                raw_xml=b"",
            )
            notice.receipt_body = send_rt_request(
                receipt,
                company_name=position.company_name,
                debtor_name=position.debtor_name,
                office_name=position.office_name,
                channel_description=self.settings.channel_description,
                payment_note=cart.id_cart or cart.id,
            )

    async def notify(self, cart: Cart) -> None:
        """Send the receipts, as the active ``notify`` fault (if any) allows."""
        fault = self.state.faults.check("notify")
        name = fault.name if fault is not None else None
        for notice in cart.notices:
            if name == "lost-notification":
                notice.notification = "LOST"
                log.info("lost-notification: receipt of %s never sent", notice.notice_number)
            elif name == "late-notification":
                assert fault is not None
                delay = float(fault.params.get("delay", self.settings.late_notification_delay))
                notice.notification = "SCHEDULED"
                self.state.spawn(self._later(cart, notice, delay))
            else:
                await self.deliver(cart, notice)
                if name == "duplicate-notification":
                    await self.deliver(cart, notice, retry=False)

    async def _later(self, cart: Cart, notice: Notice, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.deliver(cart, notice)

    async def deliver(
        self, cart: Cart, notice: Notice, attempt: int = 0, retry: bool = True
    ) -> None:
        """One paSendRTV2; on failure, retried after ``Settings.rt_retry_delays``."""
        assert notice.receipt_body is not None
        try:
            await self.client(cart, notice.fiscal_code).send_receipt(notice.receipt_body)
        except StationError as exc:
            notice.notification_error = str(exc)
            delays = self.settings.rt_retry_delays
            if retry and attempt < len(delays):
                notice.notification = "RETRYING"
                self.state.spawn(self._retry(cart, notice, attempt + 1, delays[attempt]))
            elif notice.notifications_sent == 0:
                notice.notification = "FAILED"
            return
        notice.notifications_sent += 1
        notice.notification = "SENT"

    async def _retry(self, cart: Cart, notice: Notice, attempt: int, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.deliver(cart, notice, attempt)
