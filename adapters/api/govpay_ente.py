"""The proxy's side of GovPay's API Ente Creditore v2: what GovPay calls on the creditor.

Served under :data:`BASE` (the URL to configure as the Applicazione's connector in GovPay,
version "REST v2") when the proxy runs the GovPay driver, at the paths of the official
``govpay-api-ec.yaml``:

- ``PUT /ricevute/{idDominio}/{iuv}/{idRicevuta}`` (``notificaRicevuta``): GovPay pushes a
  receipt. The notification is never believed on its own word: the proxy reads the
  pendenza back through the driver (:meth:`PaymentService.on_intermediary_callback`) and
  only GovPay's ``stato`` moves the payment. 201 once the payment is COMPLETE (a repeated
  notification changes nothing and is answered 201 again, so GovPay stops resending); 400
  when GovPay does not confirm the payment (GovPay resends later, and a genuine receipt is
  then confirmed); 500 when GovPay could not be asked (GovPay resends later).
- ``GET /pendenze/{idA2A}/{idPendenza}`` (``verifyPendenza``) and
  ``GET /avvisi/{idDominio}/{numeroAvviso}`` (``getAvviso``): GovPay asks for a pendenza
  it does not hold (or whose ``dataValidita`` passed); the answer is a
  ``PendenzaVerificata`` built from the stored payment.

Each call is authenticated against the tenant's configuration (``govpay_ente_auth``: HTTP
Basic or ``X-APP-ID``/``X-API-KEY``, secrets from the environment variables it names);
errors are GovPay's ``FaultBean`` JSON. GovPay gives the creditor 5 s: nothing here but
the one read-back call talks to the outside.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.core.config import ConfigField, TenantConfig, creditor_config
from adapters.core.errors import ConfigurationMissing, PaymentStateError
from adapters.core.intermediary import IntermediaryError, RetriableError
from adapters.core.models import PaymentStatus
from adapters.core.positions import InvalidPaymentInput, position_request
from adapters.core.service import PaymentService
from adapters.core.store import StaleWrite
from adapters.core.store_rows import StoredPayment
from adapters.drivers.govpay import config as gp
from adapters.drivers.govpay.payloads import nuova_pendenza

log = logging.getLogger(__name__)

BASE = "/govpay/ente/v2"
S = PaymentStatus
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="collaudo API Ente"'}
_PENDING = frozenset({S.PAYMENT_PENDING, S.PAYMENT_STARTED})
_CANCELLED = frozenset({S.CANCELED, S.CREATION_FAILED, S.PAYMENT_FAILED})


class EnteFault(Exception):
    """An error answer of the API Ente, as GovPay's ``FaultBean``."""

    def __init__(
        self,
        status: int,
        categoria: str,
        codice: str,
        descrizione: str,
        dettaglio: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(descrizione)
        self.status = status
        self.body: dict[str, str] = {
            "categoria": categoria,
            "codice": codice,
            "descrizione": descrizione,
        }
        if dettaglio:
            self.body["dettaglio"] = dettaglio
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


Handler = Callable[[Request], Awaitable[Response]]


def _faults(handler: Handler) -> Handler:
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except EnteFault as fault:
            log.warning(
                "API Ente %s %s: HTTP %s %s/%s: %s",
                request.method,
                request.url.path,
                fault.status,
                fault.body["categoria"],
                fault.body["codice"],
                fault.body.get("dettaglio") or fault.body["descrizione"],
            )
            return fault.response()

    return wrapped


# -- who is calling ----------------------------------------------------------------------------


def _service(request: Request) -> PaymentService:
    service: PaymentService = request.app.state.service
    return service


def _unauthorised(dettaglio: str) -> EnteFault:
    return EnteFault(
        401, "AUTORIZZAZIONE", "401", "Richiesta non autenticata", dettaglio, _CHALLENGE
    )


def _setting(tenant: TenantConfig, spec: ConfigField) -> str:
    value = (tenant.model_extra or {}).get(spec.key)
    return str(value).strip() if value not in (None, "") else (spec.default or "")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _check_credentials(request: Request, tenant: TenantConfig) -> None:
    """Raise 401 unless the request carries the credentials this tenant expects of GovPay."""
    environ: Mapping[str, str] = os.environ
    auth = _setting(tenant, gp.F_ENTE_AUTH)
    secret_spec = gp.F_ENTE_API_KEY if auth == "apikey" else gp.F_ENTE_PASSWORD
    env_name = _setting(tenant, secret_spec)
    secret = environ.get(env_name, "")
    if not secret:
        log.error(
            "API Ente: tenant %s expects GovPay's %s, but environment variable %s is unset: "
            "every call is refused until it is exported",
            tenant.id,
            "API key" if auth == "apikey" else "password",
            env_name,
        )
        raise _unauthorised("il proxy non ha credenziali configurate per questo ente")
    if auth == "apikey":
        app_id = request.headers.get("x-app-id", "")
        key = request.headers.get("x-api-key", "")
        if _same(app_id, _setting(tenant, gp.F_ENTE_APP_ID)) and _same(key, secret):
            return
        raise _unauthorised("X-APP-ID / X-API-KEY mancanti o errati")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(token.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        user = password = ""
    expected_user = _setting(tenant, gp.F_ENTE_USERNAME)
    if scheme.lower() == "basic" and _same(user, expected_user) and _same(password, secret):
        return
    raise _unauthorised("credenziali HTTP Basic mancanti o errate")


def _govpay_tenants(request: Request, **match: str) -> list[TenantConfig]:
    """The active tenants on GovPay matching ``tax_identification_number`` or ``idA2A``."""
    found = []
    for tenant in _service(request).store.list_tenants():
        extra = tenant.model_extra or {}
        if not tenant.active or not extra.get(gp.F_BASE_URL.key):
            continue
        if "dominio" in match and tenant.tax_identification_number != match["dominio"]:
            continue
        if "id_a2a" in match and extra.get(gp.F_ID_A2A.key) != match["id_a2a"]:
            continue
        found.append(tenant)
    return found


def _authenticated(request: Request, tenants: list[TenantConfig], what: str) -> list[TenantConfig]:
    """Every tenant whose credentials the request carries (at least one, or 401).

    Several tenants may share an idDominio or an idA2A (two platform tenants of one ente, a
    test tenant beside the real one): GovPay's call may concern any of them, so the payment
    is then looked for in each, never only in the first.
    """
    if not tenants:
        raise _unauthorised(f"nessun ente configurato su GovPay per {what}")
    last: EnteFault | None = None
    found = []
    for tenant in tenants:
        try:
            _check_credentials(request, tenant)
            found.append(tenant)
        except EnteFault as fault:
            last = fault
    if found:
        return found
    assert last is not None
    raise last


def _first_found(
    tenants: list[TenantConfig], find: Callable[[TenantConfig], StoredPayment | None]
) -> tuple[TenantConfig, StoredPayment | None]:
    """The first tenant holding the payment ``find`` looks for (the first tenant if none)."""
    for tenant in tenants:
        stored = find(tenant)
        if stored is not None:
            return tenant, stored
    return tenants[0], None


# -- which payment -----------------------------------------------------------------------------


def _by_id_pendenza(
    request: Request, tenant: TenantConfig, id_pendenza: str
) -> StoredPayment | None:
    try:
        payment_id = uuid.UUID(hex=id_pendenza)
    except ValueError:
        return None
    stored = _service(request).store.get_payment(payment_id)
    if stored is None or stored.event.tenant_id != tenant.id:
        return None
    return stored


def _by_notice(request: Request, tenant: TenantConfig, number: str) -> StoredPayment | None:
    """By numero avviso, or by IUV (GovPay may send either): a 17-digit IUV with each aux."""
    store = _service(request).store
    if len(number) == 18:
        return store.find_by_notice(tenant.id, number)
    if len(number) == 17:
        for aux in "312":
            found = store.find_by_notice(tenant.id, aux + number)
            if found is not None:
                return found
    return None


# -- notificaRicevuta --------------------------------------------------------------------------


def _bad_request(dettaglio: str) -> EnteFault:
    return EnteFault(400, "RICHIESTA", "SINTASSI", "Richiesta non valida", dettaglio)


async def _ricevuta(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise _bad_request(f"il corpo non è JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise _bad_request("il corpo deve essere un oggetto Ricevuta")
    return body


async def notifica_ricevuta(request: Request) -> Response:
    dominio = request.path_params["idDominio"]
    iuv = request.path_params["iuv"]
    id_ricevuta = request.path_params["idRicevuta"]
    tenants = _authenticated(request, _govpay_tenants(request, dominio=dominio), dominio)
    ricevuta = await _ricevuta(request)
    dominio_body = ricevuta.get("dominio")
    said_dominio = dominio_body.get("idDominio") if isinstance(dominio_body, dict) else None
    if said_dominio not in (None, dominio) or ricevuta.get("iuv") not in (None, iuv):
        raise _bad_request("idDominio / iuv del corpo diversi da quelli del percorso")
    pendenza: dict[str, Any] = ricevuta.get("pendenza") or {}
    if not isinstance(pendenza, dict):
        raise _bad_request("pendenza deve essere un oggetto")
    id_pendenza = str(pendenza.get("idPendenza") or "")
    number = str(pendenza.get("numeroAvviso") or iuv)
    _, stored = _first_found(
        tenants,
        lambda t: _by_id_pendenza(request, t, id_pendenza) or _by_notice(request, t, number),
    )
    if stored is None:
        raise EnteFault(
            404,
            "OPERAZIONE",
            "404000",
            "Pendenza sconosciuta",
            f"nessun pagamento dell'ente {dominio} per IUV {iuv} / idPendenza "
            f"{pendenza.get('idPendenza')}",
        )
    if stored.status is S.COMPLETE:
        log.info("API Ente: receipt %s again: payment %s already COMPLETE", id_ricevuta, stored.id)
        return Response(status_code=201)
    if stored.status not in _PENDING:
        # A receipt for a payment the proxy has closed (expired, cancelled): money arrived
        # for a payment the platform no longer expects. Say so loudly; GovPay keeps the
        # failed notification visible on its side too.
        log.error(
            "API Ente: GovPay notifies receipt %s for payment %s, which is %s here: "
            "reconcile it by hand (refund, or settle with the platform)",
            id_ricevuta,
            stored.id,
            stored.status,
        )
        raise EnteFault(
            400,
            "RICHIESTA",
            "PAGAMENTO_CHIUSO",
            "Ricevuta per un pagamento chiuso",
            f"il pagamento {stored.id} è {stored.status} nel proxy: riconciliazione manuale",
        )
    try:
        event = await _service(request).on_intermediary_callback(stored.id)
    except (ConfigurationMissing, PaymentStateError, StaleWrite) as exc:
        raise EnteFault(
            500, "INTERNO", "INTERNAL", "Servizio non disponibile", f"{exc}; ripetere la notifica"
        ) from exc
    except IntermediaryError as exc:
        if isinstance(exc, RetriableError):
            raise EnteFault(
                500,
                "INTERNO",
                "GOVPAY_NON_RAGGIUNGIBILE",
                "Servizio non disponibile",
                f"il proxy non ha potuto verificare la pendenza su GovPay ({exc.describe()}); "
                "ripetere la notifica",
            ) from exc
        raise EnteFault(
            400,
            "RICHIESTA",
            exc.code or "VERIFICA_FALLITA",
            "Ricevuta non confermata da GovPay",
            exc.describe(),
        ) from exc
    if event.status is S.COMPLETE:
        log.info("API Ente: receipt %s confirmed: payment %s COMPLETE", id_ricevuta, stored.id)
        return Response(status_code=201)
    raise EnteFault(
        400,
        "RICHIESTA",
        "RICEVUTA_NON_CONFERMATA",
        "Ricevuta non confermata da GovPay",
        f"GovPay non riporta pagata la pendenza di IUV {iuv} (pagamento {event.id} {event.status}):"
        " la notifica non cambia lo stato",
    )


# -- verifica ----------------------------------------------------------------------------------


def _verified(request: Request, tenant: TenantConfig, stored: StoredPayment | None) -> Response:
    """``PendenzaVerificata`` of a stored payment (SCONOSCIUTA when there is none)."""
    if stored is None or stored.status is S.CREATION_PENDING or stored.position is None:
        return JSONResponse({"stato": "SCONOSCIUTA", "descrizioneStato": "Pendenza sconosciuta"})
    if stored.status is S.EXPIRED:
        return JSONResponse({"stato": "SCADUTA", "descrizioneStato": "Pendenza scaduta"})
    if stored.status is S.COMPLETE:
        return JSONResponse({"stato": "ANNULLATA", "descrizioneStato": "Pendenza già pagata"})
    if stored.status in _CANCELLED or stored.status not in _PENDING:
        return JSONResponse({"stato": "ANNULLATA", "descrizioneStato": "Pendenza annullata"})
    service = _service(request).store.get_service(stored.event.service_id)
    if service is None:
        return JSONResponse({"stato": "SCONOSCIUTA", "descrizioneStato": "Servizio non attivo"})
    try:
        position_req = position_request(stored.event, tenant, service)
        body = nuova_pendenza(position_req, stored.position.notice_number)
    except (InvalidPaymentInput, IntermediaryError) as exc:
        raise EnteFault(
            500, "INTERNO", "PENDENZA_NON_COSTRUIBILE", "Servizio non disponibile", str(exc)
        ) from exc
    creditor = creditor_config(tenant, service)
    body["idA2A"] = gp.id_a2a(creditor)
    body["idPendenza"] = stored.position.handle.get("idPendenza") or stored.position.iud
    return JSONResponse({"stato": "NON_ESEGUITA", "pendenza": body})


async def verify_pendenza(request: Request) -> Response:
    id_a2a = request.path_params["idA2A"]
    tenants = _authenticated(request, _govpay_tenants(request, id_a2a=id_a2a), id_a2a)
    id_pendenza = request.path_params["idPendenza"]
    tenant, stored = _first_found(tenants, lambda t: _by_id_pendenza(request, t, id_pendenza))
    return _verified(request, tenant, stored)


async def verify_avviso(request: Request) -> Response:
    dominio = request.path_params["idDominio"]
    tenants = _authenticated(request, _govpay_tenants(request, dominio=dominio), dominio)
    number = request.path_params["numeroAvviso"]
    tenant, stored = _first_found(tenants, lambda t: _by_notice(request, t, number))
    return _verified(request, tenant, stored)


ROUTES = [
    Route(
        f"{BASE}/ricevute/{{idDominio}}/{{iuv}}/{{idRicevuta}}",
        _faults(notifica_ricevuta),
        methods=["PUT"],
    ),
    Route(f"{BASE}/pendenze/{{idA2A}}/{{idPendenza}}", _faults(verify_pendenza), methods=["GET"]),
    Route(f"{BASE}/avvisi/{{idDominio}}/{{numeroAvviso}}", _faults(verify_avviso), methods=["GET"]),
]


# -- OpenAPI (served at /docs with the rest of the proxy) --------------------------------------

_FAULT = {
    "type": "object",
    "required": ["categoria", "codice", "descrizione"],
    "properties": {
        "categoria": {
            "type": "string",
            "enum": ["AUTORIZZAZIONE", "RICHIESTA", "OPERAZIONE", "PAGOPA", "EC", "INTERNO"],
        },
        "codice": {"type": "string"},
        "descrizione": {"type": "string"},
        "dettaglio": {"type": "string"},
    },
}


def _fault(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _FAULT}}}


def _path(name: str, description: str, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


_VERIFIED = {
    "description": "PendenzaVerificata of API Ente v2: NON_ESEGUITA with the pendenza, or "
    "ANNULLATA, SCADUTA, SCONOSCIUTA",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["stato"],
                "properties": {
                    "stato": {
                        "type": "string",
                        "enum": ["NON_ESEGUITA", "ANNULLATA", "SCADUTA", "SCONOSCIUTA"],
                    },
                    "descrizioneStato": {"type": "string", "maxLength": 255},
                    "pendenza": {
                        "type": "object",
                        "description": "NuovaPendenza of API Pendenze v2 plus idA2A, idPendenza",
                    },
                },
            }
        }
    },
}
_AUTH_NOTE = (
    " Authenticated as the tenant's `govpay_ente_auth` says: HTTP Basic (`govpay_ente_username`"
    " and the password in `govpay_ente_password_env`) or `X-APP-ID` + `X-API-KEY`."
)
_ERRORS = {
    "401": _fault("Credentials missing or wrong for the ente (FaultBean AUTORIZZAZIONE)"),
    "500": _fault("GovPay could not be asked; GovPay resends later (FaultBean INTERNO)"),
}

