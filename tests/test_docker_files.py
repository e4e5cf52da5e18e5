"""The Dockerfile, .dockerignore and the compose files, checked by reading them.

No Docker engine runs here, so these tests parse the files (PyYAML, the Docker SDK's own
.dockerignore matcher) and check what ``docker compose up`` and ``docker build`` would do:
services, ports, environment, healthchecks, start order, variables, secrets, and that every
command is a real ``collaudo`` verb with arguments that parse.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from docker.utils.build import PatternMatcher

from adapters.api.settings import ApiSettings
from adapters.core.replica import replica_from_env
from collaudo import docker_plan, docker_seed
from collaudo.cli import build_parser
from collaudo.commands import sim
from collaudo.stack import DEFAULT_PORTS
from simulators.common import env as env_settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DEV = ROOT / "docker-compose.dev.yml"
DOCKERFILE = ROOT / "Dockerfile"
COLLAUDO_SERVICES = ("proxy", "proxy-2", "platform", "mypay", "gpd", "govpay", "checkout")
PROXIES = ("proxy", "proxy-2")  # replicas on one PostgreSQL store
POSTGRES_IMAGE = re.compile(r"postgres:\d+(\.\d+)?-\w+")  # the official image, pinned
ONE_SHOTS = ("kafka-init", "seed")
TOKEN = "token-for-the-test"
DB_PASSWORD = "db-password-for-the-test"
# The simulators' documented demo credentials (DESIGN.md): allowed only as defaults of variables.
DEMO_SECRETS = {"sim-password", "sim-subscription-key", "sim-ente-password"}
SECRET_NAME = re.compile(r"TOKEN|PASSWORD|SECRET|_KEY\b|APIKEY", re.IGNORECASE)

# Keys of a service in the compose specification (compose-spec/schema/compose-spec.json)
# that a stack like this one may use; anything else is a typo compose would reject.
SERVICE_KEYS = {
    "build", "command", "container_name", "depends_on", "entrypoint", "env_file",
    "environment", "expose", "healthcheck", "image", "labels", "networks", "ports",
    "profiles", "pull_policy", "restart", "stop_grace_period", "stop_signal", "user",
    "volumes", "working_dir", "init", "read_only", "tmpfs", "deploy", "develop",
}  # fmt: skip
HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period", "start_interval"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
DURATION = re.compile(r"(\d+(\.\d+)?(h|m|s|ms|us|ns))+")


# -- compose variable interpolation (the subset of the spec the files may use) ---------------


class Required(Exception):
    """A ``${VAR:?message}`` variable is unset."""


_DOLLAR = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_]\w*))?")
_BRACED = re.compile(r"(?P<name>[A-Za-z_]\w*)(?:(?P<colon>:?)(?P<op>[-?])(?P<arg>.*))?", re.S)


def interpolate(text: str, env: Mapping[str, str], problems: list[str]) -> str:
    """``text`` as compose would resolve it in ``env``; bare variables go to ``problems``."""

    def resolve(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            problems.append(f"${match['named']} has neither a default nor a :? message")
            return env.get(match["named"], "")
        if match["braced"] is None:
            problems.append(f"a lone $ in {text!r} (write $$ for a literal dollar)")
            return "$"
        parts = _BRACED.fullmatch(match["braced"])
        if parts is None:
            problems.append(f"${{{match['braced']}}} is not a valid interpolation")
            return ""
        name, op, arg = parts["name"], parts["op"], parts["arg"] or ""
        value = env.get(name)
        unset = value is None or (parts["colon"] == ":" and value == "")
        if op is None:
            problems.append(f"${{{name}}} has neither a default nor a :? message")
            return value or ""
        if op == "?":
            if not arg.strip():
                problems.append(f"${{{name}:?}} says nothing about what to set")
            if unset:
                raise Required(f"{name}: {arg}")
        return arg if unset else str(value)

    return _DOLLAR.sub(resolve, text)


def resolved(node: Any, env: Mapping[str, str], problems: list[str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env, problems)
    if isinstance(node, list):
        return [resolved(item, env, problems) for item in node]
    if isinstance(node, dict):
        return {key: resolved(value, env, problems) for key, value in node.items()}
    return node


def load(path: Path, **env: str) -> dict[str, Any]:
    """The compose file as ``docker compose config`` would see it with ``env`` set."""
    raw = yaml.safe_load(path.read_text())
    problems: list[str] = []
    document = resolved(
        raw, {"COLLAUDO_API_TOKEN": TOKEN, "COLLAUDO_DB_PASSWORD": DB_PASSWORD, **env}, problems
    )
    assert problems == []
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load(COMPOSE)


def services(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    found = document["services"]
    assert isinstance(found, dict)
    return found


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the KEY=VALUE list form
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def port_mappings(service: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) per published port."""
    mappings = []
    for entry in service.get("ports", []):
        host_ip, host_port, container = str(entry).rsplit(":", 2)
        mappings.append((host_ip, int(host_port), int(container.split("/")[0])))
    return mappings


