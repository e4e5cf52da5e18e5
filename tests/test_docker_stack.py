"""``collaudo up --docker`` (collaudo.docker_*): no engine for real, an engine faked.

No Docker engine runs here. The no-engine answer is tested for real (DOCKER_HOST at a socket
that does not exist); the orchestration is tested against a fake ``docker.DockerClient`` that
records every call, so the order (image, network, Kafka, health, topic, services, health,
seed, teardown) and what each container is given are checked. Seeding is tested against the
real proxy and checkout apps in process.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker.errors import APIError, ImageNotFound, NotFound
from starlette.testclient import TestClient

from adapters.api.app import create_app as create_proxy
from adapters.api.settings import ApiSettings
from adapters.core.bus import MemoryBus
from collaudo import docker_engine, docker_plan, docker_seed, docker_stack
from collaudo.docker_plan import DockerStackError
from collaudo.docker_seed import SeedTarget
from collaudo.stack import DEFAULT_PORTS, DEMO_SERVICES, DEMO_TENANT_ID, SIM_SECRETS
from simulators.checkout import app as checkout_sim

TOKEN = "docker-test-token"
Event = tuple[str, ...]


# -- a fake Docker client --------------------------------------------------------------------


class FakeContainer:
    def __init__(self, engine: FakeEngine, image: str, options: dict[str, Any]) -> None:
        self.engine = engine
        self.image = image
        self.options = options
        self.name = options["name"]
        self.service = options["labels"][f"{docker_plan.LABEL}.service"]
        self.status = "created"
        self.attrs: dict[str, Any] = {"State": {"Status": "created"}}
        self.looks = 0

    def start(self) -> None:
        self.engine.log("start", self.service)
        if self.service in self.engine.refuse_start:
            raise APIError("500", explanation=self.engine.refuse_start[self.service])
        self.status = "running"

    def reload(self) -> None:
        self.looks += 1
        fate = self.engine.fates.get(self.service, "healthy")
        if self.status != "running":
            self.attrs = {"State": {"Status": self.status}}
            return
        if fate == "exits" and self.looks >= 2:
            self.status = "exited"
            self.attrs = {"State": {"Status": "exited", "ExitCode": 3}}
            return
        health = (
            "starting" if self.looks < 2 else ("unhealthy" if fate == "unhealthy" else "healthy")
        )
        if health == "healthy" and self.looks == 2:
            self.engine.log("healthy", self.service)
        self.attrs = {"State": {"Status": "running", "Health": {"Status": health}}}

    def exec_run(self, command: list[str]) -> tuple[int, bytes]:
        self.engine.log("exec", self.service, *command)
        return self.engine.topic_result

    def logs(self, tail: int) -> bytes:
        return f"{self.service} starting\nTraceback: {self.service} broke\n".encode()

    def stop(self, timeout: int) -> None:
        self.engine.log("stop", self.service, str(timeout))
        self.status = "exited"

    def remove(self, v: bool = False, force: bool = False) -> None:
        self.engine.log("remove", self.service)
        self.engine.containers.alive.remove(self)


class FakeContainers:
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.alive: list[Any] = []

    def create(self, image: str, **options: Any) -> FakeContainer:
        container = FakeContainer(self.engine, image, options)
        self.engine.log("create", container.service)
        self.engine.created[container.service] = container
        self.alive.append(container)
        return container

    def list(self, all: bool = False, filters: dict[str, str] | None = None) -> list[Any]:
        assert filters == {"label": docker_plan.LABEL}
        return list(self.alive)


class FakeNetwork:
    def __init__(self, engine: FakeEngine, name: str, labels: dict[str, str]) -> None:
        self.engine = engine
        self.name = name
        self.attrs = {"Labels": labels}

    def remove(self) -> None:
        self.engine.log("network-remove", self.name)
        self.engine.networks.existing.remove(self)


class FakeNetworks:
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.existing: list[FakeNetwork] = []

    def create(self, name: str, driver: str, labels: dict[str, str]) -> FakeNetwork:
        assert driver == "bridge"
        self.engine.log("network-create", name)
        network = FakeNetwork(self.engine, name, labels)
        self.existing.append(network)
        return network

    def list(self, names: list[str]) -> list[FakeNetwork]:
        return [n for n in self.existing if n.name in names]


class FakeImages:
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.present = {docker_plan.IMAGE, docker_plan.KAFKA_IMAGE}

    def get(self, name: str) -> object:
        self.engine.log("image-get", name)
        if name not in self.present:
            raise ImageNotFound(f"no such image: {name}")
        return object()

    def pull(self, repository: str, tag: str) -> object:
        self.engine.log("pull", f"{repository}:{tag}")
        self.present.add(f"{repository}:{tag}")
        return object()


class FakeApi:
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine

    def build(self, path: str, tag: str, rm: bool, decode: bool) -> Iterator[dict[str, Any]]:
        self.engine.log("build", tag, path)
        yield {"stream": "Step 1/20 : FROM python:3.11-slim AS build\n"}
        yield {"stream": "Collecting starlette>=0.40\n"}
        if self.engine.build_error:
            yield {"error": self.engine.build_error, "errorDetail": {}}
            return
        yield {"stream": 'Step 20/20 : CMD ["proxy"]\n'}
        yield {"stream": f"Successfully tagged {tag}\n"}
        self.engine.images.present.add(tag)


class FakeEngine:
    """What ``docker.from_env()`` returns, enough for DockerStack; records every call."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.created: dict[str, FakeContainer] = {}
        self.fates: dict[str, str] = {}  # service -> healthy | unhealthy | exits
        self.refuse_start: dict[str, str] = {}  # service -> the engine's explanation
        self.topic_result: tuple[int, bytes] = (0, b"Created topic payments.")
        self.build_error = ""
        self.containers = FakeContainers(self)
        self.networks = FakeNetworks(self)
        self.images = FakeImages(self)
        self.api = FakeApi(self)

    def log(self, *event: str) -> None:
        self.events.append(event)

    def kinds(self, *kinds: str) -> list[Event]:
        return [e for e in self.events if e[0] in kinds]


