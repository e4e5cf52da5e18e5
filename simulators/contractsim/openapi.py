"""An OpenAPI contract as operations the simulator serves: paths as regular expressions,
parameters with their validators, declared answers, and the resource each path names.

Swagger 2 documents and Postman collections are converted to OpenAPI 3.0 first
(:mod:`simulators.contractsim.swagger2`, :mod:`simulators.contractsim.postman`), so this is
the one model of a REST contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from simulators.contractsim.jsongen import MISSING
from simulators.contractsim.jsonschemas import SchemaSet, pointer
from simulators.contractsim.workarounds import Workaround

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool
    kind: str  # the schema's type, for reading text: string, integer, number, boolean, array
    item_kind: str
    validator: Draft202012Validator | None
    simple: re.Pattern[str] | None = None  # fast path: a plain string with a pattern


@dataclass
class Answer:
    """One declared response."""

    status: str  # "200", "default", "4XX"
    media: str | None
    schema: str | None  # JSON pointer into the document, or None
    example: Any
    headers: dict[str, tuple[bool, str | None]]  # name -> (required, schema pointer)
    example_valid: bool | None = None  # checked on first use


@dataclass
class RestOperation:
    method: str
    template: str
    name: str  # operationId or "METHOD template"
    regex: re.Pattern[str]
    literal_segments: int
    parameters: list[Parameter]
    body: dict[str, str]  # media type -> schema pointer
    body_required: bool
    answers: dict[str, Answer]
    collection: str | None = None  # for an item path: its collection's template
    item: str | None = None  # for a collection path: its item template
    item_param: str | None = None  # for an item path: the parameter naming the item
    child_param: str | None = None  # for a collection path: its items' parameter
    groups: dict[str, str] = field(default_factory=dict)  # regex group -> parameter name
    # Declared security: alternatives, each a list of credentials (where, name) all needed.
    security: list[list[tuple[str, str]]] = field(default_factory=list)
    body_example: Any = MISSING

    def declares(self, status: int) -> bool:
        return str(status) in self.answers

    @property
    def success(self) -> str:
        declared = sorted(s for s in self.answers if s[:1] == "2" and s.isdigit())
        if self.method == "post" and "201" in declared and self.item is not None:
            return "201"
        if declared:
            return declared[0]
        others = sorted(s for s in self.answers if s[:1] == "3" and s.isdigit())
        if others:
            return others[0]
        return "default" if "default" in self.answers else "200"


@dataclass
class RestContract:
    file: str
    title: str
    base_path: str
    document: dict[str, Any]  # the bundled document, as served at /openapi.json
    schemas: SchemaSet
    operations: list[RestOperation]
    workarounds: list[Workaround] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def find(self, method: str, path: str) -> tuple[RestOperation | None, dict[str, str], bool]:
        """The operation for ``method path``, its path parameters, and whether the path
        exists at all (for a 405)."""
        known = False
        for op in self.operations:
            match = op.regex.match(path)
            if match is None:
                continue
            known = True
            if op.method == method:
                values = {op.groups[g]: v for g, v in match.groupdict().items()}
                return op, values, True
        return None, {}, known


def base_path_of(document: dict[str, Any]) -> str:
    servers = document.get("servers") or []
    if servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url", ""))
        for name, variable in (servers[0].get("variables") or {}).items():
            url = url.replace("{" + name + "}", str(variable.get("default", "")))
        path = urlsplit(
            url if "://" in url else "http://host" + ("" if url.startswith("/") else "/") + url
        ).path
        return path.rstrip("/")
    return ""


def _template_regex(template: str) -> tuple[re.Pattern[str], int, dict[str, str]]:
    parts = re.split(r"(\{[^}/]+\})", template)
    regex = ""
    groups: dict[str, str] = {}
    for part in parts:
        found = _PARAM.fullmatch(part)
        if found:
            name = found.group(1)
            group = groups.setdefault(name, f"p{len(groups)}")
            regex += f"(?P<{group}>[^/]+)"
        else:
            regex += re.escape(part)
    literal = sum(1 for seg in template.split("/") if seg and not _PARAM.search(seg))
    return re.compile(regex + "/?$"), literal, {g: n for n, g in groups.items()}


def _schema_kind(schemas: SchemaSet, at: str) -> tuple[str, str]:
    node = schemas.resolve("request", schemas.node("request", at))
    kind = node.get("type", "string") if isinstance(node, dict) else "string"
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    item_kind = "string"
    if kind == "array" and isinstance(node, dict):
        items = schemas.resolve("request", node.get("items", {}))
        item_kind = items.get("type", "string") if isinstance(items, dict) else "string"
        if isinstance(item_kind, list):
            item_kind = next((k for k in item_kind if k != "null"), "string")
    return str(kind), str(item_kind)


def _simple_pattern(schemas: SchemaSet, at: str) -> re.Pattern[str] | None:
    """For a plain ``{type: string, pattern}`` schema, the compiled pattern (a fast check)."""
    node = schemas.resolve("request", schemas.node("request", at))
    if isinstance(node, dict) and set(node) <= {"type", "pattern", "description", "example"}:
        if node.get("type") == "string" and isinstance(node.get("pattern"), str):
            return re.compile(node["pattern"])
    return None


def _parameters(
    schemas: SchemaSet, document: dict[str, Any], where: list[str], params: list[Any]
) -> list[Parameter]:
    found: dict[tuple[str, str], Parameter] = {}
    for index, raw in enumerate(params):
        at_parts = [*where, str(index)]
        param = raw
        if isinstance(raw, dict) and "$ref" in raw:
            target = raw["$ref"].split("#", 1)[1]
            param = schemas.node("request", target)
            at_parts = [p.replace("~1", "/").replace("~0", "~") for p in target.split("/") if p]
        if not isinstance(param, dict) or "name" not in param:
            continue
        location = str(param.get("in", "query"))
        if "schema" in param:
            at = pointer(*at_parts, "schema")
            validator = schemas.validator("request", at)
            kind, item_kind = _schema_kind(schemas, at)
            simple = _simple_pattern(schemas, at)
        else:
            validator, kind, item_kind, simple = None, "string", "string", None
        name = str(param["name"])
        found[(name.lower() if location == "header" else name, location)] = Parameter(
            name,
            location,
            bool(param.get("required", location == "path")),
            kind,
            item_kind,
            validator,
            simple,
        )
    return list(found.values())


def _answers(
    document: dict[str, Any], where: list[str], responses: dict[str, Any], schemas: SchemaSet
) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for status, raw in (responses or {}).items():
        at_parts = [*where, str(status)]
        response = raw
        if isinstance(raw, dict) and "$ref" in raw:
            target = raw["$ref"].split("#", 1)[1]
            response = schemas.node("response", target)
            at_parts = [p.replace("~1", "/").replace("~0", "~") for p in target.split("/") if p]
        if not isinstance(response, dict):
            continue
        content = response.get("content") or {}
        media = next((m for m in content if "json" in m), next(iter(content), None))
        schema_at = None
        example: Any = MISSING
        if media is not None:
            entry = content[media] or {}
            if "schema" in entry:
                schema_at = pointer(*at_parts, "content", media, "schema")
            if "example" in entry:
                example = entry["example"]
            elif isinstance(entry.get("examples"), dict) and entry["examples"]:
                first = next(iter(entry["examples"].values()))
                if isinstance(first, dict) and "$ref" in first:
                    try:
                        first = schemas.node("response", first["$ref"].split("#", 1)[1])
                    except (KeyError, IndexError, ValueError):
                        first = None  # a dangling example: answers are generated instead
                if isinstance(first, dict) and "value" in first:
                    example = first["value"]
        headers: dict[str, tuple[bool, str | None]] = {}
        for header, spec in (response.get("headers") or {}).items():
            spec_at = [*at_parts, "headers", header]
            if isinstance(spec, dict) and "$ref" in spec:
                target = spec["$ref"].split("#", 1)[1]
                spec = schemas.node("response", target)
                spec_at = [p.replace("~1", "/").replace("~0", "~") for p in target.split("/") if p]
            if isinstance(spec, dict):
                schema_pointer = pointer(*spec_at, "schema") if "schema" in spec else None
                headers[header] = (bool(spec.get("required")), schema_pointer)
        answers[str(status)] = Answer(str(status), media, schema_at, example, headers)
    return answers


def _credentials(document: dict[str, Any], requirement: Any) -> list[list[tuple[str, str]]]:
    """Security requirements as alternatives of credentials (where, name); an alternative
    with a scheme the simulator cannot check (OAuth flows, mutual TLS) needs nothing."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    alternatives: list[list[tuple[str, str]]] = []
    for alternative in requirement if isinstance(requirement, list) else []:
        needed: list[tuple[str, str]] = []
        for name in alternative if isinstance(alternative, dict) else {}:
            scheme = schemes.get(name) or {}
            if scheme.get("type") == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
                needed.append((str(scheme["in"]), str(scheme.get("name", ""))))
            elif scheme.get("type") == "http":
                needed.append(("header", "authorization"))
        alternatives.append(needed)
    return alternatives


