"""Status checks: asking the intermediary whether a payment was paid, and when.

:func:`refresh` is the only path to COMPLETE: whatever a callback claimed, the
intermediary's ``status`` moves the payment. :func:`poll_due` is the time-driven
work the runtime schedules: due creation retries, then due status checks (and
expiries); a failed check still moves the schedule on (:func:`check_failed`).
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from adapters.core.errors import ConfigurationMissing
from adapters.core.intermediary import IntermediaryError, PositionState
from adapters.core.lifecycle import POLLED, Lifecycle
from adapters.core.models import PaymentStatus
from adapters.core.replica import LEASE_SHARE
from adapters.core.store import StaleWrite
from adapters.core.store_rows import StoredPayment

__all__ = ["check_failed", "poll_due", "refresh"]

log = logging.getLogger(__name__)

S = PaymentStatus


async def refresh(life: Lifecycle, stored: StoredPayment) -> bool:
    """Ask the intermediary and apply its answer; True when the status changed.

    The only path to COMPLETE: whatever a callback claimed, the intermediary's
    ``status`` is what moves the payment.
    """
    if stored.status not in POLLED:
        return False
    ctx = life.context(stored)
    try:
        answer = await life.call(stored, "status", life.intermediary.status(ctx))
    except IntermediaryError:
        life.metrics.status_checks.labels(result="error").inc()
        raise
    life.metrics.status_checks.labels(result=answer.state.value.lower()).inc()
    now = life.clock()
    event = stored.event
    target: PaymentStatus | None = None
    why: str | None = None
    if answer.state is PositionState.PAID:
        target = S.COMPLETE
    elif answer.state is PositionState.EXPIRED:
        target, why = S.EXPIRED, "the intermediary reports the position expired"
    elif answer.state is PositionState.CANCELED:
        target, why = S.CANCELED, "the intermediary reports the position cancelled"
    elif now >= life.expiry(event):
        target, why = S.EXPIRED, f"not paid by {life.expiry(event).isoformat()}"
    if target is None:
        stored.checks += 1
        event.links.update.last_check_at = now
        event.links.update.next_check_at = life.next_check(event, stored.checks, now)
        stored.next_check_at = event.links.update.next_check_at
        life.store.save_payment(stored, now=now)
        return False
    new = event.next_version(life.settings.app_id, now=now, status=target, status_reason=why)
    new.links.update.last_check_at = now
    if target is S.COMPLETE:
        new.payment.paid_at = answer.paid_at or now
        new.payment.transaction_id = answer.transaction_id or new.payment.transaction_id
        new.links.receipt.url = life.settings.link(f"receipt/{stored.id}")
    stored.checks += 1
    life.transition(stored, new)
    log.info("payment %s: %s -> %s", stored.id, event.status, target)
    return True


async def poll_due(life: Lifecycle, now: datetime, limit: int) -> int:
    """Run the due creation retries and status checks (and expiries); returns how many.

    Each batch is claimed in the store for this replica (``settings.replica_id``), so
    replicas sharing the store split the due payments instead of each doing all of them.
    """
    owner, lease = life.settings.replica_id, life.settings.lease_seconds
    creations = life.store.due_for_creation(now, limit, owner=owner, lease=lease)
    done = await _work_through(life, creations, lambda stored: _retry_creation(life, stored))
    checks = life.store.due_for_check(now, limit, owner=owner, lease=lease)
    done += await _work_through(life, checks, lambda stored: _check(life, stored, now))
    return done


async def _work_through(
    life: Lifecycle,
    claimed: list[StoredPayment],
    work: Callable[[StoredPayment], Awaitable[bool]],
) -> int:
    """Work through claimed payments while the claim lasts (a slow intermediary must not
    let it expire under us: another replica would take the same payments); what is left,
    or left by an error, is given back at once."""
    deadline = time.monotonic() + life.settings.lease_seconds * LEASE_SHARE
    done = 0
    left = collections.deque(claimed)
    try:
        while left:
            if time.monotonic() > deadline:
                log.warning(
                    "%d claimed payments given back: the batch outlasted %d%% of the lease",
                    len(left),
                    LEASE_SHARE * 100,
                )
                break
            async with life.lock(left[0].id):
                if await work(left[0]):
                    done += 1
            left.popleft()
    finally:
        if left:
            life.store.release_payments([p.id for p in left], life.settings.replica_id)
    return done


async def _retry_creation(life: Lifecycle, due: StoredPayment) -> bool:
    stored = life.store.get_payment(due.id)
    if stored is None or stored.status is not S.CREATION_PENDING:
        return False
    config = life.store.active_config(stored.event.tenant_id, stored.event.service_id)
    if config is None:
        life.creation_failed(stored, "tenant or service configuration deactivated", None)
    else:
        await life.create(stored, config, None)
    return True


async def _check(life: Lifecycle, due: StoredPayment, now: datetime) -> bool:
    stored = life.store.get_payment(due.id)
    if stored is None or stored.status not in POLLED:
        return False
    try:
        await refresh(life, stored)
    except (IntermediaryError, ConfigurationMissing, StaleWrite) as exc:
        check_failed(life, stored, exc, now)
    return True


def check_failed(life: Lifecycle, stored: StoredPayment, exc: Exception, now: datetime) -> None:
    """A failed check still moves the schedule on, so one position cannot starve the rest."""
    log.warning("payment %s: status check failed: %s", stored.id, exc)
    fresh = life.store.get_payment(stored.id)
    if fresh is None or fresh.status not in POLLED:
        return
    fresh.checks += 1
    fresh.last_error = str(exc)
    fresh.next_check_at = life.next_check(fresh.event, fresh.checks, now)
    if fresh.next_check_at <= now:  # expired while the intermediary was unreachable
        fresh.next_check_at = now + life.settings.polling.first
    fresh.event.links.update.next_check_at = fresh.next_check_at
    life.store.save_payment(fresh, now=now)
