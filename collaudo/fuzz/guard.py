"""An ASGI wrapper that turns an application's unhandled exception into a finding.

In-process, an exception escaping the app would abort the fuzzer's HTTP call instead of
showing what a real server sends (a bare 500). The guard records the traceback, makes sure
a 500 goes out, and lets the checks attribute the crash to the request that caused it.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Crash:
    """One unhandled exception: the request that raised it and the traceback."""

    method: str
    path: str
    traceback: str

    @property
    def summary(self) -> str:
        """The exception line (last line of the traceback)."""
        lines = [line for line in self.traceback.strip().splitlines() if line.strip()]
        return lines[-1] if lines else "unknown exception"


class CrashGuard:
    """Wraps ``app``; every unhandled exception is kept in :attr:`crashes`."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.crashes: list[Crash] = []
        self._lock = threading.Lock()
        # Attributes the apps expose (e.g. ``state``) stay reachable through the guard.
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception:
            crash = Crash(scope.get("method", "?"), scope.get("path", "?"), traceback.format_exc())
            with self._lock:
                self.crashes.append(crash)
            if not started:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": b"Internal Server Error"})

    def take(self, method: str | None = None, path: str | None = None) -> Crash | None:
        """The latest crash (matching ``method`` and ``path`` when given), forgotten once taken."""
        with self._lock:
            for index in range(len(self.crashes) - 1, -1, -1):
                crash = self.crashes[index]
                if (method is None or crash.method == method) and (
                    path is None or crash.path == path
                ):
                    del self.crashes[index]
                    return crash
        return None

    def drain(self) -> list[Crash]:
        """Every crash not taken yet."""
        with self._lock:
            crashes, self.crashes = self.crashes, []
        return crashes
