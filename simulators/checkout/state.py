"""What the checkout remembers: carts, their notices and payments, the station registry."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from simulators.checkout.cards import Card
from simulators.checkout.carts import CartRequest, ReturnUrls
from simulators.common.faults import FaultState
from simulators.common.station import StationError, StationPosition, VerifiedNotice

# Cart statuses, in the order a citizen meets them.
CREATED = "CREATED"  # posted, not opened yet
VERIFIED = "VERIFIED"  # opened: every notice verified by its creditor
VERIFY_FAILED = "VERIFY_FAILED"  # a creditor refused a notice (unknown, expired, paid...)
METHOD_CHOSEN = "METHOD_CHOSEN"
CARD_ENTERED = "CARD_ENTERED"
CARD_ERROR = "CARD_ERROR"  # the card screen failed
PAYING = "PAYING"  # confirmed: the Nodo is at work (a second click must not pay twice)
PAID = "PAID"
DECLINED = "DECLINED"  # card refused at authorisation: nothing paid, no receipt
FAILED = "FAILED"  # paGetPaymentV2 refused or invalid: nothing paid
CANCELLED = "CANCELLED"


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


@dataclass
class Notice:
    """One payment notice of a cart and what the Nodo learnt about it."""

    notice_number: str
    fiscal_code: str
    amount_cents: int  # as posted in the cart
    company_name: str
    description: str
    verified: VerifiedNotice | None = None
    verify_error: StationError | None = None
    position: StationPosition | None = None  # the paGetPaymentV2 answer
    receipt_id: str | None = None
    receipt_body: bytes | None = None  # the paSendRTV2 envelope, kept for re-sending
    notification: str = "NONE"  # NONE | SENT | SCHEDULED | LOST | RETRYING | FAILED
    notifications_sent: int = 0  # paSendRTV2 answered OK
    notification_error: str | None = None

    @property
    def amount(self) -> Decimal:
        """The amount to pay: the creditor's (verified) one once known."""
        if self.position is not None:
            return self.position.amount
        if self.verified is not None:
            return self.verified.amount
        return Decimal(self.amount_cents) / 100

    def to_dict(self) -> dict[str, Any]:
        return {
            "notice_number": self.notice_number,
            "fiscal_code": self.fiscal_code,
            "cart_amount": f"{Decimal(self.amount_cents) / 100:.2f}",
            "amount": f"{self.amount:.2f}",
            "company_name": self.company_name,
            "description": self.description,
            "verified": self.verified is not None,
            "verify_error": None
            if self.verify_error is None
            else {
                "fault_code": self.verify_error.fault_code,
                "description": str(self.verify_error),
            },
            "iuv": None if self.position is None else self.position.creditor_reference_id,
            "receipt_id": self.receipt_id,
            "notification": self.notification,
            "notifications_sent": self.notifications_sent,
            "notification_error": self.notification_error,
        }


@dataclass
class Cart:
    """A checkout session: the citizen's path through the pages and its outcome."""

    id: str
    version: int
    notices: list[Notice]
    return_urls: ReturnUrls
    email: str | None = None
    id_cart: str | None = None  # the creditor's cart id, passed on as paymentNote
    all_ccp: bool = False
    direct: bool = False  # opened by GET /pay (an intermediary's own payment URL)
    broken: bool = False  # broken-redirect fault: the URL handed out leads nowhere
    status: str = CREATED
    card: Card | None = None
    method: str | None = None
    error: str | None = None  # what went wrong, for the citizen and the admin API
    lost_outcome: bool = False  # lost-outcome fault struck: the citizen never comes back
    created_at: datetime = field(default_factory=now)
    paid_at: datetime | None = None
    exchanges: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_request(cls, request: CartRequest, version: int, direct: bool = False) -> Cart:
        return cls(
            id=str(uuid.uuid4()),
            version=version,
            notices=[
                Notice(
                    n.notice_number, n.fiscal_code, n.amount_cents, n.company_name, n.description
                )
                for n in request.notices
            ],
            return_urls=request.return_urls,
            email=request.email,
            id_cart=request.id_cart,
            all_ccp=request.all_ccp,
            direct=direct,
        )

    @property
    def total(self) -> Decimal:
        return sum((n.amount for n in self.notices), Decimal("0.00"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "status": self.status,
            "direct": self.direct,
            "broken": self.broken,
            "id_cart": self.id_cart,
            "email": self.email,
            "total": f"{self.total:.2f}",
            "card": None
            if self.card is None
            else {"brand": self.card.brand, "last4": self.card.last4, "holder": self.card.holder},
            "error": self.error,
            "lost_outcome": self.lost_outcome,
            "created_at": self.created_at.isoformat(),
            "paid_at": None if self.paid_at is None else self.paid_at.isoformat(),
            "return_urls": {
                "ok": self.return_urls.ok,
                "cancel": self.return_urls.cancel,
                "error": self.return_urls.error,
                "waiting": self.return_urls.waiting,
            },
            "notices": [n.to_dict() for n in self.notices],
            "exchanges": self.exchanges,
        }


class CheckoutState:
    """The simulator's memory; also the target of the shared admin API."""

    def __init__(self, stations: dict[str, str]) -> None:
        self.faults = FaultState("checkout")
        self.initial_stations = dict(stations)
        self.stations = dict(stations)
        self.carts: dict[str, Cart] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    def add(self, cart: Cart) -> Cart:
        self.carts[cart.id] = cart
        return cart

    def spawn(self, coro: Any) -> None:
        """Run a background job (late or retried notifications), keeping a reference."""
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def settle(self, timeout: float = 30.0) -> None:
        """Wait for pending background notifications (tests, orderly shutdown)."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)

    def reset(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        self.carts.clear()
        # Faults stay as they are: they have their own switches (DELETE /_admin/faults).
        self.stations = dict(self.initial_stations)

    def positions(self) -> list[dict[str, Any]]:
        return [cart.to_dict() for cart in self.carts.values()]
