"""The consumer's per-event entry point: one message of the ``payments`` topic.

A CREATION_PENDING event for an active configuration creates the debt position
(:meth:`Lifecycle.create`); a foreign PAYMENT_PENDING is adopted and polled from
then on; everything else (own events, redeliveries, other statuses) is ignored.
Bad events are rejected with a reason and counted; the consumer goes on.
"""

from __future__ import annotations

import json
import logging
import uuid

from adapters.core.config import ServiceConfig, TenantConfig, creditor_config
from adapters.core.events import EventRejected, parse_event
from adapters.core.lifecycle import Lifecycle
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.outcomes import Outcome, OutcomeAction
from adapters.core.positions import InvalidPaymentInput, adopted_position
from adapters.core.store_rows import StoredPayment

__all__ = ["handle_event"]

log = logging.getLogger(__name__)

S = PaymentStatus


def _own_event(life: Lifecycle, raw: bytes) -> uuid.UUID | None:
    """The payment id of an event this proxy published, read without validating it all:
    an import of 100,000 rows puts as many of them on the topic, ahead of the platform's."""
    try:
        data = json.loads(raw)
        app_id, payment_id = data["app_id"], data["id"]
    except (ValueError, TypeError, KeyError):
        return None  # the full parse below says what is wrong
    if not isinstance(app_id, str) or app_id.split(":", 1)[0] != life.settings.app_name:
        return None
    try:
        return uuid.UUID(str(payment_id))
    except ValueError:
        return None


async def handle_event(life: Lifecycle, raw: bytes) -> Outcome:
    """Process one message of the ``payments`` topic. Never raises."""
    own = _own_event(life, raw)
    if own is not None:
        return _count(life, Outcome(OutcomeAction.IGNORED, "own event (app_id)", own))
    try:
        event = parse_event(raw, accepted_type=life.settings.accepted_type)
    except EventRejected as exc:
        log.warning("rejected event %s: %s (%s)", exc.event_id, exc.detail, exc.reason)
        life.metrics.events_rejected.labels(reason=exc.reason).inc()
        life.metrics.processing_errors.labels(kind="internal").inc()
        return _count(life, Outcome(OutcomeAction.REJECTED, f"{exc.reason}: {exc.detail}"))
    try:
        async with life.lock(event.id):
            outcome = await _dispatch(life, event)
    except Exception as exc:  # the consumer must survive anything
        log.exception("internal error processing event %s of payment %s", event.event_id, event.id)
        life.metrics.processing_errors.labels(kind="internal").inc()
        outcome = Outcome(OutcomeAction.ERROR, f"internal error: {exc!r}", event.id)
    return _count(life, outcome)


def _count(life: Lifecycle, outcome: Outcome) -> Outcome:
    life.metrics.events_consumed.labels(outcome=outcome.action.value).inc()
    return outcome


async def _dispatch(life: Lifecycle, event: PaymentEvent) -> Outcome:
    if event.app_id.split(":", 1)[0] == life.settings.app_name:
        return Outcome(OutcomeAction.IGNORED, "own event (app_id)", event.id)
    if life.store.seen_event(event.event_id):
        return Outcome(OutcomeAction.IGNORED, "event already processed (event_id)", event.id)
    stored = life.store.get_payment(event.id)
    if event.status is S.CREATION_PENDING:
        if stored is not None and stored.status is not S.CREATION_PENDING:
            return Outcome(
                OutcomeAction.IGNORED, f"already processed, now {stored.status}", event.id
            )
        if stored is not None and stored.next_attempt_at and stored.next_attempt_at > life.clock():
            return Outcome(OutcomeAction.IGNORED, "creation retry already scheduled", event.id)
        config = life.store.active_config(event.tenant_id, event.service_id)
        if config is None:
            log.info(
                "payment %s: no active configuration for tenant %s service %s",
                event.id,
                event.tenant_id,
                event.service_id,
            )
            return Outcome(OutcomeAction.IGNORED, "no active configuration", event.id)
        return await life.create(stored or StoredPayment(event=event), config, event.event_id)
    if event.status is S.PAYMENT_PENDING:
        if stored is not None:
            return Outcome(
                OutcomeAction.IGNORED, f"already processed, now {stored.status}", event.id
            )
        config = life.store.active_config(event.tenant_id, event.service_id)
        if config is None:
            return Outcome(OutcomeAction.IGNORED, "no active configuration", event.id)
        return _adopt(life, event, config)
    return Outcome(
        OutcomeAction.IGNORED, f"{event.status} events are published by proxies", event.id
    )


def _adopt(
    life: Lifecycle, event: PaymentEvent, config: tuple[TenantConfig, ServiceConfig]
) -> Outcome:
    try:
        position = adopted_position(event, creditor_config(*config))
    except InvalidPaymentInput as exc:
        log.warning("cannot adopt payment %s: %s", event.id, exc)
        life.metrics.events_rejected.labels(reason="malformed").inc()
        life.metrics.processing_errors.labels(kind="internal").inc()
        return Outcome(OutcomeAction.REJECTED, f"malformed: {exc}", event.id)
    now = life.clock()
    stored = StoredPayment(
        event=event,
        position=position,
        origin="adopted",
        next_check_at=life.next_check(event, 0, now),
    )
    life.store.save_payment(stored, seen_event_id=event.event_id, now=now)
    log.info("adopted payment %s (notice %s)", event.id, position.notice_number)
    return Outcome(OutcomeAction.ADOPTED, "foreign PAYMENT_PENDING adopted", event.id, event.status)
