"""``collaudo sim``: run one simulator in the foreground, or list the fault profiles.

    collaudo sim platform --port 8001 --notify-url http://platform:8001
    collaudo sim mypay --faults creation-error:0.3:7 slow-response --checkout-url http://x:8030
    collaudo sim checkout --station 80000000002=http://mypay:8010/pagopa/paForNode
    collaudo sim gpd --allowlist 10.8.0.0/16 --allowlist-mode refuse --set company_name=Pisa
    collaudo sim govpay --creditor 80000000002=http://127.0.0.1:8000/govpay/ente/v2
    collaudo sim contract ../shared/contracts/pagopa/openapi/gpd.json --port 8050
    collaudo sim --list-faults

Each simulator package exposes ``simulators.<name>.app.Settings``, ``create_app(settings)``
and ``ENV_PREFIX``; they are imported only when asked for, so a build without one of them
still runs the others. The settings come from, lowest first: the defaults, the simulator's
environment variables (``ENV_PREFIX`` + field name, see :mod:`simulators.common.env`), then
the flags: the named ones below and ``--set FIELD=VALUE`` for any other field.
``collaudo sim NAME --help`` lists the variables.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from collaudo.commands._serve import cannot_listen, serve_foreground

SIMULATORS = ("mypay", "gpd", "checkout", "platform", "govpay", "contract")
# Simulators whose package is not named after them.
PACKAGES = {"contract": "contractsim"}


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
    "govpay": SimulatorInfo(
        "GovPay",
        8040,
        (
            ("API Pendenze v2", "/govpay/backend/api/pendenze/rs/basic/v2"),
            ("API Ragioneria v3", "/govpay/backend/api/ragioneria/rs/basic/v3"),
            ("API Pagamento v2", "/govpay/frontend/api/pagamento/rs/basic/v2"),
            ("paForNode station", "/pagopa/paForNode"),
            ("backoffice", "/backoffice"),
            ("admin: notifications", "/_admin/notifications"),
        ),
    ),
    # Its paths are the contract's own: the app lists them (app.state.paths).
    "contract": SimulatorInfo("Contract", 8050, ()),
}
_ADMIN_PATHS = (("admin: faults", "/_admin/faults"), ("admin: positions", "/_admin/positions"))


class Unavailable(Exception):
    """The simulator's package is not part of this build."""


@dataclass(frozen=True)
class NamedFlag:
    """A flag for one Settings field, spelled out because containers need it."""

    flag: str
    field: str
    help: str
    metavar: str = "URL"
    repeatable: bool = False


NAMED_FLAGS: dict[str, tuple[NamedFlag, ...]] = {
    "platform": (
        NamedFlag("--public-url", "public_url", "base of the links for browsers (landing page)"),
        NamedFlag(
            "--notify-url",
            "notify_url",
            "base of the notify URL the proxy calls back (default: --public-url); in "
            "containers the service name, e.g. http://platform:8001",
        ),
    ),
    "checkout": (
        NamedFlag("--public-url", "public_url", "base of the URLs handed to browsers"),
        NamedFlag(
            "--station",
            "stations",
            "a creditor's paForNode station (repeatable; replaces the default registry)",
            metavar="CF=URL",
            repeatable=True,
        ),
    ),
    "mypay": (
        NamedFlag("--public-url", "public_url", "this simulator's base URL in its answers"),
        NamedFlag("--checkout-url", "checkout_url", "the checkout where citizens pay"),
    ),
    "gpd": (),
    "govpay": (
        NamedFlag(
            "--creditor",
            "creditor_urls",
            "an ente's API Ente v2 base URL for notifications (repeatable)",
            metavar="CF=URL",
            repeatable=True,
        ),
        NamedFlag("--checkout-url", "checkout_url", "the pagoPA Checkout POST /pagamenti uses"),
    ),
    "contract": (NamedFlag("--public-url", "public_url", "base URL written in the served WSDL"),),
}
# Where each simulator's Settings takes the allowlist: (networks field, mode field).
_ALLOWLIST_FIELDS = (("allowlist", "allowlist_mode"), ("allowed_networks", "allow_mode"))


