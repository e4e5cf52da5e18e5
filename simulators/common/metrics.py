"""Prometheus metrics of one simulator, in its own registry, served at ``/metrics``.

So a load test can be watched from the outside, as the proxy's ``/metrics`` is: requests
and latency per operation (an operation is what the simulator's wire contract calls one:
the SOAP action, or the route template, never a raw path with ids in it), the faults
injected, and the sizes of the simulator's state. One registry per simulator, never the
global one: the stack runs several simulators in one process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulators.common.faults import FaultState

__all__ = ["MetricsMiddleware", "SimulatorMetrics", "metrics_route", "route_operation"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Simulators answer in microseconds to seconds (the slow-response and timeout faults).
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class _StateCollector(Collector):
    """Read at scrape time: the faults injected and the state sizes, no bookkeeping per call."""

    def __init__(
        self, simulator: str, faults: Iterable[FaultState], sizes: Callable[[], Mapping[str, int]]
    ) -> None:
        self.simulator = simulator
        self.faults = list(faults)
        self.sizes = sizes

    def collect(self) -> Iterator[Metric]:
        injected = CounterMetricFamily(
            "simulator_faults_injected",
            "Faults injected since the simulator started, by fault",
            labels=["simulator", "fault"],
        )
        totals: dict[str, int] = {}
        for state in self.faults:
            for name, count in list(state.injected.items()):
                totals[name] = totals.get(name, 0) + count
        for name, count in sorted(totals.items()):
            injected.add_metric([self.simulator, name], count)
        yield injected
        sizes = GaugeMetricFamily(
            "simulator_state_size",
            "How much the simulator holds now, by kind (positions, sessions, ...)",
            labels=["simulator", "kind"],
        )
        for kind, size in sorted(self.sizes().items()):
            sizes.add_metric([self.simulator, kind], size)
        yield sizes


class SimulatorMetrics:
    """The metrics of one simulator; ``registry`` is what ``/metrics`` exposes."""

    def __init__(
        self,
        simulator: str,
        faults: Iterable[FaultState] = (),
        sizes: Callable[[], Mapping[str, int]] = dict,
    ) -> None:
        self.simulator = simulator
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "simulator_requests",
            "Requests answered, by operation and HTTP status",
            ["simulator", "operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "simulator_request_duration_seconds",
            "Time from the request's arrival to the end of the answer, by operation",
            ["simulator", "operation"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_StateCollector(simulator, faults, sizes))
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}

    def observe(self, operation: str, status: int, seconds: float) -> None:
        """One request answered."""
        children = self._children.get((operation, status))
        if children is None:  # labels() looks up under a lock: once per pair, not per call
            children = self._children[(operation, status)] = (
                self.requests.labels(self.simulator, operation, str(status)),
                self.latency.labels(self.simulator, operation),
            )
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The registry in the Prometheus text exposition format."""
        return generate_latest(self.registry)


def route_operation(scope: Scope) -> str:
    """The operation of a request Starlette routed: method and route template (bounded)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:  # nothing matched (404) or not routed by Starlette
        return f"{scope.get('method', '-')} (unrouted)"
    return f"{scope.get('method', '-')} {path or '/'}"


class MetricsMiddleware:
    """Times every HTTP request of ``app`` and counts it by operation and status."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: SimulatorMetrics,
        operation: Callable[[Scope], str] = route_operation,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.operation = operation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before starting

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.metrics.observe(self.operation(scope), status, time.perf_counter() - started)


def metrics_route(metrics: SimulatorMetrics, path: str = "/metrics") -> Route:
    """``GET /metrics``: the simulator's registry, Prometheus text format."""

    async def endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return Route(path, endpoint, methods=["GET"])
