"""Swagger 2.0 as OpenAPI 3.0: the parts a simulator needs (paths, parameters, bodies,
answers, schemas, examples), so that one model serves both."""

from __future__ import annotations

from typing import Any

_REFS = {
    "#/definitions/": "#/components/schemas/",
    "#/responses/": "#/components/responses/",
}
_PARAMETER_FIELDS = (
    "type", "format", "items", "enum", "default", "pattern", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems",
    "uniqueItems", "multipleOf",
)  # fmt: skip


def _refs(node: Any, body_parameters: set[str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                for old, new in _REFS.items():
                    if value.startswith(old):
                        value = new + value[len(old) :]
                if value.startswith("#/parameters/"):
                    name = value[len("#/parameters/") :]
                    section = "requestBodies" if name in body_parameters else "parameters"
                    value = f"#/components/{section}/{name}"
                out[key] = value
            elif key == "x-nullable":
                out["nullable"] = value
            elif key == "type" and value == "file":
                out["type"], out["format"] = "string", "binary"
            else:
                out[key] = _refs(value, body_parameters)
        return out
    if isinstance(node, list):
        return [_refs(item, body_parameters) for item in node]
    return node


def _schema_of(parameter: dict[str, Any]) -> dict[str, Any]:
    return {k: parameter[k] for k in _PARAMETER_FIELDS if k in parameter}


def _body(parameter: dict[str, Any], consumes: list[str]) -> dict[str, Any]:
    schema = parameter.get("schema", {})
    return {
        "required": bool(parameter.get("required")),
        "content": {media: {"schema": schema} for media in consumes},
    }


def _answer(response: dict[str, Any], produces: list[str]) -> dict[str, Any]:
    if "$ref" in response:
        return response
    out: dict[str, Any] = {"description": response.get("description", "")}
    if "schema" in response:
        examples = response.get("examples") or {}
        out["content"] = {
            media: {
                "schema": response["schema"],
                **({"example": examples[media]} if media in examples else {}),
            }
            for media in produces
        }
    if response.get("headers"):
        out["headers"] = {
            name: {"schema": _schema_of(header)} for name, header in response["headers"].items()
        }
    return out


def to_openapi(swagger: dict[str, Any]) -> dict[str, Any]:
    """``swagger`` (2.0) as an OpenAPI 3.0 document."""
    shared = swagger.get("parameters") or {}
    body_parameters = {
        n for n, p in shared.items() if isinstance(p, dict) and p.get("in") == "body"
    }
    swagger = _refs(swagger, body_parameters)
    consumes_all = swagger.get("consumes") or ["application/json"]
    produces_all = swagger.get("produces") or ["application/json"]
    scheme = (swagger.get("schemes") or ["https"])[0]
    host = swagger.get("host") or "localhost"
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": swagger.get("info") or {"title": "API", "version": "1"},
        "servers": [{"url": f"{scheme}://{host}{swagger.get('basePath', '')}"}],
        "paths": {},
        "components": {
            "schemas": swagger.get("definitions") or {},
            "parameters": {},
            "requestBodies": {},
            "responses": {
                n: _answer(r, produces_all) for n, r in (swagger.get("responses") or {}).items()
            },
        },
    }
    for name, parameter in (swagger.get("parameters") or {}).items():
        if parameter.get("in") == "body":
            document["components"]["requestBodies"][name] = _body(parameter, consumes_all)
        else:
            document["components"]["parameters"][name] = _parameter(parameter)
    for path, item in (swagger.get("paths") or {}).items():
        out_item: dict[str, Any] = {}
        for method, operation in item.items():
            if method == "parameters":
                out_item["parameters"] = [_parameter(p) for p in operation if p.get("in") != "body"]
                continue
            if not isinstance(operation, dict):
                continue
            consumes = operation.get("consumes") or consumes_all
            produces = operation.get("produces") or produces_all
            converted = {
                k: v
                for k, v in operation.items()
                if k not in ("parameters", "responses", "consumes", "produces")
            }
            parameters = operation.get("parameters") or []
            converted["parameters"] = [
                _parameter(p) for p in parameters if p.get("in") not in ("body", "formData")
            ]
            body = next((p for p in parameters if p.get("in") == "body"), None)
            form = [p for p in parameters if p.get("in") == "formData"]
            if body is not None:
                converted["requestBody"] = _body(body, consumes)
            elif form:
                media = (
                    "multipart/form-data"
                    if "multipart/form-data" in consumes
                    else "application/x-www-form-urlencoded"
                )
                converted["requestBody"] = {
                    "content": {media: {"schema": {
                        "type": "object",
                        "properties": {p["name"]: _schema_of(p) for p in form},
                        "required": [p["name"] for p in form if p.get("required")],
                    }}}
                }  # fmt: skip
            converted["responses"] = {
                str(code): _answer(r, produces)
                for code, r in (operation.get("responses") or {}).items()
            }
            out_item[method] = converted
        document["paths"][path] = out_item
    return document


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in parameter:
        return parameter
    out: dict[str, Any] = {
        k: parameter[k] for k in ("name", "in", "required", "description") if k in parameter
    }
    out["schema"] = _schema_of(parameter)
    return out
