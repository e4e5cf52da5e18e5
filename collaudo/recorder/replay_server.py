"""Replay, server mode: an ASGI app answering with the recorded intermediary's answers.

Point the adapter (a driver's WSDL/endpoint/base URLs) at it and the production exchange
reproduces offline. Each request goes through :class:`~collaudo.recorder.matching.Matcher`;
one with no match is answered HTTP 500 — a SOAP Fault for SOAP requests, a JSON problem
otherwise — whose text lists the nearest recorded requests and why they differ, logged at
ERROR and kept in :attr:`ReplayApp.unmatched` so the CLI can fail loudly at exit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from lxml import etree
from mitmproxy import http

from collaudo.recorder.matching import Matcher, NoMatch
from collaudo.recorder.xmltools import looks_like_xml

log = logging.getLogger(__name__)
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# Recorded bodies are stored decoded; the framing headers are the server's to set.
_DROPPED = {b"content-length", b"transfer-encoding", b"content-encoding", b"connection", b"date"}


def soap_fault(code: str, text: str) -> bytes:
    """A SOAP 1.1 Fault envelope, built structurally."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{code}"
    etree.SubElement(fault, "faultstring").text = text
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return data


class ReplayApp:
    """ASGI application serving ``flows``."""

    def __init__(self, flows: Sequence[http.HTTPFlow]) -> None:
        self.flows = list(flows)
        self.matcher = Matcher(self.flows)
        self.unmatched: list[NoMatch] = []
        self.served = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope.get("raw_path") or scope["path"].encode()
        target = path.decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        content_type = headers.get("content-type", "")
        try:
            flow = self.matcher.match(scope["method"], target, content_type, body)
        except NoMatch as exc:
            self.unmatched.append(exc)
            log.error("%s", exc.explain())
            await self._no_match(send, exc, soap="soapaction" in headers or looks_like_xml(body))
            return
        self.served += 1
        await self._answer(send, flow)

    async def _answer(self, send: Send, flow: http.HTTPFlow) -> None:
        response = flow.response
        if response is None:
            error = flow.error.msg if flow.error else "no response"
            await _send(
                send,
                502,
                [(b"content-type", b"text/plain"), (b"x-collaudo-replay", b"recorded-error")],
                f"recorded connection error: {error}".encode(),
            )
            return
        headers = [(k.lower(), v) for k, v in response.headers.fields if k.lower() not in _DROPPED]
        headers.append((b"x-collaudo-replay", b"recorded"))
        await _send(send, response.status_code, headers, response.raw_content or b"")

    async def _no_match(self, send: Send, exc: NoMatch, *, soap: bool) -> None:
        text = exc.explain()
        if soap:
            body, ctype = soap_fault("Server", text), b"text/xml; charset=utf-8"
        else:
            problem = {"title": "no recorded answer", "status": 500, "detail": text}
            body, ctype = json.dumps(problem).encode(), b"application/problem+json"
        await _send(
            send, 500, [(b"content-type", ctype), (b"x-collaudo-replay", b"no-match")], body
        )


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
