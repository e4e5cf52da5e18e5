"""Access control as vendors do it: an IP allowlist in front of everything.

Two behaviours, as seen in real test environments behind a VPN:
- ``refuse``: the TCP connection is reset before any HTTP is exchanged (the
  client sees "connection reset/refused"); done at the protocol level, see
  :func:`allowlist_protocol`;
- ``403``: an HTTP 403 with a body naming the source address.
Credentials (MyPay password, GPD subscription key) are checked by each
simulator, since they live in the protocol (SOAP header / HTTP header).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import struct
from collections.abc import Iterable
from typing import Any, Literal

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
AllowMode = Literal["refuse", "403"]


class Allowlist:
    def __init__(self, networks: Iterable[str] = (), mode: AllowMode = "403") -> None:
        self.networks: list[Network] = [ipaddress.ip_network(n, strict=False) for n in networks]
        self.mode: AllowMode = mode

    @property
    def enabled(self) -> bool:
        return bool(self.networks)

    def allows(self, host: str | None) -> bool:
        if not self.networks:
            return True
        if host is None:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in net for net in self.networks)

    def to_dict(self) -> dict[str, Any]:
        return {"networks": [str(n) for n in self.networks], "mode": self.mode}


def forbidden_body(host: str | None) -> bytes:
    return json.dumps(
        {
            "status": 403,
            "title": "Forbidden",
            "detail": f"source address {host} is not allow-listed for this environment",
        }
    ).encode()


class AllowlistMiddleware:
    """Answers 403 to callers outside the allowlist (mode ``403``)."""

    def __init__(self, app: ASGIApp, allowlist: Allowlist) -> None:
        self.app = app
        self.allowlist = allowlist

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.allowlist.enabled:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        host = client[0] if client else None
        if self.allowlist.allows(host) or self.allowlist.mode != "403":
            await self.app(scope, receive, send)
            return
        body = forbidden_body(host)
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def reset(sock: socket.socket | None) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST, as from a firewall."""
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def allowlist_protocol(allowlist: Allowlist) -> type[H11Protocol]:
    """A uvicorn HTTP protocol class resetting connections from outside the allowlist."""

    class AllowlistH11Protocol(H11Protocol):
        refused = False

        def connection_made(self, transport: Any) -> None:
            peer = transport.get_extra_info("peername")
            host = peer[0] if peer else None
            if allowlist.mode == "refuse" and not allowlist.allows(host):
                self.refused = True
                reset(transport.get_extra_info("socket"))
                transport.abort()
                return
            super().connection_made(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            # A refused connection never got the protocol's state: nothing to tear down.
            if not self.refused:
                super().connection_lost(exc)

    return AllowlistH11Protocol