def option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}", value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")


# -- docker-compose.yml ----------------------------------------------------------------------


def test_the_compose_file_is_self_contained_from_published_images(
    compose: dict[str, Any],
) -> None:
    assert [path for path, _ in walk(compose) if path.endswith(".build")] == []
    stack = services(compose)
    assert set(stack) == {"kafka", "postgres", *ONE_SHOTS, *COLLAUDO_SERVICES}
    assert POSTGRES_IMAGE.fullmatch(stack["postgres"]["image"])
    for name in (*COLLAUDO_SERVICES, "seed"):
        assert stack[name]["image"] == docker_plan.IMAGE, name
    assert stack["kafka"]["image"] == stack["kafka-init"]["image"] == docker_plan.KAFKA_IMAGE
    assert not docker_plan.KAFKA_IMAGE.endswith(":latest")  # a public image, pinned
    # The comment says where the collaudo image comes from.
    header = COMPOSE.read_text().split("\nname:")[0]
    assert "docker-compose.dev.yml" in header and "docker-compose.override.yml" in header


def test_every_variable_has_a_default_or_says_what_to_set() -> None:
    for path in (COMPOSE, DEV):
        problems: list[str] = []
        given = {"COLLAUDO_API_TOKEN": "x", "COLLAUDO_DB_PASSWORD": "y"}
        resolved(yaml.safe_load(path.read_text()), given, problems)
        assert problems == [], path.name
    # Only the token and the database password are required; leaving one out says what to do.
    with pytest.raises(Required, match=r"COLLAUDO_API_TOKEN: set COLLAUDO_API_TOKEN .*random"):
        resolved(yaml.safe_load(COMPOSE.read_text()), {"COLLAUDO_DB_PASSWORD": "y"}, [])
    with pytest.raises(Required, match=r"COLLAUDO_DB_PASSWORD: set COLLAUDO_DB_PASSWORD .*random"):
        resolved(yaml.safe_load(COMPOSE.read_text()), {"COLLAUDO_API_TOKEN": "x"}, [])


def test_the_interpolation_check_catches_bare_variables() -> None:
    problems: list[str] = []
    assert interpolate("${A:-1}-${B}-$C-$$D", {}, problems) == "1---$D"
    assert problems == [
        "${B} has neither a default nor a :? message",
        "$C has neither a default nor a :? message",
    ]
    with pytest.raises(Required):
        interpolate("${T:?set T}", {"T": ""}, [])
    assert interpolate("${T?set T}", {"T": ""}, []) == ""


