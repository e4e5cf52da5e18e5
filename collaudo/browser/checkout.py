"""A citizen paying in Chromium: the platform's citizen page → the pagoPA checkout → back.

The walk clicks what a citizen clicks and checks where it stands at each step by the
pages' stable hooks (``simulators/checkout/pages.py``: ``main#<page>``, ``form#carrello``,
``form#metodo``, ``form#carta``, ``form#conferma``, ``#esito[data-outcome]``,
``a#continua``; the platform's ``tr[data-payment-id] a[data-link]`` and
``section#pratica[data-status]``). Every page gets a screenshot.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page

from collaudo.browser import hand
from collaudo.browser.chromium import Screenshots, page_to_use
from collaudo.citizen import PAYING_CARD, Outcome

#: The page's name in one round trip: the checkout's ``main`` id, else the platform's section.
_WHERE = """() => {
  const found = document.querySelector('main[id]') || document.querySelector('section[id]');
  return found && found.id;
}"""
#: The page's name and its size for the screenshot (fonts loaded), in one round trip.
_LOOK = f"""() => document.fonts.ready.then(() => {{
  const root = document.documentElement;
  return [({_WHERE})(), [root.scrollWidth, root.scrollHeight, innerWidth, innerHeight]];
}})"""
LINK_RELOADS = 20
LINK_RELOAD_PAUSE = 0.25  # seconds between reloads of the citizen page


class BrowserCheckoutError(RuntimeError):
    """A page was not what a citizen expects at that point; names the page and URL."""


@dataclass
class CheckoutPage:
    """One page the citizen saw: its ``main``/section id, URL and screenshot."""

    name: str
    url: str
    screenshot: Path | None = None


@dataclass
class BrowserCheckoutResult:
    """How the walk ended.

    ``outcome`` is what the checkout showed (``OK``, ``KO`` declined or refused,
    ``CANCELED``, ``ERROR`` card screen / lost outcome / wrong card data);
    ``return_url`` is where the checkout sent the browser back to (the creditor's
    URL, e.g. the proxy's ``/landing/{id}``); ``landing_url`` where the browser
    finally stood, and ``landing_status`` the payment status shown there (the
    platform's ``data-status``), when it is the platform's page.
    """

    outcome: Outcome
    message: str = ""
    return_url: str | None = None
    landing_url: str | None = None
    landing_status: str | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    pages: list[CheckoutPage] = field(default_factory=list)

    @property
    def page_names(self) -> list[str]:
        return [p.name for p in self.pages]

    @property
    def screenshots(self) -> list[Path]:
        return [p.screenshot for p in self.pages if p.screenshot is not None]


@dataclass
class CardData:
    holder: str = "Mario Rossi"
    expiry: str = "12/39"
    cvv: str = "123"
    email: str = "mario.rossi@example.org"


class _Walk:
    """One citizen's walk; records each page and the checkout's way back."""

    def __init__(self, page: Page, shots: Screenshots) -> None:
        self.page = page
        self.shots = shots
        self.result = BrowserCheckoutResult("ERROR")
        self.checkout_origin: str | None = None
        page.on("response", self._watch_redirect)

    def done(self) -> None:
        """Stop watching the page (it may serve the scenario's next step)."""
        self.page.remove_listener("response", self._watch_redirect)

    def _watch_redirect(self, response: Any) -> None:
        # The checkout's last redirect leaving its own origin is the creditor's return URL.
        if self.checkout_origin is None or response.status not in (302, 303):
            return
        location = response.headers.get("location", "")
        if response.url.startswith(self.checkout_origin) and location.startswith("http"):
            if not location.startswith(self.checkout_origin):
                self.result.return_url = location

    async def where(self) -> str:
        """The page's name: the checkout's ``main`` id or the platform's section id."""
        found = await self.page.evaluate(_WHERE)
        return str(found) if found else urlsplit(self.page.url).path or "?"

    async def seen(self, name: str | None = None) -> str:
        found, size = await self.page.evaluate(_LOOK)
        where = str(found) if found else urlsplit(self.page.url).path or "?"
        shot = await self.shots(self.page, name or where, tuple(size))
        self.result.pages.append(CheckoutPage(where, self.page.url, shot))
        return where

    async def go(self, selector: str) -> str:
        """Click ``selector`` (a link or submit button) and wait for the next page."""
        if not await hand.exists(self.page, selector):
            raise BrowserCheckoutError(
                f"no {selector} on page {await self.where()!r} at {self.page.url}"
            )
        async with self.page.expect_navigation(wait_until="load"):
            await hand.click(self.page, selector)
        return await self.seen()

    def expect(self, where: str, wanted: str) -> None:
        if where != wanted:
            raise BrowserCheckoutError(
                f"expected the checkout page {wanted!r}, the browser shows {where!r} "
                f"at {self.page.url}"
            )

    async def text(self, selector: str) -> str:
        return await hand.text(self.page, selector)

    async def landed(self, wanted_status: str | None, timeout: float) -> None:
        """Record the creditor's landing page; reload it until it shows ``wanted_status``."""
        self.result.landing_url = self.page.url
        status = "section#pratica[data-status]"
        self.result.landing_status = await hand.attribute(self.page, status, "data-status")
        if self.result.landing_status is None:
            return
        deadline = asyncio.get_running_loop().time() + timeout
        while wanted_status and self.result.landing_status != wanted_status:
            if asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.3)
            await self.page.reload(wait_until="load")  # the citizen pressing F5
            self.result.landing_status = await hand.attribute(self.page, status, "data-status")
            if self.result.landing_status == wanted_status:
                await self.seen("pratica-aggiornata")

    async def back_to_creditor(self, wanted_status: str | None, timeout: float) -> None:
        """``a#continua`` → the creditor's return URL → its landing page."""
        await self.go("a#continua")
        await self.landed(wanted_status, timeout)


@dataclass
class _Plan:
    card: str
    cancel: bool
    data: CardData
    payment_id: str | None
    landing_status: str | None
    landing_timeout: float


async def _walk(walk: _Walk, plan: _Plan) -> BrowserCheckoutResult:
    page, result = walk.page, walk.result
    payment_id, data = plan.payment_id, plan.data
    if payment_id is not None:  # the platform's citizen page: the "Paga online" link
        await walk.seen("area-personale")
        link = f'tr[data-payment-id="{payment_id}"] a[data-link="online_payment_begin"]'
        # The link appears once the platform has seen PAYMENT_PENDING; on a loaded machine
        # that event may land just after the page did: the citizen presses F5 a few times.
        for _ in range(LINK_RELOADS):
            if await hand.exists(page, link):
                break
            await asyncio.sleep(LINK_RELOAD_PAUSE)
            await page.reload(wait_until="load")
        if not await hand.exists(page, link):
            row = await walk.text(f'tr[data-payment-id="{payment_id}"]')
            raise BrowserCheckoutError(
                f"no 'Paga online' link for payment {payment_id} on the citizen page "
                f"{page.url} (its row: {row or 'absent'!r}); is it PAYMENT_PENDING yet?"
            )
        await walk.go(link)
    else:
        await walk.seen()
    walk.checkout_origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    where = result.pages[-1].name
    if where == "errore-verifica-pagina":  # the Nodo's verify refused the notice
        result.message = await walk.text("#errore-verifica")
        await walk.back_to_creditor(None, 0)
        return result
    walk.expect(where, "carrello-pagina")
    if plan.cancel:
        await walk.go("#annulla-pagamento")
        result.outcome, result.message = "CANCELED", "pagamento annullato dal cittadino"
        await walk.landed(plan.landing_status, plan.landing_timeout)
        return result
    await hand.type_into(page, "#email", data.email)
    walk.expect(await walk.go("form#carrello button#paga"), "metodo-pagina")
    await hand.set_checked(page, "#metodo-CP")
    walk.expect(await walk.go("form#metodo button#continua"), "carta-pagina")
    for selector, value in (
        ("#titolare", data.holder),
        ("#numero", plan.card),
        ("#scadenza", data.expiry),
        ("#cvv", data.cvv),
    ):
        await hand.type_into(page, f"form#carta {selector}", value)
    await walk.shots(page, "carta-compilata")
    where = await walk.go("form#carta button#continua")
    if where == "carta-pagina":  # the card data were refused field by field
        for name in ("holder", "number", "expiry", "cvv"):
            if message := await walk.text(f"#errore-{name}"):
                result.field_errors[name] = message
        result.message = await walk.text("#errori-carta")
        return result
    if where == "errore-carta-pagina":
        result.message = await walk.text("#errore-carta")
        return result
    walk.expect(where, "riepilogo-pagina")
    where = await walk.go("#conferma-pagamento")
    if where == "errore-esito-pagina":  # paid or not, the checkout lost the outcome
        result.message = await walk.text("#esito-sconosciuto")
        return result
    walk.expect(where, "esito-pagina")
    shown = await hand.attribute(page, "#esito", "data-outcome")
    result.outcome = "OK" if shown == "OK" else "KO"
    result.message = await walk.text("#esito")
    await walk.back_to_creditor(plan.landing_status, plan.landing_timeout)
    return result


async def pay_in_browser(
    url: str,
    card: str = PAYING_CARD,
    screenshots_dir: Path | None = None,
    *,
    payment_id: str | None = None,
    cancel: bool = False,
    card_data: CardData | None = None,
    landing_status: str | None = None,
    landing_timeout: float = 10.0,
    browser: Browser | None = None,
    loopback_only: bool = True,
    page: Page | None = None,
) -> BrowserCheckoutResult:
    """Pay (or cancel) in Chromium; screenshots of each page go to ``screenshots_dir``.

    With ``payment_id``, ``url`` is the platform's citizen page and the walk starts by
    clicking that payment's "Paga online"; without, ``url`` is a payment link (the
    proxy's ``/online-payment/{id}`` or a checkout URL). With ``landing_status`` the
    citizen reloads the platform's landing page until it shows that status (at most
    ``landing_timeout`` seconds; ``result.landing_status`` tells what it showed last).
    Pass ``browser`` to reuse one; otherwise Chromium is launched for this walk alone.
    Pass ``page`` to walk in a tab already open (the scenario's), not in a fresh context.
    """
    async with page_to_use(browser, page, loopback_only=loopback_only) as tab:
        walk = _Walk(tab, Screenshots(screenshots_dir))
        try:
            response = await tab.goto(url, wait_until="load")
            if response is not None and response.status >= 400 and payment_id is None:
                await walk.seen()
                raise BrowserCheckoutError(f"opening {url}: HTTP {response.status} at {tab.url}")
            plan = _Plan(
                card, cancel, card_data or CardData(), payment_id, landing_status, landing_timeout
            )
            return await _walk(walk, plan)
        finally:
            walk.done()


async def watch_landing(
    url: str,
    wanted_status: str,
    screenshots_dir: Path | None = None,
    *,
    timeout: float = 10.0,
    browser: Browser | None = None,
    page: Page | None = None,
) -> str | None:
    """Open the platform's page of an application; reload until it shows ``wanted_status``.

    Returns the status the page showed last (``None`` when it is not an application page).
    """
    async with page_to_use(browser, page) as tab:
        walk = _Walk(tab, Screenshots(screenshots_dir, prefix="pratica-"))
        try:
            await tab.goto(url, wait_until="load")
            await walk.seen()
            await walk.landed(wanted_status, timeout)
            return walk.result.landing_status
        finally:
            walk.done()


async def citizen_actions(
    platform_url: str, payment_id: str, *, browser: Browser | None = None, page: Page | None = None
) -> list[str]:
    """The links the citizen page offers for a payment (``data-link`` names, in order)."""
    async with page_to_use(browser, page) as tab:
        await tab.goto(platform_url, wait_until="load")
        links: list[str] = await tab.evaluate(
            "(s) => Array.from(document.querySelectorAll(s), (a) => a.dataset.link)",
            f'tr[data-payment-id="{payment_id}"] a[data-link]',
        )
        return links
