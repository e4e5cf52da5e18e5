"""Prometheus metrics of one proxy instance, in their own registry.

OpenCity asks every payment proxy for a counter of payments created and a
counter of processing errors that tells internal errors (bad input: format,
validation) from external ones (the intermediary). A registry per instance,
never the global one, so several proxies (tests, benchmarks) coexist in a
process; the API serves it at ``/metrics``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

__all__ = ["ProxyMetrics"]


class ProxyMetrics:
    """The counters the proxy updates; ``registry`` is what ``/metrics`` exposes."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.payments_created = Counter(
            "payments_created",
            "Debt positions created on the intermediary (or registered from a notice)",
            ["origin"],
            registry=r,
        )
        self.processing_errors = Counter(
            "payment_processing_errors",
            "Errors while processing payments: internal = bad input, external = intermediary",
            ["kind"],
            registry=r,
        )
        self.events_rejected = Counter(
            "payment_events_rejected",
            "Events on the payments topic rejected before processing, by reason",
            ["reason"],
            registry=r,
        )
        self.events_consumed = Counter(
            "payment_events_consumed",
            "Events read from the payments topic, by outcome",
            ["outcome"],
            registry=r,
        )
        self.events_published = Counter(
            "payment_events_published", "Events published from the outbox", registry=r
        )
        self.notifications = Counter(
            "payment_notifications",
            "Notify deliveries to the platform, by result (sent, retry, gave_up)",
            ["result"],
            registry=r,
        )
        self.status_checks = Counter(
            "payment_status_checks",
            "Status checks asked to the intermediary, by result",
            ["result"],
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "payment_outbox_backlog", "Events written but not yet published", registry=r
        )
        # Pre-create the documented label values so /metrics shows them at zero.
        for kind in ("internal", "external"):
            self.processing_errors.labels(kind=kind)
        for origin in ("created", "imported"):
            self.payments_created.labels(origin=origin)

    def render(self) -> bytes:
        """The registry in the Prometheus text exposition format."""
        return generate_latest(self.registry)
