"""Download the pinned official contracts into the user cache, each verified by sha256.

Each file comes from its upstream (the raw file at the pinned commit, see
:attr:`simulators.common.contract_lock.Pin.upstream_url`) or from a mirror given as a base
URL that serves a contracts folder's layout (``BASE/<relative path>``). A file whose
sha256 is not the lock's is refused and nothing of it is written; a verified file is
written to a temporary name beside its place and renamed, so the cache never holds half a
file. Files already in the cache with the pinned sha256 are not downloaded again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from simulators.common import contract_lock, contracts
from simulators.common.contract_lock import Pin

MAX_BYTES = 20 * 1024 * 1024  # far above any contract file: a guard against a wrong URL
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class Unreachable(RuntimeError):
    """The source cannot be reached at all (offline, DNS, refused): nothing to try further."""


@dataclass
class FetchResult:
    """What a fetch did, file by file."""

    cache: Path
    fetched: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, why)

    @property
    def ok(self) -> bool:
        return not self.refused


def source_url(pin: Pin, base_url: str | None) -> str | None:
    """Where ``pin`` is downloaded from: the mirror's ``BASE/<relative>``, else upstream
    (None when the upstream host's raw-file address is not known)."""
    if base_url:
        return f"{base_url.rstrip('/')}/{pin.relative}"
    return pin.upstream_url


def _download(client: httpx.Client, url: str) -> bytes:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise ValueError(f"HTTP {response.status_code} from {url}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ValueError(f"{url} sends more than {MAX_BYTES} bytes: not a contract")
                chunks.append(chunk)
            return b"".join(chunks)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        host = urlsplit(url).netloc or url
        raise Unreachable(f"cannot reach {host} ({exc or type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise ValueError(f"{url}: {type(exc).__name__}: {exc}") from exc


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fetch(
    pins: Iterable[Pin] | None = None,
    *,
    base_url: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
    client: httpx.Client | None = None,
) -> FetchResult:
    """Fetch every pinned file (or ``pins``) into the user cache; raises
    :class:`Unreachable` at the first file whose source cannot be reached at all."""
    chosen = list(pins if pins is not None else contract_lock.pins().values())
    cache = contracts.cache_dir()
    result = FetchResult(cache)
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True)
    try:
        for number, pin in enumerate(chosen, 1):
            counter = f"[{number}/{len(chosen)}] {pin.relative}"
            target = cache / pin.relative
            if target.is_file() and contract_lock.sha256_of(target) == pin.sha256:
                result.already.append(pin.relative)
                progress(f"{counter}: already in the cache, verified")
                continue
            url = source_url(pin, base_url)
            if url is None:
                why = f"no raw-file address known for {pin.repository}: use --from BASE_URL"
                result.refused.append((pin.relative, why))
                progress(f"{counter}: not fetched: {why}")
                continue
            try:
                data = _download(http, url)
            except ValueError as exc:
                result.refused.append((pin.relative, str(exc)))
                progress(f"{counter}: not fetched: {exc}")
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != pin.sha256:
                why = (
                    f"sha256 {digest} from {url} is not the lock's {pin.sha256}: refused, "
                    "nothing written"
                )
                result.refused.append((pin.relative, why))
                progress(f"{counter}: {why}")
                continue
            try:
                _write_atomically(target, data)
            except OSError as exc:
                why = f"cannot write {target} ({exc}): set COLLAUDO_CACHE_DIR to a writable folder"
                result.refused.append((pin.relative, why))
                progress(f"{counter}: {why}")
                continue
            result.fetched.append(pin.relative)
            progress(f"{counter}: fetched from {url}, {len(data)} bytes, sha256 verified")
    finally:
        if client is None:
            http.close()
    return result
