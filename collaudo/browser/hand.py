"""A person's hand on a page: real mouse clicks and typing, aimed with one round trip each.

Playwright's locator actions (``click``, ``fill``, ``count``) load its injected script into
every new document and wait for animation frames to judge an element stable; on the
server-rendered checkout pages and the form.io form, which do not animate, that was a
third of the browser's work per page. Here one ``evaluate`` finds the element, scrolls
it into the middle of the viewport, and checks what an eye would: it is there, shown,
enabled, and not covered by another element at its centre (the element the mouse would
hit). The click itself is Chromium's trusted mouse input at that point
(``page.mouse``), the typing its trusted text input (``page.keyboard.insert_text``), as
Playwright's own ``fill`` types.
"""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import Page

#: How long an element may take to become clickable (a menu opening), and the pause
#: between looks: the checkout's pages and the form are ready at once, nearly always.
AIM_TIMEOUT = 5.0
AIM_PAUSE = 0.05


class NotClickable(RuntimeError):
    """The element is absent, hidden, disabled or covered; the message says which."""


_AIM = """([selector, focus]) => {
  const el = document.querySelector(selector);
  if (el === null) return {problem: 'no element matches it'};
  el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  if (box.width === 0 || box.height === 0 || style.visibility !== 'visible') {
    return {problem: 'it is not shown'};
  }
  if (el.disabled) return {problem: 'it is disabled'};
  const x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  const label = hit && hit.control === el;
  if (hit === null || !(hit === el || el.contains(hit) || label)) {
    const what = hit === null ? 'nothing' : hit.outerHTML.slice(0, 120);
    return {problem: 'another element is on top of it: ' + what};
  }
  if (focus) {
    el.focus();
    if (typeof el.select === 'function') el.select();
  }
  return {x, y, checked: el.checked === true};
}"""


async def _aim(
    page: Page, selector: str, *, focus: bool = False, timeout: float | None = None
) -> dict[str, Any]:
    """Where to click ``selector``, once it can be clicked (a menu opening, a page settling)."""
    timeout = AIM_TIMEOUT if timeout is None else timeout
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        aimed: dict[str, Any] = await page.evaluate(_AIM, [selector, focus])
        if "problem" not in aimed:
            return aimed
        if asyncio.get_running_loop().time() >= deadline:
            raise NotClickable(
                f"cannot reach {selector} at {page.url} within {timeout:g} s: {aimed['problem']}"
            )
        await asyncio.sleep(AIM_PAUSE)


async def click(page: Page, selector: str) -> None:
    """Click the first element matching ``selector`` in its middle, with the mouse."""
    aimed = await _aim(page, selector)
    await page.mouse.click(aimed["x"], aimed["y"])


async def set_checked(page: Page, selector: str, checked: bool = True) -> None:
    """Tick (or untick) a checkbox or radio button with the mouse, if it is not so already."""
    aimed = await _aim(page, selector)
    if aimed["checked"] != checked:
        await page.mouse.click(aimed["x"], aimed["y"])
        if await page.evaluate("(s) => document.querySelector(s).checked", selector) != checked:
            raise NotClickable(f"clicking {selector} at {page.url} did not change it")


async def type_into(page: Page, selector: str, text: str) -> None:
    """Replace the text of a field with ``text``: focus, select all, type (or delete)."""
    await _aim(page, selector, focus=True)
    if text:
        await page.keyboard.insert_text(text)
    else:
        await page.keyboard.press("Delete")


async def blur(page: Page) -> None:
    """Leave the field in focus, as a person clicking elsewhere does."""
    await page.evaluate("() => document.activeElement && document.activeElement.blur()")


async def exists(page: Page, selector: str) -> bool:
    """Whether some element matches ``selector``."""
    return bool(await page.evaluate("(s) => document.querySelector(s) !== null", selector))


async def attribute(page: Page, selector: str, name: str) -> str | None:
    """The attribute ``name`` of the first element matching ``selector`` (None if absent)."""
    value = await page.evaluate(
        "([s, n]) => { const e = document.querySelector(s); return e && e.getAttribute(n); }",
        [selector, name],
    )
    return None if value is None else str(value)


async def text(page: Page, selector: str) -> str:
    """The shown text of the first element matching ``selector``, spaces collapsed."""
    shown = await page.evaluate(
        "(s) => { const e = document.querySelector(s); return e ? e.innerText : ''; }", selector
    )
    return " ".join(str(shown).split())
