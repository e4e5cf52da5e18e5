"""A person's hand on a page: clicks and typing reach only what an eye could see and reach."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from collaudo.browser import hand, new_context

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PAGE = """
<style>body{margin:0} .tall{height:1500px}</style>
<form onsubmit="event.preventDefault(); document.body.dataset.sent = this.email.value">
  <input id=email name=email value="old@example.org"
    oninput="document.body.dataset.typed = (document.body.dataset.typed || '') + 'i'">
  <label for=card>Carta</label><input type=radio name=m id=card>
  <button id=hidden style="display:none">x</button>
  <button id=off disabled>x</button>
  <div style="position:relative"><button id=under>x</button>
    <div style="position:absolute;inset:0;background:#fff">cover</div></div>
  <div class=tall></div>
  <button id=send>Invia</button>
</form>
"""


async def test_typing_replaces_the_text_with_trusted_input(chromium: Browser) -> None:
    async with new_context(chromium) as page:
        await page.set_content(PAGE)
        await hand.type_into(page, "#email", "mario.rossi@example.org")
        assert await page.input_value("#email") == "mario.rossi@example.org"
        assert await page.get_attribute("body", "data-typed") == "i"  # one input event
        await hand.type_into(page, "#email", "")
        assert await page.input_value("#email") == ""


async def test_a_click_below_the_fold_scrolls_there_and_submits(chromium: Browser) -> None:
    async with new_context(chromium) as page:
        await page.set_content(PAGE)
        await hand.type_into(page, "#email", "a@b.it")
        await hand.click(page, "#send")
        assert await hand.attribute(page, "body", "data-sent") == "a@b.it"
        assert await page.evaluate("scrollY") > 0


async def test_ticking_a_radio_button(chromium: Browser) -> None:
    async with new_context(chromium) as page:
        await page.set_content(PAGE)
        await hand.set_checked(page, "#card")
        assert await page.is_checked("#card")
        await hand.set_checked(page, "#card")  # already ticked: left as it is
        assert await page.is_checked("#card")


@pytest.mark.parametrize(
    ("selector", "problem"),
    [
        ("#missing", "no element matches it"),
        ("#hidden", "it is not shown"),
        ("#off", "it is disabled"),
        ("#under", "another element is on top of it: <div"),
    ],
)
async def test_what_a_person_could_not_click_is_refused_saying_why(
    chromium: Browser, selector: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with new_context(chromium) as page:
        await page.set_content(PAGE)
        monkeypatch.setattr(hand, "AIM_TIMEOUT", 0.2)
        with pytest.raises(hand.NotClickable, match=f"cannot reach {selector} .*: {problem}"):
            await hand.click(page, selector)


async def test_a_click_waits_for_what_appears_a_moment_later(chromium: Browser) -> None:
    async with new_context(chromium) as page:
        await page.set_content(
            "<button id=b style='display:none' onclick='this.dataset.hit=1'>x</button>"
            "<script>setTimeout(() => { b.style.display = 'block'; }, 300)</script>"
        )
        await hand.click(page, "#b")
        assert await hand.attribute(page, "#b", "data-hit") == "1"


async def test_reading_what_the_page_shows(chromium: Browser) -> None:
    async with new_context(chromium) as page:
        await page.set_content("<p id=a data-x=1>  uno\n  due </p>")
        assert await hand.text(page, "#a") == "uno due"
        assert await hand.text(page, "#b") == ""
        assert await hand.attribute(page, "#a", "data-x") == "1"
        assert await hand.attribute(page, "#a", "data-y") is None
        assert await hand.exists(page, "p#a")
        assert not await hand.exists(page, "p#b")
