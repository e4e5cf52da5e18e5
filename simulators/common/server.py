"""Running a simulator: in the foreground (CLI) or in a background thread (tests)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from simulators.common.access import Allowlist, allowlist_protocol

_random = random.SystemRandom()  # not the test's seeded global generator


class PortUnavailable(RuntimeError):
    """A server cannot listen where it was asked to; the message says what to do,
    ``reason`` says why (e.g. "Address already in use")."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


#: Ports free_port draws from: below Linux's default ephemeral range (32768-60999), so a
#: socket bound to port 0 meanwhile (by any process) is never given the same one.
FREE_PORT_RANGE = (20000, 32767)


def free_port(host: str = "127.0.0.1") -> int:
    """A port free right now, for a server in another process or a later bind (mitmproxy,
    a CLI subprocess). For a server of ours, :func:`bind_socket` and serve on the socket.

    Drawn at random outside the ephemeral range: the gap until the port is bound again
    can then only be lost to another free_port draw of the very same port."""
    low, high = FREE_PORT_RANGE
    for _ in range(50):
        candidate = _random.randint(low, high)
        with socket.socket() as sock:
            try:
                sock.bind((host, candidate))
            except OSError:
                continue
            return candidate
    with socket.socket() as sock:  # that range is crowded: let the system choose
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: a port the OS picks), not listening yet.

    Serving on it (:func:`serve`, :class:`BackgroundServer`) leaves no moment in which
    another process can take the port, as picking a free port and binding it later does.
    Whoever does not serve on it must close it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said explicitly: asyncio turns Nagle off (TCP_NODELAY) only on accepted
    # sockets whose proto says TCP, and with proto 0 every answer waited ~40 ms for an ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise PortUnavailable(
            f"cannot listen on {host}:{port}: {reason}; "
            "choose another port (0 picks a free one) or stop what uses it",
            reason,
        ) from exc
    return sock


def bound_port(sock: socket.socket) -> int:
    port: int = sock.getsockname()[1]
    return port


async def serve(server: uvicorn.Server, sock: socket.socket | None = None) -> None:
    """``server.serve()``, on ``sock`` when given. A start-up that fails raises
    :class:`PortUnavailable` here: uvicorn itself calls ``sys.exit``, which would stop the
    whole event loop (and every other server on it) instead of failing this one."""
    try:
        await server.serve(sockets=[sock] if sock is not None else None)
    except SystemExit as exc:
        where = f"{server.config.host}:{server.config.port}"
        raise PortUnavailable(
            f"the server for {where} could not start (uvicorn exit {exc.code}); "
            "see the error logged above"
        ) from None


class PromptServer(uvicorn.Server):
    """A uvicorn server that stops as soon as :meth:`exit` asks, still gracefully.

    uvicorn notices ``should_exit`` on its next 0.1 s tick, pauses 0.1 s after asking the
    open connections to close, then polls every 0.1 s until they have: 0.15-0.3 s of
    nothing per stop. The in-process stack of the collaudo suite is stopped and started
    for every connectivity scenario and restarts its proxy in another: that was idle time
    of every run. Here the tick wakes on :meth:`exit`, and the shutdown waits only for the
    connections still answering (an idle keep-alive one closes at once), checking every
    few milliseconds. The rest is uvicorn's own: its graceful timeout, then the lifespan
    shutdown (the proxy's runtime finishing the work in hand).
    """

    #: uvicorn's tick: the date header once a second, the max-requests limit.
    TICK = 0.1
    #: How often the shutdown looks whether the last answers have gone out.
    SETTLE = 0.005

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._tick: asyncio.Future[None] | None = None

    def exit(self) -> None:
        """Stop serving now (call it on the server's event loop)."""
        self.should_exit = True
        if self._tick is not None and not self._tick.done():
            self._tick.set_result(None)

    async def main_loop(self) -> None:
        loop = asyncio.get_running_loop()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            self._tick = tick = loop.create_future()
            timer = loop.call_later(self.TICK, _resolve, tick)
            try:
                await tick
            finally:
                timer.cancel()
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()  # idle: closed now; answering: closed once answered
        state = self.server_state
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                while (state.connections or state.tasks) and not self.force_exit:
                    await asyncio.sleep(self.SETTLE)
        except TimeoutError:
            for task in state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


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
        sock: socket.socket | None = None,
    ) -> None:
        self.host = host
        self._sock = sock if sock is not None else bind_socket(host, port)
        self.port = bound_port(self._sock)
        self.server = uvicorn.Server(make_config(app, self.host, self.port, allowlist))
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server on {self.url} did not start within {timeout} s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._sock.close()  # already closed by the server once it served on it


@contextlib.contextmanager
def serving(app: ASGIApp, **kwargs: Any) -> Iterator[BackgroundServer]:
    server = BackgroundServer(app, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()
