"""WAL checkpoints off the event loop: a thread copies the write-ahead log into the database.

SQLite checkpoints a WAL database in whichever commit pushes the log past
``wal_autocheckpoint`` pages (1,000 by default): that commit then writes ~4 MB into
the database file and fsyncs both files, on the thread that committed — the proxy's
event loop. On a busy disk that held the loop for half a second in the middle of a
20 ms import slice. :class:`WalCheckpointer` instead runs a PASSIVE checkpoint from
its own thread and connection every ``interval`` seconds when the log has grown past
``min_bytes`` (PASSIVE never waits for, nor blocks, the store's writers; the sqlite3
module releases the GIL while SQLite works). The store keeps autocheckpoint as a
backstop at ``BACKSTOP_PAGES``, far above what the thread lets the log reach, so a
stalled thread still cannot let the log grow without bound.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from pathlib import Path

__all__ = ["BACKSTOP_PAGES", "WalCheckpointer"]

log = logging.getLogger(__name__)

BACKSTOP_PAGES = 16_384  # 64 MB of 4 KiB pages: only reached if the thread falls behind


class WalCheckpointer:
    """A daemon thread checkpointing the WAL of the database at ``path`` (see above)."""

    def __init__(
        self,
        path: Path,
        owner: object,
        *,
        interval: float = 0.5,
        min_bytes: int = 2 << 20,
    ) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")
        self.interval = interval
        self.min_bytes = min_bytes
        self.checkpoints = 0
        self._seen = 0  # the log's mtime at the last checkpoint: it keeps its size after one
        self._stop = threading.Event()
        # Ends by itself when the store is dropped without close() (as tests do).
        self._owner = weakref.ref(owner)
        self._thread = threading.Thread(
            target=self._run, name=f"wal-checkpoint:{path.name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _due(self) -> bool:
        try:
            found = self.wal.stat()
        except OSError:
            return False
        if found.st_size < self.min_bytes or found.st_mtime_ns == self._seen:
            return False
        self._seen = found.st_mtime_ns
        return True

    def _run(self) -> None:
        db: sqlite3.Connection | None = None
        try:
            while not self._stop.wait(self.interval) and self._owner() is not None:
                if not self._due():
                    continue
                if db is None:
                    db = sqlite3.connect(str(self.path), timeout=5, check_same_thread=False)
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.checkpoints += 1
        except sqlite3.Error as exc:  # the store's own autocheckpoint takes over
            log.warning("WAL checkpoints of %s left to SQLite: %s", self.path, exc)
        finally:
            if db is not None:
                db.close()
