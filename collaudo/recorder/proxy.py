"""mitmproxy in reverse-proxy mode, run programmatically, in the foreground or a thread.

``ReverseProxy([(upstream, port), ...], addons)`` runs one
:class:`~mitmproxy.tools.dump.DumpMaster` with a ``reverse:UPSTREAM@HOST:PORT`` mode per
upstream (one flow file can hold an intermediary's SOAP endpoint and, say, the checkout
it calls), without mitmproxy's terminal output; :meth:`ReverseProxy.start` returns once it
accepts connections. Only one mitmproxy master may run per process at a time (mitmproxy
keeps it in a module global).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from mitmproxy import options
from mitmproxy.tools.dump import DumpMaster


class ProxyError(RuntimeError):
    """mitmproxy could not start; the message says why and what to do."""


def check_upstream(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProxyError(
            f"upstream {url!r} is not an http(s) URL: give the intermediary's base URL, "
            "e.g. https://mypay.example.it"
        )
    return url.rstrip("/")


class _Started:
    """Tells the thread waiting in start() that mitmproxy runs."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def running(self) -> None:
        self.event.set()


def _quiet_cancellations(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # Keep-alive connections still open at shutdown end as cancelled tasks: not an error.
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


class ReverseProxy:
    """A mitmproxy reverse proxy: one listening port per (upstream, port), shared addons."""

    def __init__(
        self,
        routes: Sequence[tuple[str, int]],
        addons: Sequence[Any] = (),
        host: str = "127.0.0.1",
        extra_options: dict[str, Any] | None = None,
    ) -> None:
        if not routes:
            raise ProxyError("give at least one upstream to proxy")
        self.routes = [(check_upstream(url), port) for url, port in routes]
        self.host = host
        self.addons = list(addons)
        self.extra_options = extra_options or {}
        self.master: DumpMaster | None = None
        self.error: BaseException | None = None
        self._started = _Started()
        self._thread: threading.Thread | None = None

    @property
    def urls(self) -> dict[str, str]:
        """Upstream URL → the local URL that proxies it."""
        return {url: f"http://{self.host}:{port}" for url, port in self.routes}

    @property
    def url(self) -> str:
        """The local URL of the first upstream."""
        return f"http://{self.host}:{self.routes[0][1]}"

    async def run(self) -> None:
        """Run until :meth:`stop` (or Ctrl-C in the foreground)."""
        asyncio.get_running_loop().set_exception_handler(_quiet_cancellations)
        opts = options.Options(
            mode=[f"reverse:{url}@{self.host}:{port}" for url, port in self.routes],
        )
        master = DumpMaster(opts, with_termlog=False, with_dumper=False)
        # Upstream TLS stays verified (no ssl_insecure): recording never weakens it.
        opts.update(**self.extra_options)  # type: ignore[no-untyped-call]
        master.addons.add(*self.addons, self._started)  # type: ignore[no-untyped-call]
        self.master = master
        await master.run()

    def _thread_main(self) -> None:
        try:
            asyncio.run(self.run())
        except BaseException as exc:  # reported by start(): the thread must not die silently
            self.error = exc
        finally:
            self._started.event.set()

    def start(self, timeout: float = 15.0) -> ReverseProxy:
        self._thread = threading.Thread(target=self._thread_main, daemon=True, name="mitmproxy")
        self._thread.start()
        ports = ", ".join(str(port) for _, port in self.routes)
        if not self._started.event.wait(timeout) or self.error is not None:
            self.stop()
            raise ProxyError(
                f"mitmproxy did not start on {self.host} port(s) {ports} "
                f"({self.error or 'timed out'}); is a port taken? choose another with --listen"
            )
        if self.master is None or self.master.should_exit.is_set() or not self._thread.is_alive():
            self.stop()
            raise ProxyError(
                f"mitmproxy stopped at once on {self.host} port(s) {ports}: is a port taken? "
                "choose another with --listen"
            )
        return self

    def stop(self) -> None:
        alive = self._thread is not None and self._thread.is_alive()
        if self.master is not None and alive:
            self.master.shutdown()  # type: ignore[no-untyped-call]
        if self._thread is not None:
            self._thread.join(timeout=15)


@contextlib.contextmanager
def reverse_proxy(
    routes: Sequence[tuple[str, int]], addons: Sequence[Any] = (), **kwargs: Any
) -> Iterator[ReverseProxy]:
    proxy = ReverseProxy(routes, addons, **kwargs).start()
    try:
        yield proxy
    finally:
        proxy.stop()
