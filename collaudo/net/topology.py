"""Throwaway hosts for the connectivity criticità: "opencity" and "vendor", two paths.

::

    opencity (the proxy)                                   vendor (the intermediary)
      lan0 198.18.1.2/24  ───────── LAN ─────────  lan0 198.18.1.1/24
      vpn0 198.18.2.2/24  ───────── VPN ─────────  vpn0 198.18.2.1/24
                                                    lo   198.18.0.10/32 (the service)

The vendor's service address is reached from "opencity" by one route, which the
scenarios switch: through the VPN (leaving from the VPN address 198.18.2.2), through
the LAN (leaving from the LAN address 198.18.1.2: the VPN is not connected), or taken
down. Every address is in 198.18.0.0/15 (RFC 2544's benchmarking range, never routed
on the internet) and exists only inside these namespaces, which :meth:`Topology.down`
removes, also after a failure (use the topology as a context manager).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal

from collaudo.net import netns

SERVICE_ADDRESS = "198.18.0.10"
LAN = {"opencity": "198.18.1.2", "vendor": "198.18.1.1"}
VPN = {"opencity": "198.18.2.2", "vendor": "198.18.2.1"}
Path = Literal["vpn", "lan"]


@dataclass
class Topology:
    """The two hosts and their links; ``prefix`` keeps parallel copies apart."""

    prefix: str = field(default_factory=lambda: f"cl{uuid.uuid4().hex[:6]}")
    route: Path | None = None  # how "opencity" reaches the service now (None: no route)
    vpn_link_up: bool = True
    created: bool = False

    @property
    def opencity(self) -> str:
        return f"{self.prefix}-opencity"

    @property
    def vendor(self) -> str:
        return f"{self.prefix}-vendor"

    @property
    def lan_address(self) -> str:
        """The proxy's address on the LAN: what the vendor sees without the VPN."""
        return LAN["opencity"]

    @property
    def vpn_address(self) -> str:
        """The proxy's address on the VPN: what the vendor authorises."""
        return VPN["opencity"]

    # -- life -------------------------------------------------------------------------------

    def up(self, route: Path = "vpn") -> Topology:
        """Create both hosts and links, the service reachable through ``route``."""
        reason = netns.unavailable()
        if reason:
            raise netns.NetnsError(reason)
        self.created = True
        try:
            for name in (self.opencity, self.vendor):
                netns.add(name)
            for link, addresses, prefix in (("lan0", LAN, 24), ("vpn0", VPN, 24)):
                netns.ip(
                    "link", "add", link, "netns", self.opencity, "type", "veth",
                    "peer", "name", link, "netns", self.vendor,
                )  # fmt: skip
                for host, ns in (("opencity", self.opencity), ("vendor", self.vendor)):
                    netns.ip("addr", "add", f"{addresses[host]}/{prefix}", "dev", link, ns=ns)
                    netns.ip("link", "set", link, "up", ns=ns)
            netns.ip("addr", "add", f"{SERVICE_ADDRESS}/32", "dev", "lo", ns=self.vendor)
            self.use(route)
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        """Remove everything :meth:`up` made (idempotent, quiet)."""
        if self.created:
            for name in (self.opencity, self.vendor):
                netns.delete(name)
        self.created = False

    def __enter__(self) -> Topology:
        return self if self.created else self.up()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()

    # -- what the scenarios change -----------------------------------------------------------

    def use(self, route: Path | None) -> None:
        """Route the service through the VPN, the LAN, or nowhere (None)."""
        netns.ip("route", "del", f"{SERVICE_ADDRESS}/32", ns=self.opencity, check=False)
        if route is not None:
            gateway, device = (VPN["vendor"], "vpn0") if route == "vpn" else (LAN["vendor"], "lan0")
            netns.ip(
                "route", "add", f"{SERVICE_ADDRESS}/32", "via", gateway, "dev", device,
                ns=self.opencity,
            )  # fmt: skip
        self.route = route

    def vpn_link(self, up: bool) -> None:
        """The VPN's far end goes away (``up=False``) or comes back: the route stays, and
        what is sent through it is lost, so connections time out."""
        netns.ip("link", "set", "vpn0", "up" if up else "down", ns=self.vendor)
        if up:
            self._wait_vpn_carrier()
        self.vpn_link_up = up

    def _wait_vpn_carrier(self, timeout: float = 5.0) -> None:
        # The kernel turns a veth back on (carrier, then queueing) from its link-watch work,
        # which it defers by up to a second when links change often (namespaces made and
        # removed by the other worker): until then packets are dropped, and a connection
        # opened at once times out. The link is back when both ends say so.
        deadline = time.monotonic() + timeout
        while True:
            states = [
                netns.ip("-o", "link", "show", "vpn0", ns=ns) for ns in (self.opencity, self.vendor)
            ]
            if all("state UP" in state and "NO-CARRIER" not in state for state in states):
                return
            if time.monotonic() > deadline:
                raise netns.NetnsError(f"vpn0 did not come back up in {timeout:g} s: {states}")
            time.sleep(0.02)

    def hosts(self, entries: dict[str, str]) -> None:
        """The /etc/hosts of processes started in "opencity" (``ip netns exec``)."""
        netns.write_hosts(self.opencity, entries)

    def describe(self) -> list[str]:
        """What exists, for a person."""
        route = {"vpn": "through the VPN", "lan": "through the LAN", None: "none"}[self.route]
        return [
            f"host {self.opencity}: LAN {LAN['opencity']}, VPN {VPN['opencity']}",
            f"host {self.vendor}: LAN {LAN['vendor']}, VPN {VPN['vendor']}, "
            f"service {SERVICE_ADDRESS}",
            f"route from {self.opencity} to {SERVICE_ADDRESS}: {route}"
            + ("" if self.vpn_link_up else " (VPN link down)"),
            f"run a command there: ip netns exec {self.opencity} COMMAND",
        ]
