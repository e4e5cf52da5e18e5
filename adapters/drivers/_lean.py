"""A lean HTTP/1.1 transport for httpx: asyncio protocol, httptools parser, keep-alive pool.

httpx's default transport (httpcore over anyio) costs more CPU per request than the
exchange itself on loopback: per request it checks every idle connection for
readability, builds anyio cancel scopes and h11 events. :class:`LeanTransport` is an
``httpx.AsyncBaseTransport`` a driver can use instead, so everything above it (the
recording transport, ``httpx.Request``/``Response``, the drivers' error translation)
stays as it is. What it does:

- HTTP/1.1 only (what the pagoPA REST APIs speak), TLS with httpx's own SSL context
  (certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``), keep-alive: an idle connection the
  server closes is dropped when the close arrives (``connection_lost``), not looked at
  before every request; idle connections are closed after :data:`KEEPALIVE_EXPIRY`;
- at most :data:`MAX_CONNECTIONS` connections per transport at once, as httpx's default;
- the request's ``timeout`` extension (connect, write, read, pool), raising httpx's own
  exceptions (``ConnectTimeout``, ``ReadTimeout``, ``ConnectError``, ``ReadError``,
  ``RemoteProtocolError``, ``PoolTimeout``), so callers translate them as before;
- a request that finds its reused connection closed by the server before any byte of
  the answer came is sent again once on a new connection (as browsers do);
- the body is read whole and handed over raw (a ``Content-Encoding`` is decoded by
  ``httpx.Response`` as with httpcore).

Proxies from the environment are not its business: callers use httpx's client then.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any

import httptools
import httpx

MAX_CONNECTIONS = 100
KEEPALIVE_EXPIRY = 4.0  # below uvicorn's and most servers' 5 s, so we close first
_DEFAULT_TIMEOUT = httpx.Timeout(5.0).as_dict()


class _Answer(Exception):
    """Internal: the connection was closed before the answer started (may be resent)."""


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self.waiter: asyncio.Future[None] | None = None
        self.parser = httptools.HttpResponseParser(self)
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.started = False  # a byte of the answer came
        self.headers_done = False
        self.done = False
        self.head = self.head_answered = False
        self.keep_alive = False

    # -- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.started = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed HTTP answer: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.headers_done and not self._framed():
            self.done = True  # the body ran to the close, as HTTP/1.0 allows
            waiter.set_result(None)
        elif not self.started:
            waiter.set_exception(_Answer())
        elif isinstance(exc, OSError):
            waiter.set_exception(httpx.ReadError(str(exc) or type(exc).__name__))
        else:
            waiter.set_exception(
                httpx.RemoteProtocolError("the server closed the connection mid-answer")
            )

    # -- httptools callbacks ------------------------------------------------------------

    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.headers_done = True
        if self.head and self.status >= 200:
            # An answer to HEAD has no body whatever it announces; the parser cannot be
            # told, so the connection is not reused.
            self.done = True
            self.head_answered = True
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_result(None)

    def on_body(self, body: bytes) -> None:
        if not self.head_answered:  # a server that sends a body to HEAD: not ours to keep
            self.body.append(body)

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200 and self.status != 101:
            self._reset()  # an interim answer: the real one follows
            self.started = True
            return
        self.done = True
        # Asked here: once the message is complete the parser has forgotten it.
        self.keep_alive = self.parser.should_keep_alive()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    # -- use ----------------------------------------------------------------------------

    def _framed(self) -> bool:
        names = {name.lower() for name, _ in self.headers}
        return b"content-length" in names or b"transfer-encoding" in names

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def exchange(self, data: bytes, read_timeout: float | None, head: bool) -> None:
        """Send ``data`` and wait for the whole answer."""
        assert self.transport is not None
        self._reset()
        self.head = head
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        try:
            async with asyncio.timeout(read_timeout):
                await self.waiter
        finally:
            self.waiter = None

    @property
    def reusable(self) -> bool:
        return self.done and not self.closed and not self.head_answered and self.keep_alive


class LeanTransport(httpx.AsyncBaseTransport):
    """See the module's docstring; ``verify`` as httpx's (True: the system's CAs)."""

    def __init__(self, *, verify: bool | ssl.SSLContext = True) -> None:
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self._verify)
        return self._ssl

    def _bind(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None:
            # A new event loop (tests run several): connections of the old one are dead.
            for idle in self._idle.values():
                for connection in idle:
                    connection.closed = True
            self._idle.clear()
            self._loop, self._slots = loop, asyncio.Semaphore(MAX_CONNECTIONS)
        return self._slots

    def _reuse(self, origin: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < KEEPALIVE_EXPIRY:
                return connection
            connection.close()
        return None

    async def _connect(
        self, request: httpx.Request, origin: tuple[str, str, int], timeout: float | None
    ) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        secure = self._context() if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    _Connection, host, port, ssl=secure, server_hostname=host if secure else None
                )
        except TimeoutError:
            raise httpx.ConnectTimeout("timed out connecting", request=request) from None
        except OSError as exc:  # refused, unreachable, DNS (gaierror), TLS (SSLError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        return connection

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(
                f"the URL's scheme must be http or https, got {url.scheme!r}", request=request
            )
        timeouts: dict[str, Any] = request.extensions.get("timeout") or _DEFAULT_TIMEOUT
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        data = _serialize(request, await request.aread())
        slots = self._bind()
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection in time", request=request) from None
        try:
            return await self._exchange(request, origin, data, timeouts)
        finally:
            slots.release()

    async def _exchange(
        self,
        request: httpx.Request,
        origin: tuple[str, str, int],
        data: bytes,
        timeouts: dict[str, Any],
    ) -> httpx.Response:
        head = request.method == "HEAD"
        connection = self._reuse(origin)
        reused = connection is not None
        if connection is None:
            connection = await self._connect(request, origin, timeouts.get("connect"))
        try:
            try:
                await connection.exchange(data, timeouts.get("read"), head)
            except _Answer:
                if not reused:
                    raise httpx.RemoteProtocolError(
                        "Server disconnected without sending a response.", request=request
                    ) from None
                # The server closed the idle connection as we sent: once more, on a new one.
                connection = await self._connect(request, origin, timeouts.get("connect"))
                try:
                    await connection.exchange(data, timeouts.get("read"), head)
                except _Answer:
                    raise httpx.RemoteProtocolError(
                        "Server disconnected without sending a response.", request=request
                    ) from None
        except TimeoutError:
            connection.close()
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request) from None
        except httpx.TransportError as exc:
            connection.close()
            exc.request = request
            raise
        except BaseException:  # cancelled mid-answer: the connection's state is unknown
            connection.close()
            raise
        if connection.reusable:
            connection.idle_since = time.monotonic()
            self._idle.setdefault(origin, []).append(connection)
        else:
            connection.close()
        version = connection.parser.get_http_version()
        return httpx.Response(
            connection.status,
            headers=connection.headers,
            stream=httpx.ByteStream(b"".join(connection.body)),
            extensions={
                "http_version": f"HTTP/{version}".encode(),
                "reason_phrase": connection.reason,
            },
            request=request,
        )

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


def _serialize(request: httpx.Request, body: bytes) -> bytes:
    """The request on the wire: request line, headers as httpx prepared them, body."""
    lines = [b"%s %s HTTP/1.1" % (request.method.encode(), request.url.raw_path)]
    lines.extend(b"%s: %s" % (name, value) for name, value in request.headers.raw)
    if request.headers.get("transfer-encoding", "").lower() == "chunked":
        # A streamed body httpx announced as chunked: read whole, sent as one chunk.
        body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
