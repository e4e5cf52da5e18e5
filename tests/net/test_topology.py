"""Throwaway hosts: made, switched and removed, also when the test using them fails."""

from __future__ import annotations

import os
import socket

import pytest

from collaudo.net import netns
from collaudo.net.topology import SERVICE_ADDRESS, Topology

pytestmark = pytest.mark.skipif(
    netns.unavailable() is not None,
    reason=f"network namespaces unavailable: {netns.unavailable()}",
)


def _source_seen(topology: Topology, listener: socket.socket, timeout: float = 2.0) -> str:
    """Connect from "opencity" to the service; the address the vendor saw, or the error."""
    with netns.entered(topology.opencity):
        client = socket.socket()
    client.settimeout(timeout)
    try:
        client.connect((SERVICE_ADDRESS, listener.getsockname()[1]))
        accepted, (address, _) = listener.accept()
        accepted.close()
        return str(address)
    except OSError as exc:
        return type(exc).__name__
    finally:
        client.close()


def test_the_vendor_sees_the_vpn_or_the_lan_address_as_the_route_says() -> None:
    with Topology() as topology:
        with netns.entered(topology.vendor):
            listener = socket.create_server((SERVICE_ADDRESS, 0))
        with listener:
            assert _source_seen(topology, listener) == topology.vpn_address
            topology.use("lan")
            assert _source_seen(topology, listener) == topology.lan_address
            topology.use(None)
            assert _source_seen(topology, listener) == "OSError"  # network unreachable
            topology.use("vpn")
            topology.vpn_link(False)
            assert _source_seen(topology, listener, timeout=0.5) == "TimeoutError"
            topology.vpn_link(True)
            assert _source_seen(topology, listener) == topology.vpn_address


def test_everything_is_removed_even_when_the_block_fails() -> None:
    topology = Topology()
    with pytest.raises(RuntimeError, match="scenario failed"), topology:
        assert netns.exists(topology.opencity) and netns.exists(topology.vendor)
        topology.hosts({"api.fornitore.test": "198.18.7.7"})
        raise RuntimeError("scenario failed")
    assert not netns.exists(topology.opencity) and not netns.exists(topology.vendor)
    assert not (netns.NETNS_ETC / topology.opencity).exists()


def _ns_inode() -> str:
    return os.readlink("/proc/thread-self/ns/net")


def test_a_thread_returns_to_its_own_namespace_even_after_an_error() -> None:
    before = _ns_inode()
    with Topology() as topology:
        with netns.entered(topology.opencity):
            assert _ns_inode() != before
        assert _ns_inode() == before
        with pytest.raises(ValueError), netns.entered(topology.vendor):
            raise ValueError("inside")
        assert _ns_inode() == before
