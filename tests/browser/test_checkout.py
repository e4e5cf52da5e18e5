"""A citizen paying in Chromium, from the platform's citizen page through the checkout pages.

Every test runs on both intermediaries (MyPay and GPD stacks) with one browser for the
module; each starts from its own application on the platform.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser

from collaudo.browser import BrowserCheckoutResult, citizen_actions, pay_in_browser, watch_landing
from collaudo.citizen import CARD_SCREEN_ERROR_CARD, DECLINED_CARD, PAYING_CARD
from collaudo.stack import Stack
from tests.journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

CHECKOUT_PAGES = ["carrello-pagina", "metodo-pagina", "carta-pagina", "riepilogo-pagina"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest_asyncio.fixture(loop_scope="module")
async def pending(stack: Stack) -> AsyncIterator[Journey]:
    """A fresh application on the platform, its payment PAYMENT_PENDING."""
    async with httpx.AsyncClient(timeout=20) as http:
        journey = Journey(stack, http)
        await journey.create_application()
        await journey.payment_pending()
        yield journey


async def pay(
    stack: Stack, journey: Journey, browser: Browser, shots: Path, card: str, **kw: object
) -> BrowserCheckoutResult:
    return await pay_in_browser(
        stack.urls["platform"] + "/",
        card,
        shots,
        payment_id=journey.payment_id,
        browser=browser,
        **kw,  # type: ignore[arg-type]
    )


def citizen_page(stack: Stack) -> str:
    return stack.urls["platform"] + "/"


def back_query(result: BrowserCheckoutResult) -> dict[str, list[str]]:
    assert result.return_url is not None
    return parse_qs(urlsplit(result.return_url).query)


async def test_paying_from_the_citizen_page_completes_the_payment(
    stack: Stack, pending: Journey, chromium: Browser, screenshots: Path
) -> None:
    result = await pay(
        stack, pending, chromium, screenshots, PAYING_CARD, landing_status="COMPLETE"
    )

    assert result.outcome == "OK", result
    assert "hai pagato 20,00 €" in result.message
    walked = ["pagamenti", *CHECKOUT_PAGES, "esito-pagina"]
    assert result.page_names[: len(walked)] == walked
    # Then the application's page; on a busy machine it may show COMPLETE only after a reload.
    assert result.page_names[len(walked) :] in (["pratica"], ["pratica", "pratica"])
    # Back through the proxy's landing to the application's page on the platform.
    assert result.return_url is not None
    assert result.return_url.startswith(f"{stack.urls['proxy']}/landing/{pending.payment_id}")
    assert back_query(result)["outcome"] == ["ok"]
    application_id = (await pending.latest())["remote_id"]
    assert result.landing_url == f"{stack.urls['platform']}/applications/{application_id}"
    assert result.landing_status == "COMPLETE"
    assert (await pending.latest())["status"] == "COMPLETE"
    # One screenshot per page seen, plus the filled-in card form, all PNG images.
    assert len(result.screenshots) == len(result.pages)
    taken = sorted(screenshots.glob("*.png"))
    assert [p.name for p in taken][:2] == ["01-area-personale.png", "02-carrello-pagina.png"]
    assert any(p.name.endswith("carta-compilata.png") for p in taken)
    assert all(p.read_bytes().startswith(PNG) for p in taken)
    # The receipt can be downloaded now, and the citizen page offers it instead of paying.
    await pending.receipt()
    assert result.landing_url is not None
    shown = await watch_landing(result.landing_url, "COMPLETE", browser=chromium)
    assert shown == "COMPLETE"
    links = await citizen_actions(citizen_page(stack), pending.payment_id, browser=chromium)
    assert links == ["receipt"]


async def test_cancelling_returns_to_the_platform_and_the_payment_stays_payable(
    stack: Stack, pending: Journey, chromium: Browser, screenshots: Path
) -> None:
    result = await pay(stack, pending, chromium, screenshots, PAYING_CARD, cancel=True)

    assert result.outcome == "CANCELED"
    assert result.page_names[:2] == ["pagamenti", "carrello-pagina"]
    assert result.return_url is not None
    assert result.return_url.startswith(f"{stack.urls['proxy']}/landing/{pending.payment_id}")
    query = back_query(result)
    assert query.get("outcome") == ["cancel"] or query.get("esito") == ["ANNULLATO"]
    assert result.landing_status in {"PAYMENT_PENDING", "PAYMENT_STARTED"}
    links = await citizen_actions(citizen_page(stack), pending.payment_id, browser=chromium)
    assert links == ["online_payment_begin", "offline_payment"]
    # Nothing was paid; the citizen can still pay from the same page afterwards.
    again = await pay(stack, pending, chromium, screenshots / "again", PAYING_CARD)
    assert again.outcome == "OK", again
    await pending.complete()


async def test_a_declined_card_shows_the_refusal_and_nothing_is_paid(
    stack: Stack, pending: Journey, chromium: Browser, screenshots: Path
) -> None:
    result = await pay(stack, pending, chromium, screenshots, DECLINED_CARD)

    assert result.outcome == "KO"
    assert "rifiutata" in result.message
    assert result.page_names[:-1] == ["pagamenti", *CHECKOUT_PAGES, "esito-pagina"]
    query = back_query(result)
    assert query.get("outcome") == ["error"] or query.get("esito") == ["KO"]
    assert result.landing_status != "COMPLETE"
    # The intermediary, asked again, still has it unpaid; no receipt.
    async with httpx.AsyncClient(timeout=20) as http:
        await http.get(f"{stack.urls['proxy']}/update/{pending.payment_id}")
        receipt = await http.get(f"{stack.urls['proxy']}/receipt/{pending.payment_id}")
    assert (await pending.latest())["status"] != "COMPLETE"
    assert receipt.status_code == 409


@pytest.mark.parametrize("stack", ["mypay"], indirect=True)  # the checkout alone decides
async def test_the_card_screen_failing_leaves_the_citizen_on_the_error_page(
    stack: Stack, pending: Journey, chromium: Browser, screenshots: Path
) -> None:
    result = await pay(stack, pending, chromium, screenshots, CARD_SCREEN_ERROR_CARD)

    assert result.outcome == "ERROR"
    assert result.page_names[-1] == "errore-carta-pagina"
    assert "Nessun importo è stato addebitato" in result.message
    assert result.return_url is None
    assert (await pending.latest())["status"] != "COMPLETE"


@pytest.mark.parametrize("stack", ["gpd"], indirect=True)
async def test_wrong_card_data_are_refused_field_by_field(
    stack: Stack, pending: Journey, chromium: Browser, screenshots: Path
) -> None:
    result = await pay(stack, pending, chromium, screenshots, "4242 4242 4242 4241")

    assert result.outcome == "ERROR"
    assert result.page_names[-2:] == ["carta-pagina", "carta-pagina"]
    wrong_number = "Il numero della carta non è valido: controlla le cifre"
    assert result.field_errors == {"number": wrong_number}
