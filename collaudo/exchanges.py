"""What the parts of the stack said to each other, recorded for reports.

Every component of the in-process stack is wrapped in :class:`RecordingMiddleware`
(an ASGI middleware) and the shared bus is a :class:`RecordingBus`; both append
:class:`Exchange` records to one :class:`ExchangeRecorder`. A scenario takes a
:meth:`~ExchangeRecorder.mark` when it starts and reads :meth:`~ExchangeRecorder.since`
when it ends: who called whom, in order, with the outcome (HTTP status, SOAP
operation and fault code, the payment status on the bus).

Callers are told apart by User-Agent where the suite sets one (:data:`SUITE_AGENT`,
:data:`CITIZEN_AGENT`) and otherwise by who can call that path (only the Nodo calls
``/pagopa/paForNode``, only the proxy POSTs checkout carts, ...).

Secrets never reach a record: bodies are cut to an excerpt, SOAP ``password``
elements and JSON ``password``/``token``/``key`` members are masked, and every
secret value the recorder was given (API token, intermediary credentials) is
replaced wherever it appears.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.core.bus import MemoryBus

SUITE_AGENT = "collaudo-suite"
CITIZEN_AGENT = "collaudo-cittadino"
EXCERPT = 1500
MASK = "***"

#: Display names of the participants, in the order a diagram draws them.
PARTICIPANTS = (
    "Cittadino",
    "Collaudo",
    "Piattaforma",
    "payments",
    "Proxy",
    "MyPay",
    "GPD",
    "Checkout/Nodo",
)
COMPONENT_NAMES = {
    "platform": "Piattaforma",
    "proxy": "Proxy",
    "mypay": "MyPay",
    "gpd": "GPD",
    "checkout": "Checkout/Nodo",
}
_CITIZEN_PROXY_LINKS = ("/online-payment/", "/notice/", "/offline-payment/", "/landing/")

_SOAP_OPERATION = re.compile(rb"<(?:[\w.-]+:)?Body[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)", re.S)
_FAULT_CODE = re.compile(rb"<(?:[\w.-]+:)?fault[Cc]ode>\s*([^<\s]+)")
_OUTCOME_KO = re.compile(rb"<(?:[\w.-]+:)?(?:outcome|esito)>\s*KO\s*<")
_XML_SECRET = re.compile(
    r"(<(?:[\w.-]+:)?(password|apiKey|subscriptionKey)>)[^<]*(</)", re.I
)  # fmt: skip
_JSON_SECRET = re.compile(r'("[^"]*(?:password|token|secret|key)[^"]*"\s*:\s*)"[^"]*"', re.I)


@dataclass(frozen=True)
class Exchange:
    """One request/response between two parts, or one message on the bus."""

    seq: int
    at: float  # epoch seconds
    kind: Literal["http", "bus"]
    caller: str
    callee: str
    method: str  # HTTP method, or "publish"
    path: str  # path and query, or the topic
    status: int | None = None  # HTTP status; None on the bus or when the connection broke
    operation: str | None = None  # SOAP operation, or the payment status on the bus
    fault: str | None = None  # SOAP fault code / KO outcome / problem title
    duration_ms: float = 0.0
    request: str = ""
    response: str = ""

    @property
    def failed(self) -> bool:
        return self.fault is not None or (self.status is not None and self.status >= 400)

    def label(self) -> str:
        """One line for a diagram: what was asked and what came back."""
        if self.kind == "bus":
            return f"{self.operation or 'event'} (topic {self.path})"
        what = self.operation or f"{self.method} {self.path.split('?', 1)[0]}"
        outcome = str(self.status) if self.status is not None else "no answer"
        if self.fault:
            outcome += f" {self.fault}"
        return f"{what} → {outcome}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Redactor:
    """Masks secrets in text: known values, SOAP password elements, JSON secret members."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = {s for s in secrets if s and len(s) >= 4}

    def add(self, *values: str | None) -> None:
        self._values.update(v for v in values if v and len(v) >= 4)

    def __call__(self, text: str) -> str:
        text = _XML_SECRET.sub(rf"\1{MASK}\3", text)
        text = _JSON_SECRET.sub(rf'\1"{MASK}"', text)
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, MASK)
        return text


class ExchangeRecorder:
    """Thread-safe, append-only log of exchanges (the stack runs in another thread)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.redact = Redactor(secrets)
        self._items: list[Exchange] = []
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._in_flight = 0

    def started(self) -> None:
        with self._lock:
            self._in_flight += 1

    def finished(self) -> None:
        with self._lock:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._settled.notify_all()

    def settle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the requests being served to be recorded.

        A client has its answer before the server's middleware has logged the exchange;
        whoever reads the log right after a call waits here. False if some request is
        still held (e.g. by a slow-response fault) when the time is up."""
        with self._settled:
            return self._settled.wait_for(lambda: self._in_flight == 0, timeout)

    def in_flight(self) -> int:
        """HTTP requests being served right now (e.g. held back by a slow-response fault)."""
        with self._lock:
            return self._in_flight

    def add(self, **fields: Any) -> Exchange:
        for key in ("request", "response"):
            if fields.get(key):
                fields[key] = self.redact(str(fields[key]))[:EXCERPT]
        with self._lock:
            exchange = Exchange(seq=len(self._items), **fields)
            self._items.append(exchange)
        return exchange

    def mark(self) -> int:
        with self._lock:
            return len(self._items)

    def since(self, mark: int) -> list[Exchange]:
        with self._lock:
            return list(self._items[mark:])