class SimulatorParser(argparse.ArgumentParser):
    """The parser of one simulator; its help ends with the simulator's variables."""

    simulator: str | None = None

    def format_help(self) -> str:
        text = super().format_help()
        if self.simulator is None:
            return text
        try:
            module = load(self.simulator)
        except Unavailable:
            return text + f"\n(the {self.simulator} simulator is not in this build)\n"
        from simulators.common.env import describe

        variables = describe(module.Settings, prefix(module, self.simulator), extra(module))
        return f"{text}\n{variables}\n"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sim",
        help="run one simulator in the foreground",
        description="Run one simulator in the foreground (Ctrl-C stops it), "
        "or list the fault profiles with --list-faults.",
        epilog="Each simulator also reads environment variables (COLLAUDO_<SIMULATOR>_<FIELD>); "
        "`collaudo sim SIMULATOR --help` lists them. Flags win over variables.",
    )
    parser.add_argument(
        "--list-faults", action="store_true", help="print every fault profile and exit"
    )
    simulators = parser.add_subparsers(
        dest="simulator", metavar="SIMULATOR", parser_class=SimulatorParser
    )
    for name in SIMULATORS:
        info = INFO[name]
        sub = simulators.add_parser(
            name,
            help=f"the {info.title} simulator (port {info.port})",
            description=f"Run the {info.title} simulator in the foreground (Ctrl-C stops it).",
        )
        sub.simulator = name
        if name == "contract":
            sub.description = (
                "Serve any contract (a WSDL with its XSDs, an OpenAPI 2/3.0/3.1 file in JSON or "
                "YAML, or a Postman collection v2.1) at its own paths: requests validated, "
                "answers generated, state kept (Ctrl-C stops it)."
            )
            sub.add_argument(
                "contract_location",
                metavar="FILE|URL",
                nargs="?",
                help="the contract: a path or a URL (or COLLAUDO_CONTRACT_CONTRACT)",
            )
        _add_common_flags(sub)
        for named in NAMED_FLAGS[name]:
            sub.add_argument(
                named.flag,
                dest=f"named_{named.field}",
                action="append" if named.repeatable else "store",
                metavar=named.metavar,
                help=named.help,
            )
    parser.set_defaults(func=run)


def _add_common_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", help="port (default: the simulator's own)")
    parser.add_argument(
        "--faults",
        nargs="+",
        action="extend",
        metavar="SPEC",
        help="fault profiles to switch on, each NAME[:RATE[:SEED]] (see --list-faults)",
    )
    parser.add_argument(
        "--allowlist",
        nargs="+",
        action="extend",
        metavar="CIDR",
        help="only these networks may connect (the vendor VPN case)",
    )
    parser.add_argument(
        "--allowlist-mode",
        choices=("refuse", "403"),
        help="what callers outside the allowlist get: a reset connection or HTTP 403 (default)",
    )
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="any other setting, in the text form of its environment variable (repeatable)",
    )


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
    package = PACKAGES.get(name, name)
    module_name = f"simulators.{package}.app"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Only the simulator's own absence; a missing dependency inside it is a real error.
        if exc.name not in {f"simulators.{package}", module_name}:
            raise
        raise Unavailable(name) from exc
    if not (hasattr(module, "create_app") and hasattr(module, "Settings")):
        raise Unavailable(name)
    return module


def prefix(module: ModuleType, simulator: str) -> str:
    """The simulator's environment prefix, ``COLLAUDO_<NAME>_`` unless it says otherwise."""
    return str(getattr(module, "ENV_PREFIX", f"COLLAUDO_{simulator.upper()}_"))


def extra(module: ModuleType) -> dict[str, str]:
    """Variables the simulator reads outside the prefix rule (name -> what it is)."""
    return dict(getattr(module, "ENV_EXTRA", {}))


def _flag_values(args: argparse.Namespace, names: set[str]) -> list[tuple[str, str, str]]:
    """(flag, field, text) for every flag given, in the text form of the field."""
    given: list[tuple[str, str, str]] = []
    if args.host is not None:
        given.append(("--host", "host", args.host))
    if args.port is not None:
        given.append(("--port", "port", args.port))
    if args.faults:
        given.append(("--faults", "faults", ",".join(args.faults)))
    for networks, mode in _ALLOWLIST_FIELDS:
        if networks in names and mode in names:
            if args.allowlist:
                given.append(("--allowlist", networks, ",".join(args.allowlist)))
            if args.allowlist_mode is not None:
                given.append(("--allowlist-mode", mode, args.allowlist_mode))
    location = getattr(args, "contract_location", None)
    if location:
        given.append(("FILE|URL", "contract", location))
    for named in NAMED_FLAGS.get(args.simulator, ()):
        value = getattr(args, f"named_{named.field}", None)
        if value is not None:
            text = ",".join(value) if named.repeatable else value
            given.append((named.flag, named.field, text))
    return given


