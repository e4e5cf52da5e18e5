"""A recorded HTTP message seen as fields: protocol, operation or route, and leaf values.

Used by metadata extraction, replay matching, replay client comparison and drift. A SOAP
message's operation is the first element of its Body; a REST request's route is its method
and path with the variable segments (those holding a digit: ids, fiscal codes, IUPDs)
replaced by ``{}``, their values becoming fields ``/n``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from collaudo.recorder.xmltools import (
    UnsafeXML,
    embedded_document,
    local_name,
    looks_like_xml,
    parse_xml,
    soap_header,
    soap_operation,
)

FieldPath = tuple[str, ...]


@dataclass
class Parsed:
    """What a body is: ``kind`` soap|xml|json|text|empty, the SOAP operation element's name,
    and its leaf fields (path → text)."""

    kind: str
    operation: str = ""
    fields: dict[FieldPath, str] = field(default_factory=dict)
    xml: etree._Element | None = None
    json: Any = None
    error: str = ""


def _xml_leaves(element: etree._Element, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    name = local_name(element)
    if not name:
        return
    here = (*path, name)
    for attr, value in element.attrib.items():
        yield (*here, "@" + attr.rpartition("}")[2]), value
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        text = (element.text or "").strip()
        inner = embedded_document(text) if len(text) > 40 else None
        if inner is not None:
            yield from _xml_leaves(inner, here)
        else:
            yield here, text
        return
    for child in children:
        yield from _xml_leaves(child, here)


def _json_leaves(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_leaves(v, (*path, str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_leaves(v, (*path, f"[{i}]"))
    elif value is None:
        yield path, "null"
    else:
        yield path, value if isinstance(value, str) else json.dumps(value)


def parse_body(content: bytes, content_type: str = "") -> Parsed:
    """Parse a body leniently: a malformed one is ``text`` with ``error`` set."""
    if not content:
        return Parsed("empty")
    ctype = content_type.lower()
    if "xml" in ctype or looks_like_xml(content):
        try:
            root = parse_xml(content)
        except UnsafeXML as exc:
            return Parsed("text", error=str(exc))
        op = soap_operation(root)
        if op is not None:
            leaves = dict(_xml_leaves(op, ()))
            header = soap_header(root)
            if header is not None:
                leaves |= dict(_xml_leaves(header, ()))
            return Parsed("soap", local_name(op), leaves, xml=root)
        return Parsed("xml", local_name(root), dict(_xml_leaves(root, ())), xml=root)
    if "json" in ctype or content.lstrip()[:1] in (b"{", b"["):
        try:
            value = json.loads(content)
        except ValueError as exc:
            return Parsed("text", error=f"not valid JSON: {exc}")
        return Parsed("json", fields=dict(_json_leaves(value, ())), json=value)
    if "x-www-form-urlencoded" in ctype:
        pairs = parse_qsl(content.decode("utf-8", "replace"), keep_blank_values=True)
        return Parsed("form", fields={(k,): v for k, v in pairs})
    return Parsed("text")


def _variable(segment: str) -> bool:
    # API versions (v1, v2) are part of the route; anything else with a digit is a value.
    return any(c.isdigit() for c in segment) and not re.fullmatch(r"v\d{1,2}", segment)


def operation_name(element: str, soap_action: str = "") -> str:
    """The SOAP operation: the SOAPAction when it is a bare name, else the body element
    without pagoPA's ``Req``/``Request`` suffix."""
    action = soap_action.strip().strip('"')
    if action and "/" not in action and ":" not in action:
        return action
    for suffix in ("Request", "Req"):
        if element.endswith(suffix) and len(element) > len(suffix):
            return element[: -len(suffix)]
    return element


def route_of(method: str, path: str) -> tuple[str, dict[FieldPath, str]]:
    """``GET /a/{}/b`` and the variable segments as fields, for a request path."""
    parts = urlsplit(path)
    segments = parts.path.split("/")
    shown: list[str] = []
    values: dict[FieldPath, str] = {}
    for index, segment in enumerate(segments):
        if _variable(segment):
            shown.append("{}")
            values[(f"/{index}",)] = segment
        else:
            shown.append(segment)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        values[(f"?{key}",)] = value
    return f"{method.upper()} {'/'.join(shown)}", values


def show_path(path: FieldPath) -> str:
    """A field path for a person: ``dovuto/Versamento/…/importo``."""
    out = ""
    for part in path:
        out += part if part.startswith(("[", "?")) or not out else "/" + part
    return out
