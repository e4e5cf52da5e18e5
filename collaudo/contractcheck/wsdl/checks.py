"""WSDL/XSD checks: QNames whose prefix is undeclared or whose namespace is not imported
(what JAXB forgives and libxml2/xmlschema do not), references to components that do not
exist, the strict load, operations without a fault, the endpoint, unused components."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Location, Severity
from collaudo.contractcheck.registry import check
from collaudo.contractcheck.wsdl.loader import SOAP11, SOAP12, WSDL, XSD, SchemaDoc, XmlSet

# attribute → kind of component it names, per XSD element
_XSD_REFS = {
    ("element", "type"): "type",
    ("attribute", "type"): "type",
    ("restriction", "base"): "type",
    ("extension", "base"): "type",
    ("list", "itemType"): "type",
    ("union", "memberTypes"): "type",
    ("element", "ref"): "element",
    ("element", "substitutionGroup"): "element",
    ("attribute", "ref"): "attribute",
    ("group", "ref"): "group",
    ("attributeGroup", "ref"): "attributeGroup",
}


def _qnames(element: etree._Element, attribute: str) -> list[str]:
    value = element.get(attribute) or ""
    return value.split() if attribute == "memberTypes" else ([value] if value else [])


def _imported(schema: SchemaDoc) -> set[str]:
    return {child.get("namespace", "") for child in schema.element.iterfind(f"{{{XSD}}}import")}


def xsd_references(xml: XmlSet) -> Iterator[tuple[SchemaDoc, etree._Element, str, str, str, str]]:
    """(schema, element, attribute, kind, namespace, local name) of every QName reference in
    the schemas; namespace is None-safe ("" for no namespace), prefix problems excluded."""
    for schema in xml.schemas:
        for element in schema.element.iter(f"{{{XSD}}}*"):
            local = etree.QName(element).localname
            for (owner, attribute), kind in _XSD_REFS.items():
                if owner != local:
                    continue
                for qname in _qnames(element, attribute):
                    prefix, _, name = qname.rpartition(":")
                    namespace = element.nsmap.get(prefix or None)
                    yield schema, element, attribute, kind, namespace or "", name


@check(Kind.WSDL, Kind.XSD)
def loading(xml: XmlSet) -> Iterator[Finding]:
    """What reading the documents found (syntax, DOCTYPE, imports)."""
    yield from xml.findings


@check(Kind.WSDL, Kind.XSD)
def qname_prefixes(xml: XmlSet) -> Iterator[Finding]:
    """QNames with an undeclared prefix, or in a namespace their schema does not import."""
    for schema in xml.schemas:
        own = {schema.target_ns, XSD}
        imported = _imported(schema)
        reported: set[tuple[str, str]] = set()
        for element in schema.element.iter(f"{{{XSD}}}*"):
            local = etree.QName(element).localname
            for (owner, attribute), _ in _XSD_REFS.items():
                if owner != local:
                    continue
                for qname in _qnames(element, attribute):
                    prefix, _, name = qname.rpartition(":")
                    if prefix and prefix not in element.nsmap:
                        yield Finding(
                            "qname-prefix-undeclared",
                            Severity.ERROR,
                            xml.location(schema.uri, element),
                            {"qname": qname, "prefix": prefix},
                        )
                        continue
                    namespace = element.nsmap.get(prefix or None) or ""
                    if namespace in own or namespace in imported:
                        continue
                    if (namespace, schema.target_ns) in reported:
                        continue
                    reported.add((namespace, schema.target_ns))
                    count = sum(
                        1
                        for e in schema.element.iter(f"{{{XSD}}}*")
                        for a in ("type", "base", "ref", "itemType")
                        if (e.get(a) or "").startswith(f"{prefix}:")
                    )
                    yield Finding(
                        "qname-not-imported",
                        Severity.ERROR,
                        xml.location(schema.uri, element),
                        {
                            "qname": qname,
                            "prefix": prefix,
                            "namespace": namespace,
                            "schema": schema.target_ns or "(no namespace)",
                            "count": str(count),
                            "defined_here": "yes" if namespace in xml.namespaces() else "no",
                        },
                    )


@check(Kind.WSDL, Kind.XSD)
def undefined_components(xml: XmlSet) -> Iterator[Finding]:
    """References to types, elements, groups that no loaded schema defines."""
    known = xml.namespaces()
    for schema, element, attribute, kind, namespace, name in xsd_references(xml):
        if namespace == XSD or namespace not in known:
            continue
        if (namespace, kind, name) not in xml.components:
            yield Finding(
                "component-undefined",
                Severity.ERROR,
                xml.location(schema.uri, element),
                {"kind": kind, "name": name, "namespace": namespace, "attribute": attribute},
            )
    if xml.is_wsdl:
        yield from _wsdl_references(xml)


def _wsdl_named(xml: XmlSet, local: str) -> set[str]:
    assert xml.root is not None
    return {e.get("name", "") for e in xml.wsdl_find(f"{{{WSDL}}}{local}")}


def _wsdl_references(xml: XmlSet) -> Iterator[Finding]:
    assert xml.root is not None
    known = xml.namespaces()
    messages = _wsdl_named(xml, "message")
    for part in xml.wsdl_find(f"{{{WSDL}}}message/{{{WSDL}}}part"):
        for attribute, kind in (("element", "element"), ("type", "type")):
            qname = part.get(attribute)
            if not qname:
                continue
            prefix, _, name = qname.rpartition(":")
            if prefix and prefix not in part.nsmap:
                yield Finding(
                    "qname-prefix-undeclared",
                    Severity.ERROR,
                    xml.locate(part),
                    {"qname": qname, "prefix": prefix},
                )
                continue
            namespace = part.nsmap.get(prefix or None) or ""
            if namespace in known and (namespace, kind, name) not in xml.components:
                yield Finding(
                    "component-undefined",
                    Severity.ERROR,
                    xml.locate(part),
                    {"kind": kind, "name": name, "namespace": namespace, "attribute": attribute},
                )
    for io in xml.wsdl_find(f"{{{WSDL}}}portType/{{{WSDL}}}operation/*"):
        message = (io.get("message") or "").rpartition(":")[2]
        if message and message not in messages:
            yield Finding(
                "component-undefined",
                Severity.ERROR,
                xml.locate(io),
                {"kind": "message", "name": message, "namespace": "", "attribute": "message"},
            )


@check(Kind.WSDL)
def fault_answers(xml: XmlSet) -> Iterator[Finding]:
    """Operations without a ``wsdl:fault``; when the answer carries a fault/error element of
    its own, the remark says so (errors travel inside the answer)."""
    assert xml.root is not None
    for operation in xml.wsdl_find(f"{{{WSDL}}}portType/{{{WSDL}}}operation"):
        if operation.find(f"{{{WSDL}}}fault") is not None:
            continue
        from collaudo.contractcheck.wsdl.operations import output_fields

        fields = output_fields(xml, operation)
        inline = [f for f in fields if any(k in f.lower() for k in ("fault", "error", "errore"))]
        yield Finding(
            "no-fault-inline" if inline else "no-error-answer",
            Severity.INFO if inline else Severity.WARNING,
            xml.locate(operation),
            {"operation": operation.get("name", ""), "fields": ", ".join(inline)},
        )


@check(Kind.WSDL)
def endpoint(xml: XmlSet) -> Iterator[Finding]:
    """The service's ``soap:address``: missing or relative."""
    assert xml.root is not None
    addresses = [
        a
        for ns in (SOAP11, SOAP12)
        for a in xml.wsdl_find(f"{{{WSDL}}}service/{{{WSDL}}}port/{{{ns}}}address")
    ]
    if not addresses:
        yield Finding("endpoint-missing", Severity.WARNING, Location(xml.root_name), {})
    for address in addresses:
        location = address.get("location", "")
        if not location.startswith(("http://", "https://")):
            yield Finding(
                "endpoint-relative",
                Severity.WARNING,
                xml.locate(address),
                {"location": location},
            )