def make_settings(
    module: ModuleType, args: argparse.Namespace, environ: Mapping[str, str]
) -> tuple[Any, bool]:
    """The simulator's ``Settings``: defaults, then its variables, then the flags.

    True beside it if the Settings took the allowlist (else the CLI guards it itself).
    Raises :class:`simulators.common.env.SettingError` for a malformed value.
    """
    from simulators.common.env import SettingError, from_assignments, from_environ, parse

    settings = module.Settings
    names = {f.name for f in dataclasses.fields(settings)}
    env_prefix = prefix(module, args.simulator)
    values = from_environ(settings, env_prefix, environ)
    for flag, name, text in _flag_values(args, names):
        if name not in names:
            if flag in ("--host", "--port"):
                continue  # the runner listens there whether the Settings has the field or not
            raise SettingError(f"{flag}: the {args.simulator} simulator has no {name} setting")
        values[name] = parse(settings, name, text, flag)
    values.update(from_assignments(settings, args.assignments, env_prefix))
    took_allowlist = any(n in names and m in names for n, m in _ALLOWLIST_FIELDS)
    return settings(**values), took_allowlist


def _listen_on(settings: Any, args: argparse.Namespace, info: SimulatorInfo) -> tuple[str, int]:
    """Host and port from the Settings when it has them, else from the flags."""
    from simulators.common.env import SettingError

    host = getattr(settings, "host", None) or args.host or "127.0.0.1"
    port = getattr(settings, "port", None)
    if port is None:
        try:
            port = int(args.port) if args.port is not None else info.port
        except ValueError:
            raise SettingError(f"--port={args.port!r}: not an integer") from None
    return str(host), int(port)


def run(args: argparse.Namespace) -> int:
    if args.list_faults:
        return list_faults()
    if args.simulator is None:
        print(
            "collaudo sim: name a simulator (mypay, gpd, checkout, platform, govpay, "
            "contract FILE|URL) or use --list-faults",
            file=sys.stderr,
        )
        return 2
    info = INFO[args.simulator]
    try:
        module = load(args.simulator)
    except Unavailable:
        print(f"the {args.simulator} simulator is not available in this build", file=sys.stderr)
        return 2

    from simulators.common.checks import networks
    from simulators.common.env import SettingError, unknown

    env_prefix = prefix(module, args.simulator)
    for warning in unknown(module.Settings, env_prefix, os.environ, extra(module)):
        print(f"collaudo sim: warning: {warning}", file=sys.stderr)
    try:
        settings, took_allowlist = make_settings(module, args, os.environ)
        host, port = _listen_on(settings, args, info)
        if not took_allowlist:
            networks(args.allowlist or [])
    except SettingError as exc:
        print(f"collaudo sim: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # the CLI's own allowlist, for a Settings without one
        print(f"collaudo sim: --allowlist {exc}", file=sys.stderr)
        return 2

    import uvicorn

    from simulators.common.access import Allowlist, AllowlistMiddleware
    from simulators.common.server import (
        PortUnavailable,
        bind_socket,
        connection_guard,
        make_config,
    )

    try:
        app = module.create_app(settings)
    except getattr(module, "LOAD_ERRORS", ()) as exc:  # a contract that cannot be served
        print(f"collaudo sim: {exc}", file=sys.stderr)
        return 2
    if took_allowlist:
        names = next(p for p in _ALLOWLIST_FIELDS if hasattr(settings, p[0]))
        allowed, mode = list(getattr(settings, names[0])), getattr(settings, names[1])
    else:
        allowed, mode = list(args.allowlist or []), args.allowlist_mode or "403"
    allowlist = Allowlist(allowed, mode)
    # The 403 answer is an HTTP middleware, which the simulator adds itself when its Settings
    # took the allowlist; the refusal happens in the protocol (make_config), guarded by what
    # the simulator exposes (its connection guard also serves the ip-not-allowed-refuse fault).
    served = app if took_allowlist or not allowlist.enabled else AllowlistMiddleware(app, allowlist)
    guard = connection_guard(app) or allowlist
    url = f"http://{host}:{port}"
    announce = [f"{info.title} simulator listening on {url}"]
    paths = info.paths + tuple(getattr(app.state, "paths", ()))
    announce += [f"  {what}: {url}{path}" for what, path in paths + _ADMIN_PATHS]
    announce += [f"  {note}" for note in getattr(app.state, "notes", [])]
    faults = list(getattr(settings, "faults", []))
    if faults:
        announce.append(f"  faults: {', '.join(faults)}")
    if allowlist.enabled:
        announce.append(f"  allowlist ({mode}): {', '.join(allowed)}")
    announce.append("Press Ctrl-C to stop.")

    try:
        sock = bind_socket(host, port)
    except PortUnavailable as exc:
        cannot_listen("sim", host, port, exc)
        return 1
    return serve_foreground(
        uvicorn.Server(make_config(served, host, port, guard)),
        sock,
        announce,
        verb="sim",
        what=f"the {args.simulator} simulator",
        stopped=f"{info.title} simulator stopped.",
        sigterm_stops=True,
    )
