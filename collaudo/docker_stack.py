"""``collaudo up --docker``: the same stack as ``collaudo up``, in containers, Kafka as the bus.

Through the Docker SDK, where an engine answers: one bridge network (``collaudo-up``),
Kafka in KRaft mode (``apache/kafka``) with the ``payments`` topic, then the simulators, the
platform and the payment proxy, all from this repository's image (built from the
``Dockerfile`` when the engine lacks it). Each container answers to its service name inside
the network (``kafka``, ``mypay``, ``gpd``, ``govpay``, ``checkout``, ``platform``,
``proxy``) and listens on the same port number it is published on. The simulators are told
through their environment variables (:mod:`simulators.common.env`) which URLs are for browsers
(``http://127.0.0.1:PORT``: the checkout's pages and MyPay's link to them) and which for other
containers (the platform's notify URL, the checkout's station registry).
Once every container is healthy the proxy is seeded through its API with the demo tenant and
services, exactly as ``collaudo up`` does, after checking that the checkout's Nodo calls the
chosen intermediary's station; Ctrl-C (or SIGTERM) stops and removes everything. Where no
engine answers, one sentence says so and :func:`up` returns 2.

The plan is :mod:`collaudo.docker_plan`, the engine side :mod:`collaudo.docker_engine`, the
seeding :mod:`collaudo.docker_seed`.

``docker-compose.yml`` describes the same stack for ``docker compose``; its ``seed`` service
runs ``python -m collaudo.docker_stack seed`` (:func:`collaudo.docker_seed.main`).

The official contracts are bind-mounted read-only at ``/contracts`` from the first folder
that has them (``$COLLAUDO_CONTRACTS_DIR``, beside the checkout, the user cache: see
:mod:`simulators.common.contracts`), so the engine must run on this machine.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any, TextIO

import docker
from docker.errors import DockerException

from collaudo.docker_engine import DockerStack
from collaudo.docker_plan import (
    IMAGE,
    KAFKA_BOOTSTRAP,
    TOPIC,
    DockerStackError,
    internal_urls,
    known_intermediary,
    plan,
)
from collaudo.docker_seed import SeedTarget, main, seed
from collaudo.stack import DEFAULT_PORTS, INTERMEDIARIES, Stack, StackOptions
from simulators.common.contracts import contracts_dir as official_contracts_dir

logger = logging.getLogger(__name__)

WILDCARDS = {"0.0.0.0", "::", ""}


def connect() -> Any | None:
    """A ``docker.DockerClient`` whose engine answered a ping, or None."""
    try:
        client = docker.from_env()
        client.ping()
    except (DockerException, OSError) as exc:  # requests' errors are OSErrors
        logger.debug("no Docker engine: %s", exc)
        return None
    return client


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def check_ports(intermediary: str, ports: Mapping[str, int]) -> str | None:
    """The first problem with the choice of intermediary and ports, said plainly."""
    if intermediary not in INTERMEDIARIES:
        return f"unknown intermediary {intermediary!r}: choose one of {', '.join(INTERMEDIARIES)}"
    missing = [name for name in DEFAULT_PORTS if name not in ports]
    if missing:
        return f"no port given for {', '.join(missing)}"
    for name in DEFAULT_PORTS:
        if not 0 < ports[name] < 65536:
            return f"--{name}-port {ports[name]}: choose a fixed port between 1 and 65535"
    if len({ports[name] for name in DEFAULT_PORTS}) < len(DEFAULT_PORTS):
        return "two components were given the same port; give each its own"
    return None


def wait_for_stop(check: Callable[[], str | None], poll: float = 2.0) -> str | None:
    """Block until Ctrl-C or SIGTERM (None), or until ``check`` reports a problem."""
    stop = threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        stop.set()

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if main_thread else None
    try:
        while not stop.wait(poll):
            problem = check()
            if problem:
                return problem
    except KeyboardInterrupt:
        pass
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    return None


def up(
    intermediary: str,
    ports: Mapping[str, int],
    *,
    api_token: str | None = None,
    host: str = "127.0.0.1",
    image: str = IMAGE,
    client: Any = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    seeder: Callable[[SeedTarget], None] = seed,
    wait: Callable[[Callable[[], str | None]], str | None] = wait_for_stop,
    poll: float = 0.5,
) -> int:
    """Run the stack in Docker until Ctrl-C; the exit code for ``collaudo up --docker``.

    0 after a clean stop, 1 when a step failed (everything started is removed), 2 when no
    engine answers or the arguments cannot work, 130 when interrupted while starting.
    ``client``, ``seeder``, ``wait`` and ``poll`` are seams for tests.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    problem = check_ports(intermediary, ports)
    if problem:
        err.write(f"collaudo up --docker: {problem}\n")
        return 2
    if client is None:
        client = connect()
    if client is None:
        err.write(
            f"collaudo up --docker: no Docker engine answers at {engine_address()}; start "
            "Docker (or set DOCKER_HOST to a running engine), or run `collaudo up` without "
            "--docker to start the same stack in this process.\n"
        )
        return 2
    token = api_token or secrets.token_urlsafe(24)
    public_host = "127.0.0.1" if host in WILDCARDS else host
    contracts = official_contracts_dir()
    stack = DockerStack(
        client,
        plan(intermediary, ports, api_token=token, public_host=public_host, image=image),
        bind=host,
        contracts=contracts,
        out=out,
        poll=poll,
    )
    if contracts is None:
        stack.say(
            "warning: no folder of official contracts found ($COLLAUDO_CONTRACTS_DIR, beside "
            "the checkout, the user cache): the simulators run on the built-in MyPay "
            "contract, unvalidated otherwise; run collaudo contracts fetch"
        )
    code = 0
    try:
        stack.start()
        internal = internal_urls(ports)
        seeder(
            SeedTarget(
                intermediary,
                token,
                proxy_url=f"http://{public_host}:{ports['proxy']}",
                checkout_url=f"http://{public_host}:{ports['checkout']}",
                internal=internal,
            )
        )
        _describe(stack, intermediary, ports, public_host, token, generated=api_token is None)
        trouble = wait(stack.check)
        if trouble:
            err.write(f"collaudo up --docker: {trouble}\n")
            code = 1
    except DockerStackError as exc:
        err.write(f"collaudo up --docker: {exc}\n")
        code = 1
    except KeyboardInterrupt:
        code = 130
    finally:
        stack.say("stopping …")
        stack.stop()
        stack.say("stopped.")
    return code


def _describe(
    stack: DockerStack,
    intermediary: str,
    ports: Mapping[str, int],
    public_host: str,
    token: str,
    *,
    generated: bool,
) -> None:
    options = StackOptions(
        intermediary=known_intermediary(intermediary), host=public_host, ports=dict(ports)
    )
    urls = Stack(options)
    for what, url in urls.describe():
        stack.say(f"  {what:<44} {url}")
    stack.say(f"  {'Kafka (KRaft), inside the network':<44} {KAFKA_BOOTSTRAP} topic {TOPIC}")
    if generated:
        stack.say(f"  {'proxy API token (generated)':<44} {token}")
    else:
        stack.say(f"  {'proxy API token':<44} from COLLAUDO_API_TOKEN")
    stack.say("ready: open the citizen page and pay with card 4242 4242 4242 4242. Ctrl-C stops.")


# docker-compose.yml's seed service: python -m collaudo.docker_stack seed
if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
