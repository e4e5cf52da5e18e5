"""GovPay's push to the creditor: API Ente v2 ``notificaRicevuta``, retried until a 2xx.

Per receipt GovPay sends ``PUT {base}/ricevute/{idDominio}/{iuv}/{idRicevuta}`` with the
``Ricevuta`` as JSON (``Accept: application/json``), at once. Any answer but a 2xx, or no
answer, is retried: after the n-th failed attempt the next one comes ``n^2`` minutes later,
never more than a day later, without a limit on attempts (GovPay's ``InviaNotificaThread``).
Here the minute is ``Settings.notification_retry_unit`` seconds, so tests run in
milliseconds. A dominio without a configured connector gets no notification: GovPay marks
it ANNULLATA ("Connettore Notifica non configurato").

Faults at point ``notify``: ``lost-notification`` (never sent), ``duplicate-notification``
(each delivery sent twice), ``late-notification`` (the first attempt waits ``delay``
seconds). Deliveries run on one daemon thread, so they leave the request that caused them.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

from simulators.common.faults import FaultState
from simulators.govpay.store import Clock

log = logging.getLogger(__name__)
NOTIFICATION_FAULTS = ("lost-notification", "duplicate-notification", "late-notification")


@dataclass
class Connector:
    """Where and how GovPay reaches one ente's API Ente v2 (its "connettore notifica")."""

    url: str
    auth: str = "none"  # none | basic | apikey
    username: str | None = None
    password: str | None = None

    def headers(self) -> dict[str, str]:
        if self.auth == "apikey" and self.username and self.password:
            return {"X-APP-ID": self.username, "X-API-KEY": self.password}
        return {}

    def basic(self) -> httpx.BasicAuth | None:
        if self.auth == "basic" and self.username is not None:
            return httpx.BasicAuth(self.username, self.password or "")
        return None

    def public(self) -> dict[str, Any]:
        """What the admin API shows: never the password."""
        return {
            "url": self.url,
            "auth": self.auth,
            "username": self.username,
            "password": "***" if self.password else None,
        }


@dataclass
class Notification:
    """One receipt to push, with every attempt made."""

    id: int
    id_dominio: str
    iuv: str
    id_ricevuta: str
    body: dict[str, Any]
    state: str = "DA_SPEDIRE"  # DA_SPEDIRE | SPEDITO | ANNULLATA | PERSA
    url: str | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    next_attempt: str | None = None
    copies: int = 1  # 2 while duplicate-notification holds for the next delivery

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "idDominio": self.id_dominio,
            "iuv": self.iuv,
            "idRicevuta": self.id_ricevuta,
            "state": self.state,
            "url": self.url,
            "attempts": list(self.attempts),
            "nextAttempt": self.next_attempt,
            "body": self.body,
        }


@dataclass
class RetryPolicy:
    unit: float = 60.0  # seconds GovPay's "minute" lasts here
    cap: float = 86400.0  # never later than a day
    max_attempts: int = 0  # 0: unlimited, as GovPay
    connect_timeout: float = 2.0
    read_timeout: float = 5.0

    def delay(self, failed_attempts: int) -> float:
        return min(failed_attempts * failed_attempts * self.unit, self.cap)


class Notifier:
    """Queues receipts and delivers them to each dominio's connector."""

    def __init__(
        self,
        faults: FaultState,
        clock: Clock,
        policy: RetryPolicy,
        connectors: dict[str, Connector],
        late_delay: float = 5.0,
    ) -> None:
        self.faults = faults
        self.clock = clock
        self.policy = policy
        self.connectors = connectors
        self.late_delay = late_delay
        self.notifications: list[Notification] = []
        self._queue: list[tuple[float, int, Notification]] = []
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._stopped = False

    def reset(self) -> None:
        with self._cond:
            self.notifications.clear()
            self._queue.clear()
            self._cond.notify_all()

    def submit(
        self, id_dominio: str, iuv: str, id_ricevuta: str, body: dict[str, Any]
    ) -> Notification:
        with self._cond:
            n = Notification(next(self._ids), id_dominio, iuv, id_ricevuta, body)
            self.notifications.append(n)
            # each notification fault drawn by name: anomalous-payment (also at point
            # "notify") belongs to the station and must not consume their draws here
            fault = next(
                (f for name in NOTIFICATION_FAULTS if (f := self.faults.fires(name))), None
            )
            name = fault.name if fault is not None else None
            if name == "lost-notification":
                n.state = "PERSA"
                log.info("lost-notification: receipt %s/%s never sent", iuv, id_ricevuta)
                return n
            delay = 0.0
            if name == "late-notification" and fault is not None:
                delay = float(fault.params.get("delay", self.late_delay))
            n.copies = 2 if name == "duplicate-notification" else 1
            self._schedule(n, delay)
            self._start()
            return n

    def _schedule(self, n: Notification, delay: float) -> None:
        """Queue ``n`` ``delay`` seconds from now (caller holds the condition)."""
        n.next_attempt = (self.clock.now() + timedelta(seconds=delay)).isoformat()
        heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), n))
        self._cond.notify_all()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopped = False
            self._thread = threading.Thread(target=self._run, name="govpay-notifier", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop delivering (the server shuts down): pending retries are dropped, so a stopped
        simulator never keeps calling a creditor URL that another server may reuse."""
        with self._cond:
            self._stopped = True
            self._queue.clear()
            self._cond.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (
                    not self._queue or self._queue[0][0] > time.monotonic()
                ):
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cond.wait(timeout)
                if self._stopped:
                    return
                _, _, n = heapq.heappop(self._queue)
                self._busy += 1
            try:
                self._deliver(n)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _deliver(self, n: Notification) -> None:
        connector = self.connectors.get(n.id_dominio)
        if connector is None:
            n.state = "ANNULLATA"
            n.attempts.append(
                {
                    "at": self.clock.now().isoformat(),
                    "outcome": "Connettore Notifica non configurato, notifica annullata.",
                }
            )
            return
        ok = False
        for _ in range(n.copies):
            ok = self._send(n, connector) or ok
        n.copies = 1  # retries of a duplicated delivery go once
        if ok:
            n.state, n.next_attempt = "SPEDITO", None
            return
        failed = len(n.attempts)
        if self.policy.max_attempts and failed >= self.policy.max_attempts:
            n.next_attempt = None
            return
        with self._cond:
            self._schedule(n, self.policy.delay(failed))

    def _send(self, n: Notification, connector: Connector) -> bool:
        parts = (n.id_dominio, n.iuv, n.id_ricevuta)
        path = "/ricevute/" + "/".join(quote(part, safe="") for part in parts)
        url = connector.url.rstrip("/") + path
        n.url = url
        attempt: dict[str, Any] = {"at": self.clock.now().isoformat()}
        timeout = httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout)
        try:
            answer = httpx.put(
                url,
                content=json.dumps(n.body).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    **connector.headers(),
                },
                auth=connector.basic(),
                timeout=timeout,
            )
        except httpx.HTTPError as exc:
            attempt["outcome"] = f"{type(exc).__name__}: {exc}"
            n.attempts.append(attempt)
            return False
        attempt["status"] = answer.status_code
        attempt["outcome"] = "OK" if answer.is_success else answer.text[:200]
        n.attempts.append(attempt)
        return answer.is_success

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is due within ``timeout`` and no delivery runs (tests)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                due_soon = self._queue and self._queue[0][0] <= deadline
                if not due_soon and self._busy == 0:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
