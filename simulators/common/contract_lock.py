"""The lock of the official contract files (``contracts.lock.toml``) and their sha256.

The lock is facts only: for each file, keyed by its path inside a contracts folder, the
public repository and commit it comes from, its path there, its sha256 and size, the
repository's licence and the parts of collaudo that read it. It lives inside the package,
so an installed copy knows what it was built against as well as a checkout does.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

LOCK_FILE = Path(__file__).with_name("contracts.lock.toml")
GITHUB = "https://github.com/"


class LockError(RuntimeError):
    """The lock file is unreadable or a table lacks a field; the message says which."""


@dataclass(frozen=True)
class Pin:
    """One official file as the lock pins it."""

    relative: str  # path inside a contracts folder, e.g. ``mypay/pa-per-ente.wsdl``
    repository: str
    commit: str
    path: str  # path in the repository at ``commit``
    sha256: str
    size: int
    licence: str
    used_by: tuple[str, ...]

    @property
    def upstream_url(self) -> str | None:
        """Where the pinned bytes are downloaded from: the raw file at the pinned commit
        (None for a host whose raw-file address is not known: fetch from a mirror)."""
        if self.repository.startswith(GITHUB):
            slug = self.repository[len(GITHUB) :].strip("/")
            return f"https://raw.githubusercontent.com/{slug}/{self.commit}/{self.path}"
        return None

    def used_for(self, part: str) -> bool:
        """Whether ``part`` (``simulator:mypay``, ``fuzz:gpd``, …) reads this file."""
        return part in self.used_by


def _pin(relative: str, table: dict[str, object]) -> Pin:
    try:
        used = table.get("used_by", [])
        return Pin(
            relative=relative,
            repository=str(table["repository"]),
            commit=str(table["commit"]),
            path=str(table["path"]),
            sha256=str(table["sha256"]).lower(),
            size=int(table["bytes"]),  # type: ignore[call-overload]
            licence=str(table["licence"]),
            used_by=tuple(str(u) for u in used) if isinstance(used, list) else (),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LockError(f"{LOCK_FILE}: [files.{relative!r}] lacks or mistypes {exc}") from None


@functools.cache
def pins() -> dict[str, Pin]:
    """Every pinned file by relative path, in the lock's order (read once per process)."""
    try:
        document = tomllib.loads(LOCK_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LockError(f"the contracts lock {LOCK_FILE} cannot be read: {exc}") from exc
    files = document.get("files", {})
    return {relative: _pin(relative, table) for relative, table in files.items()}


def pin(relative: str) -> Pin | None:
    """The lock's entry for one file, or None when the lock does not pin it."""
    return pins().get(relative)


def used_by(part: str) -> tuple[str, ...]:
    """The pinned files ``part`` reads (``simulator:mypay``, ``fuzz:gpd``, …)."""
    return tuple(p.relative for p in pins().values() if p.used_for(part))


_hashes: dict[tuple[str, int, int], str] = {}
_hashes_lock = threading.Lock()


def sha256_of(path: Path) -> str:
    """The file's sha256, computed once per process per (path, mtime, size)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _hashes_lock:
        known = _hashes.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with _hashes_lock:
        _hashes[key] = digest
    return digest


def clear_hashes() -> None:
    """Forget the computed hashes (tests that rewrite files in place)."""
    with _hashes_lock:
        _hashes.clear()
