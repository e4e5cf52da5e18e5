"""``collaudo proxy``: run the payment proxy (the adapter core) in the foreground.

    collaudo proxy                                  # fake intermediary, memory bus, port 8000
    collaudo proxy --intermediary mypay --bus kafka --port 8000

Settings come from the environment (``COLLAUDO_API_TOKEN``, ``COLLAUDO_DB``,
``COLLAUDO_PUBLIC_URL``, ``COLLAUDO_BUS``, ``COLLAUDO_KAFKA_BOOTSTRAP``,
``COLLAUDO_INTERMEDIARY``, ``COLLAUDO_RETENTION_DAYS``); the options override them. Without
``COLLAUDO_API_TOKEN`` a token is generated for this run and printed once.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from adapters.api.drivers import DRIVERS, DriverMissing, load_driver
from adapters.api.settings import ApiSettings, SettingsError
from collaudo.commands._serve import cannot_listen, serve_foreground
from simulators.common.server import PortUnavailable, bind_socket


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "proxy",
        help="run the payment proxy (configuration API, citizen links, imports)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--intermediary",
        choices=sorted(DRIVERS),
        help="intermediary driver (default: $COLLAUDO_INTERMEDIARY or fake)",
    )
    parser.add_argument(
        "--bus", choices=("memory", "kafka"), help="message bus (default: $COLLAUDO_BUS or memory)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    parser.add_argument("--db", type=Path, help="SQLite store (default: $COLLAUDO_DB)")
    parser.add_argument(
        "--public-url", help="base URL of the citizen links (default: http://HOST:PORT)"
    )
    parser.set_defaults(func=run)


def _settings(args: argparse.Namespace, port: int) -> tuple[ApiSettings, str | None]:
    settings = ApiSettings.from_env()
    changes: dict[str, Any] = {}
    if args.intermediary:
        changes["intermediary"] = args.intermediary
    if args.bus:
        changes["bus"] = args.bus
    if args.db:
        changes["db_path"] = args.db
    if args.public_url:
        changes["public_url"] = args.public_url.rstrip("/")
    elif not os.environ.get("COLLAUDO_PUBLIC_URL"):
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
        changes["public_url"] = f"http://{host}:{port}"
    generated = None
    if not settings.api_token:
        generated = secrets.token_urlsafe(24)
        changes["api_token"] = generated
    return dataclasses.replace(settings, **changes), generated


def run(args: argparse.Namespace) -> int:
    try:
        sock = bind_socket(args.host, args.port)
    except PortUnavailable as exc:
        cannot_listen("proxy", args.host, args.port, exc)
        return 1
    port = sock.getsockname()[1]
    try:
        settings, generated = _settings(args, port)
        driver = load_driver(settings.intermediary)
    except (SettingsError, DriverMissing) as exc:
        sock.close()
        print(f"collaudo proxy: {exc}", file=sys.stderr)
        return 2

    import uvicorn

    from adapters.api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(settings, driver=driver)
    url = f"http://{args.host}:{port}"
    announce = [
        f"collaudo payment proxy listening on {url}",
        f"  intermediary: {driver.name} ({driver.title})",
        f"  bus: {settings.bus}"
        + (f" ({settings.kafka_bootstrap})" if settings.bus == "kafka" else ""),
        f"  store: {settings.db_path}",
        f"  citizen links: {settings.public_url}/online-payment/<id>, /notice/<id>, ...",
        f"  OpenAPI: {url}/docs  (human page: {url}/docs/ui)",
        f"  status: {url}/status  metrics: {url}/metrics",
    ]
    if "api_ente" in driver.extra:  # GovPay pushes outcomes: where to point its connector
        announce.append(f"  GovPay API Ente v2: {settings.public_url}{driver.extra['api_ente']}")
    if generated:
        announce.append(
            f"  API token (generated, COLLAUDO_API_TOKEN was unset): {generated}\n"
            f"    export COLLAUDO_API_TOKEN={generated}"
        )
    announce.append("Press Ctrl-C to stop.")
    config = uvicorn.Config(
        app,
        log_level="info",
        access_log=False,  # adapters.api.access writes Apache-style lines with payment ids
        timeout_graceful_shutdown=15,
        lifespan="on",
    )
    return serve_foreground(
        uvicorn.Server(config),
        sock,
        announce,
        verb="proxy",
        what="the proxy",
        stopped="collaudo payment proxy stopped.",
    )
