"""Debian's Chromium under Playwright: launching it, fresh contexts, screenshots.

Chromium is Debian's: ``/usr/bin/chromium-headless-shell`` for headless runs where that
package is installed, else ``/usr/bin/chromium`` (``COLLAUDO_CHROMIUM`` to choose one),
started with the flags this machine and CI need; never a downloaded browser (``playwright
install`` is not used). The headless shell is the same Chromium build without the browser
around it (what Playwright itself runs headless); it walks the checkout on about half the
CPU time of the full browser in its headless mode. Every context refuses requests beyond
loopback unless told otherwise, so a page reaching out to the Internet fails loudly
instead of passing by luck.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import re
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Page,
    Route,
    async_playwright,
)

logger = logging.getLogger(__name__)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Debian's ``chromium-headless-shell`` package: preferred for headless runs when present.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
#: The URLs :func:`is_loopback` refuses, as a pattern Playwright hands to the browser: a
#: Python predicate made Playwright intercept every request (and the page's scripts and
#: form.io's bundle took a round trip through this process each); with a pattern, only
#: the requests to refuse are intercepted.
BEYOND_LOOPBACK = re.compile(
    r"^(?:https?|wss?)://(?:[^/?#@]*@)?"
    r"(?!(?:127\.0\.0\.1|localhost|\[::1\])(?::\d*)?(?:[/?#]|$))",
    re.IGNORECASE,
)
ACTION_TIMEOUT_MS = 15_000


class BrowserUnavailable(RuntimeError):
    """Chromium is not installed or would not start; the message says what to do."""


def chromium_path(*, headless: bool = True) -> Path:
    """``$COLLAUDO_CHROMIUM``, else the headless shell (headless only, when installed),
    else Debian's ``chromium``."""
    chosen = os.environ.get("COLLAUDO_CHROMIUM")
    if chosen:
        return Path(chosen)
    if headless and _executable(Path(HEADLESS_SHELL)):
        return Path(HEADLESS_SHELL)
    return Path(DEFAULT_CHROMIUM)


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def chromium_missing_reason(*, headless: bool = True) -> str | None:
    """Why browser checks cannot run here, or ``None`` when Chromium is installed."""
    path = chromium_path(headless=headless)
    if _executable(path):
        return None
    return (
        f"Chromium not found at {path}: install Debian's package "
        "(apt-get install -y chromium; chromium-headless-shell beside it runs the headless "
        "checks on half the CPU) or set COLLAUDO_CHROMIUM to its executable; "
        "never `playwright install`"
    )


@contextlib.asynccontextmanager
async def launch_chromium(*, headless: bool = True) -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, with a fresh profile; closed on exit.

    Playwright gives every launch its own temporary ``--user-data-dir`` (it refuses one
    passed as an argument), so no state survives between launches.
    """
    reason = chromium_missing_reason(headless=headless)
    if reason:
        raise BrowserUnavailable(reason)
    executable = chromium_path(headless=headless)
    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(
                executable_path=str(executable), headless=headless, args=list(CHROMIUM_ARGS)
            )
        except Exception as exc:
            raise BrowserUnavailable(
                f"Chromium at {executable} would not start: {exc}; "
                f"check `{executable} --headless --no-sandbox --version` runs"
            ) from exc
        try:
            yield browser
        finally:
            await browser.close()


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in {"http", "https", "ws", "wss"} or parts.hostname in LOOPBACK_HOSTS


@contextlib.asynccontextmanager
async def new_context(browser: Browser, *, loopback_only: bool = True) -> AsyncIterator[Page]:
    """A fresh context (cookies, storage) and page; beyond-loopback requests refused."""
    context: BrowserContext = await browser.new_context(
        locale="it-IT", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    refused: list[str] = []
    if loopback_only:

        async def refuse(route: Route) -> None:
            refused.append(route.request.url)
            await route.abort("blockedbyclient")

        await context.route(BEYOND_LOOPBACK, refuse)
    try:
        yield await context.new_page()
    finally:
        await context.close()
        if refused:
            logger.warning("refused %d request(s) beyond loopback: %s", len(refused), refused[:5])


@contextlib.asynccontextmanager
async def reuse_or_launch(browser: Browser | None) -> AsyncIterator[Browser]:
    """``browser`` itself, or Chromium launched for this block alone."""
    if browser is not None:
        yield browser
        return
    async with launch_chromium() as launched:
        yield launched


@contextlib.asynccontextmanager
async def page_to_use(
    browser: Browser | None, page: Page | None = None, *, loopback_only: bool = True
) -> AsyncIterator[Page]:
    """``page`` itself (a tab the caller keeps open across steps), or a fresh context's page
    on ``browser`` (Chromium launched for this block alone when ``browser`` is ``None``)."""
    if page is not None:
        yield page
        return
    async with (
        reuse_or_launch(browser) as chromium,
        new_context(chromium, loopback_only=loopback_only) as fresh,
    ):
        yield fresh


#: One round trip before a capture: the page's web fonts loaded (as Playwright's own
#: screenshot waits for them), and the size of the whole page against the viewport's.
_PAGE_SIZE = """() => document.fonts.ready.then(() => {
  const root = document.documentElement;
  return [root.scrollWidth, root.scrollHeight, innerWidth, innerHeight];
})"""


#: The DevTools session of each open page: one serves every capture of the page's life.
_SESSIONS: weakref.WeakKeyDictionary[Page, CDPSession] = weakref.WeakKeyDictionary()


async def _cdp_session(page: Page) -> CDPSession:
    session = _SESSIONS.get(page)
    if session is None:
        session = _SESSIONS[page] = await page.context.new_cdp_session(page)
    return session


PageSize = tuple[int, int, int, int]  # the page's width and height, the viewport's


async def capture_png(page: Page, cdp: CDPSession, size: PageSize | None = None) -> bytes:
    """The whole page as a PNG: the viewport, or beyond it where the page is larger.

    Chromium's own ``Page.captureScreenshot`` with ``optimizeForSpeed`` (a faster zlib
    setting: the same pixels, a file ~40% larger), through ``cdp`` (the page's session):
    Playwright's ``page.screenshot`` encodes at the slow setting and takes three more
    round trips (caret hiding, fonts, layout metrics); the same capture costs Chromium
    about half the CPU this way. A page larger than the viewport is captured whole
    (``captureBeyondViewport``: rendered at full size without resizing the viewport).
    ``size``: measured by the caller in its own round trip (fonts loaded), else here.
    """
    width, height, view_width, view_height = size or await page.evaluate(_PAGE_SIZE)
    params: dict[str, Any] = {"format": "png", "optimizeForSpeed": True}
    if width > view_width or height > view_height:
        params["captureBeyondViewport"] = True
        params["clip"] = {
            "x": 0,
            "y": 0,
            "width": max(width, view_width),
            "height": max(height, view_height),
            "scale": 1,
        }
    shot = await cdp.send("Page.captureScreenshot", params)
    return base64.b64decode(shot["data"])


class Screenshots:
    """Numbered full-page PNG screenshots in one directory (or none when it is ``None``)."""

    def __init__(self, directory: Path | None, prefix: str = "") -> None:
        self.directory = directory
        self.prefix = prefix
        self.taken: list[Path] = []

    async def __call__(self, page: Page, name: str, size: PageSize | None = None) -> Path | None:
        if self.directory is None:
            return None
        self.directory.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.directory / f"{self.prefix}{len(self.taken) + 1:02d}-{slug}.png"
        path.write_bytes(await capture_png(page, await _cdp_session(page), size))
        self.taken.append(path)
        return path
