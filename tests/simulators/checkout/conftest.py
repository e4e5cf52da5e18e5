"""A fake creditor station on a loopback port, and the checkout in-process."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import httpx
import pytest
from starlette.applications import Starlette

from simulators.checkout.app import Settings, create_app
from simulators.common.contracts import PAFORNODE_XSD
from simulators.common.server import serving
from simulators.common.station import (
    StationError,
    StationPosition,
    StationReceipt,
    StationStamp,
    StationTransfer,
    station_mount,
)
from simulators.common.station_xml import MBD_XSD, schema_errors, unwrap
from tests.contracts_env import needs_official

CREDITOR = "80000000002"
IBAN = "IT60X0542811101000000123456"
DOCUMENT_HASH = base64.b64encode(hashlib.sha256(b"istanza di residenza").digest()).decode()

# notice numbers of the fake station's world
PLAIN = "301000000000000017"  # 20,00 € diritti di segreteria
STAMP = "301000000000000025"  # 20,00 € diritti + 16,00 € marca da bollo digitale
EXPIRED = "301000000000000099"
UNKNOWN = "301000000000000000"
BAD_SUM = "301000000000000033"  # transfers do not add up to the amount

requires_contracts = needs_official(PAFORNODE_XSD, MBD_XSD)


def position(notice: str) -> StationPosition:
    transfers = [
        StationTransfer(
            1, Decimal("20.00"), CREDITOR, IBAN, "Diritti di segreteria", "9/0101100IM/"
        )
    ]
    amount = Decimal("20.00")
    if notice == STAMP:
        stamp = StationStamp("01", DOCUMENT_HASH, "PI")
        transfers.append(
            StationTransfer(
                2, Decimal("16.00"), CREDITOR, None, "Marca da bollo", "9/0301116TS/", stamp
            )
        )
        amount = Decimal("36.00")
    if notice == BAD_SUM:
        amount = Decimal("25.00")
    return StationPosition(
        fiscal_code=CREDITOR,
        notice_number=notice,
        creditor_reference_id=notice[1:],
        amount=amount,
        due_date=date(2030, 12, 31),
        description="Istanza di residenza" if notice == STAMP else "Occupazione suolo pubblico",
        company_name="Comune di Bugliano",
        office_name=None,
        debtor_fiscal_code="RSSMRA80A01H501U",
        debtor_name="Mario Rossi",
        transfers=transfers,
    )


@dataclass
class FakeStation:
    """A tiny creditor: a few notices, paid when a receipt arrives."""

    receipts: list[StationReceipt] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    fail_receipts: int = 0  # answer KO to this many paSendRTV2 first
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _lookup(self, fiscal_code: str, notice: str) -> StationPosition:
        if fiscal_code != CREDITOR or notice not in {PLAIN, STAMP, BAD_SUM, EXPIRED}:
            raise StationError("PAA_PAGAMENTO_SCONOSCIUTO", f"notice {notice} unknown")
        if notice == EXPIRED:
            raise StationError("PAA_PAGAMENTO_SCADUTO", f"notice {notice} expired on 2020-01-01")
        if any(r.notice_number == notice for r in self.receipts):
            raise StationError("PAA_PAGAMENTO_DUPLICATO", f"notice {notice} already paid")
        return position(notice)

    def verify_payment_notice(self, fiscal_code: str, notice_number: str) -> StationPosition:
        self.calls.append("verify")
        return self._lookup(fiscal_code, notice_number)

    def get_payment(
        self, fiscal_code: str, notice_number: str, amount: Decimal | None
    ) -> StationPosition:
        self.calls.append("getPayment")
        return self._lookup(fiscal_code, notice_number)

    def send_receipt(self, receipt: StationReceipt) -> None:
        with self.lock:
            self.calls.append("sendRT")
            if self.fail_receipts > 0:
                self.fail_receipts -= 1
                raise StationError("PAA_SYSTEM_ERROR", "database unavailable, try again")
            self.receipts.append(receipt)


class _Current:
    """Forwards to the test's FakeStation, so one loopback server serves a whole module."""

    target = FakeStation()

    def verify_payment_notice(self, fiscal_code: str, notice_number: str) -> StationPosition:
        return self.target.verify_payment_notice(fiscal_code, notice_number)

    def get_payment(
        self, fiscal_code: str, notice_number: str, amount: Decimal | None
    ) -> StationPosition:
        return self.target.get_payment(fiscal_code, notice_number, amount)

    def send_receipt(self, receipt: StationReceipt) -> None:
        self.target.send_receipt(receipt)


