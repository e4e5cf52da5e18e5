"""The store, on SQLite and on PostgreSQL (``store_kind``): configurations, optimistic
writes, the outbox transaction, stamps."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest

from adapters.core.config import ServiceConfig
from adapters.core.intermediary import DebtPosition
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.store import PaymentExists, StaleWrite, StampAlreadyUsed, Store
from adapters.core.store_rows import StoredPayment

from .conftest import SERVICE_ID, TENANT_ID, creation_pending


def stored_payment(notice: str | None = None) -> StoredPayment:
    event = PaymentEvent.model_validate(creation_pending())
    position = None
    if notice:
        position = DebtPosition(
            event.id.hex, notice[1:], notice, "80000000002", event.payment.amount
        )
    return StoredPayment(event=event, position=position)


@pytest.mark.parametrize("store_kind", ["sqlite"])
def test_file_is_wal_with_indexes(store: Store) -> None:
    assert store.path is not None and store.path.parent.name == ".collaudo"
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"payments_notice", "payments_check", "outbox_pending", "outbox_payment"} <= indexes
    # A payment's history (the operator's view, retention) is read by index, not by a scan.
    history = db.execute(
        "EXPLAIN QUERY PLAN SELECT value FROM outbox WHERE payment_id = ? ORDER BY seq", ("p",)
    ).fetchall()
    assert "outbox_payment" in " ".join(str(r) for r in history)
    plan = " ".join(
        str(r)
        for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM payments WHERE tenant_id=? AND notice_number=?",
            ("t", "n"),
        )
    )
    assert "payments_notice" in plan
    db.close()


def test_configs_round_trip_with_driver_fields(store: Store) -> None:
    service = ServiceConfig(id=uuid.uuid4(), tenant_id=TENANT_ID, codice_tipo_dovuto="CANONE_CUP")
    store.put_service(service)
    again = store.get_service(service.id)
    assert again == service and (again.model_extra or {})["codice_tipo_dovuto"] == "CANONE_CUP"
    assert {s.id for s in store.list_services(TENANT_ID)} >= {SERVICE_ID, service.id}
    assert store.list_services(uuid.uuid4()) == []
    assert [t.id for t in store.list_tenants()] == [TENANT_ID]
    assert store.active_config(TENANT_ID, service.id) is not None
    assert store.active_config(uuid.uuid4(), service.id) is None


def test_stale_write_and_duplicate_insert_are_refused(store: Store) -> None:
    payment = store.save_payment(stored_payment("302000000000000123"))
    first_reader = store.get_payment(payment.id)
    second_reader = store.get_payment(payment.id)
    assert first_reader is not None and second_reader is not None
    store.save_payment(first_reader)
    with pytest.raises(StaleWrite):
        store.save_payment(second_reader)
    with pytest.raises(PaymentExists):
        store.save_payment(StoredPayment(event=payment.event))
    twin = stored_payment("302000000000000123")  # same notice in the same tenant
    with pytest.raises(PaymentExists, match="302000000000000123"):
        store.save_payment(twin)


def test_find_by_notice(store: Store) -> None:
    payment = store.save_payment(stored_payment("301000000000000042"))
    found = store.find_by_notice(TENANT_ID, "301000000000000042")
    assert found is not None and found.id == payment.id and found.position == payment.position
    assert store.find_by_notice(uuid.uuid4(), "301000000000000042") is None


def test_state_change_and_event_commit_together_or_not_at_all(store: Store) -> None:
    payment = store.save_payment(stored_payment())
    nxt = payment.event.next_version(
        "collaudo-payment-proxy:1", status=PaymentStatus.PAYMENT_PENDING
    )
    payment.event = nxt
    payment.version = 99  # a stale write fails inside the transaction...
    with pytest.raises(StaleWrite):
        store.save_payment(payment, publish=True)
    assert store.outbox_backlog() == 0  # ...and its outbox row is rolled back with it
    fresh = store.get_payment(payment.id)
    assert fresh is not None and fresh.status is PaymentStatus.CREATION_PENDING
    fresh.event = nxt
    store.save_payment(fresh, publish=True)
    [record] = store.pending_outbox()
    assert record.event_id == nxt.event_id and record.key == str(SERVICE_ID).encode()
    assert store.is_own_event(nxt.event_id) and store.seen_event(nxt.event_id)
    store.mark_published([record.seq])
    assert store.pending_outbox() == [] and store.outbox_backlog() == 0


def test_paper_stamp_used_twice_in_a_tenant_is_refused(store: Store) -> None:
    pid = uuid.uuid4()
    store.register_paper_stamp(TENANT_ID, "01234567890123", date(2025, 1, 2), pid, None)
    with pytest.raises(StampAlreadyUsed, match=f"registrata per il pagamento {pid}"):
        store.register_paper_stamp(
            TENANT_ID, "01234567890123", date(2025, 1, 2), None, uuid.uuid4()
        )
    store.register_paper_stamp(uuid.uuid4(), "01234567890123", date(2025, 1, 2), None, uuid.uuid4())


def test_store_survives_reopen(store_location: str) -> None:
    path = store_location
    first = Store.open(path)
    saved = first.save_payment(stored_payment())
    first.close()
    second = Store.open(path)
    again = second.get_payment(saved.id)
    assert again is not None and again.event == saved.event and again.version == 1
    second.close()


def test_unwritable_location_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError):
        Store.open(blocker / "sub" / "proxy.sqlite3")
