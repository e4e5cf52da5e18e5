"""Apache-style access log lines, with the payment id when the path names one.

One line per request on the ``adapters.api.access`` logger, in the Combined Log
Format followed by ``payment_id=<uuid>`` (and ``duration_ms``)::

    127.0.0.1 - - [05/Jun/2024:10:00:00 +0000] "GET /receipt/68da... HTTP/1.1" 409 231 "-" \
"curl/8" payment_id=68dada78-2398-4a11-b80a-98aaede3371c duration_ms=3.1

The query string is dropped: it may carry tokens (checkout return URLs do).
The Authorization header is never logged.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("adapters.api.access")

_PAYMENT_PATH = re.compile(
    r"^/(?:online-payment|notice|offline-payment|landing|update|receipt|payments)/"
    r"([0-9a-fA-F-]{36})(?:/|$)"
)


def payment_id_of(path: str) -> str | None:
    """The payment id named by a citizen-link or payments path, if any."""
    match = _PAYMENT_PATH.match(path)
    return match.group(1).lower() if match else None


class AccessLogMiddleware:
    """Pure ASGI middleware writing one Apache-style line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        size = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            logger.info(format_line(scope, status, size, time.perf_counter() - started))


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1")).replace('"', "'")
    return "-"


def format_line(scope: Scope, status: int, size: int, seconds: float) -> str:
    client = scope.get("client")
    host = client[0] if client else "-"
    when = datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S %z")
    path = scope.get("path", "")
    request_line = f"{scope.get('method', '-')} {path} HTTP/{scope.get('http_version', '1.1')}"
    line = (
        f'{host} - - [{when}] "{request_line}" {status} {size or "-"} '
        f'"{_header(scope, b"referer")}" "{_header(scope, b"user-agent")}"'
    )
    payment_id = payment_id_of(path)
    if payment_id:
        line += f" payment_id={payment_id}"
    return line + f" duration_ms={seconds * 1000:.1f}"
