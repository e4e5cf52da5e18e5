"""Reading events from the ``payments`` topic: validate before anything else.

The topic has no schema registry and carries malformed events, events of
older versions and events of other payment types (each proxy handles one).
:func:`parse_event` turns raw bytes into a :class:`PaymentEvent` or raises
:class:`EventRejected` with a short ``reason`` label (for the metrics) and a
``detail`` sentence (for the log).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from adapters.core.models import EVENT_VERSION, PAYMENT_EVENT_TYPE, PaymentEvent

__all__ = ["REJECTION_REASONS", "EventRejected", "parse_event"]

REJECTION_REASONS = ("not_json", "malformed", "event_version", "type")


class EventRejected(ValueError):
    """An event this proxy must not process; ``reason`` is one of REJECTION_REASONS."""

    def __init__(self, reason: str, detail: str, event_id: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.event_id = event_id


def _describe(exc: ValidationError, limit: int = 5) -> str:
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(p) for p in error["loc"]) or "(event)"
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def parse_event(raw: bytes, *, accepted_type: str = PAYMENT_EVENT_TYPE) -> PaymentEvent:
    """Validate one message value as a payment event v2 of ``accepted_type``."""
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EventRejected("not_json", f"message is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise EventRejected("not_json", f"message is JSON {type(data).__name__}, not an object")
    event_id = str(data.get("event_id")) if data.get("event_id") is not None else None
    # Version and type first: an old or foreign event is not "malformed", it is not ours.
    version = data.get("event_version")
    if version != EVENT_VERSION:
        raise EventRejected(
            "event_version",
            f"event_version {version!r} is not supported; this proxy reads {EVENT_VERSION} only",
            event_id,
        )
    kind = data.get("type")
    if kind != accepted_type:
        raise EventRejected(
            "type", f"payment type {kind!r} is not handled here (only {accepted_type})", event_id
        )
    try:
        return PaymentEvent.model_validate(data)
    except ValidationError as exc:
        raise EventRejected(
            "malformed", f"invalid payment event: {_describe(exc)}", event_id
        ) from None
