"""What every driver shares on the wire: recording exchanges, timeouts, error translation.

A driver verb runs inside :func:`recording`; every HTTP request made meanwhile (zeep's
SOAP posts and WSDL loads included) goes through :class:`RecordingTransport`, which
applies the verb's timeout and appends an :class:`Exchange` — secrets redacted — to the
verb's list, also when the connection fails or the answer is garbage. Low-level
exceptions are translated once, here, into the :mod:`adapters.core.intermediary` errors,
with a diagnosis naming host, port and the local source address when the cause looks
like an IP allowlist (connection refused/reset, HTTP 403).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from adapters.core.intermediary import (
    AccessDenied,
    Exchange,
    IntermediaryError,
    IntermediaryFault,
    IntermediaryUnavailable,
    PositionNotFound,
    RequestRejected,
)
from adapters.core.tls import default_tls
from adapters.drivers._route import source_address as source_address
from adapters.drivers._route import way_to

#: pagoPA's limits towards a creditor (SANP "Livelli di servizio"): 7 s, 15 s for receipts.
OPERATION_TIMEOUT = 7.0
RECEIPT_TIMEOUT = 15.0
REDACTED = "***"
_MAX_RECORDED = 64 * 1024
_SECRET_HEADERS = {
    "ocp-apim-subscription-key",
    "authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
}
# GovPay's X-Govpay-IdTransazione names the transaction in its logs: keep it as evidence.
_RECORDED_HEADERS = {
    "content-type",
    "soapaction",
    "location",
    "x-govpay-idtransazione",
} | _SECRET_HEADERS
_PASSWORD_ELEMENT = re.compile(r"(<(?:[\w.-]+:)?password\b[^>]*>)(.*?)(</)", re.S)


@dataclass
class CallRecord:
    """The exchanges of one driver verb, and what to hide and how long to wait."""

    operation: str
    timeout: float = OPERATION_TIMEOUT
    secrets: tuple[str, ...] = ()
    exchanges: list[Exchange] = field(default_factory=list)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, REDACTED)
        return _PASSWORD_ELEMENT.sub(rf"\1{REDACTED}\3", text)


_CURRENT: contextvars.ContextVar[CallRecord | None] = contextvars.ContextVar(
    "collaudo_driver_call", default=None
)


@contextlib.contextmanager
def recording(
    operation: str, *, timeout: float = OPERATION_TIMEOUT, secrets: Sequence[str] = ()
) -> Iterator[CallRecord]:
    """Record every HTTP exchange made inside the block into the yielded record."""
    record = CallRecord(operation, timeout, tuple(s for s in secrets if s))
    token = _CURRENT.set(record)
    try:
        yield record
    finally:
        _CURRENT.reset(token)


def _clip(text: str) -> str:
    if len(text) <= _MAX_RECORDED:
        return text
    return text[:_MAX_RECORDED] + f"\n… ({len(text) - _MAX_RECORDED} more characters)"


def _headers_text(headers: httpx.Headers) -> str:
    lines = []
    for name, value in headers.items():
        if name.lower() in _RECORDED_HEADERS:
            shown = REDACTED if name.lower() in _SECRET_HEADERS else value
            lines.append(f"{name}: {shown}")
    return "\n".join(lines)


def _url_text(url: httpx.URL) -> str:
    # The subscription key may also travel as a query parameter. Rebuilding a URL parses
    # it again (httpx's parser is slow): only when there is a key to hide.
    query = url.query.lower()
    if b"key" not in query and b"%" not in query:  # no *key* parameter, even %-encoded
        return str(url)
    items = url.params.multi_items()
    if not any("key" in k.lower() for k, _ in items):
        return str(url)
    params = [(k, REDACTED if "key" in k.lower() else v) for k, v in items]
    return str(url.copy_with(params=params))


def _body_text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def _decoded_headers(response: httpx.Response) -> httpx.Headers:
    headers = httpx.Headers(response.headers)
    headers.pop("content-encoding", None)
    headers.pop("content-length", None)
    return headers


class RecordingTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Wraps a real (or mock) transport: applies the verb's timeout, records exchanges."""

    def __init__(self, inner: httpx.AsyncBaseTransport | httpx.BaseTransport | None = None) -> None:
        self._inner = inner

    def _prepare(self, request: httpx.Request) -> CallRecord | None:
        record = _CURRENT.get()
        if record is not None:
            request.extensions["timeout"] = httpx.Timeout(record.timeout).as_dict()
        return record

    def _record(
        self,
        record: CallRecord | None,
        request: httpx.Request,
        started: tuple[datetime, float],
        response: httpx.Response | None,
        error: BaseException | None,
    ) -> None:
        if record is None:
            return
        at, t0 = started
        url = _url_text(request.url)
        head = f"{request.method} {url}\n{_headers_text(request.headers)}"
        answer = None
        if response is not None:
            answer = record.redact(
                _clip(
                    f"HTTP {response.status_code}\n{_headers_text(response.headers)}\n\n"
                    f"{_body_text(response.content)}"
                )
            )
        record.exchanges.append(
            Exchange(
                endpoint=url,
                operation=record.operation,
                started_at=at,
                request=record.redact(_clip(f"{head}\n\n{_body_text(request.content)}")),
                response=answer,
                status_code=response.status_code if response is not None else None,
                duration_ms=round((time.monotonic() - t0) * 1000, 1),
                error=None if error is None else f"{type(error).__name__}: {error}",
            )
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(self._inner, httpx.AsyncBaseTransport):
            self._inner = httpx.AsyncHTTPTransport(verify=default_tls())
        record = self._prepare(request)
        started = (datetime.now(UTC), time.monotonic())
        await request.aread()
        try:
            response = await self._inner.handle_async_request(request)
            if isinstance(response.stream, httpx.ByteStream) and not response.is_stream_consumed:
                # Already in memory (the lean transport): no copy to make, only decoding.
                response.request = request
                await response.aread()
                self._record(record, request, started, response, None)
                return response
            if response.is_stream_consumed:  # already read (e.g. MockTransport): decoded
                raw, headers = response.content, _decoded_headers(response)
            else:
                raw = b"".join([chunk async for chunk in response.aiter_raw()])
                headers = response.headers
            await response.aclose()
        except httpx.HTTPError as exc:
            self._record(record, request, started, None, exc)
            raise
        copy = httpx.Response(response.status_code, headers=headers, content=raw, request=request)
        copy.read()
        self._record(record, request, started, copy, None)
        return copy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(self._inner, httpx.BaseTransport):
            self._inner = httpx.HTTPTransport(verify=default_tls())
        record = self._prepare(request)
        started = (datetime.now(UTC), time.monotonic())
        request.read()
        try:
            response = self._inner.handle_request(request)
            if response.is_stream_consumed:
                raw, headers = response.content, _decoded_headers(response)
            else:
                raw = b"".join(response.iter_raw())
                headers = response.headers
            response.close()
        except httpx.HTTPError as exc:
            self._record(record, request, started, None, exc)
            raise
        copy = httpx.Response(response.status_code, headers=headers, content=raw, request=request)
        copy.read()
        self._record(record, request, started, copy, None)
        return copy

    async def aclose(self) -> None:
        if isinstance(self._inner, httpx.AsyncBaseTransport):
            await self._inner.aclose()

    def close(self) -> None:
        if isinstance(self._inner, httpx.BaseTransport):
            self._inner.close()


# -- diagnosis -------------------------------------------------------------------------


def host_port(url: str | httpx.URL) -> tuple[str, int]:
    parts = urlsplit(str(url))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "?", port


def allowlist_diagnosis(url: str | httpx.URL, *, forbidden: bool) -> str:
    """What to ask the vendor, with the address the call left from and its route."""
    way = way_to(*host_port(url))
    where, source = way.where(), way.source
    if not way.resolved and not forbidden:
        return (
            f"{way.host}:{way.port}: {way.host} does not resolve to any address from this "
            "host: check the URL, "
            "the DNS servers or /etc/hosts (a test environment's name may resolve only "
            "inside the vendor's VPN)."
        )
    if not forbidden and way.source.startswith("unknown"):
        return (
            f"no route from this host to {where} (source address {source}): the network "
            "path to the vendor is missing; connect the VPN or add the route agreed with the "
            "vendor."
        )
    if forbidden:
        return (
            f"{where} answered 403 Forbidden to source address {source} ({way.via()}): if "
            f"the vendor's test environment is behind an IP allowlist, ask the vendor to "
            f"allow {source} on {way.host}:{way.port} (behind NAT or a VPN, give them the "
            "public address instead); otherwise check the credentials."
        )
    return (
        f"{where} refused or closed the connection from source address {source} "
        f"({way.via()}): if the vendor's test environment is behind an IP allowlist or a "
        f"VPN, ask the vendor to allow {source} on {way.host}:{way.port} (or connect the "
        "VPN); otherwise check the URL and that the service is up."
    )


def unreachable_diagnosis(url: str | httpx.URL) -> str:
    """Why a connection got no answer at all: the route it took and what to check."""
    way = way_to(*host_port(url))
    if not way.resolved:
        return allowlist_diagnosis(url, forbidden=False)
    return (
        f"{way.where()} is unreachable via {way.via()}: nothing answered, so the packets "
        "were lost on the way; check that the VPN is connected and that this route is the "
        "one agreed with the vendor, then that their firewall lets "
        f"{way.source} in."
    )


# -- error translation -------------------------------------------------------------------


def transport_error(
    exc: httpx.HTTPError, record: CallRecord, what: str, url: str | httpx.URL
) -> IntermediaryError:
    """An httpx failure (no HTTP answer) as the error a driver raises."""
    host, port = host_port(url)
    exchanges = record.exchanges
    if isinstance(exc, httpx.ConnectTimeout):
        return IntermediaryUnavailable(
            f"{what}: connecting to {host}:{port} timed out after {record.timeout:g} s",
            exchanges=exchanges,
            diagnosis=unreachable_diagnosis(url),
            code="CONNECT_TIMEOUT",
        )
    if isinstance(exc, httpx.TimeoutException):
        return IntermediaryUnavailable(
            f"{what}: {host}:{port} did not answer within {record.timeout:g} s "
            "(pagoPA's limit); it will be retried",
            exchanges=exchanges,
            code="TIMEOUT",
        )
    if isinstance(exc, httpx.ConnectError | httpx.RemoteProtocolError | httpx.ReadError):
        return IntermediaryUnavailable(
            f"{what}: connection to {host}:{port} failed ({exc or type(exc).__name__})",
            exchanges=exchanges,
            diagnosis=allowlist_diagnosis(url, forbidden=False),
            code="CONNECTION_FAILED",
        )
    return IntermediaryUnavailable(
        f"{what}: {type(exc).__name__} talking to {host}:{port}: {exc}",
        exchanges=exchanges,
        code="TRANSPORT",
    )


def problem_detail(response: httpx.Response) -> str:
    """A one-line reading of a ProblemJson (or any) error body."""
    return body_detail(response.content) or response.reason_phrase


def body_detail(content: bytes | str | None) -> str:
    """A one-line reading of an error body: a ProblemJson's title/detail/message, else the
    text itself, cut at 300 characters ('' when empty)."""
    if not content:
        return ""
    try:
        body = json.loads(content)
    except ValueError:
        text = content.decode(errors="replace") if isinstance(content, bytes) else content
        return text.strip().replace("\n", " ")[:300]
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("title", "detail", "message") if body.get(k)]
        if parts:
            return " — ".join(parts)
    return str(body)[:300]


def status_error(
    response: httpx.Response, record: CallRecord, what: str, *, credential: str
) -> IntermediaryError:
    """An HTTP error status as the error a driver raises; ``credential`` names where the
    key comes from, for the 401 message."""
    status = response.status_code
    detail = problem_detail(response)
    code = f"HTTP {status}"
    exchanges = record.exchanges
    if status == 401:
        return AccessDenied(
            f"{what}: credentials refused (HTTP 401: {detail}); check {credential}",
            exchanges=exchanges,
            code=code,
        )
    if status == 403:
        return AccessDenied(
            f"{what}: access forbidden (HTTP 403: {detail})",
            exchanges=exchanges,
            diagnosis=allowlist_diagnosis(response.request.url, forbidden=True),
            code=code,
        )
    if status == 404:
        return PositionNotFound(f"{what}: not found (HTTP 404: {detail})", exchanges=exchanges)
    if status == 429 or status >= 500:
        return IntermediaryFault(
            f"{what}: the intermediary failed (HTTP {status}: {detail}); it will be retried",
            exchanges=exchanges,
            code=code,
        )
    return RequestRejected(
        f"{what}: request rejected (HTTP {status}: {detail})", exchanges=exchanges, code=code
    )
