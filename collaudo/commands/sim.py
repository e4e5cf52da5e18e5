"""``collaudo sim``: run one simulator in the foreground, or list the fault profiles.

    collaudo sim platform --port 8001
    collaudo sim mypay --faults creation-error:0.3:7 slow-response
    collaudo sim gpd --allowlist 10.8.0.0/16 --allowlist-mode refuse
    collaudo sim --list-faults

Each simulator package exposes ``simulators.<name>.app.Settings`` and
``create_app(settings)``; they are imported only when asked for, so a build
without one of them still runs the others.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import ipaddress
import signal
import socket
import sys
from dataclasses import dataclass
from types import FrameType, ModuleType
from typing import Any

SIMULATORS = ("mypay", "gpd", "checkout", "platform")


@dataclass(frozen=True)
class SimulatorInfo:
    title: str
    port: int
    # Paths worth printing beside the base URL: (what, path).
    paths: tuple[tuple[str, str], ...]


INFO = {
    "platform": SimulatorInfo(
        "Platform",
        8001,
        (("citizen page", "/"), ("published events", "/events")),
    ),
    "mypay": SimulatorInfo(
        "MyPay",
        8010,
        (
            ("WSDL", "/ws/pa?wsdl"),
            ("paForNode station", "/pagopa/paForNode"),
            ("backoffice", "/backoffice"),
        ),
    ),
    "gpd": SimulatorInfo(
        "GPD",
        8020,
        (
            ("debt positions", "/gpd/debt-positions-service/v1"),
            ("payments receipts", "/gpd/payments-receipts-service/v1"),
            ("paForNode station", "/pagopa/paForNode"),
            ("backoffice", "/backoffice"),
        ),
    ),
    "checkout": SimulatorInfo(
        "Checkout",
        8030,
        (("carts", "/checkout/ec/v1/carts"), ("admin: stations", "/_admin/stations")),
    ),
}
_ADMIN_PATHS = (("admin: faults", "/_admin/faults"), ("admin: positions", "/_admin/positions"))


class Unavailable(Exception):
    """The simulator's package is not part of this build."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sim",
        help="run one simulator in the foreground",
        description="Run one simulator in the foreground (Ctrl-C stops it), "
        "or list the fault profiles with --list-faults.",
    )
    parser.add_argument("simulator", nargs="?", choices=SIMULATORS, help="which simulator")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, help="port (default: the simulator's own)")
    parser.add_argument(
        "--faults",
        nargs="+",
        action="extend",
        default=[],
        metavar="SPEC",
        help="fault profiles to switch on, each NAME[:RATE[:SEED]] (see --list-faults)",
    )
    parser.add_argument(
        "--allowlist",
        nargs="+",
        action="extend",
        default=[],
        metavar="CIDR",
        help="only these networks may connect (the vendor VPN case)",
    )
    parser.add_argument(
        "--allowlist-mode",
        choices=("refuse", "403"),
        default="403",
        help="what callers outside the allowlist get: a reset connection or HTTP 403",
    )
    parser.add_argument(
        "--list-faults", action="store_true", help="print every fault profile and exit"
    )
    parser.set_defaults(func=run)


def list_faults() -> int:
    from simulators.common.faults import REGISTRY

    rows = [
        (name, ", ".join(sorted(cls.simulators)), cls.description)
        for name, cls in sorted(REGISTRY.items())
    ]
    width = max(len(r[0]) for r in rows)
    sims = max(len(r[1]) for r in rows)
    print(f"{'fault profile':<{width}}  {'simulators':<{sims}}  description")
    for name, where, description in rows:
        print(f"{name:<{width}}  {where:<{sims}}  {description}")
    print(
        "\nSwitch one on with `collaudo sim SIMULATOR --faults NAME[:RATE[:SEED]]`, "
        "or at run time with `PUT /_admin/faults/NAME`."
    )
    return 0


def load(name: str) -> ModuleType:
    """``simulators.<name>.app``, or :class:`Unavailable` if this build lacks it."""
    module_name = f"simulators.{name}.app"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Only the simulator's own absence; a missing dependency inside it is a real error.
        if exc.name not in {f"simulators.{name}", module_name}:
            raise
        raise Unavailable(name) from exc
    if not (hasattr(module, "create_app") and hasattr(module, "Settings")):
        raise Unavailable(name)
    return module


