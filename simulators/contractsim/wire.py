"""Requests and answers at the ASGI level, without a framework in the way.

The contract's own paths are served from here directly (the admin API, ``/status`` and
``/openapi.json`` go through Starlette): a contract simulator is measured against the
hand-written ones, and a router walking a dozen routes per request is a third of its time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

MAX_BODY = 8 * 1024 * 1024


class BodyTooLarge(ValueError):
    """The request body is larger than the simulator reads."""


@dataclass
class Incoming:
    """One HTTP request, read whole."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]  # lower-case names, the first value of each
    body: bytes
    client: str | None
    scheme: str = "http"
    _query: list[tuple[str, str]] | None = field(default=None, repr=False)

    @property
    def query(self) -> list[tuple[str, str]]:
        if self._query is None:
            self._query = parse_qsl(self.query_string, keep_blank_values=True)
        return self._query

    def query_list(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]

    def query_names(self) -> set[str]:
        return {key.lower() for key, _ in self.query}

    def query_value(self, name: str) -> str | None:
        found = self.query_list(name)
        return found[0] if found else None

    def cookie(self, name: str) -> str | None:
        raw = self.headers.get("cookie")
        if not raw:
            return None
        jar: SimpleCookie = SimpleCookie()
        jar.load(raw)
        morsel = jar.get(name)
        return morsel.value if morsel is not None else None

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.headers.get('host', 'localhost')}"


async def read(scope: Scope, receive: Receive, limit: int = MAX_BODY) -> Incoming:
    """The request of ``scope``, its body read whole (at most ``limit`` bytes)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        if name not in headers:
            headers[name] = raw_value.decode("latin-1")
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"request body exceeds {limit} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    client = scope.get("client")
    return Incoming(
        scope["method"],
        scope["path"],
        scope.get("query_string", b"").decode("latin-1"),
        headers,
        b"".join(chunks),
        client[0] if client else None,
        scope.get("scheme", "http"),
    )


@dataclass
class Outgoing:
    status: int
    body: bytes
    media: str | None
    headers: dict[str, str] = field(default_factory=dict)

    async def send(self, send: Send) -> None:
        raw = [(b"content-length", str(len(self.body)).encode())]
        if self.media:
            raw.append((b"content-type", self.media.encode("latin-1")))
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        await send({"type": "http.response.body", "body": self.body})
