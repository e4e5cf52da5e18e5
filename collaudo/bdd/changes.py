"""Waking the suite's waits when the stack does something, instead of polling blindly.

A step waiting for the stack (a payment reaching a status, the proxy recording why a call
failed) checks its condition again each time something that can make it true has happened
in the in-process stack: an HTTP exchange between its parts ended, a consumer committed a
message of the bus (the platform recorded a payment event, the proxy handled one), a
message was published. The fixed poll stays as the fallback for what signals nothing (a
store write after a driver's own timeout, a network link, a subprocess).

Requests made by the suite itself (User-Agent :data:`SUITE_AGENT` or
:data:`CITIZEN_AGENT`) signal nothing: the step that makes one already waits for its
answer, and a probe's own request would otherwise wake its waiter again at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from collaudo.exchanges import CITIZEN_AGENT, SUITE_AGENT, ExchangeRecorder, RecordingBus

_SUITE_AGENTS = (SUITE_AGENT.encode(), CITIZEN_AGENT.encode())


class Changes:
    """A counter of things that happened in the stack, and a way to wait for the next one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._count = 0

    @property
    def count(self) -> int:
        """How many changes so far: read it before checking, pass it to :meth:`wait`."""
        with self._cond:
            return self._count

    def signal(self) -> None:
        """Something happened (any thread)."""
        with self._cond:
            self._count += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a change after the count ``seen``; True if one came."""
        with self._cond:
            return self._cond.wait_for(lambda: self._count != seen, max(0.0, timeout))


#: What every in-process stack of this process signals (one waiter wakes a little more
#: often when two stacks run; it never misses its own).
CHANGES = Changes()


def wait_for_change(seen: int, timeout: float, last_probe: float, min_gap: float) -> None:
    """Wait for a change after ``seen`` (at most ``timeout`` s), then until ``min_gap`` s
    have passed since ``last_probe`` (a monotonic time): a burst of changes (an import of
    a hundred rows) re-checks a condition every ``min_gap`` s, not once per change."""
    CHANGES.wait(seen, timeout)
    pause = last_probe + min_gap - time.monotonic()
    if pause > 0:
        time.sleep(pause)


class SignallingBus(RecordingBus):
    """The recording bus, signalling :data:`CHANGES` on every publish and every commit (a
    consumer commits once it has handled a message: its effects are visible then)."""

    def __init__(self, recorder: ExchangeRecorder, changes: Changes = CHANGES) -> None:
        super().__init__(recorder)
        self.changes = changes

    def publish_nowait(self, topic: str, key: bytes | None, value: bytes) -> None:
        super().publish_nowait(topic, key, value)
        self.changes.signal()

    def _committer(self, topic: str, group: str, offset: int) -> Callable[[], Awaitable[None]]:
        commit = super()._committer(topic, group, offset)

        async def commit_and_signal() -> None:
            await commit()
            self.changes.signal()

        return commit_and_signal


class SignalOnExchange:
    """ASGI middleware signalling :data:`CHANGES` when a request not made by the suite has
    been answered (what the request changed is stored by then)."""

    def __init__(self, app: ASGIApp, changes: Changes = CHANGES) -> None:
        self.app = app
        self.changes = changes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _by_suite(scope):
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.changes.signal()


def _by_suite(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name.lower() == b"user-agent":
            return bool(value.startswith(_SUITE_AGENTS))
    return False