def check_arguments(args: argparse.Namespace) -> str | None:
    """The first problem with the arguments, said so a person can fix it."""
    from simulators.common.faults import REGISTRY, FaultSpec, UnknownFault, available

    for spec in args.faults:
        try:
            name = FaultSpec.parse(spec).name
        except (UnknownFault, ValueError) as exc:
            return f"--faults {spec}: {exc}"
        if args.simulator not in REGISTRY[name].simulators:
            usable = ", ".join(cls.name for cls in available(args.simulator)) or "none"
            return (
                f"--faults {spec}: {name!r} does not apply to the {args.simulator} simulator "
                f"(its fault profiles: {usable}); see `collaudo sim --list-faults`"
            )
    for cidr in args.allowlist:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return f"--allowlist {cidr}: not an IP network; write it like 10.8.0.0/16"
    if args.port is not None and not 0 < args.port < 65536:
        return f"--port {args.port}: choose a port between 1 and 65535"
    return None


# Where each simulator's Settings takes the allowlist: (networks field, mode field).
_ALLOWLIST_FIELDS = (("allowlist", "allowlist_mode"), ("allowed_networks", "allow_mode"))


def make_settings(module: ModuleType, args: argparse.Namespace, port: int) -> tuple[Any, bool]:
    """The simulator's ``Settings`` from the arguments; True if it took the allowlist."""
    names = {f.name for f in dataclasses.fields(module.Settings)}
    values: dict[str, Any] = {"faults": list(args.faults)}
    if "host" in names:
        values["host"] = args.host
    if "port" in names:
        values["port"] = port
    took_allowlist = False
    for networks, mode in _ALLOWLIST_FIELDS:
        if networks in names and mode in names:
            values[networks], values[mode] = list(args.allowlist), args.allowlist_mode
            took_allowlist = True
            break
    return module.Settings(**values), took_allowlist


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so a taken port gets a plain answer."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


async def _serve(server: Any, sock: socket.socket, announce: list[str]) -> None:
    """Serve until stopped; print ``announce`` once the server accepts connections."""

    async def announce_when_started() -> None:
        while not server.started:
            await asyncio.sleep(0.02)
        print("\n".join(announce), flush=True)

    watcher = asyncio.create_task(announce_when_started())
    try:
        await server.serve(sockets=[sock])
    finally:
        watcher.cancel()


def run(args: argparse.Namespace) -> int:
    if args.list_faults:
        return list_faults()
    if args.simulator is None:
        print(
            "collaudo sim: name a simulator (mypay, gpd, checkout, platform) or use --list-faults",
            file=sys.stderr,
        )
        return 2
    problem = check_arguments(args)
    if problem:
        print(f"collaudo sim: {problem}", file=sys.stderr)
        return 2
    info = INFO[args.simulator]
    try:
        module = load(args.simulator)
    except Unavailable:
        print(f"the {args.simulator} simulator is not available in this build", file=sys.stderr)
        return 2

    import uvicorn

    from simulators.common.access import Allowlist, AllowlistMiddleware
    from simulators.common.server import make_config

    port = args.port or info.port
    settings, took_allowlist = make_settings(module, args, port)
    app = module.create_app(settings)
    allowlist = Allowlist(args.allowlist, args.allowlist_mode)
    # The 403 answer is an HTTP middleware, which the simulator adds itself when its Settings
    # took the allowlist; the refusal happens in the protocol (make_config), guarded by what
    # the simulator exposes (its connection guard also serves the ip-not-allowed-refuse fault).
    served = app if took_allowlist or not allowlist.enabled else AllowlistMiddleware(app, allowlist)
    guard = (
        getattr(app.state, "connection_guard", None)
        or getattr(app.state, "allowlist", None)
        or allowlist
    )
    url = f"http://{args.host}:{port}"
    announce = [f"{info.title} simulator listening on {url}"]
    announce += [f"  {what}: {url}{path}" for what, path in info.paths + _ADMIN_PATHS]
    announce += [f"  {note}" for note in getattr(app.state, "notes", [])]
    if args.faults:
        announce.append(f"  faults: {', '.join(args.faults)}")
    if allowlist.enabled:
        announce.append(f"  allowlist ({args.allowlist_mode}): {', '.join(args.allowlist)}")
    announce.append("Press Ctrl-C to stop.")

    try:
        sock = bind(args.host, port)
    except OSError as exc:
        print(
            f"collaudo sim: cannot listen on {args.host}:{port} ({exc.strerror}); "
            "choose another port with --port",
            file=sys.stderr,
        )
        return 1
    server = uvicorn.Server(make_config(served, args.host, port, guard))
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        asyncio.run(_serve(server, sock, announce))
    except KeyboardInterrupt:
        pass
    except SystemExit:  # uvicorn gives up when the application fails to start
        print(
            f"collaudo sim: the {args.simulator} simulator did not start (see the error above)",
            file=sys.stderr,
        )
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    print(f"{info.title} simulator stopped.", flush=True)
    return 0
