"""Building blocks of the OpenAPI document; each route module describes its own paths.

Helpers return plain dicts so a route module writes its ``PATHS`` next to its
handlers, and :mod:`adapters.api.openapi` assembles them with the components.
"""

from __future__ import annotations

from typing import Any

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]

_DESCRIPTIONS = {
    400: "The body is not what the operation expects (not JSON, not an object).",
    401: "Missing or wrong bearer token (Authorization: Bearer <COLLAUDO_API_TOKEN>).",
    404: "No such resource; the detail says how to create or find it.",
    409: "Conflicts with the stored state; the detail says what to do instead.",
    413: "The upload is too large.",
    415: "Unsupported Content-Type.",
    422: "Invalid fields; `errors` lists each field with the reason.",
    502: "The intermediary answered with an error or refused the request.",
    503: "The intermediary (or a component of the proxy) is unavailable; retry later.",
    504: "The intermediary did not answer in time; retry later.",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def problem(code: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or _DESCRIPTIONS.get(code, "Error"),
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }


def problems(*codes: int) -> dict[str, Any]:
    return {str(code): problem(code) for code in codes}


def json_ok(description: str, schema: dict[str, Any], code: int = 200) -> dict[str, Any]:
    return {
        str(code): {"description": description, "content": {"application/json": {"schema": schema}}}
    }


def json_body(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "required": True,
        "content": {"application/json": {"schema": schema}},
    }
    if description:
        body["description"] = description
    return body


def uuid_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "format": "uuid"},
    }


def redirect(description: str) -> dict[str, Any]:
    return {
        "302": {
            "description": description,
            "headers": {
                "Location": {"description": "Where to go next", "schema": {"type": "string"}}
            },
        }
    }


INTERMEDIARY_ERRORS = (502, 503, 504)
