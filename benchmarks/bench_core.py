"""Adapter core benchmark (a script, not a test).

    .venv/bin/python benchmarks/bench_core.py [--payments 2000] [--sizes 1000,100000]
        [--driver-payments 300]      (0 skips a part: --payments 0 --driver-payments 0
                                      times the store alone)

Prints:
1. payments created per second end to end: CREATION_PENDING published on the
   memory bus -> consumer -> fake intermediary -> store + outbox -> PAYMENT_PENDING
   published, with the real ProxyRuntime loops;
2. the same with each real driver (MyPay over SOAP, GPD over REST) against its
   simulator on loopback: the whole stack of ``collaudo up`` in one process
   (proxy and simulator share one event loop, so one core does both sides);
3. the SQLite store at each size: time per operation (insert, get,
   update-with-outbox, find_by_notice) and memory (file size, Python heap, RSS).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.core.bus import MemoryBus  # noqa: E402
from adapters.core.config import ServiceConfig, TenantConfig  # noqa: E402
from adapters.core.fake import FakeIntermediary  # noqa: E402
from adapters.core.intermediary import DebtPosition  # noqa: E402
from adapters.core.models import PaymentEvent, PaymentStatus  # noqa: E402
from adapters.core.runtime import ProxyRuntime  # noqa: E402
from adapters.core.service import PaymentService, ProxySettings  # noqa: E402
from adapters.core.store import Store  # noqa: E402
from adapters.core.store_rows import StoredPayment  # noqa: E402
from adapters.pagopa.notice import generate_notice  # noqa: E402

TENANT = uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329")
SERVICE = uuid.UUID("b21c4429-95e4-45d5-930f-44eb74136625")
NOW = datetime(2025, 3, 1, tzinfo=UTC)


def event_dict(pid: uuid.UUID, now: datetime = NOW) -> dict[str, object]:
    return {
        "id": str(pid),
        "type": "PAGOPA",
        "tenant_id": str(TENANT),
        "service_id": str(SERVICE),
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "status": "CREATION_PENDING",
        "reason": f"{pid} - BNRMHL75C06G702B",
        "payment": {"amount": 20.0, "expire_at": (now + timedelta(days=90)).isoformat()},
        "links": {"notify": []},  # no platform to notify in a benchmark
        "payer": {"type": "human", "tax_identification_number": "BNRMHL75C06G702B", "name": "M"},
        "event_id": str(uuid.uuid4()),
        "event_version": "2.0",
        "event_created_at": now.isoformat(),
        "app_id": "payment-dispatcher:1.0.0",
    }


def configure(store: Store) -> None:
    store.put_tenant(
        TenantConfig(id=TENANT, name="Comune", tax_identification_number="80000000002")
    )
    store.put_service(ServiceConfig(id=SERVICE, tenant_id=TENANT))


async def end_to_end(count: int, workdir: Path) -> None:
    store = Store.open(workdir / "e2e.sqlite3")
    configure(store)
    bus = MemoryBus()
    service = PaymentService(store, FakeIntermediary(), bus, ProxySettings())
    runtime = ProxyRuntime(service, poll_interval=60, notify_interval=3600)
    messages = [json.dumps(event_dict(uuid.uuid4())).encode() for _ in range(count)]
    await runtime.start()
    started = time.perf_counter()
    for message in messages:
        bus.publish_nowait("payments", str(SERVICE).encode(), message)
    # Done when every PAYMENT_PENDING was published (the own echoes are consumed too).
    while len(bus.messages()) < 2 * count or bus.lag("payments", "collaudo-payment-proxy"):
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - started
    await runtime.stop()
    pending = sum(
        PaymentEvent.model_validate_json(v).status is PaymentStatus.PAYMENT_PENDING
        for v in bus.messages()
    )
    assert pending == count, pending
    print(f"end to end: {count} payments CREATION_PENDING -> PAYMENT_PENDING published")
    print(
        f"  {elapsed:.2f} s, {count / elapsed:,.0f} payments/s "
        f"({elapsed / count * 1e3:.2f} ms each)"
    )
    store.close()


async def _publish_and_wait(bus: MemoryBus, messages: list[bytes], count: int) -> float:
    started = time.perf_counter()
    first = len(bus.messages())
    for message in messages:
        bus.publish_nowait("payments", str(SERVICE).encode(), message)
    done: set[uuid.UUID] = set()
    failed: list[PaymentEvent] = []
    seen = first + count  # our own CREATION_PENDING events come first
    deadline = time.monotonic() + 600
    while len(done) < count and time.monotonic() < deadline:
        log = bus.messages()
        for raw in log[seen:]:  # only what arrived since the last look
            event = PaymentEvent.model_validate_json(raw)
            if event.status is not PaymentStatus.CREATION_PENDING:
                done.add(event.id)
            if event.status is PaymentStatus.CREATION_FAILED:
                failed.append(event)
        seen = len(log)
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    assert not failed, f"{len(failed)} creations failed, e.g. {failed[0].status_reason}"
    assert len(done) >= count, f"only {len(done)} of {count} payments were created in time"
    return elapsed


def drivers_end_to_end(count: int, workdir: Path) -> None:
    from collaudo.stack import StackOptions, StackThread

    for intermediary in ("mypay", "gpd"):
        runner = StackThread(
            StackOptions(intermediary=intermediary, data_dir=workdir / intermediary)
        )
        stack = runner.start()
        try:
            now = datetime.now(UTC)  # the simulators refuse due dates in the past
            messages = [json.dumps(event_dict(uuid.uuid4(), now)).encode() for _ in range(count)]
            elapsed = runner.call(_publish_and_wait(stack.bus, messages, count), timeout=900)
        finally:
            runner.stop()
        print(f"end to end with the {intermediary} driver against its simulator: {count} payments")
        print(
            f"  {elapsed:.2f} s, {count / elapsed:,.1f} payments/s "
            f"({elapsed / count * 1e3:.1f} ms each)"
        )


def timed(label: str, ops: int, fn: object) -> float:
    # CPU time beside wall time: on a shared machine the wall clock also counts the time
    # other processes had the core; this process's CPU time does not.
    started, cpu_started = time.perf_counter(), time.process_time()
    fn()  # type: ignore[operator]
    per_op = (time.perf_counter() - started) / ops
    cpu_per_op = (time.process_time() - cpu_started) / ops
    print(
        f"  {label:<22} {per_op * 1e6:9.1f} µs/op  {cpu_per_op * 1e6:9.1f} CPU-µs/op  ({ops} ops)"
    )
    return per_op


# (size, operation) -> (wall, CPU) seconds per operation of the best round, for the goals.
FIGURES: dict[tuple[int, str], tuple[float, float]] = {}


def best(label: str, rounds: list[Callable[[], int]], size: int = 0) -> None:
    """Time each round (it returns how many operations it did); print the best round's wall
    and CPU time per operation."""
    walls, cpus, counts = [], [], []
    for fn in rounds:
        started, cpu_started = time.perf_counter(), time.process_time()
        count = fn()
        walls.append((time.perf_counter() - started) / max(count, 1))
        cpus.append((time.process_time() - cpu_started) / max(count, 1))
        counts.append(count)
    FIGURES[size, label] = (min(walls), min(cpus))
    print(
        f"  {label:<22} {min(walls) * 1e6:9.1f} µs/op  {min(cpus) * 1e6:9.1f} CPU-µs/op  "
        f"(best of {len(rounds)} rounds of {min(counts)}-{max(counts)} ops)"
    )


STORE_GOAL = 1.2  # issue 11: each operation at the largest size within 1.2x of the smallest


def store_goals(sizes: list[int]) -> None:
    """The goal lines: each timed operation at the largest size against the smallest."""
    small, large = min(sizes), max(sizes)
    if small == large:
        return
    print(f"goals (store at {large:,} payments within {STORE_GOAL}x of {small:,}):")
    for label in ("get_payment", "find_by_notice", "update with outbox"):
        if (small, label) not in FIGURES or (large, label) not in FIGURES:
            continue
        (wall_s, cpu_s), (wall_l, cpu_l) = FIGURES[small, label], FIGURES[large, label]
        for kind, before, after in (("wall", wall_s, wall_l), ("CPU ", cpu_s, cpu_l)):
            ratio = after / before
            print(
                f"  {label:<20} {kind} {'met   ' if ratio <= STORE_GOAL else 'MISSED'} "
                f"{ratio:.2f}x ({before * 1e6:.1f} -> {after * 1e6:.1f} µs)"
            )
    print(
        "  (wall time is the goal on an idle machine; on a shared one compare CPU: the wall "
        "clock also counts the time other processes had the core)"
    )


def checkpoint(path: Path) -> None:
    """Copy the store's write-ahead log into its database now (what its thread does)."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    finally:
        db.close()


