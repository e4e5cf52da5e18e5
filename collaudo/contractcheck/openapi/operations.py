"""The operations of an OpenAPI document, and those without a declared error answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Severity, pointer_join
from collaudo.contractcheck.openapi.loader import ApiSet
from collaudo.contractcheck.operations import Operation
from collaudo.contractcheck.registry import check

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
FIELD_DEPTH = 3


def _fields(api: ApiSet, uri: str, node: Any, depth: int, out: list[str], seen: set[str]) -> None:
    target = api.deref(uri, node)
    if target is None or depth > FIELD_DEPTH:
        return
    uri, pointer, schema = target
    key = uri + "#" + pointer
    if pointer and key in seen:
        return
    seen = seen | {key}
    if not isinstance(schema, dict):
        return
    for name, sub in (schema.get("properties") or {}).items():
        if name not in out:
            out.append(name)
        _fields(api, uri, sub, depth + 1, out, seen)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(keyword) or []:
            _fields(api, uri, sub, depth, out, seen)
    if isinstance(schema.get("items"), dict):
        _fields(api, uri, schema["items"], depth, out, seen)


def _is_error(code: str) -> bool:
    return code == "default" or code[:1] in ("4", "5")


def operations(api: ApiSet) -> list[Operation]:
    """Every operation of the root document (path items and responses dereferenced)."""
    data = api.data if isinstance(api.data, dict) else {}
    root = api.root_file
    found: list[Operation] = []
    servers = data.get("servers") if isinstance(data.get("servers"), list) else []
    if servers and isinstance(servers[0], dict):
        server = str(servers[0].get("url", ""))
    elif "host" in data or "basePath" in data:
        scheme = (data.get("schemes") or ["https"])[0]
        server = f"{scheme}://{data.get('host', '')}{data.get('basePath', '')}"
    else:
        server = ""
    for path, item_node in (data.get("paths") or {}).items():
        item_ref = api.deref(api.root, item_node)
        if item_ref is None or not isinstance(item_ref[2], dict):
            continue
        item_uri, item_pointer, item = item_ref
        # a path item $ref'd from another file is located in that file
        item_file = api.files.get(item_uri, root) if item_pointer else root
        item_base = item_pointer if item_pointer else pointer_join("/paths", path)
        shared_params = item.get("parameters") or []
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            pointer = pointer_join(item_base, method)
            request: list[str] = []
            path_params: list[str] = []
            for param_node in [*shared_params, *(op.get("parameters") or [])]:
                param = api.deref(item_uri, param_node)
                if param and isinstance(param[2], dict) and "name" in param[2]:
                    request.append(str(param[2]["name"]))
                    if param[2].get("in") == "path":
                        path_params.append(str(param[2]["name"]))
                    if param[2].get("in") == "body" and "schema" in param[2]:
                        _fields(api, param[0], param[2]["schema"], 0, request, set())
            body = api.deref(item_uri, op.get("requestBody")) if "requestBody" in op else None
            if body and isinstance(body[2], dict):
                for media in (body[2].get("content") or {}).values():
                    if isinstance(media, dict) and "schema" in media:
                        _fields(api, body[0], media["schema"], 0, request, set())
            response_fields: list[str] = []
            media_types: list[str] = list(op.get("produces") or data.get("produces") or [])
            redirects = False
            responses = op.get("responses") or {}
            for code, response_node in responses.items():
                code = str(code)
                if not code.startswith(("2", "3")):
                    continue
                response = api.deref(item_uri, response_node)
                if response is None or not isinstance(response[2], dict):
                    continue
                if code.startswith("3"):
                    redirects = True
                    for header in response[2].get("headers") or {}:
                        response_fields.append(str(header))
                    continue
                if "schema" in response[2]:
                    _fields(api, response[0], response[2]["schema"], 0, response_fields, set())
                for mime, media in (response[2].get("content") or {}).items():
                    if mime not in media_types:
                        media_types.append(mime)
                    if isinstance(media, dict) and "schema" in media:
                        _fields(api, response[0], media["schema"], 0, response_fields, set())
            found.append(
                Operation(
                    kind="rest",
                    name=str(op.get("operationId") or f"{method.upper()} {path}"),
                    location=item_file.location(pointer),
                    method=method.upper(),
                    path=str(path),
                    summary=" ".join(
                        str(op.get(k) or "") for k in ("summary", "description")
                    ).strip(),
                    request_fields=tuple(request),
                    path_params=tuple(path_params),
                    response_fields=tuple(response_fields),
                    response_media=tuple(media_types),
                    redirects=redirects,
                    error_answers=tuple(str(c) for c in responses if _is_error(str(c))),
                    tags=tuple(str(t) for t in op.get("tags") or []),
                    server=server,
                    success_codes=tuple(str(c) for c in responses if str(c).startswith("2")),
                )
            )
    return found


@check(Kind.OPENAPI)
def error_answers(api: ApiSet) -> Iterator[Finding]:
    """Operations that declare no 4xx, 5xx or default response."""
    for operation in operations(api):
        if not operation.error_answers:
            yield Finding(
                "no-error-answer",
                Severity.WARNING,
                operation.location,
                {"operation": operation.label},
            )


@check(Kind.OPENAPI)
def read_success_codes(api: ApiSet) -> Iterator[Finding]:
    """Reads (GET, HEAD) whose only success is 201/202: a client expecting 200 sees an
    undeclared answer, and the contract contradicts HTTP."""
    for operation in operations(api):
        codes = set(operation.success_codes)
        if (
            operation.method in ("GET", "HEAD")
            and codes
            and not codes & {"200", "203", "204", "206", "2XX"}
        ):
            yield Finding(
                "read-success-code",
                Severity.WARNING,
                operation.location,
                {"operation": operation.label, "codes": ", ".join(sorted(codes))},
            )