@check(Kind.WSDL)
def unused_components(xml: XmlSet) -> Iterator[Finding]:
    """Global types and elements of the WSDL's own (inline) schemas that nothing uses."""
    assert xml.root is not None
    used = {(ns, kind, name) for _, _, _, kind, ns, name in xsd_references(xml)}
    for part in xml.wsdl_find(f".//{{{WSDL}}}part"):
        for attribute, kind in (("element", "element"), ("type", "type")):
            qname = part.get(attribute)
            if qname:
                prefix, _, name = qname.rpartition(":")
                used.add((part.nsmap.get(prefix or None) or "", kind, name))
    for (namespace, kind, name), (schema, element) in xml.components.items():
        if schema.inline and kind in ("type", "element") and (namespace, kind, name) not in used:
            yield Finding(
                "component-unused",
                Severity.INFO,
                xml.location(schema.uri, element),
                {"name": name, "section": kind},
            )


_SIZED_NAME = re.compile(r"(?i)(?:text|testo|string|str|char|alfa|alpha|len|max)\D*(\d+)$")


@check(Kind.WSDL, Kind.XSD)
def length_names(xml: XmlSet) -> Iterator[Finding]:
    """Simple types whose name promises a length their ``maxLength`` contradicts
    (``stText80`` limited to 35 characters)."""
    for schema in xml.schemas:
        for simple in schema.element.iterfind(f"{{{XSD}}}simpleType"):
            match = _SIZED_NAME.search(simple.get("name", ""))
            facet = simple.find(f"{{{XSD}}}restriction/{{{XSD}}}maxLength")
            if match is None or facet is None or not (facet.get("value") or "").isdigit():
                continue
            if int(facet.get("value", "0")) != int(match.group(1)):
                yield Finding(
                    "length-name-mismatch",
                    Severity.WARNING,
                    xml.location(schema.uri, facet),
                    {
                        "name": simple.get("name", ""),
                        "named": match.group(1),
                        "max": facet.get("value", ""),
                    },
                )


@check(Kind.WSDL)
def binding_matches_port_type(xml: XmlSet) -> Iterator[Finding]:
    """Operations declared in the portType but not bound (or bound but not declared)."""
    assert xml.root is not None
    declared = {
        op.get("name", "") for op in xml.wsdl_find(f"{{{WSDL}}}portType/{{{WSDL}}}operation")
    }
    for binding in xml.wsdl_find(f"{{{WSDL}}}binding"):
        bound = {op.get("name", "") for op in binding.iterfind(f"{{{WSDL}}}operation")}
        for name in sorted(declared - bound):
            yield Finding(
                "operation-not-bound",
                Severity.WARNING,
                xml.locate(binding),
                {"operation": name, "binding": binding.get("name", "")},
            )
        for name in sorted(bound - declared):
            yield Finding(
                "binding-undeclared",
                Severity.ERROR,
                xml.locate(binding),
                {"operation": name, "binding": binding.get("name", "")},
            )
