"""Seeding a containerised stack once it is healthy: ``python -m collaudo.docker_stack seed``.

The demo tenant and services go into the proxy through its API, exactly as ``collaudo up``
does in process, after a check that the checkout's Nodo calls the chosen intermediary's
station. :func:`collaudo.docker_stack.up` calls :func:`seed` from the host;
``docker-compose.yml``'s ``seed`` service runs :func:`main` (through
``python -m collaudo.docker_stack``) inside the network.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from collaudo.docker_plan import DockerStackError, known_intermediary
from collaudo.stack import (
    DEFAULT_PORTS,
    DEMO_CREDITOR_FISCAL_CODE,
    DEMO_SERVICES,
    INTERMEDIARIES,
    Stack,
    StackOptions,
)


@dataclass(frozen=True)
class SeedTarget:
    """Where the seeder reaches the proxy and the checkout, and how they reach the others."""

    intermediary: str
    api_token: str = field(repr=False)
    proxy_url: str
    checkout_url: str
    internal: Mapping[str, str]  # component -> URL inside the network


def seed(
    target: SeedTarget,
    *,
    proxy: httpx.Client | None = None,
    checkout: httpx.Client | None = None,
) -> None:
    """The demo tenant and services into the proxy, then a check of the checkout's Nodo.

    The checkout is configured at start (``COLLAUDO_CHECKOUT_STATIONS``); seeding only checks
    that it calls the chosen intermediary's station, since a mismatch would fail every
    payment later and far from its cause.
    """
    options = StackOptions(
        intermediary=known_intermediary(target.intermediary), ports=dict(DEFAULT_PORTS)
    )
    stack = Stack(options)
    stack.urls = {**stack.urls, **target.internal}  # the bodies name the in-network URLs
    headers = {"Authorization": f"Bearer {target.api_token}"}
    own_proxy = proxy is None
    own_checkout = checkout is None
    proxy = proxy or httpx.Client(base_url=target.proxy_url, timeout=30)
    checkout = checkout or httpx.Client(base_url=target.checkout_url, timeout=30)
    try:
        _upsert(proxy, "tenants", stack.tenant_body(), headers)
        for service in DEMO_SERVICES:
            _upsert(proxy, "services", stack.service_body(service), headers)
        _check_station(checkout, target)
    except httpx.HTTPError as exc:
        raise DockerStackError(f"seeding the stack failed: {exc}") from exc
    finally:
        if own_proxy:
            proxy.close()
        if own_checkout:
            checkout.close()


def _check_station(checkout: httpx.Client, target: SeedTarget) -> None:
    expected = f"{target.internal[target.intermediary]}/pagopa/paForNode"
    answer = checkout.get("/_admin/stations")
    if answer.status_code != 200:
        raise DockerStackError(
            f"asking the checkout for its stations failed: HTTP {answer.status_code} {answer.text}"
        )
    actual = answer.json().get(DEMO_CREDITOR_FISCAL_CODE)
    if actual != expected:
        calls = f"calls {actual}" if actual else "knows no station"
        raise DockerStackError(
            f"the checkout's Nodo {calls} for creditor {DEMO_CREDITOR_FISCAL_CODE}, not the "
            f"{target.intermediary} simulator's station: start the checkout with "
            f"COLLAUDO_CHECKOUT_STATIONS={DEMO_CREDITOR_FISCAL_CODE}={expected}"
        )


def _upsert(
    http: httpx.Client, kind: str, body: Mapping[str, Any], headers: Mapping[str, str]
) -> None:
    answer = http.post(f"/{kind}", json=body, headers=headers)
    if answer.status_code == 409:
        answer = http.put(f"/{kind}/{body['id']}", json=body, headers=headers)
    if answer.status_code >= 300:
        raise DockerStackError(
            f"seeding the proxy's {kind} failed: HTTP {answer.status_code} {answer.text}"
        )


def seed_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m collaudo.docker_stack",
        description="Seed a containerised stack: the demo tenant and services into the proxy "
        "(bearer token from COLLAUDO_API_TOKEN), after checking that the checkout's Nodo calls "
        "the intermediary's station.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    seed_cmd = sub.add_parser("seed", help="seed the proxy, check the checkout")
    seed_cmd.add_argument("--intermediary", choices=INTERMEDIARIES, default="mypay")
    seed_cmd.add_argument("--proxy", default="http://proxy:8000", help="the proxy's base URL")
    seed_cmd.add_argument(
        "--checkout", default="http://checkout:8030", help="the checkout's base URL"
    )
    for name in ("mypay", "gpd", "govpay"):
        seed_cmd.add_argument(
            f"--{name}",
            default=f"http://{name}:{DEFAULT_PORTS[name]}",
            help=f"the {name} simulator's base URL as the proxy and the checkout reach it",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = seed_parser().parse_args(argv)
    token = os.environ.get("COLLAUDO_API_TOKEN")
    if not token:
        sys.stderr.write("seed: set COLLAUDO_API_TOKEN to the proxy's bearer token\n")
        return 2
    internal = {
        "mypay": args.mypay,
        "gpd": args.gpd,
        "govpay": args.govpay,
        "checkout": args.checkout,
    }
    target = SeedTarget(args.intermediary, token, args.proxy, args.checkout, internal)
    try:
        seed(target)
    except DockerStackError as exc:
        sys.stderr.write(f"seed: {exc}\n")
        return 1
    sys.stdout.write(
        f"seeded {args.proxy} with the demo tenant and {len(DEMO_SERVICES)} services for "
        f"{args.intermediary}; the checkout's Nodo calls {internal[args.intermediary]}\n"
    )
    return 0
