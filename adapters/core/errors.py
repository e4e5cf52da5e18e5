"""Errors of the payment operations, each mapped to one HTTP answer by the API."""

from __future__ import annotations

import uuid

from adapters.core.models import PaymentStatus
from adapters.i18n import gettext as _

__all__ = ["ConfigurationMissing", "PaymentNotFound", "PaymentNotPaid", "PaymentStateError"]


class PaymentNotFound(LookupError):
    """No payment with this id is stored here (HTTP 404)."""

    def __init__(self, payment_id: uuid.UUID) -> None:
        super().__init__(
            _(
                "payment %(id)s is unknown to this proxy; check the id, or that its "
                "CREATION_PENDING event reached the proxy"
            )
            % {"id": payment_id}
        )
        self.payment_id = payment_id


class PaymentStateError(RuntimeError):
    """The operation does not fit the payment's current status (HTTP 409)."""

    def __init__(self, payment_id: uuid.UUID, status: PaymentStatus, message: str) -> None:
        super().__init__(
            _("payment %(id)s is %(status)s: %(reason)s")
            % {"id": payment_id, "status": status, "reason": message}
        )
        self.payment_id = payment_id
        self.status = status


class PaymentNotPaid(PaymentStateError):
    """A receipt was asked for a payment the intermediary has not seen paid (HTTP 409)."""

    def __init__(self, payment_id: uuid.UUID, status: PaymentStatus) -> None:
        super().__init__(
            payment_id,
            status,
            _(
                "no receipt until the intermediary confirms the payment; "
                "pay it first, or retry later"
            ),
        )


class ConfigurationMissing(RuntimeError):
    """The tenant or service configuration a payment needs is missing or inactive."""