class Run:
    """One ``up`` against a FakeEngine, with the seeder and the wait recorded."""

    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.seeded: list[SeedTarget] = []
        self.seed_error: BaseException | None = None
        self.after_ready: str | None = None  # what the wait reports (a dead container)
        self.checked: list[str | None] = []

    def seeder(self, target: SeedTarget) -> None:
        self.engine.log("seed", target.intermediary)
        self.seeded.append(target)
        if self.seed_error is not None:
            raise self.seed_error

    def wait(self, check: Any) -> str | None:
        self.engine.log("wait")
        self.checked.append(check())
        return self.after_ready

    def __call__(self, intermediary: str = "mypay", **kwargs: Any) -> int:
        options: dict[str, Any] = {"api_token": TOKEN, **kwargs}
        return docker_stack.up(
            intermediary,
            options.pop("ports", DEFAULT_PORTS),
            client=self.engine,
            out=self.out,
            err=self.err,
            seeder=self.seeder,
            wait=self.wait,
            poll=0,
            **options,
        )


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def run(engine: FakeEngine) -> Run:
    return Run(engine)


# -- no engine, for real ---------------------------------------------------------------------


def test_without_an_engine_one_sentence_says_so_and_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    socket = tmp_path / "no-docker-here.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{socket}")
    for name in ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    out, err = io.StringIO(), io.StringIO()
    assert docker_stack.up("mypay", DEFAULT_PORTS, out=out, err=err) == 2
    assert out.getvalue() == ""
    message = err.getvalue()
    assert message.count("\n") == 1 and message.count(". ") == 0  # one sentence
    assert f"no Docker engine answers at unix://{socket}" in message
    assert "set DOCKER_HOST" in message and "`collaudo up` without --docker" in message
    assert docker_stack.connect() is None


