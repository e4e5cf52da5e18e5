"""Backoff schedules: when to retry a creation or a notification, when to poll a status.

Pure functions of an attempt counter, so a schedule can be shown in a test and
in a report without waiting for it. Jitter, when wanted, comes from an
injected :class:`random.Random` so runs stay reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

__all__ = ["Backoff", "POLLING", "CREATION_RETRY", "NOTIFY_RETRY"]


@dataclass(frozen=True)
class Backoff:
    """``first * factor**n``, capped at ``maximum``, optionally with +/- ``jitter`` share."""

    first: timedelta
    maximum: timedelta
    factor: float = 2.0
    jitter: float = 0.0  # 0.1 spreads each delay over +/-10 %
    max_attempts: int | None = None  # after this many failures, give up

    def __post_init__(self) -> None:
        if self.first <= timedelta(0) or self.maximum < self.first:
            raise ValueError("backoff needs 0 < first <= maximum")
        if self.factor < 1:
            raise ValueError("backoff factor must be >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("backoff jitter must be in [0, 1)")

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the ``attempt``-th try (0-based)."""
        if attempt < 0:
            raise ValueError(f"attempt must be >= 0, got {attempt}")
        # Cap the exponent first: factor**attempt overflows long before a year of retries.
        seconds = self.first.total_seconds()
        cap = self.maximum.total_seconds()
        for _ in range(attempt):
            seconds *= self.factor
            if seconds >= cap:
                seconds = cap
                break
        if self.jitter and rng is not None:
            seconds *= 1 + rng.uniform(-self.jitter, self.jitter)
            seconds = min(seconds, cap)
        return timedelta(seconds=seconds)

    def exhausted(self, attempts: int) -> bool:
        """True when ``attempts`` failures are all this policy allows."""
        return self.max_attempts is not None and attempts >= self.max_attempts

    def schedule(self, count: int) -> list[timedelta]:
        """The first ``count`` delays, without jitter (for docs and tests)."""
        return [self.delay(n) for n in range(count)]


#: Status polling (OpenCity "Implementazione di un proxy"): a few checks within
#: minutes, then rarer, never less than once a day, until the payment expires.
POLLING = Backoff(first=timedelta(minutes=2), maximum=timedelta(days=1))

#: Creating a debt position after a retriable failure (intermediary down, timeout).
CREATION_RETRY = Backoff(
    first=timedelta(seconds=10), maximum=timedelta(minutes=30), max_attempts=20
)

#: POSTing a status change to the platform's notify URLs.
NOTIFY_RETRY = Backoff(first=timedelta(seconds=5), maximum=timedelta(hours=1), max_attempts=30)