def test_the_compose_file_has_the_shape_the_compose_spec_allows(compose: dict[str, Any]) -> None:
    assert set(compose) <= {"name", "services", "volumes", "networks", "secrets", "configs"}
    assert "version" not in compose  # obsolete in the compose specification
    named_volumes = set(compose.get("volumes") or {})
    stack = services(compose)
    for name, service in stack.items():
        assert re.fullmatch(r"[a-zA-Z0-9._-]+", name)
        assert set(service) <= SERVICE_KEYS, (name, set(service) - SERVICE_KEYS)
        for key in ("command", "entrypoint"):
            if key in service:
                assert isinstance(service[key], list), f"{name}.{key}: use the exec (list) form"
                assert all(isinstance(arg, str) for arg in service[key]), f"{name}.{key}"
        health = service["healthcheck"]
        if health.get("disable"):
            assert set(health) == {"disable"}, name
        else:
            assert set(health) <= HEALTHCHECK_KEYS, name
            assert health["test"][0] in ("CMD", "CMD-SHELL"), name
            for key in ("interval", "timeout", "start_period"):
                assert DURATION.fullmatch(str(health[key])), (name, key)
            assert int(health["retries"]) >= 3
        for target, spec in (service.get("depends_on") or {}).items():
            assert target in stack, f"{name} depends on unknown {target}"
            assert set(spec) <= {"condition", "restart", "required"}
            assert spec["condition"] in CONDITIONS
        for mount in service.get("volumes", []):
            source = str(mount).split(":")[0]
            if not source.startswith((".", "/")):
                assert source in named_volumes, f"{name} mounts undeclared volume {source}"
        for host_ip, host_port, container_port in port_mappings(service):
            assert host_ip == "127.0.0.1", f"{name}: published on loopback unless COLLAUDO_BIND"
            assert 0 < host_port < 65536 and 0 < container_port < 65536
    for name in PROXIES:  # longer than the proxy's 15 s drain
        assert DURATION.fullmatch(stack[name]["stop_grace_period"]), name


def test_the_compose_file_validates_against_the_official_schema(compose: dict[str, Any]) -> None:
    schema_path = os.environ.get("COLLAUDO_COMPOSE_SCHEMA")
    if not schema_path:
        pytest.skip(
            "set COLLAUDO_COMPOSE_SCHEMA to compose-spec.json (compose-spec/compose-spec, "
            "schema/) to validate the file against the official schema"
        )
    import jsonschema

    schema = json.loads(Path(schema_path).read_text())
    schema.setdefault("properties", {}).setdefault("name", {"type": "string"})
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(compose)
    ]
    assert errors == []


def test_ports_are_design_md_defaults_and_each_process_listens_on_its_own(
    compose: dict[str, Any],
) -> None:
    stack = services(compose)
    for name, port in DEFAULT_PORTS.items():
        assert port_mappings(stack[name]) == [("127.0.0.1", port, port)], name
        command = stack[name]["command"]
        assert option(command, "--port") == str(port), name
        assert option(command, "--host") == "0.0.0.0", name
    assert port_mappings(stack["kafka"]) == [("127.0.0.1", 9094, 9094)]
    # Host ports move with variables, and the checkout's URLs for browsers move with its port.
    moved = services(
        load(
            COMPOSE,
            COLLAUDO_PROXY_PORT="18000",
            COLLAUDO_CHECKOUT_PORT="18030",
            COLLAUDO_BIND="0.0.0.0",
        )
    )
    assert port_mappings(moved["proxy"]) == [("0.0.0.0", 18000, 8000)]
    # The second replica: the same process on its own host port.
    assert port_mappings(stack["proxy-2"]) == [("127.0.0.1", 8002, 8000)]
    assert stack["proxy-2"]["command"] == stack["proxy"]["command"]
    assert "ports" not in stack["postgres"]  # reached by the proxies inside the network only
    assert port_mappings(moved["checkout"]) == [("0.0.0.0", 18030, 8030)]
    checkout = environment(moved["checkout"])
    assert checkout["COLLAUDO_CHECKOUT_PUBLIC_URL"] == "http://127.0.0.1:18030"
    assert environment(moved["mypay"])["COLLAUDO_MYPAY_CHECKOUT_URL"] == "http://127.0.0.1:18030"


