"""Which way a call to an intermediary leaves this host: the facts a diagnosis names.

For a host and port: the address the name resolves to, the local source address the
kernel picks (a UDP ``connect()`` chooses the route without sending a packet), and the
IPv4 route it takes (read from ``/proc``: destination, gateway, interface). That is what
a vendor asks for ("which address do we authorise?") and what an operator needs when
the VPN is down ("unreachable via route 198.18.0.10 via 198.18.2.1 dev vpn0").
Everything here is best effort: an unknown fact reads "unknown", never raises.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

# The calling thread's namespace first (a thread may run inside another network namespace).
_ROUTE_TABLES = (Path("/proc/thread-self/net/route"), Path("/proc/net/route"))
_UNKNOWN_SOURCE = "unknown (no route to the host)"


@dataclass(frozen=True)
class Way:
    """How ``host``:``port`` is reached from here."""

    host: str
    port: int
    address: str | None  # what ``host`` resolves to (None: it does not resolve)
    source: str  # the local source address, or a sentence saying it is unknown
    route: str | None  # e.g. "198.18.0.10 via 198.18.2.1 dev vpn0"; None where unknown

    @property
    def resolved(self) -> bool:
        return self.address is not None

    def where(self) -> str:
        """``host:port``, with the resolved address when the host is a name."""
        if self.address and self.address != self.host:
            return f"{self.host}:{self.port} (resolved to {self.address})"
        return f"{self.host}:{self.port}"

    def via(self) -> str:
        """``route R, source S`` for a diagnosis."""
        route = f"route {self.route}" if self.route else "no IPv4 route known"
        return f"{route}, source address {self.source}"


def _resolve(host: str, port: int) -> tuple[int, tuple[str, int]] | None:
    try:
        family, _, _, _, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    except (OSError, UnicodeError):
        return None
    return family, (str(sockaddr[0]), int(sockaddr[1]))


def source_address(host: str, port: int) -> str:
    """The local address used to reach ``host`` (no packet is sent)."""
    found = _resolve(host, port)
    if found is None:
        return _UNKNOWN_SOURCE
    family, sockaddr = found
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect(sockaddr)
            address: str = sock.getsockname()[0]
            return address
    except OSError:
        return _UNKNOWN_SOURCE


def _hex_ip(value: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(struct.pack("<I", int(value, 16)))


def ipv4_route(address: str) -> str | None:
    """The route the kernel's main table gives ``address`` (longest prefix), as ``ip
    route`` would print it; None for IPv6, unreadable tables or no matching route."""
    try:
        target = ipaddress.IPv4Address(address)
    except ValueError:
        return None
    for table in _ROUTE_TABLES:
        try:
            lines = table.read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        best: tuple[int, str] | None = None
        for line in lines:
            fields = line.split()
            if len(fields) < 8:
                continue
            device, destination, gateway, mask = fields[0], fields[1], fields[2], fields[7]
            network = ipaddress.IPv4Network(f"{_hex_ip(destination)}/{_hex_ip(mask)}", strict=False)
            if target not in network:
                continue
            via = _hex_ip(gateway)
            text = "default" if network.prefixlen == 0 else str(network).removesuffix("/32")
            text += f" via {via}" if int(via) else ""
            text += f" dev {device}"
            if best is None or network.prefixlen > best[0]:
                best = (network.prefixlen, text)
        return best[1] if best else None
    return None


def _route_of(address: str | None) -> str | None:
    if address is None:
        return None
    try:
        if ipaddress.ip_address(address).is_loopback:
            return f"{address} dev lo (this host)"
    except ValueError:
        return None
    return ipv4_route(address)


def way_to(host: str, port: int) -> Way:
    """The facts about reaching ``host``:``port`` from this thread."""
    found = _resolve(host, port)
    address = found[1][0] if found else None
    return Way(
        host=host,
        port=port,
        address=address,
        source=source_address(host, port),
        route=_route_of(address),
    )
