"""``collaudo up --docker``: the same stack as ``collaudo up``, in containers, Kafka as the bus.

Through the Docker SDK, where an engine answers: one bridge network (``collaudo-up``),
Kafka in KRaft mode (``apache/kafka``) with the ``payments`` topic, then the simulators, the
platform and the payment proxy, all from this repository's image (built from the
``Dockerfile`` when the engine lacks it). Each container answers to its service name inside
the network (``kafka``, ``mypay``, ``gpd``, ``checkout``, ``platform``, ``proxy``) and listens
on the same port number it is published on. The simulators are told through their environment
variables (:mod:`simulators.common.env`) which URLs are for browsers
(``http://127.0.0.1:PORT``: the checkout's pages and MyPay's link to them) and which for other
containers (the platform's notify URL, the checkout's station registry).
Once every container is healthy the proxy is seeded through its API with the demo tenant and
services, exactly as ``collaudo up`` does, after checking that the checkout's Nodo calls the
chosen intermediary's station; Ctrl-C (or SIGTERM) stops and removes everything. Where no
engine answers, one sentence says so and :func:`up` returns 2.

``docker-compose.yml`` describes the same stack for ``docker compose``; its ``seed`` service
runs ``python -m collaudo.docker_stack seed`` (:func:`main`).

The official contracts are bind-mounted read-only at ``/contracts`` from
``$COLLAUDO_CONTRACTS_DIR`` or ``../shared/contracts``, so the engine must run on this machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import docker
import httpx
from docker.errors import APIError, DockerException, ImageNotFound, NotFound

from collaudo.stack import (
    DEFAULT_PORTS,
    DEMO_CREDITOR_FISCAL_CODE,
    DEMO_SERVICES,
    INTERMEDIARIES,
    SIM_SECRETS,
    Intermediary,
    Stack,
    StackOptions,
)
from simulators.common.contracts import contracts_dir as official_contracts_dir

logger = logging.getLogger(__name__)

# The published name; docker-compose.dev.yml builds it, and so does `up` when it is missing.
IMAGE = "ghcr.io/collaudo/collaudo:latest"
KAFKA_IMAGE = "apache/kafka:3.8.0"
NETWORK = "collaudo-up"
LABEL = "io.collaudo.up"
CONTRACTS_MOUNT = "/contracts"
KAFKA_BOOTSTRAP = "kafka:9092"
TOPIC = "payments"
PARTITIONS = 3  # room for three proxy replicas in one consumer group
REPO_ROOT = Path(__file__).resolve().parents[1]
WILDCARDS = {"0.0.0.0", "::", ""}

# Single-node KRaft (broker and controller in one process); docker-compose.yml uses the same
# settings plus a listener published to the host.
KAFKA_ENV = {
    "CLUSTER_ID": "09oifLvXWLez_FNuLWWCqQ",
    "KAFKA_NODE_ID": "1",
    "KAFKA_PROCESS_ROLES": "broker,controller",
    "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
    "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{KAFKA_BOOTSTRAP}",
    "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
    "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@kafka:9093",
    "KAFKA_INTER_BROKER_LISTENER_NAME": "PLAINTEXT",
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
    "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
    "KAFKA_NUM_PARTITIONS": str(PARTITIONS),
    "KAFKA_LOG_DIRS": "/var/lib/kafka/data",
}
KAFKA_HEALTH = (
    "CMD-SHELL",
    "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 >/dev/null 2>&1",
)
CREATE_TOPIC = (
    "/opt/kafka/bin/kafka-topics.sh",
    *("--bootstrap-server", "localhost:9092", "--create", "--if-not-exists"),
    *("--topic", TOPIC, "--partitions", str(PARTITIONS), "--replication-factor", "1"),
)


class DockerStackError(RuntimeError):
    """A container, image or network step failed; the message says which and what to do."""


def health_test(port: int) -> tuple[str, ...]:
    """The healthcheck of a collaudo container: its ``/status`` answers 2xx."""
    url = f"http://127.0.0.1:{port}/status"
    probe = f"import urllib.request; urllib.request.urlopen('{url}', timeout=4)"
    return ("CMD", "python", "-c", probe)


def internal_urls(ports: Mapping[str, int]) -> dict[str, str]:
    """How the containers reach each other: service name and port on the network."""
    return {name: f"http://{name}:{ports[name]}" for name in DEFAULT_PORTS}


def station_url(intermediary: str, ports: Mapping[str, int]) -> str:
    """The intermediary simulator's paForNode station, as the checkout container calls it."""
    return f"{internal_urls(ports)[intermediary]}/pagopa/paForNode"