def test_every_long_running_service_has_a_healthcheck_on_its_status(
    compose: dict[str, Any],
) -> None:
    stack = services(compose)
    for name, port in DEFAULT_PORTS.items():
        test = stack[name]["healthcheck"]["test"]
        assert tuple(test) == docker_plan.health_test(port), name
        assert f"http://127.0.0.1:{port}/status" in test[-1]
    assert tuple(stack["kafka"]["healthcheck"]["test"]) == docker_plan.KAFKA_HEALTH
    for name in ONE_SHOTS:
        assert stack[name]["healthcheck"] == {"disable": True}
        assert stack[name]["restart"] == "no"


def test_services_start_only_once_what_they_need_is_ready(compose: dict[str, Any]) -> None:
    stack = services(compose)

    def needs(name: str) -> dict[str, str]:
        return {t: s["condition"] for t, s in (stack[name].get("depends_on") or {}).items()}

    assert needs("kafka-init") == {"kafka": "service_healthy"}
    assert needs("platform") == {"kafka-init": "service_completed_successfully"}
    for name in PROXIES:
        assert needs(name) == {
            "postgres": "service_healthy",
            "kafka-init": "service_completed_successfully",
            "mypay": "service_healthy",
            "gpd": "service_healthy",
            "govpay": "service_healthy",
            "checkout": "service_healthy",
        }, name
    assert needs("seed") == {"proxy": "service_healthy", "checkout": "service_healthy"}
    for name in stack:
        for target, condition in needs(name).items():
            if condition == "service_healthy":
                assert not stack[target]["healthcheck"].get("disable"), (name, target)
            if condition == "service_completed_successfully":
                assert target in ONE_SHOTS, (name, target)
    # No cycles: a topological order exists.
    order: list[str] = []
    while len(order) < len(stack):
        ready = [n for n in stack if n not in order and set(needs(n)) <= set(order)]
        assert ready, f"a dependency cycle among {set(stack) - set(order)}"
        order += ready


def test_every_command_is_a_real_collaudo_verb_whose_arguments_parse(
    compose: dict[str, Any],
) -> None:
    parser = build_parser()
    stack = services(compose)
    for name in COLLAUDO_SERVICES:
        assert "entrypoint" not in stack[name]  # the image's: collaudo
        args = parser.parse_args(stack[name]["command"])
        assert callable(args.func), name
    proxy = parser.parse_args(stack["proxy"]["command"])
    assert (proxy.command, proxy.intermediary, proxy.bus) == ("proxy", "mypay", "kafka")
    for name in ("platform", "mypay", "gpd", "govpay", "checkout"):
        sim = parser.parse_args(stack[name]["command"])
        assert (sim.command, sim.simulator) == ("sim", name)
    kafka_init = stack["kafka-init"]
    topics = shlex.join(kafka_init["entrypoint"] + kafka_init["command"])
    assert shlex.join(docker_plan.CREATE_TOPIC).replace("localhost:9092", "kafka:9092") == topics


def test_the_seed_service_seeds_the_chosen_intermediary_by_service_names(
    compose: dict[str, Any],
) -> None:
    seed = services(compose)["seed"]
    assert seed["entrypoint"] == ["python", "-m", "collaudo.docker_stack"]
    args = docker_seed.seed_parser().parse_args(seed["command"])
    assert args.command == "seed" and args.intermediary == "mypay"
    expected = docker_plan.internal_urls(DEFAULT_PORTS)
    assert (args.proxy, args.checkout, args.mypay, args.gpd, args.govpay) == (
        expected["proxy"],
        expected["checkout"],
        expected["mypay"],
        expected["gpd"],
        expected["govpay"],
    )
    assert environment(seed) == {"COLLAUDO_API_TOKEN": TOKEN}
    gpd = services(load(COMPOSE, COLLAUDO_INTERMEDIARY="gpd"))
    assert docker_seed.seed_parser().parse_args(gpd["seed"]["command"]).intermediary == "gpd"
    assert option(gpd["proxy"]["command"], "--intermediary") == "gpd"