def operations(document: dict[str, Any], schemas: SchemaSet) -> list[RestOperation]:
    found: list[RestOperation] = []
    default_security = document.get("security")
    for template, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") or []
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            where = ["paths", template, method]
            params = _parameters(schemas, document, ["paths", template, "parameters"], shared)
            own = _parameters(schemas, document, [*where, "parameters"], op.get("parameters") or [])
            merged = {(p.name, p.location): p for p in params + own}
            body: dict[str, str] = {}
            body_required = False
            body_example: Any = MISSING
            request_body = op.get("requestBody")
            body_where = [*where, "requestBody"]
            if isinstance(request_body, dict) and "$ref" in request_body:
                target = request_body["$ref"].split("#", 1)[1]
                request_body = schemas.node("request", target)
                body_where = [
                    p.replace("~1", "/").replace("~0", "~") for p in target.split("/") if p
                ]
            if isinstance(request_body, dict):
                body_required = bool(request_body.get("required"))
                for media, entry in (request_body.get("content") or {}).items():
                    if isinstance(entry, dict) and "schema" in entry:
                        body[media] = pointer(*body_where, "content", media, "schema")
                    if isinstance(entry, dict) and "example" in entry and body_example is MISSING:
                        body_example = entry["example"]
            regex, literal, groups = _template_regex(template)
            found.append(
                RestOperation(
                    method,
                    template,
                    str(op.get("operationId") or f"{method.upper()} {template}"),
                    regex,
                    literal,
                    list(merged.values()),
                    body,
                    body_required,
                    _answers(document, [*where, "responses"], op.get("responses") or {}, schemas),
                    groups=groups,
                    body_example=body_example,
                    security=_credentials(document, op.get("security", default_security)),
                )
            )
    _pair(found)
    # Literal segments win over parameters (/positions/transfers before /positions/{id}).
    found.sort(key=lambda o: (-o.literal_segments, -len(o.template)))
    return found


def _pair(found: list[RestOperation]) -> None:
    """Collection and item paths: ``P`` and ``P/{id}`` (both declared)."""
    templates = {op.template.rstrip("/") for op in found}
    for op in found:
        template = op.template.rstrip("/")
        parent, _, last = template.rpartition("/")
        param = _PARAM.fullmatch(last)
        if param and parent in templates:
            op.collection = parent
            op.item_param = param.group(1)
        for other in templates:
            head, _, tail = other.rpartition("/")
            if head == template and _PARAM.fullmatch(tail):
                op.item = other
                op.child_param = _PARAM.fullmatch(tail).group(1)  # type: ignore[union-attr]
                break
