"""The WSDL's schemas compiled by strict validators: libxml2 (lxml) and xmlschema.

Inline schemas are lifted into documents of their own (with the WSDL's namespace
declarations, which their QNames rely on); imports between sibling inline schemas are
served from memory to libxml2 and given together to xmlschema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Severity
from collaudo.contractcheck.registry import check
from collaudo.contractcheck.wsdl.loader import XSD, SchemaDoc, XmlSet


@check(Kind.WSDL, Kind.XSD)
def strict_load(xml: XmlSet) -> Iterator[Finding]:
    """Each schema compiled by libxml2 (lxml), the way a strict SOAP stack reads it."""
    documents = xml.raw  # grows as inline schemas are lifted

    class _Resolver(etree.Resolver):  # type: ignore[misc]
        def resolve(self, url: str, public_id: str, context: object) -> object:
            if url in documents:
                return self.resolve_string(documents[url], context, base_url=url)
            return None

    for schema in xml.schemas:
        if not schema.inline and schema.uri != xml.root_uri:
            continue
        source = _lifted(xml, schema) if schema.inline else etree.tostring(schema.element)
        parse = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        parse.resolvers.add(_Resolver())
        try:
            document = etree.fromstring(source, parse, base_url=schema.uri)
            etree.XMLSchema(document)
        except etree.XMLSchemaParseError as exc:
            entry = exc.error_log.last_error if exc.error_log else None
            message = entry.message if entry is not None else str(exc)
            yield Finding(
                "strict-schema",
                Severity.ERROR,
                xml.location(schema.uri, schema.element),
                {
                    "validator": "libxml2 (lxml)",
                    "message": message[:400],
                    "schema": schema.target_ns or "(no namespace)",
                },
            )
        except etree.XMLSyntaxError:
            continue


def _lifted(xml: XmlSet, schema: SchemaDoc) -> bytes:
    """An inline schema as its own document: the WSDL's namespace declarations copied (its
    QNames rely on them) and imports without a location pointed at sibling inline schemas."""
    assert xml.root is not None
    wsdl_root = schema.element.getroottree().getroot()
    nsmap = {k: v for k, v in {**wsdl_root.nsmap, **schema.element.nsmap}.items() if k}
    doc = etree.Element(f"{{{XSD}}}schema", nsmap=nsmap)
    for key, value in schema.element.attrib.items():
        doc.set(key, value)
    for child in schema.element:
        doc.append(_copy(child))
    siblings = {s.target_ns: s for s in xml.schemas if s.inline and s is not schema}
    for imported in doc.iterfind(f"{{{XSD}}}import"):
        namespace = imported.get("namespace", "")
        if not imported.get("schemaLocation") and namespace in siblings:
            index = [s.target_ns for s in xml.schemas].index(namespace)
            uri = f"{xml.root_uri}.inline-schema-{index}.xsd"
            xml.raw.setdefault(uri, _lifted(xml, siblings[namespace]))
            imported.set("schemaLocation", uri)
    return bytes(etree.tostring(doc))


def _copy(element: etree._Element) -> etree._Element:
    import copy

    return copy.deepcopy(element)


@check(Kind.WSDL, Kind.XSD)
def strict_load_xmlschema(xml: XmlSet) -> Iterator[Finding]:
    """Each schema compiled by xmlschema (XSD 1.0, strict), local files only: it reads
    imports itself, sandboxed to the local disk with DTDs and entities refused."""
    if not xml.root_uri.startswith("file://") or xml.root is None:
        return
    from urllib.parse import urlsplit

    import xmlschema

    base = str(Path(urlsplit(xml.root_uri).path).parent)
    inline = [s for s in xml.schemas if s.inline]
    source: Any
    if inline:  # compiled together: one global map, as a SOAP stack builds it
        source = [_without_sibling_locations(_lifted(xml, s)) for s in inline]
        parent = inline[0].element.getparent()
        where = xml.location(xml.root_uri, parent if parent is not None else inline[0].element)
    else:
        source = Path(urlsplit(xml.root_uri).path)
        where = xml.location(xml.root_uri, xml.root)
    try:
        xmlschema.XMLSchema(source, base_url=base, allow="local", defuse="always")
    except (xmlschema.XMLSchemaException, OSError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        namespaces = ", ".join(s.target_ns for s in inline) or xml.root.get("targetNamespace", "")
        yield Finding(
            "strict-schema",
            Severity.ERROR,
            where,
            {
                "validator": "xmlschema",
                "message": str(message)[:400],
                "schema": namespaces or "(no namespace)",
            },
        )


def _without_sibling_locations(source: bytes) -> str:
    """xmlschema is given the sibling inline schemas together: their imports need no
    location (the pseudo-locations are for libxml2's resolver)."""
    document = etree.fromstring(source)
    for imported in document.iterfind(f"{{{XSD}}}import"):
        if ".inline-schema-" in (imported.get("schemaLocation") or ""):
            del imported.attrib["schemaLocation"]
    return str(etree.tostring(document, encoding="unicode"))
