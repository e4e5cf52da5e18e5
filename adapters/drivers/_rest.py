"""The HTTP client of the REST drivers: httpx's requests and answers, less httpx's client.

``httpx.AsyncClient.request`` spends as much CPU as the exchange on work a driver does
not need per request: merging cookies (none), auth and redirect plumbing (neither),
event hooks. :class:`RestClient` builds the same ``httpx.Request`` (the client's default
headers, the JSON body encoded as httpx encodes it) and hands it to the recording
transport (:class:`adapters.drivers._http.RecordingTransport`: timeouts, recorded and
redacted exchanges) over :class:`adapters.drivers._lean.LeanTransport`, or over the
transport the caller gave (a mock, an ASGI app, a replay). Answers are ``httpx.Response``
as before, with their ``request``.

Not kept from httpx's client: cookies set by an answer are not sent back (no pagoPA API
uses them). When the environment names a proxy (``HTTP_PROXY``, ``HTTPS_PROXY``,
``ALL_PROXY``, as httpx reads them), the driver keeps httpx's client, which honours it.
"""

from __future__ import annotations

import re
import urllib.request
from json import dumps as json_dumps
from typing import Any

import httpx
from httpx._client import ACCEPT_ENCODING, USER_AGENT

from adapters.drivers._http import RecordingTransport
from adapters.drivers._lean import LeanTransport

#: httpx.AsyncClient's default headers, in its order and casing.
DEFAULT_HEADERS = {
    "Accept": "*/*",
    "Accept-Encoding": ACCEPT_ENCODING,
    "Connection": "keep-alive",
    "User-Agent": USER_AGENT,
}
#: Headers httpx adds itself, from the URL and the body: given ones take httpx's way.
_AUTOMATIC = {"host", "content-length", "content-type", "transfer-encoding"}
_HEADER_SETS_KEPT = 64  # header sets kept encoded (one per credential in practice)


def _ascii(text: str) -> bool:
    return text.isascii()


def merged_headers(headers: dict[str, str]) -> list[tuple[str, str]]:
    """httpx's client defaults updated with ``headers`` as ``Headers.update`` does: a
    default given again is dropped from its place; the given ones follow, in order."""
    names = {name.lower() for name in headers}
    kept = [(name, value) for name, value in DEFAULT_HEADERS.items() if name.lower() not in names]
    return kept + list(headers.items())


_DEFAULT_TIMEOUT = httpx.Timeout(5.0).as_dict()  # httpx's client default (verbs set theirs)


def environment_proxies() -> bool:
    """Whether the environment names a proxy httpx would use."""
    found = urllib.request.getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


#: A path segment that needs no quoting and no dot-segment handling.
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


def child_url(base: httpx.URL, segment: str) -> httpx.URL | None:
    """``base`` + ``/segment`` without parsing again (httpx's URL parser costs ~0.1 ms,
    the driver's per-position URLs would parse one each call): the parsed parts of
    ``base`` with the path extended. None when that is not plainly right (``segment``
    needs quoting, ``base`` has a query or ends with ``/``): then parse the string."""
    if not _PLAIN_SEGMENT.fullmatch(segment) or segment.endswith("."):
        return None
    parts = getattr(base, "_uri_reference", None)
    replace = getattr(parts, "_replace", None)
    path = getattr(parts, "path", None)
    if replace is None or not isinstance(path, str) or path.endswith("/"):
        return None
    if getattr(parts, "query", None) is not None or getattr(parts, "fragment", None) is not None:
        return None
    child = httpx.URL.__new__(httpx.URL)
    child._uri_reference = replace(path=f"{path}/{segment}")
    return child


class RestClient:
    """``request(method, url, headers=..., json=...)`` → ``httpx.Response``."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client: httpx.AsyncClient | None = None
        self._headers: dict[tuple[tuple[str, str], ...], list[tuple[bytes, bytes]]] = {}
        if transport is None and environment_proxies():
            self._client = httpx.AsyncClient(
                transport=RecordingTransport(None), follow_redirects=False
            )
        inner = transport if transport is not None else LeanTransport()
        self._transport = RecordingTransport(inner)

    async def request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        if self._client is not None:
            return await self._client.request(method, url, headers=headers, json=json)
        request = self._build(method, httpx.URL(url), headers or {}, json)
        return await self._transport.handle_async_request(request)

    def _build(
        self, method: str, url: httpx.URL, headers: dict[str, str], body: Any
    ) -> httpx.Request:
        """The request httpx's client would build, headers in its order, built directly."""
        given = self._headers.get(tuple(headers.items()))
        if given is None:
            names = {name.lower() for name in headers}
            if names & _AUTOMATIC or not all(_ascii(k) and _ascii(v) for k, v in headers.items()):
                # Unusual headers: httpx's own way (validation, its errors).
                return httpx.Request(
                    method,
                    url,
                    headers=merged_headers(headers),
                    json=body,
                    extensions={"timeout": _DEFAULT_TIMEOUT},
                )
            given = [(k.encode(), v.encode()) for k, v in merged_headers(headers)]
            if len(self._headers) >= _HEADER_SETS_KEPT:
                self._headers.clear()
            self._headers[tuple(headers.items())] = given
        method = method.upper()
        raw = [(b"Host", url.netloc)]
        content = b""
        if body is not None:
            text = json_dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            content = text.encode()
        elif method in ("POST", "PUT", "PATCH"):
            raw.append((b"Content-Length", b"0"))
        raw.extend(given)
        if body is not None:
            raw.append((b"Content-Length", str(len(content)).encode()))
            raw.append((b"Content-Type", b"application/json"))
        return httpx.Request(
            method,
            url,
            headers=raw,
            stream=httpx.ByteStream(content),
            extensions={"timeout": _DEFAULT_TIMEOUT},
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        await self._transport.aclose()
