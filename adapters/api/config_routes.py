"""Configuration API (OpenCity v2): tenants and services, form.io schemas included.

``GET /tenants/schema`` and ``GET /services/schema`` serve the forms; ``POST``
creates, ``PUT`` replaces, ``PATCH`` merges (RFC 7396), ``DELETE`` deactivates
(soft delete: ``active=false``, the document stays in the store). Every route
but the schemas needs the bearer token.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.api.auth import require_token
from adapters.api.config_validation import build_service, build_tenant, merge
from adapters.api.forms import form_schema
from adapters.api.logo_fetch import with_fetched_logo
from adapters.api.openapi_parts import SECURITY, json_ok, problems, ref, uuid_param
from adapters.api.openapi_parts import json_body as body_doc
from adapters.api.problems import Problem, field_errors, not_found
from adapters.core.config import DriverSpec, ServiceConfig, TenantConfig
from adapters.core.models import utcnow
from adapters.core.store import Store
from adapters.i18n import N_
from adapters.i18n import gettext as _


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _driver(request: Request) -> DriverSpec:
    driver: DriverSpec = request.app.state.driver
    return driver


def path_uuid(request: Request, name: str, what: str) -> uuid.UUID:
    raw = request.path_params[name]
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise not_found(what, raw, N_("the id must be a UUID")) from None


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise Problem(
            400, _("Bad request"), _("the body is empty: send a JSON object"), kind="bad-request"
        )
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Problem(
            400,
            _("Bad request"),
            _("the body is not valid JSON (%(error)s); send application/json") % {"error": exc},
            kind="bad-request",
        ) from None


def _dump(config: TenantConfig | ServiceConfig) -> dict[str, Any]:
    # A field without a value (a service's receiver unless it is multi-beneficiary) is
    # absent, as after a merge patch that removed it: the OpenAPI declares its type, not null.
    data: dict[str, Any] = config.model_dump(mode="json")
    return {key: value for key, value in data.items() if value is not None}


def _get_tenant(request: Request) -> TenantConfig:
    tenant_id = path_uuid(request, "tenant_id", "tenant")
    tenant = _store(request).get_tenant(tenant_id)
    if tenant is None:
        raise not_found("tenant", tenant_id, N_("create it with POST /tenants"))
    return tenant


def _get_service(request: Request) -> ServiceConfig:
    service_id = path_uuid(request, "service_id", "service")
    service = _store(request).get_service(service_id)
    if service is None:
        raise not_found("service", service_id, N_("create it with POST /services"))
    return service


def _logo_transport(request: Request) -> httpx.AsyncBaseTransport | None:
    """The transport logos are fetched through (tests put a mock one on the app's state)."""
    transport: httpx.AsyncBaseTransport | None = getattr(request.app.state, "logo_transport", None)
    return transport


# -- tenants ---------------------------------------------------------------------------------


async def tenant_schema(request: Request) -> Response:
    return JSONResponse(form_schema("tenant", _driver(request)))


async def list_tenants(request: Request) -> Response:
    require_token(request)
    return JSONResponse([_dump(t) for t in _store(request).list_tenants()])


async def create_tenant(request: Request) -> Response:
    require_token(request)
    body = await json_body(request)
    body, logo_errors = await with_fetched_logo(body, body, None, _logo_transport(request))
    tenant = build_tenant(body, _driver(request), logo_errors)
    if _store(request).get_tenant(tenant.id) is not None:
        raise Problem(
            409,
            _("Conflict"),
            _("tenant %(id)s already exists: change it with PUT or PATCH /tenants/%(id)s")
            % {"id": tenant.id},
            kind="conflict",
        )
    _store(request).put_tenant(tenant)
    return JSONResponse(
        _dump(tenant), status_code=201, headers={"Location": f"/tenants/{tenant.id}"}
    )


async def get_tenant(request: Request) -> Response:
    require_token(request)
    return JSONResponse(_dump(_get_tenant(request)))


async def replace_tenant(request: Request) -> Response:
    require_token(request)
    current = _get_tenant(request)
    sent = await json_body(request)
    body = await _replacement(request, current, sent)
    body, logo_errors = await with_fetched_logo(body, sent, current, _logo_transport(request))
    tenant = build_tenant(body, _driver(request), logo_errors)
    tenant.created_at, tenant.updated_at = current.created_at, utcnow()
    _store(request).put_tenant(tenant)
    return JSONResponse(_dump(tenant))


async def delete_tenant(request: Request) -> Response:
    require_token(request)
    tenant = _get_tenant(request)
    tenant.active, tenant.updated_at = False, utcnow()
    _store(request).put_tenant(tenant)
    return Response(status_code=204)


# -- services --------------------------------------------------------------------------------


async def service_schema(request: Request) -> Response:
    return JSONResponse(form_schema("service", _driver(request)))


async def list_services(request: Request) -> Response:
    require_token(request)
    tenant_id = None
    if "tenant_id" in request.query_params:
        try:
            tenant_id = uuid.UUID(request.query_params["tenant_id"])
        except ValueError:
            raise field_errors([("tenant_id", _("must be a UUID"))]) from None
    return JSONResponse([_dump(s) for s in _store(request).list_services(tenant_id)])


def _check_tenant_exists(request: Request, service: ServiceConfig) -> None:
    if _store(request).get_tenant(service.tenant_id) is None:
        raise field_errors(
            [
                (
                    "tenant_id",
                    _("no tenant %(id)s: create it first with POST /tenants")
                    % {"id": service.tenant_id},
                )
            ]
        )


async def create_service(request: Request) -> Response:
    require_token(request)
    service = build_service(await json_body(request), _driver(request))
    if _store(request).get_service(service.id) is not None:
        raise Problem(
            409,
            _("Conflict"),
            _(
                "service %(id)s already exists: omit id to get a new one, or change it "
                "with PUT or PATCH /services/%(id)s"
            )
            % {"id": service.id},
            kind="conflict",
        )
    _check_tenant_exists(request, service)
    _store(request).put_service(service)
    return JSONResponse(
        _dump(service), status_code=201, headers={"Location": f"/services/{service.id}"}
    )


async def get_service(request: Request) -> Response:
    require_token(request)
    return JSONResponse(_dump(_get_service(request)))


async def replace_service(request: Request) -> Response:
    require_token(request)
    current = _get_service(request)
    body = await _replacement(request, current)
    if isinstance(body, dict):
        body = {**body, "id": str(current.id)}
    service = build_service(body, _driver(request))
    _check_tenant_exists(request, service)
    service.created_at, service.updated_at = current.created_at, utcnow()
    _store(request).put_service(service)
    return JSONResponse(_dump(service))


async def delete_service(request: Request) -> Response:
    require_token(request)
    service = _get_service(request)
    service.active, service.updated_at = False, utcnow()
    _store(request).put_service(service)
    return Response(status_code=204)


async def _replacement(
    request: Request, current: TenantConfig | ServiceConfig, body: Any = None
) -> Any:
    """A PUT's body, or a PATCH's merged onto ``current``; its id checked against the path's."""
    if body is None:
        body = await json_body(request)
    if request.method == "PATCH":
        if not isinstance(body, dict):
            raise field_errors(
                [("body", _("a PATCH body is a JSON object of the fields to change"))]
            )
        body = merge(_dump(current), body)
    _same_id(body, current.id)
    return body


def _same_id(body: Any, path_id: uuid.UUID) -> None:
    if isinstance(body, dict) and body.get("id") not in (None, "", str(path_id)):
        raise field_errors(
            [
                (
                    "id",
                    _("the body's id %(body_id)r differs from the path's %(path_id)s")
                    % {"body_id": body.get("id"), "path_id": path_id},
                )
            ]
        )
    if isinstance(body, dict):
        body.setdefault("id", str(path_id))


ROUTES = [
    Route("/tenants/schema", tenant_schema, methods=["GET"]),
    Route("/tenants", list_tenants, methods=["GET"]),
    Route("/tenants", create_tenant, methods=["POST"]),
    Route("/tenants/{tenant_id}", get_tenant, methods=["GET"]),
    Route("/tenants/{tenant_id}", replace_tenant, methods=["PUT", "PATCH"]),
    Route("/tenants/{tenant_id}", delete_tenant, methods=["DELETE"]),
    Route("/services/schema", service_schema, methods=["GET"]),
    Route("/services", list_services, methods=["GET"]),
    Route("/services", create_service, methods=["POST"]),
    Route("/services/{service_id}", get_service, methods=["GET"]),
    Route("/services/{service_id}", replace_service, methods=["PUT", "PATCH"]),
    Route("/services/{service_id}", delete_service, methods=["DELETE"]),
]


def _with_links(created: dict[str, Any], level: str) -> dict[str, Any]:
    """OpenAPI links from a created configuration to what uses its id: its own item
    operations and, for a tenant, its services (clients and stateful fuzzers follow them)."""
    name = level[:-1].capitalize()
    own = {"parameters": {f"{level[:-1]}_id": "$response.body#/id"}}
    links: dict[str, Any] = {
        f"{verb}{name}": {"operationId": f"{verb.lower()}{name}", **own}
        for verb in ("Get", "Replace", "Patch", "Delete")
    }
    if level == "tenants":
        links["CreateService"] = {
            "operationId": "createService",
            "requestBody": {"tenant_id": "$response.body#/id"},
        }
        links["ListServices"] = {
            "operationId": "listServices",
            "parameters": {"tenant_id": "$response.body#/id"},
        }
    for answer in created.values():
        answer["links"] = links
    return created


def _crud_paths(level: str, title: str) -> dict[str, Any]:
    """The OpenAPI paths of one configuration collection (tenants or services)."""
    name = title.capitalize()
    item_id = f"{level[:-1]}_id"
    param = uuid_param(item_id, f"The {title}'s id")
    schema_doc = json_ok(f"The form.io schema of the {title} form", ref("FormSchema"))
    return {
        f"/{level}/schema": {
            "get": {
                "tags": ["configuration"],
                "operationId": f"get{name}Schema",
                "summary": f"form.io schema of the {title} configuration form",
                "description": "Component keys are the stored field names; the fields the "
                "configured intermediary needs follow the standard ones.",
                "responses": schema_doc,
            }
        },
        f"/{level}": {
            "get": {
                "tags": ["configuration"],
                "operationId": f"list{name}s",
                "summary": f"Every {title} configuration, active or not",
                "security": SECURITY,
                **(
                    {
                        "parameters": [
                            {
                                "name": "tenant_id",
                                "in": "query",
                                "required": False,
                                "description": "Only the services of this tenant",
                                "schema": {"type": "string", "format": "uuid"},
                            }
                        ]
                    }
                    if level == "services"
                    else {}
                ),
                "responses": {
                    **json_ok(f"The {title}s", {"type": "array", "items": ref(name)}),
                    **problems(401, *((422,) if level == "services" else ())),
                },
            },
            "post": {
                "tags": ["configuration"],
                "operationId": f"create{name}",
                "summary": f"Create a {title} configuration",
                "security": SECURITY,
                "requestBody": body_doc(ref(f"{name}Input")),
                "responses": {
                    **_with_links(json_ok(f"The stored {title}", ref(name), 201), level),
                    **problems(400, 401, 409, 422),
                },
            },
        },
        f"/{level}/{{{item_id}}}": {
            "parameters": [param],
            "get": {
                "tags": ["configuration"],
                "operationId": f"get{name}",
                "summary": f"One {title} configuration",
                "security": SECURITY,
                "responses": {**json_ok(f"The {title}", ref(name)), **problems(401, 404)},
            },
            "put": {
                "tags": ["configuration"],
                "operationId": f"replace{name}",
                "summary": f"Replace a {title} configuration",
                "security": SECURITY,
                "requestBody": body_doc(ref(f"{name}Input")),
                "responses": {
                    **json_ok(f"The stored {title}", ref(name)),
                    **problems(400, 401, 404, 422),
                },
            },
            "patch": {
                "tags": ["configuration"],
                "operationId": f"patch{name}",
                "summary": f"Change some fields of a {title} configuration (JSON merge patch)",
                "security": SECURITY,
                "requestBody": body_doc(ref(f"{name}Patch")),
                "responses": {
                    **json_ok(f"The stored {title}", ref(name)),
                    **problems(400, 401, 404, 422),
                },
            },
            "delete": {
                "tags": ["configuration"],
                "operationId": f"delete{name}",
                "summary": f"Deactivate a {title} configuration (soft delete: active=false)",
                "security": SECURITY,
                "responses": {
                    "204": {"description": "Deactivated; GET still returns it with active=false"},
                    **problems(401, 404),
                },
            },
        },
    }


PATHS: dict[str, Any] = {**_crud_paths("tenants", "tenant"), **_crud_paths("services", "service")}