def _text(body: bytes) -> str:
    return body[: EXCERPT * 2].decode("utf-8", errors="replace")


def infer_caller(callee: str, method: str, path: str, agent: str) -> str:
    """Who made this request, from the suite's User-Agents or from who can call ``path``."""
    if agent.startswith(CITIZEN_AGENT):
        return "Cittadino"
    if agent.startswith(SUITE_AGENT) or path.startswith("/_admin"):
        return "Collaudo"
    if callee in ("mypay", "gpd"):
        if path.startswith("/pagopa/paForNode"):
            return "Checkout/Nodo"
        if path.startswith(("/ritorno/", "/broken-redirect/")):
            return "Cittadino"
        return "Proxy"
    if callee == "checkout":
        return "Proxy" if "/carts" in path else "Cittadino"
    if callee == "proxy":
        return "Cittadino" if path.startswith(_CITIZEN_PROXY_LINKS) else "Piattaforma"
    if callee == "platform":
        is_notify = method == "POST" and path.endswith("/payment")
        return "Proxy" if is_notify else "Cittadino"
    return "?"


def outcome_of(body: bytes, content_type: str) -> str | None:
    """A fault code or KO outcome in a SOAP answer, a problem title in a JSON one."""
    if b"<" in body[:200]:
        match = _FAULT_CODE.search(body)
        if match:
            return match.group(1).decode(errors="replace")
        if _OUTCOME_KO.search(body):
            return "KO"
        return None
    if "json" in content_type and body[:1] == b"{":
        try:
            document = json.loads(body)
        except ValueError:
            return None
        if isinstance(document, dict) and "title" in document and "status" in document:
            return str(document["title"])
    return None


class _Send:
    """The wrapped ``send``, still exposing the server's connection as ``__self__``: a
    simulator resetting the TCP connection (the firewall fault) reaches it through there."""

    def __init__(self, send: Send, original: Send) -> None:
        self._send = send
        self.__self__ = getattr(original, "__self__", None)

    async def __call__(self, message: Message) -> None:
        await self._send(message)


class RecordingMiddleware:
    """Records every HTTP request to ``app`` (the component ``component``) and its answer."""

    def __init__(self, app: ASGIApp, component: str, recorder: ExchangeRecorder) -> None:
        self.app = app
        self.component = component
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.time()
        request_body = bytearray()
        response_body = bytearray()
        response: dict[str, Any] = {"status": None, "content_type": ""}

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) < EXCERPT * 4:
                request_body.extend(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        response["content_type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body" and len(response_body) < EXCERPT * 4:
                response_body.extend(message.get("body", b""))
            await send(message)

        self.recorder.started()
        try:
            await self.app(scope, recording_receive, _Send(recording_send, send))
        finally:
            try:
                self._record(scope, started, bytes(request_body), bytes(response_body), response)
            finally:
                self.recorder.finished()  # only once recorded: settle() relies on it

    def _record(
        self,
        scope: Scope,
        started: float,
        request_body: bytes,
        response_body: bytes,
        response: dict[str, Any],
    ) -> None:
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        agent = headers.get(b"user-agent", b"").decode("latin-1")
        path = scope.get("path", "")
        query = scope.get("query_string", b"").decode("latin-1")
        method = scope.get("method", "GET")
        operation = None
        match = _SOAP_OPERATION.search(request_body[:4096])
        if match:
            operation = match.group(1).decode(errors="replace")
        content_type = str(response["content_type"])
        binary = content_type.startswith(("application/pdf", "image/"))
        self.recorder.add(
            at=started,
            kind="http",
            caller=infer_caller(self.component, method, path, agent),
            callee=COMPONENT_NAMES.get(self.component, self.component),
            method=method,
            path=path + (f"?{query}" if query else ""),
            status=response["status"],
            operation=operation,
            fault=outcome_of(response_body, content_type),
            duration_ms=(time.time() - started) * 1000,
            request=_text(request_body),
            response=f"<{content_type}, {len(response_body)} bytes>"
            if binary
            else _text(response_body),
        )


class RecordingBus(MemoryBus):
    """The in-process bus, recording each payment event published on it."""

    def __init__(self, recorder: ExchangeRecorder) -> None:
        super().__init__()
        self.recorder = recorder

    def publish_nowait(self, topic: str, key: bytes | None, value: bytes) -> None:
        super().publish_nowait(topic, key, value)
        try:
            event = json.loads(value)
        except ValueError:
            event = {}
        app_id = str(event.get("app_id", "")) if isinstance(event, dict) else ""
        if app_id.startswith("collaudo-payment-proxy"):
            caller = "Proxy"
        elif app_id.startswith("collaudo-platform-sim"):
            caller = "Piattaforma"
        else:
            caller = "Collaudo"
        self.recorder.add(
            at=time.time(),
            kind="bus",
            caller=caller,
            callee="payments",
            method="publish",
            path=topic,
            operation=str(event.get("status")) if isinstance(event, dict) else None,
            request=value.decode("utf-8", errors="replace"),
        )


def recording_wrapper(recorder: ExchangeRecorder) -> Any:
    """A ``StackOptions.wrap`` function wrapping every component in the middleware."""

    def wrap(component: str, app: ASGIApp) -> ASGIApp:
        return RecordingMiddleware(app, component, recorder)

    return wrap
