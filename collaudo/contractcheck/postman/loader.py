"""A Postman collection: its requests, their saved examples and the JSON Schemas their test
scripts assert (``pm.response.to.have.jsonSchema(schema)``, ``tv4.validate(data, schema)``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from collaudo.contractcheck.findings import Finding, Location, Severity, pointer_join
from collaudo.contractcheck.operations import Operation
from collaudo.contractcheck.textdoc import SyntaxProblem, TextDocument, read_json

_SCHEMA_USE = re.compile(
    r"(?:jsonSchema|tv4\.validate(?:Result|Multiple)?|validate)\s*\(\s*(?:[\w.]+\s*,\s*)?([A-Za-z_$][\w$]*)"
)


@dataclass
class Request:
    """One request of the collection, where it is, and what its scripts assert."""

    name: str
    pointer: str
    item: dict[str, Any]
    schema: Any = None  # the JSON Schema its test script asserts, if any
    schema_name: str = ""


@dataclass
class Collection:
    uri: str
    name: str
    text: TextDocument | None = None
    requests: list[Request] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def location(self, pointer: str) -> Location:
        return Location(
            self.name, self.text.line_of(pointer) if self.text else None, pointer or "/"
        )


def js_object(script: str, variable: str) -> Any:
    """The object literal assigned to ``variable`` in ``script``, read as JSON after the usual
    JavaScript liberties (bare keys, single quotes, trailing commas); None when it is not
    a plain literal."""
    match = re.search(rf"\b{re.escape(variable)}\s*=\s*\{{", script)
    if match is None:
        return None
    start = match.end() - 1
    depth, index, quote = 0, start, ""
    while index < len(script):
        char = script[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                break
        index += 1
    literal = script[start : index + 1]
    literal = re.sub(r"'((?:[^'\\]|\\.)*)'", lambda m: json.dumps(m.group(1)), literal)
    literal = re.sub(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:", r'\1"\2":', literal)
    literal = re.sub(r",\s*([}\]])", r"\1", literal)
    try:
        return json.loads(literal)
    except ValueError:
        return None


def _script(item: dict[str, Any]) -> str:
    lines: list[str] = []
    for event in item.get("event") or []:
        if isinstance(event, dict) and event.get("listen") == "test":
            exec_ = (event.get("script") or {}).get("exec") or []
            lines += exec_ if isinstance(exec_, list) else [str(exec_)]
    return "\n".join(str(line) for line in lines)


def _walk(items: Any, pointer: str, out: list[Request]) -> None:
    for index, item in enumerate(items if isinstance(items, list) else []):
        here = pointer_join(pointer, index)
        if not isinstance(item, dict):
            continue
        if "item" in item:
            _walk(item["item"], pointer_join(here, "item"), out)
        if "request" in item:
            request = Request(str(item.get("name", "")), here, item)
            script = _script(item)
            for use in _SCHEMA_USE.finditer(script):
                schema = js_object(script, use.group(1))
                if isinstance(schema, dict):
                    request.schema, request.schema_name = schema, use.group(1)
                    break
            out.append(request)


def load(uri: str, data: bytes, names: Callable[[str], str]) -> Collection:
    collection = Collection(uri, names(uri))
    try:
        collection.text = read_json(data.decode("utf-8-sig", errors="replace"))
    except SyntaxProblem as problem:
        collection.findings.append(
            Finding(
                "syntax",
                Severity.ERROR,
                Location(collection.name, problem.line),
                {"column": str(problem.column), "problem": problem.message, "lenient": "no"},
            )
        )
        return collection
    for pointer, line in collection.text.duplicate_keys:
        collection.findings.append(
            Finding(
                "duplicate-key",
                Severity.ERROR,
                Location(collection.name, line, pointer),
                {"key": pointer.rsplit("/", 1)[-1]},
            )
        )
    root = collection.text.data if isinstance(collection.text.data, dict) else {}
    schema = str((root.get("info") or {}).get("schema", ""))
    if "v2.1" not in schema and "v2.0" not in schema:
        collection.findings.append(
            Finding(
                "postman-version", Severity.ERROR, collection.location("/info"), {"schema": schema}
            )
        )
    _walk(root.get("item"), "/item", collection.requests)
    return collection


def url_parts(request: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    """(path, query keys, path variables) of a request's URL, ``{{host}}`` left out."""
    url = request.get("url")
    if isinstance(url, dict):
        raw = str(url.get("raw", ""))
        path = "/" + "/".join(str(p) for p in url.get("path") or [])
        query = [str(q.get("key")) for q in url.get("query") or [] if isinstance(q, dict)]
        variables = [str(v.get("key")) for v in url.get("variable") or [] if isinstance(v, dict)]
    else:
        raw = str(url or "")
        path = re.sub(r"^(?:https?://)?(?:\{\{[^}]+\}\}|[^/]+)", "", raw.split("?")[0]) or "/"
        query = re.findall(r"[?&]([^=&]+)", raw)
        variables = []
    variables += re.findall(r":(\w+)", path)
    path = re.sub(r":(\w+)", r"{\1}", path)
    path = re.sub(r"\{\{(\w+)\}\}", r"{\1}", path)
    return path, query, variables


def body_json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) and text.strip() else None
    except ValueError:
        return None


def _keys(value: Any, out: list[str], depth: int = 0) -> None:
    if depth > 3:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            if key not in out:
                out.append(str(key))
            _keys(inner, out, depth + 1)
    elif isinstance(value, list):
        for inner in value[:3]:
            _keys(inner, out, depth + 1)


def content_type(headers: Any) -> str:
    for header in headers if isinstance(headers, list) else []:
        if isinstance(header, dict) and str(header.get("key", "")).lower() == "content-type":
            return str(header.get("value", ""))
    return ""


def operations(collection: Collection) -> list[Operation]:
    found = []
    for request in collection.requests:
        spec = request.item.get("request")
        spec = spec if isinstance(spec, dict) else {"url": spec, "method": "GET"}
        path, query, variables = url_parts(spec)
        request_fields = [*variables, *query]
        _keys(body_json((spec.get("body") or {}).get("raw")), request_fields)
        response_fields: list[str] = []
        media: list[str] = []
        codes: list[int] = []
        for example in request.item.get("response") or []:
            if not isinstance(example, dict):
                continue
            code = example.get("code")
            codes.append(code if isinstance(code, int) else 0)
            if isinstance(code, int) and code < 300:
                _keys(body_json(example.get("body")), response_fields)
                kind = content_type(example.get("header"))
                if kind and kind not in media:
                    media.append(kind.split(";")[0])
        found.append(
            Operation(
                kind="rest",
                name=request.name,
                location=collection.location(request.pointer),
                method=str(spec.get("method", "GET")).upper(),
                path=path,
                summary=str(spec.get("description") or ""),
                request_fields=tuple(request_fields),
                path_params=tuple(variables),
                response_fields=tuple(response_fields),
                response_media=tuple(media),
                redirects=any(300 <= c < 400 for c in codes),
                error_answers=tuple(str(c) for c in codes if c >= 400),
            )
        )
    return found
