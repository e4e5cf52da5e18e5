"""Calling an ASGI app synchronously from hypothesis properties, with a hang timeout.

The app runs on its own event loop thread with its lifespan started, behind a
:class:`CrashGuard`; each call waits at most ``timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

import httpx

from collaudo.fuzz.guard import CrashGuard

T = TypeVar("T")


class Hang(TimeoutError):
    """The app did not answer within the timeout."""


class LoopThread:
    """An event loop on a daemon thread; :meth:`run` waits for a coroutine with a timeout."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            future.cancel()
            raise Hang(f"no answer within {timeout:.0f} s") from exc

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


@contextlib.asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[None]:
    router = getattr(app, "router", None)
    context = getattr(router, "lifespan_context", None)
    if context is None:
        yield
        return
    async with context(app):
        yield


class AsgiCaller:
    """POST/GET into one app, in-process; see :func:`asgi_caller`."""

    def __init__(self, app: Any, loop: LoopThread, base_url: str) -> None:
        self.guard = CrashGuard(app)
        self.loop = loop
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.guard), base_url=base_url
        )

    def post(
        self, path: str, body: bytes, headers: dict[str, str], timeout: float = 5.0
    ) -> httpx.Response:
        return self.loop.run(self.client.post(path, content=body, headers=headers), timeout)


@contextlib.contextmanager
def asgi_caller(app: Any, base_url: str = "http://fuzz.test") -> Iterator[AsgiCaller]:
    """An :class:`AsgiCaller` for ``app`` with its lifespan running."""
    loop = LoopThread()
    stack = contextlib.AsyncExitStack()
    try:
        loop.run(stack.enter_async_context(_lifespan(app)), 30)
        caller = AsgiCaller(app, loop, base_url)
        yield caller
        loop.run(caller.client.aclose(), 10)
    finally:
        with contextlib.suppress(Exception):
            loop.run(stack.aclose(), 30)
        loop.close()
