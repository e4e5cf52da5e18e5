"""Reading the documentation: local files, or http(s) URLs the user gave.

The network is used only for the URLs given on the command line and for documents they
import from the same host (scheme, host and port); a relative import of a local file is
read from disk, never from the network, and an import that leaves those bounds is not
followed (the check that wanted it says so). Every document is read at most once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from collaudo.contractcheck.findings import ContractInputError

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT = 15.0


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def to_uri(location: str) -> str:
    """The absolute URI of a FILE or URL argument."""
    if is_url(location):
        return urldefrag(location)[0]
    return Path(location).expanduser().resolve().as_uri()


def display_name(uri: str, base_dir: Path | None = None) -> str:
    """How a document is named in reports: a path relative to ``base_dir`` when it is a
    local file below it, else its path or URL."""
    if uri.startswith("file://"):
        path = Path(urlsplit(uri).path)
        if base_dir is not None:
            try:
                return str(path.relative_to(base_dir))
            except ValueError:
                pass
        return str(path)
    return uri


def _origin(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    return parts.scheme, parts.netloc.lower()


class Refused(Exception):
    """A document outside what may be read (another host, a remote import of a local file)."""


@dataclass
class Reader:
    """Reads documents within the bounds above, caching each by URI."""

    roots: list[str]
    transport: httpx.BaseTransport | None = None
    cache: dict[str, bytes] = field(default_factory=dict)

    def allowed(self, uri: str) -> bool:
        if uri.startswith("file://"):
            return True
        return any(is_url(root) and _origin(root) == _origin(uri) for root in self.roots)

    def read(self, uri: str) -> bytes:
        """The bytes at ``uri``; :class:`Refused` outside the bounds, :class:`OSError` when it
        cannot be read."""
        uri = urldefrag(uri)[0]
        if uri in self.cache:
            return self.cache[uri]
        if not self.allowed(uri):
            raise Refused(uri)
        if uri.startswith("file://"):
            path = Path(urlsplit(uri).path)
            data = path.read_bytes()
        else:
            data = self._fetch(uri)
        if len(data) > MAX_BYTES:
            raise OSError(f"{uri}: larger than {MAX_BYTES} bytes")
        self.cache[uri] = data
        return data

    def _fetch(self, uri: str) -> bytes:
        try:
            with httpx.Client(
                transport=self.transport, timeout=TIMEOUT, follow_redirects=False
            ) as client:
                response = client.get(uri)
        except httpx.HTTPError as exc:
            raise OSError(f"{uri}: {type(exc).__name__}: {exc}") from exc
        if response.is_redirect:
            # not followed: the target may be another host; the person decides
            raise OSError(
                f"{uri}: HTTP {response.status_code} redirect to "
                f"{response.headers.get('location', '?')}; give that URL instead"
            )
        if response.status_code != 200:
            raise OSError(f"{uri}: HTTP {response.status_code}")
        return response.content


def resolve(base: str, reference: str) -> str:
    """The absolute URI of ``reference`` (a schemaLocation, a $ref file part) seen from
    ``base``."""
    return urldefrag(urljoin(base, reference))[0]


def read_root(reader: Reader, location: str) -> tuple[str, bytes]:
    """The URI and bytes of a FILE|URL argument, or :class:`ContractInputError` saying why
    it cannot be read."""
    uri = to_uri(location)
    try:
        return uri, reader.read(uri)
    except FileNotFoundError as exc:
        raise ContractInputError(
            f"{location}: file not found; give the path of the WSDL, OpenAPI or Postman file"
        ) from exc
    except IsADirectoryError as exc:
        raise ContractInputError(
            f"{location}: is a directory; give the main file of the "
            "contract (its imports are read from beside it)"
        ) from exc
    except OSError as exc:
        raise ContractInputError(f"{location}: cannot be read ({exc})") from exc
