"""Running a simulator: in the foreground (CLI) or in a background thread (tests)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from simulators.common.access import Allowlist, allowlist_protocol


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def make_config(
    app: ASGIApp, host: str, port: int, allowlist: Allowlist | None = None, **kwargs: Any
) -> uvicorn.Config:
    http: Any = "auto"  # httptools where installed: ~3x the requests per second of h11
    if allowlist is not None and allowlist.enabled and allowlist.mode == "refuse":
        http = allowlist_protocol(allowlist)
    return uvicorn.Config(
        app, host=host, port=port, http=http, log_level="warning", lifespan="on", **kwargs
    )


def connection_guard(app: Any) -> Allowlist | None:
    """What a simulator app asks its server to check at TCP accept: its
    ``state.connection_guard`` (an allowlist that also serves a refuse fault), else its
    ``state.allowlist``; None when it exposes neither."""
    state = getattr(app, "state", None)
    guard: Allowlist | None = getattr(state, "connection_guard", None) or getattr(
        state, "allowlist", None
    )
    return guard


class BackgroundServer:
    """A uvicorn server in a daemon thread; ``url`` once started."""

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        allowlist: Allowlist | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.server = uvicorn.Server(make_config(app, self.host, self.port, allowlist))
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.url} did not start within {timeout} s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


@contextlib.contextmanager
def serving(app: ASGIApp, **kwargs: Any) -> Iterator[BackgroundServer]:
    server = BackgroundServer(app, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()
