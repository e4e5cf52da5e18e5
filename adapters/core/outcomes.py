"""What the proxy did with one consumed message (the consumer's answer and metric label)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from adapters.core.models import PaymentStatus

__all__ = ["Outcome", "OutcomeAction"]


class OutcomeAction(StrEnum):
    CREATED = "created"  # debt position created, PAYMENT_PENDING published
    ADOPTED = "adopted"  # foreign PAYMENT_PENDING stored and polled from now on
    IGNORED = "ignored"  # not for us, already processed, or our own event
    REJECTED = "rejected"  # malformed, other version, other type
    RETRY_SCHEDULED = "retry_scheduled"  # retriable creation failure, will retry
    FAILED = "failed"  # CREATION_FAILED published
    ERROR = "error"  # unexpected internal failure; the message may be retried


@dataclass(frozen=True)
class Outcome:
    """What :meth:`PaymentService.handle_event` did with one message."""

    action: OutcomeAction
    reason: str = ""
    payment_id: uuid.UUID | None = None
    status: PaymentStatus | None = None
