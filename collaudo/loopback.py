"""The outside world on loopback ports: the Checkout/Nodo mock, the MyPay, GPD and GovPay
simulators wired together for one creditor, each in a background uvicorn thread.

The Nodo's station registry sends the creditor's paForNode calls to MyPay at first
(``route`` changes that through the checkout's admin API); MyPay's citizen links lead to
the checkout. Used by the recorder's sample recordings and by the driver tests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from simulators.checkout import app as checkout_sim
from simulators.common.server import BackgroundServer, bind_socket, bound_port, connection_guard
from simulators.govpay import app as govpay_sim
from simulators.gpd import app as gpd_sim
from simulators.mypay import app as mypay_sim

NAMES = ("checkout", "mypay", "gpd", "govpay")


@dataclass
class LoopbackSimulators:
    """The running simulators by name, and their apps (for their ``state``)."""

    servers: dict[str, BackgroundServer]
    apps: dict[str, Any]
    creditor_fiscal_code: str

    def url(self, name: str) -> str:
        return self.servers[name].url

    def route(self, url: str) -> None:
        """Point the Nodo's station registry for the creditor at ``url``."""
        reply = httpx.put(
            f"{self.url('checkout')}/_admin/stations/{self.creditor_fiscal_code}",
            json={"url": url},
            timeout=5,
        )
        reply.raise_for_status()

    def stop(self) -> None:
        for server in reversed(self.servers.values()):
            server.stop()


def start_simulators(
    creditor_fiscal_code: str, *, rt_retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0)
) -> LoopbackSimulators:
    """Start the three simulators on free loopback ports (all of them, or none)."""
    sockets = {name: bind_socket() for name in NAMES}  # served on below: no port race
    ports = {name: bound_port(sock) for name, sock in sockets.items()}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    apps: dict[str, Any] = {
        "checkout": checkout_sim.create_app(
            checkout_sim.Settings(
                port=ports["checkout"],
                stations={creditor_fiscal_code: f"{url['mypay']}/pagopa/paForNode"},
                rt_retry_delays=rt_retry_delays,
            )
        ),
        "mypay": mypay_sim.create_app(
            mypay_sim.Settings(port=ports["mypay"], checkout_url=url["checkout"])
        ),
        "gpd": gpd_sim.create_app(gpd_sim.Settings(port=ports["gpd"])),
        # No creditor connector: receipts are not pushed anywhere (the drivers poll).
        "govpay": govpay_sim.create_app(
            govpay_sim.Settings(port=ports["govpay"], checkout_url=url["checkout"])
        ),
    }
    running = LoopbackSimulators({}, apps, creditor_fiscal_code)
    try:
        for name in NAMES:
            app = apps[name]
            server = BackgroundServer(app, sock=sockets[name], allowlist=connection_guard(app))
            running.servers[name] = server.start()
    except BaseException:
        running.stop()
        for sock in sockets.values():
            sock.close()
        raise
    return running


@contextlib.contextmanager
def simulators(creditor_fiscal_code: str) -> Iterator[LoopbackSimulators]:
    """:func:`start_simulators` for the length of a ``with`` block."""
    running = start_simulators(creditor_fiscal_code)
    try:
        yield running
    finally:
        running.stop()