def simulator_environment(
    intermediary: str, ports: Mapping[str, int], public_host: str
) -> dict[str, dict[str, str]]:
    """Each simulator's variables: URLs for browsers on ``public_host``, for containers by name.

    The same values as ``docker-compose.yml`` writes with its defaults.
    """
    browser = {name: f"http://{public_host}:{ports[name]}" for name in DEFAULT_PORTS}
    contracts = {"COLLAUDO_CONTRACTS_DIR": CONTRACTS_MOUNT}
    return {
        "mypay": {
            **contracts,
            "COLLAUDO_MYPAY_CHECKOUT_URL": browser["checkout"],
            "COLLAUDO_MYPAY_PASSWORD": SIM_SECRETS["COLLAUDO_SIM_MYPAY_PASSWORD"],
        },
        "gpd": {
            **contracts,
            "COLLAUDO_GPD_SUBSCRIPTION_KEY": SIM_SECRETS["COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY"],
        },
        "checkout": {
            **contracts,
            "COLLAUDO_CHECKOUT_PUBLIC_URL": browser["checkout"],
            "COLLAUDO_CHECKOUT_STATIONS": (
                f"{DEMO_CREDITOR_FISCAL_CODE}={station_url(intermediary, ports)}"
            ),
        },
        "platform": {
            "COLLAUDO_KAFKA_BOOTSTRAP": KAFKA_BOOTSTRAP,
            # Its links for browsers follow the URL each page was asked on; only the notify
            # URL, called by the proxy's container, needs the service name.
            "COLLAUDO_PLATFORM_NOTIFY_URL": internal_urls(ports)["platform"],
        },
    }


@dataclass(frozen=True)
class ContainerSpec:
    """One container of the stack; ``port`` is both the container's and the host's."""

    service: str
    image: str
    command: tuple[str, ...]
    environment: Mapping[str, str]
    health: tuple[str, ...]
    port: int | None = None
    contracts: bool = False  # mount the official contracts at /contracts

    def healthcheck(self) -> dict[str, Any]:
        second = 1_000_000_000  # the Engine API counts nanoseconds
        return {
            "test": list(self.health),
            "interval": 2 * second,
            "timeout": 10 * second,
            "retries": 5,
            "start_period": 60 * second,
        }


def plan(
    intermediary: str, ports: Mapping[str, int], *, api_token: str, public_host: str, image: str
) -> list[ContainerSpec]:
    """Kafka first, then the simulators, the platform and the proxy, in start order."""
    sim_env = simulator_environment(intermediary, ports, public_host)

    def sim(name: str, contracts: bool = True) -> ContainerSpec:
        port = ports[name]
        command = ("sim", name, "--host", "0.0.0.0", "--port", str(port))
        env = sim_env[name]
        return ContainerSpec(name, image, command, env, health_test(port), port, contracts)

    proxy_port = ports["proxy"]
    proxy_env = {
        "COLLAUDO_API_TOKEN": api_token,
        "COLLAUDO_DB": "/data/proxy.sqlite",
        "COLLAUDO_PUBLIC_URL": f"http://{public_host}:{proxy_port}",
        "COLLAUDO_BUS": "kafka",
        "COLLAUDO_KAFKA_BOOTSTRAP": KAFKA_BOOTSTRAP,
        "COLLAUDO_INTERMEDIARY": intermediary,
        **SIM_SECRETS,
    }
    proxy_command: tuple[str, ...] = ("proxy", "--intermediary", intermediary, "--bus", "kafka")
    proxy_command += ("--host", "0.0.0.0", "--port", str(proxy_port))
    return [
        ContainerSpec("kafka", KAFKA_IMAGE, (), KAFKA_ENV, KAFKA_HEALTH),
        sim("mypay"),
        sim("gpd"),
        sim("checkout"),
        sim("platform", contracts=False),
        ContainerSpec(
            "proxy", image, proxy_command, proxy_env, health_test(proxy_port), proxy_port
        ),
    ]


