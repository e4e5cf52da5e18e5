"""The Docker-engine side of ``collaudo up --docker``: :class:`DockerStack` runs a plan.

Through the Docker SDK: the images (pulled, or built from this repository's ``Dockerfile``),
one bridge network (``collaudo-up``), Kafka first (healthy, its topic created), then the other
containers of :func:`collaudo.docker_plan.plan`, each waited on until healthy; on stop
everything is removed. Every failed step raises a
:class:`~collaudo.docker_plan.DockerStackError` that says which step and what to do.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from docker.errors import APIError, ImageNotFound, NotFound

from collaudo.docker_plan import (
    CONTRACTS_MOUNT,
    CREATE_TOPIC,
    KAFKA_IMAGE,
    LABEL,
    NETWORK,
    PARTITIONS,
    TOPIC,
    ContainerSpec,
    DockerStackError,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


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
