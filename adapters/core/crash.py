"""Crash points: named places where the crash-safety tests kill the process.

The store (around every commit) and the payment operations (after a position is
created, after an outbox event is published) call :func:`crash_point`; the tests
in ``tests/core/test_crash_safety.py`` set ``COLLAUDO_CRASH_AT`` to one name and
check that what survived the SIGKILL is consistent.
"""

from __future__ import annotations

import os
import signal

__all__ = ["CRASH_ENV", "crash_point"]

CRASH_ENV = "COLLAUDO_CRASH_AT"


def crash_point(name: str) -> None:
    """Kill this process with SIGKILL when ``COLLAUDO_CRASH_AT`` names this point.

    The crash-safety tests use it to stop a real process between two writes;
    unset (always, in production) it costs one environment lookup.
    """
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