# -- seeding ---------------------------------------------------------------------------------


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
        intermediary=_intermediary(target.intermediary), ports=dict(DEFAULT_PORTS)
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


def _intermediary(name: str) -> Intermediary:
    if name not in INTERMEDIARIES:
        raise DockerStackError(f"unknown intermediary {name!r}: choose mypay or gpd")
    return name


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


# -- the containers --------------------------------------------------------------------------


class DockerStack:
    """Starts the planned containers on ``client`` (a ``docker.DockerClient``) and removes them."""

    def __init__(
        self,
        client: Any,
        specs: Sequence[ContainerSpec],
        *,
        bind: str = "127.0.0.1",
        contracts: Path | None = None,
        build_context: Path = REPO_ROOT,
        out: TextIO | None = None,
        poll: float = 0.5,
    ) -> None:
        self.client = client
        self.specs = list(specs)
        self.bind = bind
        self.contracts = contracts
        self.build_context = build_context
        self.out = out or sys.stdout
        self.poll = poll
        self.started: list[tuple[str, Any]] = []
        self.network: Any = None

    def say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def start(self) -> None:
        """Images, network, Kafka (healthy, topic created), then the rest (healthy)."""
        images = dict.fromkeys(spec.image for spec in self.specs)
        for image in images:
            try:
                self.client.images.get(image)
            except ImageNotFound:
                self._obtain(image)
        self._remove_leftovers()
        try:
            self.network = self.client.networks.create(
                NETWORK, driver="bridge", labels={LABEL: "1"}
            )
        except APIError as exc:
            raise DockerStackError(f"creating the network {NETWORK} failed: {_why(exc)}") from exc
        kafka, *services = self.specs
        self._wait_healthy([self._run(kafka)], timeout=180)
        code, output = self.started[0][1].exec_run(list(CREATE_TOPIC))
        if code != 0:
            text = output.decode(errors="replace").strip() if output else ""
            raise DockerStackError(f"creating the Kafka topic {TOPIC} failed: {text}")
        self.say(f"  topic {TOPIC} ready ({PARTITIONS} partitions)")
        self._wait_healthy([self._run(spec) for spec in services], timeout=120)

    def _obtain(self, image: str) -> None:
        if image != KAFKA_IMAGE:
            self._build(image)
            return
        self.say(f"pulling {image} (first run only) …")
        repository, tag = image.rsplit(":", 1)
        try:
            self.client.images.pull(repository, tag=tag)
        except APIError as exc:
            raise DockerStackError(
                f"pulling {image} failed: {_why(exc)} (is the engine online?)"
            ) from exc

    def _build(self, image: str) -> None:
        dockerfile = self.build_context / "Dockerfile"
        if not dockerfile.is_file():
            raise DockerStackError(
                f"the image {image} is not in the engine and there is no Dockerfile at "
                f"{dockerfile} to build it: `docker pull {image}`, or run from the repository"
            )
        self.say(f"building {image} from {dockerfile} (first run only, a few minutes) …")
        chunks = self.client.api.build(
            path=str(self.build_context), tag=image, rm=True, decode=True
        )
        for chunk in chunks:
            if "error" in chunk:
                raise DockerStackError(f"building {image} failed: {str(chunk['error']).strip()}")
            line = str(chunk.get("stream", "")).strip()
            if line.startswith(("Step ", "Successfully")):  # pip's chatter stays out
                self.say(f"  {line}")

    def _remove_leftovers(self) -> None:
        for container in self.client.containers.list(all=True, filters={"label": LABEL}):
            self.say(f"removing {container.name}, left over by an earlier run")
            container.remove(v=True, force=True)
        for network in self.client.networks.list(names=[NETWORK]):
            if network.name != NETWORK:
                continue
            if LABEL not in (network.attrs.get("Labels") or {}):
                raise DockerStackError(
                    f"a Docker network named {NETWORK} exists and was not made by collaudo; "
                    f"remove it (`docker network rm {NETWORK}`) and try again"
                )
            network.remove()

    def _run(self, spec: ContainerSpec) -> Any:
        options: dict[str, Any] = {
            "name": f"{NETWORK}-{spec.service}",
            "environment": dict(spec.environment),
            "labels": {LABEL: "1", f"{LABEL}.service": spec.service},
            "network": NETWORK,
            "networking_config": {NETWORK: {"Aliases": [spec.service]}},
            "healthcheck": spec.healthcheck(),
        }
        if spec.command:
            options["command"] = list(spec.command)
        if spec.port is not None:
            options["ports"] = {f"{spec.port}/tcp": (self.bind, spec.port)}
        if spec.contracts and self.contracts is not None:
            options["volumes"] = {str(self.contracts): {"bind": CONTRACTS_MOUNT, "mode": "ro"}}
        self.say(f"starting {spec.service} ({spec.image}) …")
        try:
            container = self.client.containers.create(spec.image, **options)
        except APIError as exc:
            raise DockerStackError(
                f"creating the {spec.service} container failed: {_why(exc)}"
            ) from exc
        self.started.append((spec.service, container))
        try:
            container.start()
        except APIError as exc:
            reason = _why(exc)
            if spec.port is not None and ("allocated" in reason or "in use" in reason):
                reason = (
                    f"port {spec.port} on {self.bind} is taken (is `collaudo up` or "
                    f"`docker compose up` still running?); stop it or choose another port "
                    f"with --{spec.service}-port"
                )
            raise DockerStackError(f"the {spec.service} container did not start: {reason}") from exc
        return container

    def _wait_healthy(self, containers: list[Any], timeout: float) -> None:
        names = {id(c): name for name, c in self.started}
        pending = list(containers)
        deadline = time.monotonic() + timeout
        while pending:
            for container in list(pending):
                problem = _trouble(container)
                if problem == "healthy":
                    pending.remove(container)
                    self.say(f"  {names[id(container)]} is healthy")
                elif problem:
                    raise DockerStackError(
                        f"the {names[id(container)]} container {problem}; "
                        f"the end of its log:\n{_tail(container)}"
                    )
            if pending and time.monotonic() > deadline:
                late = ", ".join(names[id(c)] for c in pending)
                raise DockerStackError(f"not healthy after {timeout:.0f} s: {late}")
            if pending:
                time.sleep(self.poll)

    def check(self) -> str | None:
        """Why the stack is no longer whole (a container stopped), or None."""
        for name, container in self.started:
            problem = _trouble(container)
            if problem not in (None, "healthy"):
                return f"the {name} container {problem}; the end of its log:\n{_tail(container)}"
        return None

    def stop(self) -> None:
        """Stop (SIGTERM, 20 s grace) and remove every container, then the network."""
        for name, container in reversed(self.started):
            self.say(f"stopping {name} …")
            try:
                container.stop(timeout=20)
                container.remove(v=True, force=True)
            except NotFound:
                pass
            except APIError as exc:
                self.say(f"  could not remove {name}: {_why(exc)}")
        self.started.clear()
        if self.network is not None:
            try:
                self.network.remove()
            except (APIError, NotFound) as exc:
                self.say(f"  could not remove the network {NETWORK}: {_why(exc)}")
            self.network = None