def test_the_proxy_and_the_platform_share_kafka_and_the_proxy_keeps_its_store(
    compose: dict[str, Any],
) -> None:
    stack = services(compose)
    kafka = environment(stack["kafka"])
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"]  # KRaft: no ZooKeeper
    assert not any("ZOOKEEPER" in key for key in kafka)
    assert kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    advertised: dict[str, str] = {}
    for item in kafka["KAFKA_ADVERTISED_LISTENERS"].split(","):
        protocol, address = item.split("://")
        advertised[address] = protocol
    assert advertised == {"kafka:9092": "PLAINTEXT", "localhost:9094": "PLAINTEXT_HOST"}
    # The same broker settings as `collaudo up --docker`, plus the listener for the host.
    listener_keys = {"KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS"}
    listener_keys.add("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP")
    for key, value in docker_plan.KAFKA_ENV.items():
        if key not in listener_keys:
            assert kafka[key] == value, key
    proxy_env = environment(stack["proxy"])
    assert environment(stack["platform"])["COLLAUDO_KAFKA_BOOTSTRAP"] == "kafka:9092"
    settings = ApiSettings.from_env(proxy_env)
    assert settings.bus == "kafka" and settings.kafka_bootstrap == "kafka:9092"
    assert settings.intermediary == "mypay" and settings.api_token == TOKEN
    assert settings.public_url == "http://127.0.0.1:8000"
    # Both replicas keep the one PostgreSQL store, whose data lives on the named volume; the
    # password reaches libpq as PGPASSWORD, the one the postgres service was created with.
    second_env = environment(stack["proxy-2"])
    assert {k: v for k, v in second_env.items() if k != "COLLAUDO_REPLICA_ID"} == {
        k: v for k, v in proxy_env.items() if k != "COLLAUDO_REPLICA_ID"
    }
    # Each replica a stable name of its own: a restarted container takes its claims back at
    # once; two running replicas sharing one would both think they hold the same work.
    replicas = [replica_from_env(env)[0] for env in (proxy_env, second_env)]
    assert replicas == ["proxy", "proxy-2"]
    assert settings.db_path == "postgresql://collaudo@postgres:5432/collaudo"
    database = environment(stack["postgres"])
    assert proxy_env["PGPASSWORD"] == database["POSTGRES_PASSWORD"] == DB_PASSWORD
    assert (database["POSTGRES_USER"], database["POSTGRES_DB"]) == ("collaudo", "collaudo")
    assert "volumes" not in stack["proxy"]  # nothing of the proxies' state is on their disk
    mounts = dict(str(m).split(":")[:2] for m in stack["postgres"]["volumes"])
    assert mounts == {"postgres-data": "/var/lib/postgresql/data"}
    assert set(compose["volumes"]) == {"postgres-data", "kafka-data"}
    gpd_env = environment(services(load(COMPOSE, COLLAUDO_INTERMEDIARY="gpd"))["proxy"])
    assert ApiSettings.from_env(gpd_env).intermediary == "gpd"
    govpay_env = environment(services(load(COMPOSE, COLLAUDO_INTERMEDIARY="govpay"))["proxy"])
    assert ApiSettings.from_env(govpay_env).intermediary == "govpay"


