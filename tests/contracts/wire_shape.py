"""What a contract puts on the wire, as flat comparable facts, so two descriptions of the
same interface can be compared structurally rather than as text.

Schemas: :func:`element_shape` walks an element declaration (compiled with xmlschema) and
gives one entry per element path: the namespace the element carries on the wire (empty when
unqualified), its occurrences, nillable/default/fixed, and either its content model
(ordered, with nested groups flattened where that changes nothing on the wire) or its value
space: the XSD built-in type it derives from and the effective facets (lengths, bounds,
patterns, enumeration). Type *names* are deliberately absent: they never reach the wire.

WSDL: :func:`operation_facts` reads a WSDL 1.1 document with lxml and gives, per
operation of its SOAP binding, the SOAPAction, the style, and which element travels in the
body and in each header, in and out.

:func:`differences` compares two such mappings and names each difference by its path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lxml import etree
from xmlschema.validators import XsdAnyElement, XsdAtomicBuiltin, XsdElement, XsdGroup

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
PATTERN = f"{{{XSD}}}pattern"
ENUMERATION = f"{{{XSD}}}enumeration"

Facts = dict[str, dict[str, Any]]


def _occurs(particle: Any) -> str:
    high = "unbounded" if particle.max_occurs is None else str(particle.max_occurs)
    return f"{particle.min_occurs}..{high}"


def _local(name: str | None) -> str:
    return (name or "").rpartition("}")[2]


def _namespace(element: XsdElement) -> str:
    name = element.name or ""
    return name[1:].partition("}")[0] if name.startswith("{") else ""


def _builtin(simple: Any) -> Any:
    while not isinstance(simple, XsdAtomicBuiltin):
        if simple.base_type is None:
            return simple
        simple = simple.base_type
    return simple


def value_space(simple: Any) -> dict[str, Any]:
    """The built-in type a simple type derives from and its effective facets: the most
    derived value of each facet, every pattern of every step (they all apply), the most
    derived enumeration."""
    if getattr(simple, "is_list", lambda: False)() or getattr(simple, "is_union", lambda: False)():
        return {"type": f"unsupported: {simple!r}"}
    base = _builtin(simple)
    facts: dict[str, Any] = {"type": f"xs:{_local(base.name)}"}
    patterns: set[str] = set()
    step = simple
    while step is not None and step is not base:
        for key, facet in getattr(step, "facets", {}).items():
            if key == PATTERN:
                patterns.update(facet.regexps)
            elif key == ENUMERATION:
                facts.setdefault("enumeration", tuple(sorted(str(v) for v in facet.enumeration)))
            elif key is not None:
                facts.setdefault(_local(key), str(getattr(facet, "value", facet)))
        step = step.base_type
    if patterns:
        facts["patterns"] = tuple(sorted(patterns))
    return facts


def _model(group: XsdGroup, outer: str | None = None) -> list[str]:
    """The content model as tokens; a nested sequence occurring once inside a sequence
    (an xs:group reference, a complexContent extension) is spliced into its parent."""
    tokens: list[str] = []
    for particle in group:
        if isinstance(particle, XsdGroup):
            inner = _model(particle, particle.model)
            if particle.model == outer == "sequence" and _occurs(particle) == "1..1":
                tokens.extend(inner)
            else:
                tokens.append(f"{particle.model}({', '.join(inner)}){{{_occurs(particle)}}}")
        elif isinstance(particle, XsdAnyElement):
            tokens.append(f"any[{particle.namespace}]{{{_occurs(particle)}}}")
        else:
            tokens.append(f"{_local(particle.name)}{{{_occurs(particle)}}}")
    return tokens


def _children(group: XsdGroup) -> Iterator[XsdElement]:
    for particle in group:
        if isinstance(particle, XsdGroup):
            yield from _children(particle)
        elif isinstance(particle, XsdElement):
            yield particle


def element_shape(element: XsdElement, path: str | None = None) -> Facts:
    """Every element reachable from ``element``, by path, with its wire facts."""
    facts: Facts = {}
    _walk(element, path or _local(element.name), facts, ())
    return facts


def _walk(element: XsdElement, path: str, facts: Facts, seen: tuple[Any, ...]) -> None:
    entry: dict[str, Any] = {
        "namespace": _namespace(element),
        "occurs": _occurs(element),
        "nillable": bool(element.nillable),
        "default": element.default,
        "fixed": element.fixed,
    }
    facts[path] = entry
    kind = element.type
    if kind.is_simple():
        entry.update(value_space(kind))
        return
    entry["mixed"] = bool(kind.mixed)
    entry["attributes"] = tuple(
        sorted(
            f"{_local(name)}:{a.use}:{value_space(a.type)}" for name, a in kind.attributes.items()
        )
    )
    if kind.has_simple_content():
        entry.update(value_space(kind.content))
        return
    if kind in seen:  # a recursive type: its structure is already described above
        entry["content"] = "(recursive)"
        return
    content = kind.content
    entry["content"] = f"{content.model}({', '.join(_model(content, content.model))})"
    counts: dict[str, int] = {}
    for child in _children(content):
        name = _local(child.name)
        counts[name] = counts.get(name, 0) + 1
        suffix = f"[{counts[name]}]" if counts[name] > 1 else ""
        _walk(child, f"{path}/{name}{suffix}", facts, (*seen, kind))


# --- WSDL ------------------------------------------------------------------------------------


def _qname(node: etree._Element, value: str | None) -> str:
    if not value:
        return ""
    prefix, _, local = value.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None, '')}}}{local}"


def _direction(
    operation: etree._Element,
    abstract: etree._Element | None,
    direction: str,
    messages: dict[str, dict[str, str]],
) -> dict[str, Any]:
    """Which elements travel in the body and in the headers of one direction."""
    reference = abstract.find(f"{{{WSDL}}}{direction}") if abstract is not None else None
    parts = (
        messages.get(_qname(reference, reference.get("message")), {})
        if reference is not None
        else {}
    )
    concrete = operation.find(f"{{{WSDL}}}{direction}")
    body = concrete.find(f"{{{WSDL_SOAP}}}body") if concrete is not None else None
    headers = concrete.findall(f"{{{WSDL_SOAP}}}header") if concrete is not None else []
    header_parts = {header.get("part") for header in headers}
    in_body = ((body.get("parts") or "") if body is not None else "").split()
    in_body = in_body or [part for part in parts if part not in header_parts]
    described = []
    for header in headers:
        part = header.get("part") or ""
        element = messages.get(_qname(header, header.get("message")), {}).get(part, "?")
        described.append(f"{part}={element}:{header.get('use')}")
    return {
        f"{direction} body": tuple(parts.get(part, f"missing part {part}") for part in in_body),
        f"{direction} use": body.get("use") if body is not None else None,
        f"{direction} headers": tuple(sorted(described)),
    }


def operation_facts(wsdl: etree._Element) -> Facts:
    """Per operation of the SOAP 1.1 binding: SOAPAction, style, the body and header
    elements in and out (by qualified name), plus the document's names a client binds by."""
    target = wsdl.get("targetNamespace", "")
    messages = {
        f"{{{target}}}{m.get('name')}": {
            p.get("name") or "": _qname(p, p.get("element")) for p in m.findall(f"{{{WSDL}}}part")
        }
        for m in wsdl.findall(f"{{{WSDL}}}message")
    }
    port_types = {f"{{{target}}}{p.get('name')}": p for p in wsdl.findall(f"{{{WSDL}}}portType")}
    facts: Facts = {}
    for service in wsdl.findall(f"{{{WSDL}}}service"):
        for port in service.findall(f"{{{WSDL}}}port"):
            facts[f"service {service.get('name')}"] = {
                "port": port.get("name"),
                "binding": _qname(port, port.get("binding")),
            }
    for binding in wsdl.findall(f"{{{WSDL}}}binding"):
        soap_binding = binding.find(f"{{{WSDL_SOAP}}}binding")
        if soap_binding is None:
            continue
        port_type_name = _qname(binding, binding.get("type"))
        style = soap_binding.get("style", "document")
        facts[f"binding {binding.get('name')}"] = {
            "namespace": target,
            "portType": port_type_name,
            "style": style,
            "transport": soap_binding.get("transport"),
        }
        port_type = port_types.get(port_type_name)
        for operation in binding.findall(f"{{{WSDL}}}operation"):
            name = operation.get("name")
            abstract = (
                port_type.find(f"{{{WSDL}}}operation[@name='{name}']")
                if port_type is not None
                else None
            )
            soap_op = operation.find(f"{{{WSDL_SOAP}}}operation")
            entry: dict[str, Any] = {
                "soapAction": soap_op.get("soapAction") if soap_op is not None else None,
                "style": (soap_op.get("style") if soap_op is not None else None) or style,
            }
            for direction in ("input", "output"):
                entry.update(_direction(operation, abstract, direction, messages))
            facts[f"operation {name}"] = entry
    return facts


def differences(
    official: Mapping[str, Mapping[str, Any]], ours: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """Each path and fact where ``ours`` says something else than ``official``."""
    found: list[str] = []
    for path in sorted(official.keys() | ours.keys()):
        if path not in ours:
            found.append(f"{path}: missing from the built-in contract")
            continue
        if path not in official:
            found.append(f"{path}: not in the official contract")
            continue
        for key in sorted(official[path].keys() | ours[path].keys()):
            theirs, mine = official[path].get(key), ours[path].get(key)
            if theirs != mine:
                found.append(f"{path}: {key} is {mine!r}, the official contract says {theirs!r}")
    return found
