"""Kill a real proxy process (SIGKILL) between a state change and its publication.

After a restart nothing is lost (the PAYMENT_PENDING reaches the bus) and nothing is
duplicated (one debt position, one event id; a re-publish after a crash repeats the
same event id, which consumers deduplicate).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from adapters.core.crash import CRASH_ENV
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.store import Store

from .conftest import creation_pending

ROOT = Path(__file__).resolve().parents[2]

CRASH_POINTS = [
    # after the intermediary created the position, before anything is stored
    "service.after_create",
    # state change + outbox row written, transaction not committed
    "store.save_payment.before_commit",
    # committed, not yet published
    "store.save_payment.after_commit",
    # published, not yet marked as published
    "outbox.after_publish",
]


def run_worker(
    tmp: Path, crash_at: str | None, store_location: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_at:
        env[CRASH_ENV] = crash_at
    args = [store_location, *(str(tmp / n) for n in ("event.json", "bus.jsonl", "iuds.log"))]
    return subprocess.run(
        [sys.executable, "-m", "tests.core.crash_worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("crash_at", CRASH_POINTS)
def test_sigkill_between_state_change_and_publish_loses_and_duplicates_nothing(
    tmp_path: Path, crash_at: str, store_location: str
) -> None:
    event = creation_pending()
    pid = uuid.UUID(event["id"])
    (tmp_path / "event.json").write_text(json.dumps(event))

    crashed = run_worker(tmp_path, crash_at, store_location)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    restarted = run_worker(tmp_path, None, store_location)
    assert restarted.returncode == 0, restarted.stderr

    # Nothing lost: the payment is pending and its event reached the bus.
    store = Store.open(store_location)
    try:
        stored = store.get_payment(pid)
        assert stored is not None and stored.status is PaymentStatus.PAYMENT_PENDING
        assert store.outbox_backlog() == 0
        [enqueued] = store.published_events(pid)  # one state change, one event
    finally:
        store.close()
    lines = (tmp_path / "bus.jsonl").read_bytes().splitlines()
    published = [PaymentEvent.model_validate_json(line) for line in lines]
    assert {e.event_id for e in published} == {enqueued.event_id}
    # Nothing duplicated after the consumer's dedup by event_id.
    deduplicated = {e.event_id: e for e in published}
    assert [e.status for e in deduplicated.values()] == [PaymentStatus.PAYMENT_PENDING]
    if crash_at == "outbox.after_publish":
        assert len(published) == 2  # redelivered with the same event_id
    else:
        assert len(published) == 1
    # One debt position: every creation attempt carried the payment's IUD.
    iuds = (tmp_path / "iuds.log").read_text().split()
    assert set(iuds) == {pid.hex}
    assert len(iuds) == (2 if crash_at in CRASH_POINTS[:2] else 1)