def test_the_simulators_get_the_contracts_and_matching_demo_credentials(
    compose: dict[str, Any],
) -> None:
    stack = services(compose)
    for name in ("mypay", "gpd", "govpay", "checkout"):
        assert environment(stack[name])["COLLAUDO_CONTRACTS_DIR"] == "/contracts"
        assert "../shared/contracts:/contracts:ro" in stack[name]["volumes"]
    elsewhere = services(load(COMPOSE, COLLAUDO_CONTRACTS_DIR="/srv/contracts"))
    assert "/srv/contracts:/contracts:ro" in elsewhere["mypay"]["volumes"]
    # The key the GPD simulator expects is the key the proxy sends, whatever it is set to;
    # the same for the MyPay simulator's password.
    for env in ({}, {"COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY": "another-key"}):
        stack = services(load(COMPOSE, **env))
        sent = environment(stack["proxy"])["COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY"]
        assert environment(stack["gpd"])["COLLAUDO_GPD_SUBSCRIPTION_KEY"] == sent
    for env in ({}, {"COLLAUDO_SIM_MYPAY_PASSWORD": "another-password"}):
        stack = services(load(COMPOSE, **env))
        sent = environment(stack["proxy"])["COLLAUDO_SIM_MYPAY_PASSWORD"]
        assert sent == env.get("COLLAUDO_SIM_MYPAY_PASSWORD", "sim-password")
        assert environment(stack["mypay"])["COLLAUDO_MYPAY_PASSWORD"] == sent
    # GovPay's Applicazione password both ways, and the one it presents to the proxy's API
    # Ente: what the simulator sends is what the proxy expects.
    for env in (
        {},
        {"COLLAUDO_SIM_GOVPAY_PASSWORD": "p1", "COLLAUDO_SIM_GOVPAY_ENTE_PASSWORD": "p2"},
    ):
        stack = services(load(COMPOSE, **env))
        proxy, govpay = environment(stack["proxy"]), environment(stack["govpay"])
        assert govpay["COLLAUDO_GOVPAY_PASSWORD"] == proxy["COLLAUDO_SIM_GOVPAY_PASSWORD"]
        assert proxy["COLLAUDO_SIM_GOVPAY_PASSWORD"] == env.get(
            "COLLAUDO_SIM_GOVPAY_PASSWORD", "sim-password"
        )
        sent = govpay["COLLAUDO_GOVPAY_CREDITOR_PASSWORD"]
        assert sent == proxy["COLLAUDO_SIM_GOVPAY_ENTE_PASSWORD"]
        assert sent == env.get("COLLAUDO_SIM_GOVPAY_ENTE_PASSWORD", "sim-ente-password")


