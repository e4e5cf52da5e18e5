"""Replicas on one store: claims that never share a row, expire, and hand work over;
the named leases of the outbox publisher and the pruner; an older store file upgraded."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from adapters.core.bus import MemoryBus
from adapters.core.config import ServiceConfig, TenantConfig
from adapters.core.fake import FakeIntermediary
from adapters.core.import_records import IMPORT_SCHEMA
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.replica import DEFAULT_LEASE_SECONDS, ReplicaError, replica_from_env
from adapters.core.service import PaymentService, ProxySettings
from adapters.core.store import Store
from adapters.core.store_rows import SCHEMA, StoredPayment

from .conftest import SERVICE_ID, START, TENANT_ID, FakeClock, creation_pending, raw

DUE = START + timedelta(days=1)


def pending(store: Store, n: int, *, notify: bool = False) -> list[uuid.UUID]:
    """``n`` PAYMENT_PENDING payments due for a status check at START (published, with a
    notification each when ``notify``)."""
    ids = []
    for _ in range(n):
        event = PaymentEvent.model_validate(creation_pending())
        if not notify:
            event.links.notify = []
        event.status = PaymentStatus.PAYMENT_PENDING
        stored = StoredPayment(event=event, next_check_at=START)
        store.save_payment(stored, publish=notify, now=START)
        ids.append(event.id)
    return ids


@pytest.fixture
def two(store_location: str) -> Iterator[tuple[Store, Store]]:
    first, second = Store.open(store_location), Store.open(store_location)
    yield first, second
    first.close()
    second.close()


def test_two_stores_claiming_at_once_never_share_a_payment(two: tuple[Store, Store]) -> None:
    ids = pending(two[0], 300)
    claimed: dict[str, list[uuid.UUID]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claim(store: Store, owner: str) -> None:
        start.wait()
        while batch := store.due_for_check(DUE, 7, owner=owner):
            claimed[owner] += [p.id for p in batch]
            for stored in batch:  # checked: the next check is tomorrow
                stored.next_check_at = DUE + timedelta(days=1)
                store.save_payment(stored)
            # A batch's status checks take time (HTTP calls): without it one thread of a
            # loaded machine may drain the queue before the other is scheduled at all.
            time.sleep(0.005)

    threads = [threading.Thread(target=claim, args=pair) for pair in zip(two, "ab", strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    counts = Counter(claimed["a"] + claimed["b"])
    assert set(counts) == set(ids) and max(counts.values()) == 1
    assert claimed["a"] and claimed["b"], "both replicas got a share"


def test_claims_are_oldest_first_and_skip_what_is_not_due(store: Store) -> None:
    ids = pending(store, 3)
    later = store.get_payment(ids[0])
    assert later is not None
    later.next_check_at = DUE + timedelta(hours=1)
    store.save_payment(later)
    assert {p.id for p in store.due_for_check(DUE, 10, owner="a")} == set(ids[1:])


def test_an_expired_claim_hands_the_payment_over_and_a_save_releases_it(
    two: tuple[Store, Store],
) -> None:
    first, second = two
    [pid] = pending(first, 1)
    [held] = first.due_for_check(DUE, 10, owner="a", lease=0.3)
    assert second.due_for_check(DUE, 10, owner="b") == []  # a holds it
    time.sleep(0.35)
    [taken] = second.due_for_check(DUE, 10, owner="b")  # a died: its claim expired
    assert taken.id == pid
    # Saving the payment (the check done) releases the claim: due again, anyone may take it.
    second.save_payment(taken)
    assert [p.id for p in first.due_for_check(DUE, 10, owner="a")] == [pid]
    # The late first claimer's save is refused: the payment moved on without it.
    with pytest.raises(Exception, match="changed since version"):
        first.save_payment(held)


def test_a_replica_renews_its_own_claims(store: Store) -> None:
    [pid] = pending(store, 1)
    assert [p.id for p in store.due_for_check(DUE, 10, owner="a")] == [pid]
    assert [p.id for p in store.due_for_check(DUE, 10, owner="a")] == [pid]  # restarted "a"
    assert store.due_for_check(DUE, 10, owner="b") == []
    store.release_payments([pid], "b")  # not b's to give back
    assert store.due_for_check(DUE, 10, owner="b") == []
    store.release_payments([pid], "a")
    assert [p.id for p in store.due_for_check(DUE, 10, owner="b")] == [pid]


def test_creation_retries_are_claimed_like_checks(store: Store) -> None:
    event = PaymentEvent.model_validate(creation_pending())
    store.save_payment(StoredPayment(event=event, next_attempt_at=START, attempts=1))
    assert [p.id for p in store.due_for_creation(DUE, 10, owner="a")] == [event.id]
    assert store.due_for_creation(DUE, 10, owner="b") == []
    assert store.due_for_check(DUE, 10, owner="b") == []  # not pending: never polled


def test_notifications_are_claimed_once_and_released_when_marked(
    two: tuple[Store, Store],
) -> None:
    first, second = two
    pending(first, 5, notify=True)
    mine = first.due_notifications(DUE, 3, owner="a")
    theirs = second.due_notifications(DUE, 10, owner="b")
    assert len(mine) == 3 and len(theirs) == 2
    assert not {n.id for n in mine} & {n.id for n in theirs}
    assert second.due_notifications(DUE, 10, owner="c") == []
    first.notification_failed(mine[0], "HTTP 503", DUE)  # retry due at once: released
    first.notification_sent(mine[1], DUE)  # done: never due again
    second.release_notifications([n.id for n in theirs], "b")
    again = second.due_notifications(DUE, 10, owner="c")
    assert {n.id for n in again} == {mine[0].id} | {n.id for n in theirs}


def test_a_named_lease_is_held_by_one_replica_until_released_or_expired(
    store: Store,
) -> None:
    assert store.acquire_lease("pruner", "a", 0.3)
    time.sleep(0.2)
    assert store.acquire_lease("pruner", "a", 0.3)  # past half of it: renewed
    assert not store.acquire_lease("pruner", "b", 0.3)
    time.sleep(0.2)
    assert store.lease_holder("pruner") == "a", "the renewal counts from when it was made"
    time.sleep(0.15)
    assert store.lease_holder("pruner") is None
    assert store.acquire_lease("pruner", "b", 30)  # a died: b takes over
    store.release_lease("pruner", "a")  # not a's any more: nothing happens
    assert not store.acquire_lease("pruner", "a", 30)
    store.release_lease("pruner", "b")
    assert store.acquire_lease("pruner", "a", 30)


def test_a_stopping_replica_gives_everything_back(store: Store) -> None:
    pending(store, 4, notify=True)
    assert len(store.due_for_check(DUE, 2, owner="a")) == 2
    assert len(store.due_notifications(DUE, 10, owner="a")) == 4
    assert store.acquire_lease("outbox", "a", 30)
    assert store.release_claims("a") == 2 + 4 + 1
    assert len(store.due_for_check(DUE, 10, owner="b")) == 4
    assert store.acquire_lease("outbox", "b", 30)


def replica(
    store: Store, name: str, clock: FakeClock, fake: FakeIntermediary | None = None
) -> PaymentService:
    settings = ProxySettings(
        public_url="https://proxy.test",
        app_id="collaudo-payment-proxy:9.9.9",
        replica_id=name,
        retention_days=1,
    )
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(204)))
    return PaymentService(
        store, fake or FakeIntermediary(), MemoryBus(), settings, clock=clock, http=http
    )


async def test_the_pruner_runs_on_one_replica_at_a_time(
    two: tuple[Store, Store], clock: FakeClock
) -> None:
    first, second = two
    pending(first, 3, notify=True)
    a, b = replica(first, "a", clock), replica(second, "b", clock)
    assert await a.drain_outbox() == 3
    clock.advance(timedelta(days=2))
    assert await b.prune_history() == 3  # the published events, past the retention
    assert second.lease_holder("pruner") == "b"
    pending(first, 1, notify=True)
    assert await a.drain_outbox() == 1
    clock.advance(timedelta(days=2))
    assert await a.prune_history() == 0  # b holds the pruner lease
    second.release_claims("b")  # b stopped
    assert await a.prune_history() == 1 and first.lease_holder("pruner") == "a"


async def test_one_replica_publishes_the_outbox_in_order_and_another_takes_over(
    two: tuple[Store, Store], clock: FakeClock
) -> None:
    first, second = two
    ids = pending(first, 4, notify=True)
    a, b = replica(first, "a", clock), replica(second, "b", clock)
    assert first.acquire_lease("outbox", "a", 30)  # a is publishing
    assert await b.drain_outbox() == 0 and second.outbox_backlog() == 4
    assert await a.drain_outbox() == 4  # everything, whoever wrote it, in order
    assert isinstance(a.bus, MemoryBus)
    published = [PaymentEvent.model_validate_json(m).id for m in a.bus.messages()]
    assert published == ids
    assert await a.drain_outbox() == 0  # empty: nothing written, a keeps the lease
    pending(second, 1, notify=True)
    assert await b.drain_outbox() == 0  # a is alive: b's row waits for a's next tick
    assert await a.drain_outbox() == 1
    first.release_lease("outbox", "a")
    assert first.acquire_lease("outbox", "a", 0.05)  # a's last batch, then a is gone
    time.sleep(0.1)
    pending(second, 1, notify=True)
    assert await b.drain_outbox() == 1  # a's lease expired: b publishes
    assert second.lease_holder("outbox") == "b"


async def test_poll_due_splits_the_due_payments_between_replicas(
    two: tuple[Store, Store], clock: FakeClock
) -> None:
    first, second = two
    fake = FakeIntermediary()  # one intermediary behind both replicas
    a, b = replica(first, "a", clock, fake), replica(second, "b", clock, fake)
    ids = []
    first.put_tenant(
        TenantConfig(id=TENANT_ID, name="Bugliano", tax_identification_number="80000000002")
    )
    first.put_service(ServiceConfig(id=SERVICE_ID, tenant_id=TENANT_ID))
    for n in range(10):
        outcome = await (a if n % 2 else b).handle_event(raw(creation_pending()))
        assert outcome.status is PaymentStatus.PAYMENT_PENDING and outcome.payment_id
        ids.append(outcome.payment_id)
    clock.advance(timedelta(days=1))
    held = {p.id for p in first.due_for_check(clock.now, 4, owner="a")}  # a is busy with 4
    assert await b.poll_due() == 6
    assert len(held) == 4 and fake.count("status") == 6
    for pid in ids:
        stored = second.get_payment(pid)
        assert stored is not None
        assert (stored.checks == 0) is (pid in held), "b checked all but a's four"


def test_an_older_store_file_gains_the_claim_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA + IMPORT_SCHEMA)  # the schema before claims
    db.close()
    store = Store.open(path)
    try:
        [pid] = pending(store, 1)
        assert [p.id for p in store.due_for_check(DUE, 10, owner="a")] == [pid]
    finally:
        store.close()
    db = sqlite3.connect(path)
    for table in ("payments", "notifications", "imports"):
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        assert {"lease_owner", "lease_until"} <= columns, table
    db.close()
    Store.open(path).close()  # opening it again changes nothing


def test_replica_settings_from_the_environment() -> None:
    replica_id, lease = replica_from_env({})
    assert replica_id.count("-") >= 2 and lease == DEFAULT_LEASE_SECONDS
    assert replica_from_env({"COLLAUDO_REPLICA_ID": "proxy-1", "COLLAUDO_LEASE_SECONDS": "5"}) == (
        "proxy-1",
        5.0,
    )
    with pytest.raises(ReplicaError, match="COLLAUDO_REPLICA_ID"):
        replica_from_env({"COLLAUDO_REPLICA_ID": "two words"})
    with pytest.raises(ReplicaError, match="COLLAUDO_LEASE_SECONDS='soon'.*seconds"):
        replica_from_env({"COLLAUDO_LEASE_SECONDS": "soon"})


def test_the_proxy_refuses_a_bad_replica_setting_at_start() -> None:
    from adapters.api.settings import ApiSettings, SettingsError

    settings = ApiSettings.from_env({"COLLAUDO_REPLICA_ID": "proxy-2"})
    assert (settings.replica_id, settings.lease_seconds) == ("proxy-2", DEFAULT_LEASE_SECONDS)
    with pytest.raises(SettingsError, match="between 0.5 and 86400"):
        ApiSettings.from_env({"COLLAUDO_LEASE_SECONDS": "0"})


async def test_a_link_opened_on_two_replicas_at_once_starts_the_payment_once(
    two: tuple[Store, Store], clock: FakeClock
) -> None:
    """The citizen's double click lands on both replicas: the second one to write finds
    the payment started by the first, and redirects all the same."""
    first, second = two
    first.put_tenant(
        TenantConfig(id=TENANT_ID, name="Bugliano", tax_identification_number="80000000002")
    )
    first.put_service(ServiceConfig(id=SERVICE_ID, tenant_id=TENANT_ID))

    class Racing(FakeIntermediary):
        other: PaymentService | None = None

        async def checkout_url(self, ctx, return_urls):  # type: ignore[no-untyped-def]
            url = await super().checkout_url(ctx, return_urls)
            other, self.other = self.other, None
            if other is not None:  # the other replica opens it while this one waits
                assert await other.begin_online_payment(ctx.payment_id) == url
            return url

    fake = Racing()
    a, b = replica(first, "a", clock, fake), replica(second, "b", clock, fake)
    outcome = await a.handle_event(raw(creation_pending()))
    assert outcome.payment_id is not None
    fake.other = b
    assert (await a.begin_online_payment(outcome.payment_id)).startswith("http")
    events = first.published_events(outcome.payment_id)
    assert [e.status for e in events] == [
        PaymentStatus.PAYMENT_PENDING,
        PaymentStatus.PAYMENT_STARTED,
    ]
    # The status link of the other replica sees the same payment.
    fake.other = None
    assert (await b.update(outcome.payment_id)).status is PaymentStatus.PAYMENT_STARTED


async def test_a_replica_stopping_gracefully_leaves_nothing_claimed(
    store: Store, clock: FakeClock
) -> None:
    from adapters.core.runtime import ProxyRuntime

    service = replica(store, "a", clock)
    runtime = ProxyRuntime(service, poll_interval=3600, notify_interval=3600)
    await runtime.start()
    pending(store, 2, notify=True)
    assert len(store.due_notifications(DUE, 10, owner="a")) == 2  # in hand at the stop
    assert store.acquire_lease("pruner", "a", 30)
    await runtime.stop()
    assert store.lease_holder("pruner") is None and store.lease_holder("outbox") is None
    assert len(store.due_notifications(DUE, 10, owner="b")) == 2


async def test_a_restarted_proxy_takes_back_at_once_what_its_dead_process_held(
    store: Store, clock: FakeClock
) -> None:
    import os
    import subprocess
    import sys

    from adapters.core.replica import default_replica_id, machine_tag
    from adapters.core.runtime import ProxyRuntime

    host, tag = default_replica_id().rsplit("-", 2)[0], machine_tag()
    dead_pid = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_pid.wait()
    crashed = f"{host}-{dead_pid.pid}-{tag}"  # this machine, its process gone: a crash
    alive = f"{host}-{os.getppid()}-{tag}"  # this machine, its process running
    elsewhere = f"{host}-{dead_pid.pid}-00000000"  # another machine: not judged from here
    chosen = "proxy-2"  # a chosen name: only its lease's expiry frees it
    pending(store, 4)
    for owner in (crashed, alive, elsewhere, chosen):
        assert len(store.due_for_check(DUE, 1, owner=owner)) == 1
    assert store.acquire_lease("outbox", crashed, 30)

    runtime = ProxyRuntime(
        replica(store, default_replica_id(), clock), poll_interval=3600, notify_interval=3600
    )
    await runtime.start()
    try:
        owners = store.claim_owners()
        assert crashed not in owners  # its payment and the outbox are free at once
        assert {alive, elsewhere, chosen} <= owners  # the others wait for their leases
        assert store.lease_holder("outbox") != crashed
    finally:
        await runtime.stop()
