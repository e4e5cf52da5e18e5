"""A stopped GovPay simulator stops notifying: no retry outlives its server (a creditor URL
may be another server's by then)."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from simulators.common.server import free_port
from simulators.govpay.app import Settings, create_app


def test_pending_retries_end_with_the_server() -> None:
    dead = f"http://127.0.0.1:{free_port()}/govpay/ente/v2"  # nobody answers: GovPay retries
    app = create_app(Settings(creditor_urls={"80000000002": dead}, notification_retry_unit=0.05))
    notifier = app.state.simulator.notifier
    with TestClient(app):
        notification = notifier.submit("80000000002", "01000000000000144", "r1", {"iuv": "x"})
        deadline = time.monotonic() + 5
        while len(notification.attempts) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(notification.attempts) >= 2  # retried while the server runs
    attempts = len(notification.attempts)
    time.sleep(0.5)  # several retry intervals
    assert len(notification.attempts) == attempts
    assert notifier._thread is not None and not notifier._thread.is_alive()
