"""The facts a connection diagnosis names: resolved address, source address, route."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.drivers import _route

# /proc/net/route as the kernel writes it (little-endian hex): a default route via
# 192.168.1.1 on eth0, 10.8.0.0/16 on tun0 (a VPN), and a host route via 10.8.0.1.
TABLE = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
tun0\t0000080A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
tun0\t0A0012C6\t0100080A\t0007\t0\t0\t0\tFFFFFFFF\t0\t0\t0
"""


@pytest.fixture
def routes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "route"
    table.write_text(TABLE, encoding="ascii")
    monkeypatch.setattr(_route, "_ROUTE_TABLES", (table,))


@pytest.mark.usefixtures("routes")
def test_the_longest_prefix_wins_and_reads_like_ip_route() -> None:
    assert _route.ipv4_route("198.18.0.10") == "198.18.0.10 via 10.8.0.1 dev tun0"
    assert _route.ipv4_route("10.8.3.4") == "10.8.0.0/16 dev tun0"
    assert _route.ipv4_route("203.0.113.9") == "default via 192.168.1.1 dev eth0"
    assert _route.ipv4_route("::1") is None


def test_no_matching_route_or_no_table_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "route"
    table.write_text(TABLE.splitlines()[0] + "\n", encoding="ascii")
    monkeypatch.setattr(_route, "_ROUTE_TABLES", (table,))
    assert _route.ipv4_route("203.0.113.9") is None
    monkeypatch.setattr(_route, "_ROUTE_TABLES", (tmp_path / "missing",))
    assert _route.ipv4_route("203.0.113.9") is None


def test_a_way_names_host_resolved_address_source_and_route() -> None:
    way = _route.way_to("localhost", 8010)
    assert way.resolved and way.address in ("127.0.0.1", "::1")
    assert way.where() == f"localhost:8010 (resolved to {way.address})"
    assert way.route is not None and "dev lo" in way.route
    assert way.source in ("127.0.0.1", "::1")
    literal = _route.way_to("127.0.0.1", 80)
    assert literal.where() == "127.0.0.1:80"


def test_an_unresolvable_name_is_said_plainly() -> None:
    way = _route.way_to("vendor.invalid", 443)
    assert not way.resolved and way.route is None
    assert way.source.startswith("unknown")