def _trouble(container: Any) -> str | None:
    """ "healthy", None (still starting) or what went wrong, after a fresh look."""
    container.reload()
    state = container.attrs.get("State") or {}
    health = (state.get("Health") or {}).get("Status")
    status = state.get("Status", container.status)
    if status in ("exited", "dead", "removing"):
        return f"stopped (exit code {state.get('ExitCode', '?')})"
    if health == "unhealthy":
        return "is unhealthy"
    return "healthy" if health == "healthy" else None


def _tail(container: Any, lines: int = 15) -> str:
    try:
        raw = container.logs(tail=lines)
    except Exception:  # the log is a courtesy; the failure is already being reported
        return "  (no log available)"
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    return "\n".join(f"  | {line}" for line in text.rstrip().splitlines())


def _why(exc: Exception) -> str:
    return str(getattr(exc, "explanation", None) or exc)


# -- the verb --------------------------------------------------------------------------------


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
        return f"unknown intermediary {intermediary!r}: choose mypay or gpd"
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
            "warning: the official contracts are not in ../shared/contracts (or "
            "$COLLAUDO_CONTRACTS_DIR); the MyPay simulator will not serve its WSDL"
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
        intermediary=_intermediary(intermediary), host=public_host, ports=dict(ports)
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


# -- python -m collaudo.docker_stack seed (docker-compose.yml's seed service) ---------------


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
    for name in ("mypay", "gpd"):
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
    internal = {"mypay": args.mypay, "gpd": args.gpd, "checkout": args.checkout}
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
