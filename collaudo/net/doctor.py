"""``collaudo doctor``: why can't we reach the vendor's test environment?

For each endpoint a target configures (every ``*_url`` field of its tenant), from the
host it runs on: DNS (every address the name resolves to), the route and source address
the kernel picks, TCP reachability, TLS (the server's certificate, and the client
certificate when one is configured), the HTTP status, and — for a WSDL or an OpenAPI
document — whether what comes back is one. Each check is a small function returning a
:class:`Check`; the report is plain text a person pastes into a message to the vendor.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
from lxml import etree

from adapters.drivers._route import way_to

Verdict = Literal["ok", "fail", "skip", "warn"]
CONNECT_TIMEOUT = 5.0
_WSDL = "http://schemas.xmlsoap.org/wsdl/"


@dataclass(frozen=True)
class Check:
    """One fact about one endpoint."""

    name: str  # dns, route, tcp, tls, http, document
    verdict: Verdict
    detail: str


@dataclass
class Endpoint:
    """A configured URL and what was found about it."""

    key: str  # the configuration field holding the URL
    url: str
    checks: list[Check] = field(default_factory=list)
    source: str | None = None

    @property
    def ok(self) -> bool:
        return all(c.verdict in ("ok", "skip", "warn") for c in self.checks)


def endpoints(tenant: Mapping[str, object]) -> list[Endpoint]:
    """Every ``*_url`` field of a tenant configuration, in order."""
    return [
        Endpoint(key, str(value))
        for key, value in tenant.items()
        if key.endswith("_url") and isinstance(value, str) and value.startswith("http")
    ]


def _client_certificate(tenant: Mapping[str, object]) -> tuple[str, str | None] | None:
    cert = next(
        (str(v) for k, v in tenant.items() if k.endswith(("_cert", "_cert_path")) and v), None
    )
    key = next((str(v) for k, v in tenant.items() if k.endswith("_key_path") and v), None)
    return (cert, key) if cert else None


def _tcp(address: str, port: int, source: str) -> tuple[Check, float | None]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    started = time.perf_counter()
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(CONNECT_TIMEOUT)
            sock.connect((address, port))
    except TimeoutError:
        return Check("tcp", "fail", f"no answer from {address}:{port} within "
                     f"{CONNECT_TIMEOUT:g} s (packets lost: VPN down, firewall dropping, "
                     "wrong route)"), None  # fmt: skip
    except ConnectionResetError:
        return Check("tcp", "fail", f"{address}:{port} reset the connection at once: an IP "
                     f"allowlist or firewall refuses source address {source}; ask the vendor "
                     f"to authorise it"), None  # fmt: skip
    except ConnectionRefusedError:
        return Check("tcp", "fail", f"{address}:{port} refused the connection (nothing "
                     "listens there, or a firewall rejects this source address)"), None  # fmt: skip
    except OSError as exc:
        return Check("tcp", "fail", f"{address}:{port}: {exc.strerror or exc}"), None
    elapsed = (time.perf_counter() - started) * 1000
    return Check(
        "tcp", "ok", f"{address}:{port} accepted the connection in {elapsed:.0f} ms"
    ), elapsed


def _tls(host: str, address: str, port: int, client: tuple[str, str | None] | None) -> Check:
    context = ssl.create_default_context()
    if client is not None:
        try:
            context.load_cert_chain(client[0], client[1])
        except (OSError, ssl.SSLError) as exc:
            return Check("tls", "fail", f"client certificate {client[0]} unusable: {exc}")
    try:
        with socket.create_connection((address, port), timeout=CONNECT_TIMEOUT) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                cert = tls.getpeercert() or {}
                version = tls.version()
    except ssl.SSLCertVerificationError as exc:
        return Check(
            "tls", "fail", f"the server's certificate is not trusted: {exc.verify_message}"
        )
    except (OSError, ssl.SSLError) as exc:
        return Check("tls", "fail", f"TLS handshake failed: {exc}")
    subject = dict(item[0] for item in cert.get("subject", ()))  # type: ignore[misc]
    issuer = dict(item[0] for item in cert.get("issuer", ()))  # type: ignore[misc]
    expires = str(cert.get("notAfter", "?"))
    detail = (
        f"{version}, certificate for {subject.get('commonName', '?')} issued by "
        f"{issuer.get('organizationName', issuer.get('commonName', '?'))}, valid until {expires}"
    )
    if client is not None:
        detail += f"; client certificate {Path(client[0]).name} accepted"
    return Check("tls", "ok", detail)


def _document(url: str, response: httpx.Response) -> Check | None:
    """Whether a WSDL or an OpenAPI document came back, where one is expected."""
    wants_wsdl = url.lower().endswith("?wsdl") or url.lower().endswith(".wsdl")
    body = response.content
    if wants_wsdl:
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            root = etree.fromstring(body, parser)
        except etree.XMLSyntaxError as exc:
            return Check("document", "fail", f"not XML, so not a WSDL: {exc}")
        if root.tag != f"{{{_WSDL}}}definitions":
            return Check("document", "fail", f"XML, but not a WSDL (root {root.tag})")
        operations = {op.get("name") for op in root.iter(f"{{{_WSDL}}}operation")}
        return Check("document", "ok", f"a WSDL with {len(operations)} operations")
    if "json" in response.headers.get("content-type", "") and url.endswith(
        ("openapi.json", "/docs")
    ):
        try:
            doc = json.loads(body)
        except ValueError as exc:
            return Check("document", "fail", f"not JSON: {exc}")
        kind = "OpenAPI " + str(doc.get("openapi") or doc.get("swagger") or "?")
        return Check("document", "ok", f"{kind} with {len(doc.get('paths', {}))} paths")
    return None


def examine(endpoint: Endpoint, tenant: Mapping[str, object]) -> Endpoint:
    """Run every check on one endpoint, stopping where the next one cannot tell more."""
    parts = urlsplit(endpoint.url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        endpoint.checks.append(Check("dns", "fail", f"{host} does not resolve: {exc}"))
        return endpoint
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    literal = addresses == [host]
    endpoint.checks.append(
        Check("dns", "skip", f"{host} is an address (no DNS involved)")
        if literal
        else Check("dns", "ok", f"{host} resolves to {', '.join(addresses)}")
    )
    way = way_to(host, port)
    endpoint.source = way.source
    route_ok: Verdict = "ok" if way.route else "warn"
    endpoint.checks.append(Check("route", route_ok, way.via()))
    tcp, _ = _tcp(addresses[0], port, way.source)
    endpoint.checks.append(tcp)
    if tcp.verdict != "ok":
        return endpoint
    client = _client_certificate(tenant)
    if parts.scheme == "https":
        tls = _tls(host, addresses[0], port, client)
        endpoint.checks.append(tls)
        if tls.verdict != "ok":
            return endpoint
    try:
        response = httpx.get(endpoint.url, timeout=CONNECT_TIMEOUT * 2, follow_redirects=False)
    except httpx.HTTPError as exc:
        hint = (
            f" (closed before any answer: an IP allowlist refusing {way.source} does this)"
            if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError)
            else ""
        )
        endpoint.checks.append(Check("http", "fail", f"{type(exc).__name__}: {exc}{hint}"))
        return endpoint
    status = response.status_code
    verdict: Verdict = "fail" if status == 403 or status >= 500 else "ok"
    meaning = {
        401: " (credentials needed: expected without them)",
        403: " (forbidden: likely an IP allowlist; give the vendor the source address below)",
        404: " (the server answers; nothing at this exact path, usual for an API's base URL)",
    }.get(status, "")
    endpoint.checks.append(Check("http", verdict, f"GET answered {status}{meaning}"))
    document = _document(endpoint.url, response) if status == 200 else None
    if document is not None:
        endpoint.checks.append(document)
    return endpoint


def report(target: str, examined: list[Endpoint]) -> list[str]:
    """The one-page text: every endpoint, every check, and the addresses to authorise."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"collaudo doctor — target {target}, {now}, from host {socket.gethostname()}", ""]
    for endpoint in examined:
        mark = "OK" if endpoint.ok else "PROBLEM"
        lines.append(f"[{mark}] {endpoint.key}: {endpoint.url}")
        for check in endpoint.checks:
            lines.append(f"    {check.name:<8} {check.verdict:<4} {check.detail}")
        lines.append("")
    sources = sorted(
        {e.source for e in examined if e.source and not e.source.startswith("unknown")}
    )
    if sources:
        lines.append(
            "Source address(es) this host uses towards the vendor: " + ", ".join(sources) + "."
        )
        lines.append(
            "  Behind NAT or a VPN concentrator the vendor sees the public address instead: "
            "ask your network team for it before asking the vendor to authorise it."
        )
    failing = [e for e in examined if not e.ok]
    lines.append(
        "All endpoints reachable."
        if not failing
        else f"{len(failing)} of {len(examined)} endpoints have a problem (see PROBLEM above)."
    )
    return lines