@pytest.fixture(scope="module")
def _station_server() -> Iterator[tuple[_Current, str]]:
    current = _Current()
    with serving(Starlette(routes=[station_mount(current)])) as server:
        yield current, f"{server.url}/pagopa/paForNode"


@pytest.fixture
def station(_station_server: tuple[_Current, str]) -> FakeStation:
    _station_server[0].target = fresh = FakeStation()
    return fresh


@pytest.fixture
def station_url(_station_server: tuple[_Current, str], station: FakeStation) -> str:
    return _station_server[1]


@pytest.fixture
def settings(station_url: str) -> Settings:
    return Settings(
        stations={CREDITOR: station_url},
        rt_retry_delays=(0.05, 0.05),
        late_notification_delay=0.3,
        station_timeout=5.0,
    )


@dataclass
class Checkout:
    app: Starlette
    http: httpx.AsyncClient

    @property
    def state(self):  # type: ignore[no-untyped-def]
        return self.app.state.checkout


@pytest.fixture
async def checkout(settings: Settings) -> AsyncIterator[Checkout]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as http:
        yield Checkout(app, http)
        await app.state.checkout.settle(timeout=5)


def cart_body(*notices: str, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "paymentNotices": [
            {
                "noticeNumber": n,
                "fiscalCode": CREDITOR,
                "amount": 2000,
                "companyName": "Comune di Bugliano",
                "description": "Pagamento di prova",
            }
            for n in notices
        ],
        "returnUrls": {
            "returnOkUrl": "https://ente.example/ok",
            "returnCancelUrl": "https://ente.example/annullato",
            "returnErrorUrl": "https://ente.example/errore",
        },
        "idCart": "cart-42",
        "emailNotice": "mario.rossi@example.org",
    }
    body.update(extra)
    return body


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, str] = {}
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id"):
            self.forms[a["id"] or ""] = a.get("action") or ""
        if tag == "a" and a.get("id"):
            self.links[a["id"] or ""] = a.get("href") or ""


def form_action(html: str, form_id: str) -> str:
    """The action of ``form#form_id`` in a page, as a browser would submit it."""
    parser = _Forms()
    parser.feed(html)
    assert form_id in parser.forms, f"no form#{form_id} in page: {html[:500]}"
    return parser.forms[form_id]


def link(html: str, link_id: str) -> str:
    parser = _Forms()
    parser.feed(html)
    assert link_id in parser.links, f"no a#{link_id} in page"
    return parser.links[link_id]


async def open_cart(http: httpx.AsyncClient, *notices: str, **extra: object) -> str:
    """POST the cart; the cart page's path."""
    reply = await http.post("/checkout/ec/v1/carts", json=cart_body(*notices, **extra))
    assert reply.status_code == 302, reply.text
    return httpx.URL(reply.headers["location"]).path


async def walk_to_confirmation(
    http: httpx.AsyncClient, cart_path: str, card: str = "4242 4242 4242 4242"
) -> httpx.Response:
    """Cart → method → card → summary, submitting each page's own form."""
    page = await http.get(cart_path)
    assert page.status_code == 200 and 'id="carrello"' in page.text, page.text
    step = await http.post(form_action(page.text, "carrello"), data={"email": "m@example.org"})
    assert step.status_code == 303
    page = await http.get(step.headers["location"])
    step = await http.post(form_action(page.text, "metodo"), data={"method": "CP"})
    assert step.status_code == 303
    page = await http.get(step.headers["location"])
    card_form = form_action(page.text, "carta")
    data = {"holder": "Mario Rossi", "number": card, "expiry": "12/39", "cvv": "123"}
    step = await http.post(card_form, data=data)
    if step.status_code != 303:
        return step
    return await http.get(step.headers["location"])


async def pay(
    http: httpx.AsyncClient, cart_path: str, card: str = "4242 4242 4242 4242"
) -> httpx.Response:
    """Walk the whole checkout and press "Paga"; the answer to the confirmation."""
    summary = await walk_to_confirmation(http, cart_path, card)
    assert summary.status_code == 200, summary.text
    return await http.post(form_action(summary.text, "conferma"))


def assert_schema_valid(exchanges: list[dict[str, object]]) -> None:
    """Every request and response the Nodo exchanged validates against paForNode.xsd."""
    assert exchanges
    for exchange in exchanges:
        for key in ("request", "response"):
            body = exchange[key]
            assert isinstance(body, str), exchange
            errors = schema_errors(unwrap(body.encode()))
            assert errors == [], f"{exchange['operation']} {key}: {errors}"
