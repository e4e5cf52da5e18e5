"""The WAL is checkpointed by the store's thread, not in the commits of the event loop."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from adapters.core.store import Store
from adapters.core.store_checkpoint import WalCheckpointer


def _frames_not_checkpointed(path: Path) -> int:
    probe = sqlite3.connect(str(path))
    try:
        busy, frames, done = probe.execute("PRAGMA wal_checkpoint(NOOP)").fetchone()
    except sqlite3.OperationalError:  # SQLite without NOOP: ask PASSIVE, which also copies
        busy, frames, done = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        probe.close()
    return int(frames) - int(done)


def test_the_thread_copies_the_log_into_the_database_while_the_writer_never_does(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.sqlite3"
    writer = sqlite3.connect(str(path), isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the thread checkpoints here
    writer.execute("CREATE TABLE t (x BLOB)")

    class Owner:  # the thread lives as long as its store
        pass

    owner = Owner()
    checkpointer = WalCheckpointer(path, owner, interval=0.05, min_bytes=64 * 1024)
    checkpointer.start()
    try:
        for _ in range(200):
            writer.execute("INSERT INTO t VALUES (randomblob(2000))")
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpointer.checkpoints >= 1
        assert _frames_not_checkpointed(path) < 200  # copied while nobody else checkpointed
    finally:
        checkpointer.stop()
        writer.close()


def test_a_file_store_runs_one_checkpointer_and_close_stops_it(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "proxy.sqlite3")
    names = [t.name for t in threading.enumerate() if t.name.startswith("wal-checkpoint:")]
    assert "wal-checkpoint:proxy.sqlite3" in names
    store.close()
    names = [t.name for t in threading.enumerate() if t.name == "wal-checkpoint:proxy.sqlite3"]
    assert names == []
    memory = Store.open(":memory:")
    assert memory._checkpointer is None
    memory.close()
