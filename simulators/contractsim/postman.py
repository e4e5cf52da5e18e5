"""A Postman collection v2.1 as OpenAPI 3.0: each request an operation, each saved example
response a declared answer (with its body as the example and a schema inferred from it).

A collection says less than a contract: request bodies are checked only for their shape
(types of the fields the example shows, none required), and a request with no saved
example gets an empty 200, reported as a :class:`Workaround`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from simulators.contractsim.workarounds import Workaround

_VARIABLE = re.compile(r"^\{\{(.+)\}\}$")


def infer(example: Any, strict: bool) -> dict[str, Any]:
    """A JSON Schema describing ``example``; ``strict``: every field present is required."""
    if isinstance(example, dict):
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {k: infer(v, strict) for k, v in example.items()},
        }
        if strict and example:
            schema["required"] = list(example)
        return schema
    if isinstance(example, list):
        return {"type": "array", "items": infer(example[0], strict) if example else {}}
    if isinstance(example, bool):
        return {"type": "boolean"}
    if isinstance(example, int):
        return {"type": "integer"}
    if isinstance(example, float):
        return {"type": "number"}
    if example is None:
        return {"nullable": True}
    return {"type": "string"}


def _items(node: dict[str, Any], trail: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    for item in node.get("item") or []:
        name = f"{trail}/{item.get('name', '')}".strip("/")
        if "item" in item:
            found.extend(_items(item, name))
        elif isinstance(item.get("request"), dict | str):
            found.append((name, item))
    return found


def _path(url: Any) -> tuple[str, list[str], list[str]]:
    """The path template, its path variables and its query parameters."""
    if isinstance(url, str):
        raw = url
        segments = re.sub(r"^(\{\{[^}]+\}\}|[a-z]+://[^/]+)", "", raw.split("?")[0]).split("/")
        query = [q.split("=")[0] for q in raw.split("?", 1)[1].split("&")] if "?" in raw else []
    else:
        segments = [str(s) for s in url.get("path") or []]
        query = [str(q.get("key")) for q in url.get("query") or [] if q.get("key")]
    template, variables = [], []
    for segment in segments:
        if not segment:
            continue
        found = _VARIABLE.match(segment)
        if segment.startswith(":") or found:
            name = segment[1:] if segment.startswith(":") else found.group(1)  # type: ignore[union-attr]
            template.append("{" + name + "}")
            variables.append(name)
        else:
            template.append(segment)
    return "/" + "/".join(template), variables, query


def _json(text: Any) -> Any:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def to_openapi(
    collection: dict[str, Any], file: str, report: Callable[[Workaround], None]
) -> dict[str, Any]:
    info = collection.get("info") or {}
    paths: dict[str, Any] = {}
    for name, item in _items(collection):
        request = item["request"] if isinstance(item["request"], dict) else {"url": item["request"]}
        method = str(request.get("method", "GET")).lower()
        template, variables, query = _path(request.get("url", "/"))
        operation: dict[str, Any] = {
            "operationId": re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or f"{method}_{template}",
            "parameters": [
                *(
                    {"name": v, "in": "path", "required": True, "schema": {"type": "string"}}
                    for v in variables
                ),
                *({"name": q, "in": "query", "schema": {"type": "string"}} for q in query),
            ],
            "responses": {},
        }
        body = request.get("body") or {}
        if body.get("mode") == "raw" and body.get("raw"):
            example = _json(body["raw"])
            media = "application/json" if not isinstance(example, str) else "text/plain"
            operation["requestBody"] = {
                "content": {media: {"schema": infer(example, strict=False), "example": example}}
            }
        for saved in item.get("response") or []:
            code = str(saved.get("code") or 200)
            example = _json(saved.get("body"))
            headers = {
                h.get("key", "").lower(): h.get("value", "") for h in saved.get("header") or []
            }
            media = headers.get("content-type", "application/json").split(";")[0]
            answer: dict[str, Any] = {"description": saved.get("name") or "saved example"}
            if example is not None:
                answer["content"] = {
                    media: {"schema": infer(example, strict=True), "example": example}
                }
            operation["responses"].setdefault(code, answer)
        if not operation["responses"]:
            operation["responses"]["200"] = {"description": "no saved example"}
            report(Workaround(file, f"request {name!r}", "has no saved example response",
                              "answered with an empty 200"))  # fmt: skip
        paths.setdefault(template, {})[method] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": info.get("name") or file, "version": "postman"},
        "servers": [{"url": "/"}],
        "paths": paths,
    }
