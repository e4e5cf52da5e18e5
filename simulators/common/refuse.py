"""The ``ip-not-allowed-refuse`` fault and a ``refuse``-mode allowlist, shared by the
simulators that serve them: at TCP accept (:class:`RefuseGuard`, the server's connection
guard) and, when the fault is switched on after start, at request level
(:class:`RefuseMiddleware`: the answer starts, then the connection drops)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.common.access import Allowlist
from simulators.common.faults import FaultState


class RefuseGuard(Allowlist):
    """A connection guard (``BackgroundServer(allowlist=...)``) that resets connections
    refused by a ``refuse``-mode allowlist or while ``ip-not-allowed-refuse`` fires.

    It is ``enabled`` only when needed when the server starts (a ``refuse``-mode allowlist
    or the refuse fault active), since the resetting protocol is uvicorn's slower h11.
    """

    def __init__(self, faults: FaultState, static: Allowlist) -> None:
        super().__init__(mode="refuse")
        self.faults = faults
        self.static = static

    @property
    def enabled(self) -> bool:
        static_refuse = self.static.enabled and self.static.mode == "refuse"
        return static_refuse or self.faults.is_active("ip-not-allowed-refuse")

    def allows(self, host: str | None) -> bool:
        if self.static.mode == "refuse" and not self.static.allows(host):
            return False
        return self.faults.fires("ip-not-allowed-refuse") is None


class RefuseMiddleware:
    """``ip-not-allowed-refuse`` at request level, on the paths under ``prefixes`` only (the
    simulated APIs and the station, never ``/_admin/`` or ``/status``)."""

    def __init__(self, app: ASGIApp, faults: FaultState, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.faults = faults
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and self.faults.any_active
            and scope["path"].startswith(self.prefixes)
            and self.faults.fires("ip-not-allowed-refuse")
        ):
            # No content-length: the client waits for a body that never completes.
            await send({"type": "http.response.start", "status": 200, "headers": []})
            raise ConnectionResetError("ip-not-allowed-refuse: the connection is dropped")
        await self.app(scope, receive, send)
