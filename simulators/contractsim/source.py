"""Reading a contract and the files it refers to, from a path or an http(s) URL.

Locations are kept as text: an absolute filesystem path or an absolute URL, so that a
reference inside a document (``$ref: schemas.yaml#/X``, ``schemaLocation="../x.xsd"``) is
resolved against the document that holds it, the same way for both.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

MAX_BYTES = 20 * 1024 * 1024


class ContractUnreadable(RuntimeError):
    """A contract file cannot be read; the message names it and what to do."""


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def absolute(location: str) -> str:
    if is_url(location):
        return location
    if location.startswith("file://"):
        location = urlsplit(location).path
    return str(Path(location).expanduser().resolve())


def join(base: str, reference: str) -> str:
    """``reference`` (relative or absolute) resolved against the document at ``base``."""
    if is_url(reference):
        return reference
    if reference.startswith("file://"):
        return absolute(reference)
    if is_url(base):
        return urljoin(base, reference)
    if os.path.isabs(reference):
        return os.path.normpath(reference)
    return os.path.normpath(os.path.join(os.path.dirname(base), reference))


def relative_name(root: str, location: str) -> str:
    """A short, stable name of ``location`` relative to the root document's folder."""
    if is_url(root) or is_url(location):
        return posixpath.basename(urlsplit(location).path) or "document"
    try:
        return os.path.relpath(location, os.path.dirname(root))
    except ValueError:
        return os.path.basename(location)


@dataclass
class Reader:
    """Reads documents once each (a contract's files refer to each other repeatedly)."""

    timeout: float = 30.0
    cache: dict[str, bytes] = field(default_factory=dict)

    def read(self, location: str) -> bytes:
        location = absolute(location)
        if location in self.cache:
            return self.cache[location]
        if is_url(location):
            data = self._fetch(location)
        else:
            path = Path(location)
            if not path.is_file():
                raise ContractUnreadable(
                    f"{location}: no such file; give the path of the WSDL, OpenAPI or Postman "
                    "file (or an http(s) URL), and keep the files it refers to beside it"
                )
            if path.stat().st_size > MAX_BYTES:
                raise ContractUnreadable(f"{location}: larger than {MAX_BYTES} bytes")
            data = path.read_bytes()
        self.cache[location] = data
        return data

    def _fetch(self, url: str) -> bytes:
        import httpx

        try:
            response = httpx.get(url, timeout=self.timeout, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise ContractUnreadable(
                f"{url}: cannot download it ({type(exc).__name__}: {exc}); check the URL and "
                "the network (VPN?), or download the file and give its path"
            ) from exc
        if response.status_code != 200:
            raise ContractUnreadable(f"{url}: HTTP {response.status_code}; check the URL")
        if len(response.content) > MAX_BYTES:
            raise ContractUnreadable(f"{url}: larger than {MAX_BYTES} bytes")
        return response.content
