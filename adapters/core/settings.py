"""The proxy's own settings (not a tenant's): public URLs, identity, retry policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata

from adapters.core.backoff import CREATION_RETRY, NOTIFY_RETRY, POLLING, Backoff
from adapters.core.bus import PAYMENTS_TOPIC
from adapters.core.models import PAYMENT_EVENT_TYPE
from adapters.core.replica import DEFAULT_LEASE_SECONDS, default_replica_id

__all__ = ["APP_NAME", "ProxySettings", "proxy_version"]

APP_NAME = "collaudo-payment-proxy"


def proxy_version() -> str:
    try:
        return metadata.version("collaudo")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "0.0.0"


@dataclass(frozen=True)
class ProxySettings:
    """How this proxy presents itself and how patiently it retries.

    ``public_url`` is the base of the citizen links (``/online-payment/{id}``,
    ``/notice/{id}``, ``/receipt/{id}``, ``/landing/{id}``); ``update_url`` the
    base of the ``/update/{id}`` link the platform calls (an internal host in
    production), defaulting to ``public_url``.
    """

    public_url: str = "http://127.0.0.1:8000"
    update_url: str | None = None
    app_id: str = field(default_factory=lambda: f"{APP_NAME}:{proxy_version()}")
    topic: str = PAYMENTS_TOPIC
    consumer_group: str = APP_NAME
    accepted_type: str = PAYMENT_EVENT_TYPE
    landing_fallback_url: str | None = None  # when an event carries no landing URL
    polling: Backoff = POLLING
    creation_retry: Backoff = CREATION_RETRY
    notify_retry: Backoff = NOTIFY_RETRY
    notify_timeout_s: float = 10.0
    # Payments without expire_at are polled this long after creation, then EXPIRED.
    max_polling_days: int = 365
    # Published events, consumed event ids, finished notifications and recorded exchanges
    # older than this are deleted (a payment keeps its current event); 0 keeps them all.
    # Longer than the Kafka topic's retention, so a redelivery is still recognised.
    retention_days: int = 90
    # This process among the replicas sharing the store, and how long its claims last
    # (see adapters.core.replica).
    replica_id: str = field(default_factory=default_replica_id)
    lease_seconds: float = DEFAULT_LEASE_SECONDS

    def __post_init__(self) -> None:
        for name in ("public_url", "update_url"):
            value = getattr(self, name)
            if value is not None and not value.startswith(("http://", "https://")):
                raise ValueError(f"ProxySettings.{name} must be an http(s) URL, got {value!r}")
        if self.retention_days < 0:
            raise ValueError(
                f"ProxySettings.retention_days must be 0 (keep everything) or more, "
                f"got {self.retention_days}"
            )
        if self.lease_seconds <= 0:
            raise ValueError(f"ProxySettings.lease_seconds must be > 0, got {self.lease_seconds}")
        if ":" not in self.app_id:
            raise ValueError(f"app_id must read '<name>:<version>', got {self.app_id!r}")

    @property
    def app_name(self) -> str:
        return self.app_id.split(":", 1)[0]

    def link(self, path: str) -> str:
        return f"{self.public_url.rstrip('/')}/{path.lstrip('/')}"

    def update_link(self, path: str) -> str:
        base = self.update_url or self.public_url
        return f"{base.rstrip('/')}/{path.lstrip('/')}"