PATHS: dict[str, Any] = {
    f"{BASE}/ricevute/{{idDominio}}/{{iuv}}/{{idRicevuta}}": {
        "put": {
            "tags": ["GovPay API Ente"],
            "operationId": "govpayNotificaRicevuta",
            "summary": "GovPay notifies a pagoPA receipt (API Ente v2 notificaRicevuta)",
            "description": "The proxy reads the pendenza back from GovPay before trusting the "
            "notification: only GovPay's stato ESEGUITA/INCASSATA makes the payment COMPLETE. "
            "A repeated notification changes nothing and is answered 201." + _AUTH_NOTE,
            "parameters": [
                _path("idDominio", "The ente's fiscal code", "^[0-9]{11}$"),
                _path("iuv", "IUV of the payment"),
                _path("idRicevuta", "receiptId of the pagoPA receipt"),
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
                "description": "Ricevuta of API Ente v2 (govpay-api-schemas.yaml)",
            },
            "responses": {
                "201": {"description": "Payment confirmed by GovPay and COMPLETE"},
                "400": _fault("Not JSON, or GovPay does not confirm the payment (resent later)"),
                "404": _fault("No payment of this ente with that IUV / idPendenza"),
                **_ERRORS,
            },
        }
    },
    f"{BASE}/pendenze/{{idA2A}}/{{idPendenza}}": {
        "get": {
            "tags": ["GovPay API Ente"],
            "operationId": "govpayVerifyPendenza",
            "summary": "GovPay verifies a pendenza by idA2A and idPendenza",
            "description": "The stored payment as GovPay's PendenzaVerificata." + _AUTH_NOTE,
            "parameters": [
                _path("idA2A", "The proxy's Applicazione in GovPay"),
                _path("idPendenza", "The payment's IUD (its id in hex)"),
            ],
            "responses": {"200": _VERIFIED, **_ERRORS},
        }
    },
    f"{BASE}/avvisi/{{idDominio}}/{{numeroAvviso}}": {
        "get": {
            "tags": ["GovPay API Ente"],
            "operationId": "govpayVerifyAvviso",
            "summary": "GovPay verifies a pendenza by numero avviso (or IUV)",
            "description": "The stored payment as GovPay's PendenzaVerificata." + _AUTH_NOTE,
            "parameters": [
                _path("idDominio", "The ente's fiscal code", "^[0-9]{11}$"),
                _path("numeroAvviso", "18-digit numero avviso, or the 17-digit IUV"),
            ],
            "responses": {"200": _VERIFIED, **_ERRORS},
        }
    },
}
