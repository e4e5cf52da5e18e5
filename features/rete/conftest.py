"""The connectivity scenarios run on real hosts: network namespaces made per scenario.

The suite and the stack (proxy, platform, checkout) run in the "opencity" host; the
intermediary's simulator listens in the "vendor" host at the service address, so the
proxy's calls cross a real link and leave from a real source address. The vendor's
admin API is reached from the vendor's own host. Everything is removed after each
scenario; where namespaces cannot be made, the scenarios skip saying why.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from collaudo.bdd.world import CollaudoEnv, start_env
from collaudo.net import netns
from collaudo.net.topology import SERVICE_ADDRESS, Topology
from collaudo.net.transport import NamespaceTransport
from collaudo.stack import StackOptions
from collaudo.targets import Target
from simulators.common.server import bind_socket

#: Each simulator's allowlist settings (networks field, mode field).
ALLOWLIST_FIELDS = {
    "mypay": ("allowlist", "allowlist_mode"),
    "gpd": ("allowed_networks", "allow_mode"),
    "govpay": ("allowed_networks", "allow_mode"),
}


@pytest.fixture
def rete() -> Iterator[Topology]:
    """The two hosts of a scenario, removed afterwards whatever happens."""
    reason = netns.unavailable()
    if reason:
        pytest.skip(f"network namespaces unavailable: {reason}")
    with Topology() as topology:
        yield topology


@pytest.fixture
def env(collaudo_target: Target, rete: Topology, tmp_path: Path) -> Iterator[CollaudoEnv]:
    """The target's stack in "opencity", its intermediary simulator in "vendor"."""
    intermediary = collaudo_target.intermediary
    if intermediary not in ALLOWLIST_FIELDS:
        pytest.skip(
            f"{collaudo_target.name}: these scenarios move the MyPay or GPD simulator into a "
            "vendor's network namespace; a generated driver's contract simulator is not moved "
            "there yet"
        )
    networks, mode = ALLOWLIST_FIELDS[intermediary]

    def bind(name: str, host: str, port: int) -> socket.socket:
        if name != intermediary:
            return bind_socket(host, port)
        with netns.entered(rete.vendor):
            return bind_socket(SERVICE_ADDRESS, port)

    def configure(options: StackOptions) -> None:
        options.bind = bind
        # Everyone in at first, in refuse mode (which must be chosen at start); the
        # scenario narrows it through the vendor's admin API.
        options.simulator_settings = {intermediary: {networks: ["0.0.0.0/0"], mode: "refuse"}}

    vendor_admin = NamespaceTransport(rete.vendor)
    with netns.entered(rete.opencity):
        started = start_env(
            collaudo_target,
            tmp_path / "stack",
            configure=configure,
            suite_mounts={f"http://{SERVICE_ADDRESS}": vendor_admin},
        )
        try:
            yield started
        finally:
            started.close()
