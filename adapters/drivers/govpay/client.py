"""GovPay over httpx: the authentication each tenant chose, and one request at a time.

- ``basic`` (default): ``Authorization: Basic`` with the user (the idA2A when unset) and
  the password from the named environment variable;
- ``apikey``: ``X-APP-ID`` (the idA2A when unset) and ``X-API-KEY`` from the environment;
- ``ssl``: the client certificate (and key) at the configured paths; one HTTP client per
  certificate, built on first use.

Every request goes through :class:`RecordingTransport` (timeouts, exchanges, redaction).
The ``X-Govpay-IdTransazione`` of every answer is logged: it names the transaction in
GovPay's own logs.
"""

from __future__ import annotations

import base64
import json
import logging
import ssl
from collections.abc import Mapping
from typing import Any

import httpx

from adapters.core.intermediary import CreditorConfig, IntermediaryFault, RequestRejected
from adapters.drivers import _config
from adapters.drivers._http import CallRecord, RecordingTransport, transport_error
from adapters.drivers.govpay.config import (
    F_API_KEY,
    F_APP_ID,
    F_AUTH,
    F_CA_BUNDLE,
    F_CLIENT_CERT,
    F_CLIENT_KEY,
    F_PASSWORD,
    F_USERNAME,
    choice,
    id_a2a,
    secrets,
)

log = logging.getLogger(__name__)

TlsKey = tuple[str | None, str | None, str | None]


def auth_headers(creditor: CreditorConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """The headers authenticating the proxy's Applicazione to GovPay."""
    auth = choice(creditor, F_AUTH)
    if auth == "basic":
        user = _config.field_value(creditor, F_USERNAME) or id_a2a(creditor)
        password = _config.secret(creditor, F_PASSWORD, environ)
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}
    if auth == "apikey":
        app_id = _config.field_value(creditor, F_APP_ID) or id_a2a(creditor)
        key = _config.secret(creditor, F_API_KEY, environ)
        assert key is not None
        return {"X-APP-ID": app_id, "X-API-KEY": key}
    if not _config.field_value(creditor, F_CLIENT_CERT):
        raise RequestRejected(
            f"configuration field {F_CLIENT_CERT.key!r} is needed with the 'ssl' "
            f"authentication: give the path of the client certificate (tenant "
            f"{creditor.tenant_id})",
            code="CONFIGURATION",
        )
    return {}


def redacted(creditor: CreditorConfig, environ: Mapping[str, str]) -> list[str]:
    """Every value a record must hide: the secrets, and the Basic token made of them (an
    answer that echoes the header must not leak it either)."""
    found = secrets(creditor, environ)
    try:
        headers = auth_headers(creditor, environ)
    except RequestRejected:
        return found  # the verb itself reports the configuration problem
    if "Authorization" in headers:
        found.append(headers["Authorization"].split(" ", 1)[-1])
    return found


def tls_key(creditor: CreditorConfig) -> TlsKey:
    """Which TLS client identity (certificate, key, CA bundle) the tenant's calls use."""
    cert = key = None
    if choice(creditor, F_AUTH) == "ssl":
        cert = _config.field_value(creditor, F_CLIENT_CERT)
        key = _config.field_value(creditor, F_CLIENT_KEY)
    return cert, key, _config.field_value(creditor, F_CA_BUNDLE)


def tls_context(identity: TlsKey) -> ssl.SSLContext:
    """An SSL context presenting the client certificate and trusting the CA bundle."""
    cert, key, ca = identity
    try:
        context = ssl.create_default_context(cafile=ca)
        if cert:
            context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise RequestRejected(
            f"GovPay TLS configuration: cannot load certificate {cert!r} / key {key!r} / CA "
            f"{ca!r} ({exc}); check the paths in the tenant configuration and that the proxy "
            "can read them",
            code="CONFIGURATION",
        ) from exc
    return context


class GovPayClient:
    """HTTP clients for GovPay (one per TLS identity) and for third parties (Checkout)."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._clients: dict[TlsKey, httpx.AsyncClient] = {}

    def client(self, identity: TlsKey = (None, None, None)) -> httpx.AsyncClient:
        found = self._clients.get(identity)
        if found is None:
            inner = self._transport
            if inner is None and identity != (None, None, None):
                inner = httpx.AsyncHTTPTransport(verify=tls_context(identity))
            found = httpx.AsyncClient(transport=RecordingTransport(inner), follow_redirects=False)
            self._clients[identity] = found
        return found

    async def aclose(self) -> None:
        for found in self._clients.values():
            await found.aclose()
        self._clients.clear()

    async def send(
        self,
        record: CallRecord,
        operation: str,
        method: str,
        url: str,
        *,
        what: str,
        identity: TlsKey = (None, None, None),
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str | None = None,
    ) -> httpx.Response:
        """One request; transport failures become the driver's errors (with a diagnosis)."""
        record.operation = operation
        sent = dict(headers or {})
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
            sent["Content-Type"] = content_type or "application/json"
        try:
            response = await self.client(identity).request(
                method, url, headers=sent, params=params, content=content
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, record, what, url) from exc
        except httpx.InvalidURL as exc:
            raise IntermediaryFault(
                f"{what}: the URL is invalid ({exc}); check the configured base URL",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            ) from exc
        transaction = response.headers.get("x-govpay-idtransazione")
        if transaction:
            log.info(
                "%s: HTTP %s, X-Govpay-IdTransazione %s", what, response.status_code, transaction
            )
        return response