def simulator_settings(
    name: str, service: Mapping[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Any:
    """The Settings `collaudo sim` builds in the container from its command and environment."""
    env = environment(service)
    for key in list(os.environ):
        if key.startswith("COLLAUDO_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = build_parser().parse_args(service["command"])
    module = sim.load(name)
    prefix = sim.prefix(module, name)
    assert env_settings.unknown(module.Settings, prefix, env, sim.extra(module)) == [], name
    settings, _ = sim.make_settings(module, args, env)
    return settings


@pytest.mark.parametrize("intermediary", ["mypay", "gpd", "govpay"])
def test_the_simulators_are_configured_by_their_variables_for_the_network(
    intermediary: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = docker_plan.station_url(intermediary, DEFAULT_PORTS)
    variables = {"COLLAUDO_INTERMEDIARY": intermediary}
    if intermediary != "mypay":  # the one choice compose cannot derive (see the file's header)
        variables["COLLAUDO_CHECKOUT_STATIONS"] = f"80000000002={station}"
    stack = services(load(COMPOSE, **variables))
    checkout = simulator_settings("checkout", stack["checkout"], monkeypatch)
    assert checkout.stations == {"80000000002": station}
    assert checkout.public_url == "http://127.0.0.1:8030"
    assert (checkout.host, checkout.port) == ("0.0.0.0", 8030)
    platform = simulator_settings("platform", stack["platform"], monkeypatch)
    assert platform.notify_url == "http://platform:8001"
    assert platform.public_url is None  # browsers' links follow the URL they asked on
    assert platform.kafka_bootstrap == "kafka:9092"
    mypay = simulator_settings("mypay", stack["mypay"], monkeypatch)
    assert mypay.checkout_url == "http://127.0.0.1:8030"
    assert [c.password for c in mypay.creditors] == ["sim-password"]
    gpd = simulator_settings("gpd", stack["gpd"], monkeypatch)
    assert gpd.subscription_key == "sim-subscription-key"
    govpay = simulator_settings("govpay", stack["govpay"], monkeypatch)
    assert (govpay.id_a2a, govpay.password) == ("A2A-COLLAUDO", "sim-password")
    # Receipts go to the proxy's API Ente v2 by service name, as the user the proxy expects.
    assert govpay.creditor_urls == {"80000000002": "http://proxy:8000/govpay/ente/v2"}
    assert (govpay.creditor_auth, govpay.creditor_username) == ("basic", "govpay")
    assert govpay.creditor_password == "sim-ente-password"
    assert govpay.checkout_url == "http://checkout:8030"
    # The seed service no longer moves the station: it is configured from the start.
    assert "stations" not in " ".join(stack["seed"]["command"])


def test_no_secret_is_written_literally_in_the_compose_files() -> None:
    for path in (COMPOSE, DEV):
        for name, service in services(yaml.safe_load(path.read_text())).items():
            for key, value in environment(service).items():
                if SECRET_NAME.search(key):  # every credential comes from a variable
                    assert re.fullmatch(r"\$\{[A-Z_]+(:[-?][^}]*)?\}", value), (name, key)
    raw = services(yaml.safe_load(COMPOSE.read_text()))
    token = environment(raw["proxy"])["COLLAUDO_API_TOKEN"]
    assert token.startswith("${COLLAUDO_API_TOKEN:?")  # required, never defaulted
    # The demo credentials appear only as the documented defaults of their variables.
    text = COMPOSE.read_text()
    text = text.replace("${COLLAUDO_SIM_MYPAY_PASSWORD:-sim-password}", "")
    text = text.replace("${COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY:-sim-subscription-key}", "")
    text = text.replace("${COLLAUDO_SIM_GOVPAY_PASSWORD:-sim-password}", "")
    text = text.replace("${COLLAUDO_SIM_GOVPAY_ENTE_PASSWORD:-sim-ente-password}", "")
    for secret in DEMO_SECRETS:
        assert secret not in text and secret not in DEV.read_text()


@pytest.mark.parametrize("intermediary", ["mypay", "gpd", "govpay"])
def test_compose_and_up_docker_run_the_same_processes(intermediary: str) -> None:
    variables = {"COLLAUDO_INTERMEDIARY": intermediary}
    if intermediary != "mypay":
        station = docker_plan.station_url(intermediary, DEFAULT_PORTS)
        variables["COLLAUDO_CHECKOUT_STATIONS"] = f"80000000002={station}"
    stack = services(load(COMPOSE, **variables))
    planned = docker_plan.plan(
        intermediary, DEFAULT_PORTS, api_token=TOKEN, public_host="127.0.0.1", image="i"
    )
    # Compose runs the proxies on PostgreSQL; `up --docker` keeps one proxy on SQLite.
    store = {"COLLAUDO_DB", "PGPASSWORD"}
    for spec in planned:
        service = stack[spec.service]
        assert tuple(service.get("command", ())) == spec.command, spec.service
        assert tuple(service["healthcheck"]["test"]) == spec.health, spec.service
        env = environment(service)
        assert set(env) - store == set(spec.environment) - store, spec.service
        for key, value in spec.environment.items():
            if key in store or key.startswith(("KAFKA_LISTENER", "KAFKA_ADVERTISED")):
                continue  # + a host listener
            assert env[key] == value, (spec.service, key)


# -- docker-compose.dev.yml ------------------------------------------------------------------


def test_the_dev_override_builds_the_image_from_this_repository(compose: dict[str, Any]) -> None:
    dev = services(load(DEV))
    main = services(compose)
    collaudo_image = {n for n, s in main.items() if s.get("image") == docker_plan.IMAGE}
    assert {n for n, s in dev.items() if "build" in s} == collaudo_image
    for name in collaudo_image:
        build = dev[name]["build"]
        assert (DEV.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
        assert environment(dev[name])["PYTHONPATH"] == "/app"
        mounted = {str(m).split(":")[0].lstrip("./") for m in dev[name]["volumes"]}
        assert mounted == set(pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    for name, service in dev.items():
        if name not in main:  # a dev tool: a public image with a healthcheck
            assert "image" in service and "build" not in service, name
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
            assert all(t in main for t in service.get("depends_on", {})), name


# -- Dockerfile and .dockerignore ------------------------------------------------------------


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert pending == ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def final_stage() -> list[tuple[str, str]]:
    found = instructions()
    last_from = max(i for i, (op, _) in enumerate(found) if op == "FROM")
    return found[last_from:]


def test_the_image_is_python_slim_and_runs_as_an_unprivileged_user() -> None:
    bases = [args.split()[0] for op, args in instructions() if op == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases)
    stage = final_stage()
    users = [args for op, args in stage if op == "USER"]
    assert users, "the final stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    created = " ".join(args for op, args in stage if op == "RUN")
    assert f"--uid {user}" in created  # the user exists in the image
    ops = [op for op, _ in stage]
    assert ops.index("USER") < ops.index("ENTRYPOINT")


def test_the_image_runs_collaudo_exposes_the_ports_and_checks_its_health() -> None:
    stage = dict(final_stage())
    assert json.loads(stage["ENTRYPOINT"]) == ["collaudo"]
    default = build_parser().parse_args(json.loads(stage["CMD"]))
    assert default.command == "proxy" and default.host == "0.0.0.0"
    assert {int(p) for p in stage["EXPOSE"].split()} >= set(DEFAULT_PORTS.values())
    assert stage["STOPSIGNAL"] == "SIGTERM"
    healthcheck = stage["HEALTHCHECK"]
    assert re.search(r"--interval=\d+s", healthcheck) and "CMD" in healthcheck
    assert "COLLAUDO_HEALTH_URL" in healthcheck
    env = " ".join(args for op, args in final_stage() if op == "ENV")
    assert "COLLAUDO_HEALTH_URL=http://127.0.0.1:8000/status" in env


def test_the_image_installs_the_project_without_dev_extras_or_secrets() -> None:
    text = " ".join(args for _, args in instructions())
    assert "pip install" in text
    assert "[dev]" not in text
    for tool in pyproject()["project"]["optional-dependencies"]["dev"]:
        name = re.split(r"[<>=\[ ]", tool)[0]
        assert name not in text, f"the dev tool {name} is installed in the image"
    for op, args in instructions():
        if op in ("ENV", "ARG"):
            names = re.findall(r"([A-Z_][A-Z0-9_]*)=", args) or [args.split()[0]]
            assert not [n for n in names if SECRET_NAME.search(n)], args
    for secret in DEMO_SECRETS:
        assert secret not in DOCKERFILE.read_text()


def test_what_the_dockerfile_copies_is_in_the_build_context() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    ignored = PatternMatcher(patterns).matches
    copied: set[str] = set()
    for op, args in instructions():
        if op == "COPY" and "--from" not in args:
            copied.update(args.split()[:-1])
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not ignored(source), f".dockerignore leaves {source} out of the build context"
    packages = pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert set(packages) | {"pyproject.toml", pyproject()["project"]["readme"]} <= copied
    for local in (".venv/bin/python", ".collaudo/proxy.sqlite", "reports/junit.xml", ".git/HEAD"):
        assert ignored(local), f"{local} would be sent to the engine"
    for secret in (".env", "simulators/.env", "adapters/__pycache__/x.cpython-311.pyc"):
        assert ignored(secret), secret
