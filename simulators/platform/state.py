"""The platform's memory: applications, the latest version of each payment, what happened.

One asyncio loop owns it; no method awaits between reading and writing, so
no lock is needed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from simulators.common.faults import FaultState
from simulators.platform.events import NewPayment, creation_pending
from simulators.platform.models import ApplicationRequest, IncomingEvent, parse_event
from simulators.platform.publishing import TOPIC, Outbox


class Outcome(StrEnum):
    """What the platform did with one version of a payment."""

    STORED = "stored"
    DUPLICATE = "duplicate"  # this event_id was seen already
    OLDER = "older"  # an as-recent or newer version is stored already


@dataclass(frozen=True)
class Exchange:
    """One version of a payment reaching the platform, and what became of it."""

    at: datetime
    via: str  # "published" (by the platform itself) | "notify" | "topic"
    event_id: str
    status: str
    outcome: Outcome

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "via": self.via,
            "event_id": self.event_id,
            "status": self.status,
            "outcome": self.outcome.value,
        }


@dataclass
class PaymentRecord:
    """The latest version of one payment the platform has seen."""

    latest: IncomingEvent
    document: dict[str, Any]  # the latest event exactly as it arrived
    seen: set[uuid.UUID] = field(default_factory=set)
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.latest.status


@dataclass(frozen=True)
class Application:
    """A citizen's application ("pratica") with its one payment."""

    id: uuid.UUID
    payment_id: uuid.UUID
    tenant_id: uuid.UUID
    service_id: uuid.UUID
    submitted_at: datetime
    payer_name: str


class Platform:
    """Applications and payments, the outbox they are published through, and no faults."""

    def __init__(self, outbox: Outbox, expire_days: int = 90) -> None:
        self.outbox = outbox
        self.expire_days = expire_days
        # No fault profile applies to the platform; kept so /_admin/ answers like elsewhere.
        self.faults = FaultState("platform")
        self.applications: dict[uuid.UUID, Application] = {}
        self.payments: dict[uuid.UUID, PaymentRecord] = {}

    async def submit(
        self, request: ApplicationRequest, base_url: str, *, notify_url: str | None = None
    ) -> NewPayment:
        """Publish ``CREATION_PENDING`` for a new application, then remember both.

        Links for browsers are rooted at ``base_url``, the notify URL at ``notify_url``
        (default: ``base_url``).
        """
        now = datetime.now(UTC)
        new = creation_pending(
            request,
            base_url=base_url,
            notify_url=notify_url,
            now=now,
            expire_days=self.expire_days,
        )
        await self.outbox.publish(
            TOPIC, str(request.service_id).encode(), json.dumps(new.event).encode()
        )
        payer = request.payer
        self.applications[new.application_id] = Application(
            id=new.application_id,
            payment_id=new.payment_id,
            tenant_id=request.tenant_id,
            service_id=request.service_id,
            submitted_at=now,
            payer_name=" ".join(p for p in (payer.name, payer.family_name) if p),
        )
        event, document = parse_event(new.event)
        self.receive(event, document, via="published")
        return new

    def receive(self, event: IncomingEvent, document: dict[str, Any], via: str) -> Outcome:
        """Keep ``event`` if it is news: an unseen event_id and a later version."""
        record = self.payments.get(event.id)
        if record is None:
            record = self.payments[event.id] = PaymentRecord(event, document)
            outcome = Outcome.STORED
        elif event.event_id in record.seen:
            outcome = Outcome.DUPLICATE
        elif event.version_key > record.latest.version_key:
            record.latest, record.document = event, document
            outcome = Outcome.STORED
        else:
            outcome = Outcome.OLDER
        record.seen.add(event.event_id)
        record.exchanges.append(
            Exchange(datetime.now(UTC), via, str(event.event_id), event.status, outcome)
        )
        return outcome

    def payment_of(self, application: Application) -> PaymentRecord:
        return self.payments[application.payment_id]

    def unattached_payments(self) -> list[PaymentRecord]:
        """Payments seen on the topic that belong to no application here (e.g. CSV imports)."""
        owned = {a.payment_id for a in self.applications.values()}
        return [r for pid, r in self.payments.items() if pid not in owned]

    def reset(self) -> None:
        self.applications.clear()
        self.payments.clear()
        self.outbox.clear()
        self.faults.clear()

    def positions(self) -> list[dict[str, Any]]:
        """Every payment with its application (if any), status and exchanges."""
        by_payment = {a.payment_id: a for a in self.applications.values()}
        result = []
        for payment_id, record in self.payments.items():
            application = by_payment.get(payment_id)
            result.append(
                {
                    "payment_id": str(payment_id),
                    "application_id": str(application.id) if application else None,
                    "tenant_id": str(record.latest.tenant_id),
                    "service_id": str(record.latest.service_id),
                    "status": record.status,
                    "updated_at": record.latest.updated_at.isoformat(),
                    "exchanges": [e.to_dict() for e in record.exchanges],
                }
            )
        return result
