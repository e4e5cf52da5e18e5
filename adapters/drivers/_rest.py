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

import urllib.request
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
_DEFAULT_NAMES = {name.lower() for name in DEFAULT_HEADERS}
_DEFAULT_TIMEOUT = httpx.Timeout(5.0).as_dict()  # httpx's client default (verbs set theirs)


def environment_proxies() -> bool:
    """Whether the environment names a proxy httpx would use."""
    found = urllib.request.getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


class RestClient:
    """``request(method, url, headers=..., json=...)`` → ``httpx.Response``."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client: httpx.AsyncClient | None = None
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
        merged = DEFAULT_HEADERS
        if headers:
            # As the client merges: a header given replaces a default of the same name.
            if any(name.lower() in _DEFAULT_NAMES for name in headers):
                given = {name.lower() for name in headers}
                merged = {k: v for k, v in DEFAULT_HEADERS.items() if k.lower() not in given}
            merged = {**merged, **headers}
        request = httpx.Request(
            method,
            url,
            headers=merged,
            json=json,
            extensions={"timeout": _DEFAULT_TIMEOUT},
        )
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        await self._transport.aclose()