def test_arguments_that_cannot_work_are_refused_before_touching_the_engine(
    engine: FakeEngine, run: Run
) -> None:
    assert run("mypay", ports={**DEFAULT_PORTS, "gpd": 8010}) == 2
    assert "same port" in run.err.getvalue()
    assert run("mypay", ports={**DEFAULT_PORTS, "proxy": 0}) == 2
    assert "--proxy-port 0" in run.err.getvalue()
    assert run("satispay") == 2
    assert engine.events == []


@pytest.mark.parametrize("intermediary", ["mypay", "gpd"])
def test_a_moved_checkout_port_reaches_the_simulators_that_link_to_it(
    intermediary: str, engine: FakeEngine, run: Run
) -> None:
    moved = {**DEFAULT_PORTS, "checkout": 18030, "platform": 18001}
    assert run(intermediary, ports=moved) == 0, run.err.getvalue()
    env = {name: engine.created[name].options["environment"] for name in DEFAULT_PORTS}
    # Browsers get the published port; containers call each other by service name.
    assert env["checkout"]["COLLAUDO_CHECKOUT_PUBLIC_URL"] == "http://127.0.0.1:18030"
    assert env["mypay"]["COLLAUDO_MYPAY_CHECKOUT_URL"] == "http://127.0.0.1:18030"
    assert env["platform"]["COLLAUDO_PLATFORM_NOTIFY_URL"] == "http://platform:18001"
    station = f"http://{intermediary}:{DEFAULT_PORTS[intermediary]}/pagopa/paForNode"
    assert env["checkout"]["COLLAUDO_CHECKOUT_STATIONS"] == f"80000000002={station}"


# -- the orchestration -----------------------------------------------------------------------


def test_the_stack_starts_in_order_then_everything_is_removed(engine: FakeEngine, run: Run) -> None:
    assert run() == 0, run.err.getvalue()
    flow = [
        e[:2]
        for e in engine.kinds("network-create", "create", "healthy", "exec", "seed", "wait")
        + engine.kinds("stop", "network-remove")
    ]
    services = ["mypay", "gpd", "govpay", "checkout", "platform", "proxy"]
    assert flow == [
        ("network-create", docker_plan.NETWORK),
        ("create", "kafka"),
        ("healthy", "kafka"),
        ("exec", "kafka"),
        *[("create", name) for name in services],
        *[("healthy", name) for name in services],
        ("seed", "mypay"),
        ("wait",),
        *[("stop", name) for name in reversed(["kafka", *services])],
        ("network-remove", docker_plan.NETWORK),
    ]
    # The real order of events, not just the grouping above.
    order = [e[:2] for e in engine.events]
    assert order.index(("healthy", "kafka")) < order.index(("create", "mypay"))
    assert order.index(("exec", "kafka")) < order.index(("create", "platform"))
    assert max(order.index(("healthy", n)) for n in services) < order.index(("seed", "mypay"))
    assert order.index(("wait",)) < order.index(("stop", "proxy"))
    assert engine.containers.alive == [] and engine.networks.existing == []
    assert run.checked == [None]  # a whole stack has nothing to report


