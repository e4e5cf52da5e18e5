"""The store's schema details that keep it flat as it grows, and stores made before them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adapters.core.intermediary import DebtPosition
from adapters.core.models import PaymentStatus
from adapters.core.store import Store

from .conftest import TENANT_ID
from .test_store import stored_payment


def _indexes(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    finally:
        db.close()


def test_a_store_made_before_opens_without_the_unused_status_index(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    store = Store.open(path)
    kept = store.save_payment(stored_payment("301000000000000077"))
    store.close()
    old = sqlite3.connect(path)  # as the schema of the previous release left it
    old.execute("CREATE INDEX payments_service_status ON payments (service_id, status)")
    old.close()
    assert "payments_service_status" in _indexes(path)

    store = Store.open(path)
    assert "payments_service_status" not in _indexes(path)
    assert {"payments_notice", "payments_check", "payments_attempt"} <= _indexes(path)
    again = store.get_payment(kept.id)
    assert again is not None and again.version == 1
    assert store.count_payments(PaymentStatus.CREATION_PENDING) == 1
    store.close()


def test_a_notice_given_by_a_later_update_is_found_and_stays_found(store: Store) -> None:
    payment = store.save_payment(stored_payment())  # created before the intermediary answered
    assert store.find_by_notice(TENANT_ID, "301000000000000099") is None
    notice = "301000000000000099"
    payment.position = DebtPosition(
        payment.id.hex, notice[1:], notice, "80000000002", payment.event.payment.amount
    )
    payment.event = payment.event.next_version("test", status=PaymentStatus.PAYMENT_PENDING)
    store.save_payment(payment, publish=True)
    found = store.find_by_notice(TENANT_ID, notice)
    assert found is not None and found.id == payment.id and found.version == 2

    found.checks = 3  # a later write that leaves the notice as it was
    store.save_payment(found)
    again = store.find_by_notice(TENANT_ID, notice)
    assert again is not None and again.checks == 3 and again.version == 3
    assert store.count_payments(PaymentStatus.PAYMENT_PENDING) == 1


def test_memory_map_and_page_cache_sizes_follow_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(tmp_path / "default.sqlite3")
    assert store._db.execute("PRAGMA mmap_size").fetchone()[0] == 1 << 30
    assert store._db.execute("PRAGMA cache_size").fetchone()[0] == -16 * 1024
    store.close()

    monkeypatch.setenv("COLLAUDO_STORE_MMAP_MB", "0")  # RSS without the mapped file
    monkeypatch.setenv("COLLAUDO_STORE_CACHE_MB", "64")
    store = Store.open(tmp_path / "unmapped.sqlite3")
    assert store._db.execute("PRAGMA mmap_size").fetchone()[0] == 0
    assert store._db.execute("PRAGMA cache_size").fetchone()[0] == -64 * 1024
    store.close()

    monkeypatch.setenv("COLLAUDO_STORE_CACHE_MB", "lots")
    with pytest.raises(ValueError, match="COLLAUDO_STORE_CACHE_MB='lots': give a whole number"):
        Store.open(tmp_path / "refused.sqlite3")