def _per_op(fn: Callable[[], int]) -> float:
    """CPU seconds per operation of one round."""
    cpu_started = time.process_time()
    count = fn()
    return (time.process_time() - cpu_started) / max(count, 1)


def store_bench(size: int, workdir: Path) -> None:
    path = workdir / f"store-{size}.sqlite3"
    tracemalloc.start()
    heap_before = tracemalloc.get_traced_memory()[0]
    store = Store.open(path)
    configure(store)
    template = PaymentEvent.model_validate(event_dict(uuid.uuid4()))
    ids: list[uuid.UUID] = []
    notices: list[str] = []

    def insert_all() -> None:
        for n in range(size):
            pid = uuid.uuid4()
            notice = generate_notice(3, n, segregation_code="01").notice_number
            event = template.model_copy(update={"id": pid, "event_id": uuid.uuid4()})
            position = DebtPosition(
                pid.hex, notice[1:], notice, "80000000002", event.payment.amount
            )
            store.save_payment(StoredPayment(event=event, position=position))
            ids.append(pid)
            notices.append(notice)

    print(f"store with {size:,} payments")
    timed("insert", size, insert_all)
    # The heap the store holds is what the inserts left traced; the lookups below are timed
    # without tracemalloc, which would slow every Python allocation and hide what SQLite does.
    heap = tracemalloc.get_traced_memory()[0] - heap_before
    tracemalloc.stop()
    # The same start at every size: the inserts' log copied into the database. Else the
    # store's checkpoint thread copies it during the lookups at 100,000 payments (its CPU is
    # the process's) while 1,000 inserts end before its first look and are never copied.
    checkpoint(path)
    rng = random.Random(1)
    rounds = 3  # each on another random sample; the best round is printed, as timeit does
    samples = [[rng.randrange(size) for _ in range(min(size, 2000))] for _ in range(rounds)]

    def get_all(sample: list[int]) -> int:
        for i in sample:
            assert store.get_payment(ids[i]) is not None
        return len(sample)

    def find_all(sample: list[int]) -> int:
        for i in sample:
            assert store.find_by_notice(TENANT, notices[i]) is not None
        return len(sample)

    updated: set[int] = set()

    def update_all(sample: list[int]) -> int:
        done = 0
        for i in sample[:1000]:
            if i in updated:  # each payment once: the update of a CREATION_PENDING one
                continue
            updated.add(i)
            stored = store.get_payment(ids[i])
            assert stored is not None
            if stored.status is PaymentStatus.CREATION_PENDING:
                stored.event = stored.event.next_version(
                    "collaudo-payment-proxy:bench", status=PaymentStatus.PAYMENT_PENDING
                )
                store.save_payment(stored, publish=True)
                done += 1
        # An update's cost includes copying its pages from the log into the database, at
        # every size (with 100,000 payments the store's thread, or SQLite in a commit, does it
        # within the rounds; with 1,000 the rounds end before the thread's first look).
        checkpoint(path)
        return done

    best("get_payment", [partial(get_all, s) for s in samples], size)
    best("find_by_notice", [partial(find_all, s) for s in samples], size)
    best("update with outbox", [partial(update_all, s) for s in samples], size)
    # Not a goal, for reading the figures above: the same sample again. With 1,000 payments
    # every round above finds its pages already mapped and in the CPU's caches; with 100,000
    # each fresh sample mostly reaches pages no lookup touched before.
    again = _per_op(partial(get_all, samples[-1]))
    print(f"  {'get, same sample again':<22} {'':>15}{again * 1e6:9.1f} CPU-µs/op  (not a goal)")
    wal = path.with_name(path.name + "-wal")
    disk, log = path.stat().st_size, wal.stat().st_size if wal.exists() else 0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  memory: database {disk / 1e6:.1f} MB on disk ({disk / size:,.0f} B/payment) and "
        f"its write-ahead log {log / 1e6:.1f} MB, Python heap held by the store "
        f"{heap / 1e6:.2f} MB, process max RSS {rss_mb:.0f} MB"
    )
    store.close()
    prune_bench(path, ids)


