"""Delivering status changes to the platform's ``links.notify`` URLs.

Every published status change enqueues one notification per notify URL (in the
same transaction, see :meth:`Store.save_payment`). :class:`Notifier` POSTs the
event JSON (or uses the link's method), retries with backoff until the receiver
answers 2xx, and records ``sent_at`` on the delivery and on the payment's link.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable
from datetime import datetime

import httpx

from adapters.core.metrics import ProxyMetrics
from adapters.core.models import utcnow
from adapters.core.replica import LEASE_SHARE
from adapters.core.settings import ProxySettings
from adapters.core.store import Store
from adapters.core.store_rows import NotificationRecord
from adapters.core.tls import default_tls

__all__ = ["Notifier"]

log = logging.getLogger(__name__)


class Notifier:
    """Sends due notifications; the HTTP client is injectable (``httpx.MockTransport``)."""

    def __init__(
        self,
        store: Store,
        metrics: ProxyMetrics,
        settings: ProxySettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.settings = settings
        self.clock = clock
        self._http = http
        self._owns_http = http is None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.settings.notify_timeout_s,
                headers={"User-Agent": self.settings.app_id},
                verify=default_tls(),
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None and self._owns_http:
            await self._http.aclose()
            self._http = None

    async def deliver_due(self, now: datetime, limit: int = 100) -> int:
        """Try every due notification once; returns how many were delivered.

        The batch is claimed for this replica (replicas sharing the store never send one
        at the same time); if slow receivers make it outlast most of the lease, the rest
        is given back rather than left to expire while another replica might take it.
        """
        settings = self.settings
        claimed = collections.deque(
            self.store.due_notifications(
                now, limit, owner=settings.replica_id, lease=settings.lease_seconds
            )
        )
        deadline = time.monotonic() + settings.lease_seconds * LEASE_SHARE
        sent = 0
        try:
            while claimed and time.monotonic() <= deadline:
                if await self._deliver(claimed[0]):  # marking it sent or failed releases it
                    sent += 1
                claimed.popleft()
        finally:
            if claimed:
                self.store.release_notifications([r.id for r in claimed], settings.replica_id)
        return sent

    async def _deliver(self, record: NotificationRecord) -> bool:
        try:
            response = await self.http.request(
                record.method,
                record.url,
                content=record.body if record.method != "GET" else None,
                headers={"Content-Type": "application/json"},
            )
            if 200 <= response.status_code < 300:
                self.store.notification_sent(record, self.clock())
                self.metrics.notifications.labels(result="sent").inc()
                return True
            error = f"HTTP {response.status_code} from {record.url}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__} calling {record.url}: {exc}"
        policy = self.settings.notify_retry
        attempts = record.attempts + 1
        if policy.exhausted(attempts):
            log.error(
                "notification of payment %s to %s abandoned after %d attempts: %s",
                record.payment_id,
                record.url,
                attempts,
                error,
            )
            self.store.notification_failed(record, error, None)
            self.metrics.notifications.labels(result="gave_up").inc()
        else:
            retry_at = self.clock() + policy.delay(record.attempts)
            log.warning(
                "notification of payment %s to %s failed (attempt %d), retry at %s: %s",
                record.payment_id,
                record.url,
                attempts,
                retry_at.isoformat(),
                error,
            )
            self.store.notification_failed(record, error, retry_at)
            self.metrics.notifications.labels(result="retry").inc()
        return False