def test_each_container_gets_its_command_ports_network_name_and_healthcheck(
    engine: FakeEngine, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLLAUDO_CONTRACTS_DIR", str(tmp_path))
    assert run("gpd", host="0.0.0.0") == 0
    made = engine.created
    kafka = made["kafka"].options
    assert made["kafka"].image == docker_plan.KAFKA_IMAGE and "ports" not in kafka
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    topic = engine.kinds("exec")[0]
    assert "--create" in topic and "payments" in topic and "--if-not-exists" in topic
    for name, port in DEFAULT_PORTS.items():
        options = made[name].options
        assert made[name].image == docker_plan.IMAGE
        assert options["name"] == f"{docker_plan.NETWORK}-{name}"
        assert options["network"] == docker_plan.NETWORK
        assert options["networking_config"] == {docker_plan.NETWORK: {"Aliases": [name]}}
        assert options["ports"] == {f"{port}/tcp": ("0.0.0.0", port)}
        assert options["command"][options["command"].index("--port") + 1] == str(port)
        check = options["healthcheck"]
        assert check["test"] == list(docker_plan.health_test(port))
        assert check["interval"] == 2_000_000_000  # nanoseconds, as the Engine API wants
    proxy = made["proxy"].options
    assert proxy["command"][:5] == ["proxy", "--intermediary", "gpd", "--bus", "kafka"]
    env = proxy["environment"]
    assert env["COLLAUDO_API_TOKEN"] == TOKEN
    assert env["COLLAUDO_KAFKA_BOOTSTRAP"] == "kafka:9092" and env["COLLAUDO_BUS"] == "kafka"
    assert env["COLLAUDO_PUBLIC_URL"] == "http://127.0.0.1:8000"  # browsers use loopback
    assert made["platform"].options["environment"] == {
        "COLLAUDO_KAFKA_BOOTSTRAP": "kafka:9092",
        "COLLAUDO_PLATFORM_NOTIFY_URL": "http://platform:8001",
    }
    gpd_key = made["gpd"].options["environment"]["COLLAUDO_GPD_SUBSCRIPTION_KEY"]
    assert gpd_key == env["COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY"]
    password = made["mypay"].options["environment"]["COLLAUDO_MYPAY_PASSWORD"]
    assert password == env["COLLAUDO_SIM_MYPAY_PASSWORD"]
    checkout = made["checkout"].options["environment"]
    assert checkout["COLLAUDO_CHECKOUT_STATIONS"] == "80000000002=http://gpd:8020/pagopa/paForNode"
    assert checkout["COLLAUDO_CHECKOUT_PUBLIC_URL"] == "http://127.0.0.1:8030"
    mount = {str(tmp_path.resolve()): {"bind": "/contracts", "mode": "ro"}}
    for name in ("mypay", "gpd", "checkout"):
        assert made[name].options["volumes"] == mount
    assert "volumes" not in proxy
    # The seeder reaches the published ports; the bodies name the in-network URLs.
    (target,) = run.seeded
    assert (target.proxy_url, target.checkout_url) == (
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8030",
    )
    assert target.internal["gpd"] == "http://gpd:8020" and target.api_token == TOKEN


def test_every_url_is_printed_once_ready(run: Run) -> None:
    assert run() == 0
    out = run.out.getvalue()
    ready = out.index("ready: ")
    for url in (
        "http://127.0.0.1:8001/",
        "http://127.0.0.1:8000/docs",
        "http://127.0.0.1:8010/ws/pa?wsdl",
        "http://127.0.0.1:8020/gpd/debt-positions-service/v1",
        "http://127.0.0.1:8030/checkout/ec/v1/carts",
    ):
        assert -1 < out.index(url) < ready, url
    assert "kafka:9092 topic payments" in out
    assert "from COLLAUDO_API_TOKEN" in out and TOKEN not in out
    assert out.rstrip().endswith("stopped.")


def test_a_generated_token_is_printed_so_a_person_can_use_the_api(run: Run) -> None:
    assert run(api_token=None) == 0
    token = run.seeded[0].api_token
    assert len(token) >= 24
    assert "proxy API token (generated)" in run.out.getvalue()
    assert token in run.out.getvalue()
    assert run.engine.created["proxy"].options["environment"]["COLLAUDO_API_TOKEN"] == token


def test_a_missing_image_is_built_with_progress_and_kafka_is_pulled(
    engine: FakeEngine, run: Run
) -> None:
    engine.images.present.clear()
    assert run() == 0
    assert engine.kinds("build") == [("build", docker_plan.IMAGE, str(docker_engine.REPO_ROOT))]
    assert engine.kinds("pull") == [("pull", docker_plan.KAFKA_IMAGE)]
    order = [e[0] for e in engine.events]
    assert order.index("build") < order.index("network-create")
    out = run.out.getvalue()
    assert "Step 1/20" in out and "Successfully tagged" in out
    assert "Collecting starlette" not in out  # pip's chatter stays out


def test_a_failed_build_starts_nothing(engine: FakeEngine, run: Run) -> None:
    engine.images.present.discard(docker_plan.IMAGE)
    engine.build_error = "The command '/bin/sh -c pip install .' returned a non-zero code: 1"
    assert run() == 1
    assert "building ghcr.io/collaudo/collaudo:latest failed: The command" in run.err.getvalue()
    assert engine.kinds("network-create", "create") == []


def test_no_dockerfile_and_no_image_says_how_to_get_one(
    engine: FakeEngine, tmp_path: Path, run: Run
) -> None:
    engine.images.present.discard(docker_plan.IMAGE)
    stack = docker_engine.DockerStack(engine, [], build_context=tmp_path, out=io.StringIO())
    with pytest.raises(DockerStackError, match=r"docker pull ghcr.io/collaudo/collaudo:latest"):
        stack._build(docker_plan.IMAGE)


def test_an_unhealthy_container_stops_the_start_and_shows_its_log(
    engine: FakeEngine, run: Run
) -> None:
    engine.fates["proxy"] = "unhealthy"
    assert run() == 1
    err = run.err.getvalue()
    assert "the proxy container is unhealthy" in err
    assert "  | Traceback: proxy broke" in err
    assert engine.kinds("seed", "wait") == []
    assert engine.containers.alive == [] and engine.networks.existing == []


def test_a_container_that_exits_while_starting_is_reported(engine: FakeEngine, run: Run) -> None:
    engine.fates["kafka"] = "exits"
    assert run() == 1
    assert "the kafka container stopped (exit code 3)" in run.err.getvalue()
    assert [e[1] for e in engine.kinds("create")] == ["kafka"]
    assert engine.kinds("remove") == [("remove", "kafka")]


def test_a_taken_port_names_the_option_to_change(engine: FakeEngine, run: Run) -> None:
    engine.refuse_start["gpd"] = (
        "driver failed programming external connectivity on endpoint collaudo-up-gpd: "
        "Bind for 127.0.0.1:8020 failed: port is already allocated"
    )
    assert run() == 1
    err = run.err.getvalue()
    assert "the gpd container did not start: port 8020 on 127.0.0.1 is taken" in err
    assert "--gpd-port" in err
    # The container was created, so it is removed too.
    assert ("remove", "gpd") in engine.events and engine.containers.alive == []


def test_a_failed_topic_creation_is_reported(engine: FakeEngine, run: Run) -> None:
    engine.topic_result = (1, b"Error while executing topic command: timed out")
    assert run() == 1
    assert "creating the Kafka topic payments failed: Error while" in run.err.getvalue()


def test_a_failed_seed_or_ctrl_c_while_starting_still_removes_everything(
    engine: FakeEngine, run: Run
) -> None:
    run.seed_error = DockerStackError("seeding the proxy's tenants failed: HTTP 422 bad")
    assert run() == 1
    assert "HTTP 422 bad" in run.err.getvalue()
    assert engine.containers.alive == [] and engine.networks.existing == []
    interrupted = Run(FakeEngine())
    interrupted.seed_error = KeyboardInterrupt()
    assert interrupted() == 130
    assert interrupted.engine.containers.alive == []


def test_a_container_dying_after_start_is_reported_and_the_stack_removed(run: Run) -> None:
    run.after_ready = "the platform container stopped (exit code 1); the end of its log:"
    assert run() == 1
    assert "the platform container stopped" in run.err.getvalue()
    assert run.engine.containers.alive == []


def test_check_notices_a_stopped_container(engine: FakeEngine, run: Run) -> None:
    assert run() == 0
    stack = docker_engine.DockerStack(engine, [], out=io.StringIO())
    container = engine.containers.create(
        "i", name="x", labels={f"{docker_plan.LABEL}.service": "gpd"}
    )
    container.status = "running"
    stack.started.append(("gpd", container))
    container.looks = 5
    assert stack.check() is None
    container.status = "exited"
    assert (stack.check() or "").startswith("the gpd container stopped")


def test_leftovers_of_an_earlier_run_are_removed_first(engine: FakeEngine, run: Run) -> None:
    engine.containers.create(
        "old", name="collaudo-up-proxy", labels={f"{docker_plan.LABEL}.service": "proxy"}
    )
    engine.networks.existing.append(
        FakeNetwork(engine, docker_plan.NETWORK, {docker_plan.LABEL: "1"})
    )
    engine.events.clear()
    assert run() == 0
    first = [e[0] for e in engine.events[:5]]
    assert first.count("remove") == 1 and "network-remove" in first
    assert "removing collaudo-up-proxy, left over by an earlier run" in run.out.getvalue()


def test_a_foreign_network_with_our_name_is_left_alone(engine: FakeEngine, run: Run) -> None:
    engine.networks.existing.append(FakeNetwork(engine, docker_plan.NETWORK, {}))
    assert run() == 1
    assert "docker network rm collaudo-up" in run.err.getvalue()
    assert len(engine.networks.existing) == 1 and engine.kinds("create") == []


def test_teardown_goes_on_when_a_container_is_already_gone(engine: FakeEngine) -> None:
    class Gone(FakeContainer):
        def stop(self, timeout: int) -> None:
            raise NotFound("gone")

    stack = docker_engine.DockerStack(engine, [], out=io.StringIO())
    gone = Gone(engine, "i", {"name": "a", "labels": {f"{docker_plan.LABEL}.service": "a"}})
    other = engine.containers.create("i", name="b", labels={f"{docker_plan.LABEL}.service": "b"})
    stack.started += [("b", other), ("a", gone)]
    stack.stop()
    assert ("remove", "b") in engine.events and stack.started == []


# -- waiting for Ctrl-C / SIGTERM ------------------------------------------------------------


def test_waiting_ends_on_sigterm_or_when_a_container_dies() -> None:
    looked: list[int] = []

    def check() -> str | None:
        # SIGTERM arrives while waiting (the handler is installed by then), as from `docker stop`.
        if not looked:
            os.kill(os.getpid(), signal.SIGTERM)
        looked.append(1)
        return None

    before = signal.getsignal(signal.SIGTERM)
    assert docker_stack.wait_for_stop(check, poll=0.01) is None
    assert signal.getsignal(signal.SIGTERM) == before  # put back as it was
    looks = iter([None, None, "the mypay container stopped"])
    assert (
        docker_stack.wait_for_stop(lambda: next(looks), poll=0.01) == "the mypay container stopped"
    )


# -- seeding, against the real proxy and checkout --------------------------------------------


@pytest.mark.parametrize("intermediary", ["mypay", "gpd"])
def test_seeding_configures_the_proxy_and_the_nodo_with_service_names(
    intermediary: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SIM_SECRETS.items():
        monkeypatch.setenv(name, value)
    proxy_app = create_proxy(
        ApiSettings(api_token=TOKEN, db_path=tmp_path / "proxy.sqlite", intermediary=intermediary),
        bus=MemoryBus(),
    )
    target = SeedTarget(
        intermediary,
        TOKEN,
        proxy_url="http://127.0.0.1:8000",
        checkout_url="http://127.0.0.1:8030",
        internal=docker_plan.internal_urls(DEFAULT_PORTS),
    )
    station = f"http://{intermediary}:{DEFAULT_PORTS[intermediary]}/pagopa/paForNode"
    # The checkout as the containers start it: its stations from the environment.
    variables = docker_plan.simulator_environment(intermediary, DEFAULT_PORTS, "127.0.0.1")
    checkout_settings = checkout_sim.Settings(
        stations=dict([variables["checkout"]["COLLAUDO_CHECKOUT_STATIONS"].split("=", 1)])
    )
    with (
        TestClient(proxy_app) as proxy,
        TestClient(checkout_sim.create_app(checkout_settings)) as checkout,
    ):
        docker_seed.seed(target, proxy=proxy, checkout=checkout)
        docker_seed.seed(target, proxy=proxy, checkout=checkout)  # again: updates, no error
        auth = {"Authorization": f"Bearer {TOKEN}"}
        tenant = proxy.get(f"/tenants/{DEMO_TENANT_ID}", headers=auth).json()
        for service in DEMO_SERVICES:
            assert proxy.get(f"/services/{service.id}", headers=auth).status_code == 200
        stations = checkout.get("/_admin/stations").json()
    if intermediary == "mypay":
        assert tenant["mypay_wsdl_url"] == "http://mypay:8010/ws/pa?wsdl"
    else:
        assert tenant["gpd_base_url"] == "http://gpd:8020/gpd/debt-positions-service/v1"
        assert tenant["checkout_base_url"] == "http://checkout:8030/checkout/ec/v1"
    assert stations == {"80000000002": station}  # seeding checks it, never changes it


def test_seeding_stops_when_the_nodo_calls_another_station(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SIM_SECRETS.items():
        monkeypatch.setenv(name, value)
    proxy_app = create_proxy(
        ApiSettings(api_token=TOKEN, db_path=tmp_path / "proxy.sqlite", intermediary="gpd"),
        bus=MemoryBus(),
    )
    internal = docker_plan.internal_urls(DEFAULT_PORTS)
    target = SeedTarget("gpd", TOKEN, "http://p", "http://c", internal)
    mypay_station = checkout_sim.Settings(
        stations={"80000000002": "http://mypay:8010/pagopa/paForNode"}
    )
    with TestClient(proxy_app) as proxy:
        with (
            TestClient(checkout_sim.create_app(mypay_station)) as checkout,
            pytest.raises(DockerStackError) as info,
        ):
            docker_seed.seed(target, proxy=proxy, checkout=checkout)
        assert str(info.value) == (
            "the checkout's Nodo calls http://mypay:8010/pagopa/paForNode for creditor "
            "80000000002, not the gpd simulator's station: start the checkout with "
            "COLLAUDO_CHECKOUT_STATIONS=80000000002=http://gpd:8020/pagopa/paForNode"
        )
        with (
            TestClient(checkout_sim.create_app(checkout_sim.Settings(stations={}))) as empty,
            pytest.raises(DockerStackError, match="the checkout's Nodo knows no station"),
        ):
            docker_seed.seed(target, proxy=proxy, checkout=empty)


def test_seeding_with_a_wrong_token_says_so_without_showing_it(tmp_path: Path) -> None:
    proxy_app = create_proxy(
        ApiSettings(api_token="the-right-one", db_path=tmp_path / "p.sqlite", intermediary="gpd"),
        bus=MemoryBus(),
    )
    target = SeedTarget(
        "gpd", "the-wrong-one", "http://p", "http://c", docker_plan.internal_urls(DEFAULT_PORTS)
    )
    with TestClient(proxy_app) as proxy, TestClient(checkout_sim.create_app()) as checkout:
        with pytest.raises(
            DockerStackError, match="seeding the proxy's tenants failed: HTTP 401"
        ) as info:
            docker_seed.seed(target, proxy=proxy, checkout=checkout)
    assert "the-wrong-one" not in str(info.value) and "the-right-one" not in str(info.value)
    assert "the-wrong-one" not in repr(target)


def test_seeding_an_unreachable_proxy_is_a_plain_error() -> None:
    internal = docker_plan.internal_urls(DEFAULT_PORTS)
    target = SeedTarget("mypay", TOKEN, "http://127.0.0.1:1", "http://127.0.0.1:1", internal)
    with pytest.raises(DockerStackError, match="seeding the stack failed"):
        docker_seed.seed(target)


def test_the_seed_entry_point_needs_the_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("COLLAUDO_API_TOKEN", raising=False)
    assert docker_seed.main(["seed"]) == 2
    assert "set COLLAUDO_API_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("COLLAUDO_API_TOKEN", TOKEN)
    assert docker_seed.main(["seed", "--proxy", "http://127.0.0.1:1"]) == 1
    assert "seed: seeding the stack failed" in capsys.readouterr().err


def test_the_compose_entrypoint_runs_the_seeder() -> None:
    """docker-compose.yml's seed service runs ``python -m collaudo.docker_stack seed``."""
    env = {k: v for k, v in os.environ.items() if k != "COLLAUDO_API_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "collaudo.docker_stack", "seed"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 2
    assert done.stderr == "seed: set COLLAUDO_API_TOKEN to the proxy's bearer token\n"
