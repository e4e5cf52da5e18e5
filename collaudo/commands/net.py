"""``collaudo net``: throwaway network hosts for the connectivity criticità (root only).

    collaudo net up [--route vpn|lan]     # hosts collaudo-opencity and collaudo-vendor
    collaudo net route vpn|lan|none       # how opencity reaches the vendor's service
    collaudo net vpn down|up              # the VPN's far end goes away / comes back
    collaudo net hosts NAME=ADDRESS ...   # /etc/hosts of programs run in collaudo-opencity
    collaudo net status
    collaudo net down                     # remove everything

Then run the parts where they belong, e.g.::

    ip netns exec collaudo-vendor collaudo sim gpd --host 198.18.0.10 \\
        --allowlist 198.18.2.2/32 --allowlist-mode refuse
    ip netns exec collaudo-opencity collaudo doctor --target vendor-in-netns

Addresses exist only inside the two namespaces (198.18.0.0/15, a benchmarking range).
"""

from __future__ import annotations

import argparse
from typing import Any

from collaudo.net import netns
from collaudo.net.topology import Topology

PREFIX = "collaudo"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "net",
        help="network namespaces for the connectivity criticità (VPN, allowlists, DNS)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="create the hosts and links")
    up.add_argument("--route", choices=("vpn", "lan"), default="vpn")
    route = actions.add_parser("route", help="route the vendor's service through vpn, lan or none")
    route.add_argument("path", choices=("vpn", "lan", "none"))
    vpn = actions.add_parser("vpn", help="take the VPN's far end down or up")
    vpn.add_argument("state", choices=("down", "up"))
    hosts = actions.add_parser("hosts", help="set /etc/hosts entries of the opencity host")
    hosts.add_argument("entries", nargs="+", metavar="NAME=ADDRESS")
    actions.add_parser("status", help="what exists now")
    actions.add_parser("down", help="remove the hosts and links")
    parser.set_defaults(func=run)


def _existing() -> Topology | None:
    topology = Topology(prefix=PREFIX, created=True)
    return topology if netns.exists(topology.opencity) else None


def _act(topology: Topology, args: argparse.Namespace) -> None:
    if args.action == "route":
        topology.use(None if args.path == "none" else args.path)
    elif args.action == "vpn":
        topology.vpn_link(args.state == "up")
    elif args.action == "hosts":
        entries: dict[str, Any] = {}
        for entry in args.entries:
            name, sep, address = entry.partition("=")
            if not sep or not name or not address:
                raise ValueError(f"{entry!r}: write NAME=ADDRESS, e.g. mypay.test=198.18.0.10")
            entries[name] = address
        topology.hosts(entries)


def run(args: argparse.Namespace) -> int:
    reason = netns.unavailable()
    if reason:
        print(f"collaudo net: network namespaces unavailable: {reason}")
        return 2
    existing = _existing()
    try:
        if args.action == "up":
            if existing is not None:
                print("collaudo net: the hosts exist already (collaudo net down removes them)")
                return 1
            topology = Topology(prefix=PREFIX).up(route=args.route)
            print("\n".join(["collaudo net: hosts created", *topology.describe()]))
            return 0
        if existing is None:
            print("collaudo net: no hosts (create them with collaudo net up)")
            return 0 if args.action in ("down", "status") else 1
        if args.action == "down":
            existing.down()
            print("collaudo net: hosts removed")
            return 0
        _act(existing, args)
    except (netns.NetnsError, ValueError) as exc:
        print(f"collaudo net: {exc}")
        return 1
    print("\n".join(netns.ip("route", "show", ns=existing.opencity).splitlines()))
    return 0
