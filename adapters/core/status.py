"""The payment status machine: the only transitions a payment may take.

From OpenCity's "Gli stati di un pagamento" (``reference/opencity-payment-proxy.md``
§1.4). ``PAYMENT_FAILED`` ("almost never used") is reachable from the pending
states so a definitive refusal by the intermediary can be expressed.
"""

from __future__ import annotations

from adapters.core.models import PaymentStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.CREATION_PENDING: frozenset({S.CREATION_FAILED, S.PAYMENT_PENDING}),
    S.PAYMENT_PENDING: frozenset(
        {S.PAYMENT_STARTED, S.CANCELED, S.COMPLETE, S.EXPIRED, S.PAYMENT_FAILED}
    ),
    S.PAYMENT_STARTED: frozenset({S.COMPLETE, S.EXPIRED, S.PAYMENT_FAILED, S.CANCELED}),
    S.CREATION_FAILED: frozenset(),
    S.PAYMENT_FAILED: frozenset(),
    S.CANCELED: frozenset(),
    S.COMPLETE: frozenset(),
    S.EXPIRED: frozenset(),
    S.PAYMENT_CONFIRMED: frozenset({S.COMPLETE}),
    S.NOTIFICATION_PENDING: frozenset({S.COMPLETE}),
}

TERMINAL: frozenset[S] = frozenset(status for status, nxt in ALLOWED.items() if not nxt)


class IllegalTransition(ValueError):
    """A status change the machine does not allow."""

    def __init__(self, current: S, target: S) -> None:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none (terminal state)"
        super().__init__(f"cannot move a payment from {current} to {target}; allowed: {allowed}")
        self.current = current
        self.target = target


def can_transition(current: S, target: S) -> bool:
    return target in ALLOWED[current]


def check_transition(current: S, target: S) -> None:
    """Raise :class:`IllegalTransition` unless ``current → target`` is allowed."""
    if not can_transition(current, target):
        raise IllegalTransition(current, target)
