"""One Chromium for synchronous callers: a background event loop that owns the browser.

pytest-bdd steps are plain functions; Playwright's async API needs its loop alive
between calls. :class:`ChromiumRunner` keeps one loop in a daemon thread, launches
Chromium there on first use, and runs each coroutine on it, so a whole test session
(or xdist worker) shares one browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from playwright.async_api import Browser

from collaudo.browser.chromium import launch_chromium

T = TypeVar("T")


class ChromiumRunner:
    """``run(lambda browser: coro)`` from any thread; ``close()`` at the end."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="chromium-runner", daemon=True
        )
        self._exit = contextlib.AsyncExitStack()
        self._browser: Browser | None = None
        self._thread.start()

    async def _ensure(self) -> Browser:
        if self._browser is None:
            self._browser = await self._exit.enter_async_context(launch_chromium())
        return self._browser

    def run(self, make: Callable[[Browser], Coroutine[Any, Any, T]], timeout: float = 120) -> T:
        """Run ``make(browser)`` on the runner's loop and wait for its result."""

        async def job() -> T:
            return await make(await self._ensure())

        return asyncio.run_coroutine_threadsafe(job(), self._loop).result(timeout)

    def close(self) -> None:
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._exit.aclose(), self._loop).result(30)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()
        self._browser = None