def prune_bench(path: Path, ids: list[uuid.UUID]) -> None:
    """A year of history to prune: per payment two events published and one consumed id
    a year ago. Prints rows/s and the longest batch (how long the proxy's writers wait)."""
    year_ago = (NOW - timedelta(days=365)).timestamp()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO outbox (event_id, payment_id, topic, key, value, created_at, "
            "published_at) VALUES (?, ?, 'payments', x'00', x'00', ?, ?)",
            [(str(uuid.uuid4()), str(pid), year_ago, year_ago) for pid in ids for _ in (1, 2)],
        )
        db.executemany(
            "INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?)",
            [(str(uuid.uuid4()), year_ago) for _ in ids],
        )
    store = Store.open(path)
    deleted, batches, longest = 0, 0, 0.0
    started = time.perf_counter()
    while True:
        batch_started = time.perf_counter()
        done = sum(store.prune(NOW - timedelta(days=90)).values())
        longest = max(longest, time.perf_counter() - batch_started)
        if not done:
            break
        deleted, batches = deleted + done, batches + 1
    took = time.perf_counter() - started
    print(
        f"  prune: {deleted:,} rows of year-old history in {took:.2f} s "
        f"({deleted / took:,.0f} rows/s, {batches} batches, longest {longest * 1000:.0f} ms)"
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=2000, help="end-to-end payments (0 skips)")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument(
        "--driver-payments", type=int, default=300, help="payments per real driver (0 skips)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="collaudo-bench-") as tmp:
        workdir = Path(tmp)
        if args.payments:
            asyncio.run(end_to_end(args.payments, workdir))
        if args.driver_payments:
            drivers_end_to_end(args.driver_payments, workdir)
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        for size in sizes:
            store_bench(size, workdir)
        if sizes:
            store_goals(sizes)


if __name__ == "__main__":
    main()
