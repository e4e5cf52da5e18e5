"""The plan of ``collaudo up --docker``: what runs, with which image, command and environment.

Pure data, no engine: the names the stack uses (image, network, label, Kafka topic), Kafka's
single-node KRaft settings, the healthchecks, the URLs by which the containers reach each other
and browsers reach them, and :func:`plan`, the containers in start order. ``docker-compose.yml``
describes the same stack; ``tests/test_docker_files.py`` keeps the two in step.
:mod:`collaudo.docker_engine` starts the plan, :mod:`collaudo.docker_seed` seeds it and
:mod:`collaudo.docker_stack` is the verb.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collaudo.stack import (
    DEFAULT_PORTS,
    DEMO_CREDITOR_FISCAL_CODE,
    GOVPAY_ENTE_USERNAME,
    INTERMEDIARIES,
    SIM_SECRETS,
    Intermediary,
)

# The published name; docker-compose.dev.yml builds it, and so does `up` when it is missing.
IMAGE = "ghcr.io/collaudo/collaudo:latest"
KAFKA_IMAGE = "apache/kafka:3.8.0"
NETWORK = "collaudo-up"
LABEL = "io.collaudo.up"
CONTRACTS_MOUNT = "/contracts"
KAFKA_BOOTSTRAP = "kafka:9092"
TOPIC = "payments"
PARTITIONS = 3  # room for three proxy replicas in one consumer group

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


def known_intermediary(name: str) -> Intermediary:
    """``name`` as an :data:`~collaudo.stack.Intermediary`, or a DockerStackError saying so."""
    if name not in INTERMEDIARIES:
        raise DockerStackError(
            f"unknown intermediary {name!r}: choose one of {', '.join(INTERMEDIARIES)}"
        )
    return name


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
        "govpay": {
            **contracts,
            "COLLAUDO_GOVPAY_PASSWORD": SIM_SECRETS["COLLAUDO_SIM_GOVPAY_PASSWORD"],
            # GovPay calls the checkout (POST /pagamenti) and pushes receipts to the proxy's
            # API Ente v2, both container to container.
            "COLLAUDO_GOVPAY_CHECKOUT_URL": internal_urls(ports)["checkout"],
            "COLLAUDO_GOVPAY_CREDITOR_URLS": (
                f"{DEMO_CREDITOR_FISCAL_CODE}={internal_urls(ports)['proxy']}/govpay/ente/v2"
            ),
            "COLLAUDO_GOVPAY_CREDITOR_USERNAME": GOVPAY_ENTE_USERNAME,
            "COLLAUDO_GOVPAY_CREDITOR_PASSWORD": SIM_SECRETS["COLLAUDO_SIM_GOVPAY_ENTE_PASSWORD"],
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
        # A stable name: the container restarted takes its claims (import jobs, the outbox)
        # back at once instead of waiting for their leases to expire.
        "COLLAUDO_REPLICA_ID": "proxy",
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
        sim("govpay"),
        sim("checkout"),
        sim("platform", contracts=False),
        ContainerSpec(
            "proxy", image, proxy_command, proxy_env, health_test(proxy_port), proxy_port
        ),
    ]
