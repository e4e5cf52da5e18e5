"""A WSDL (or an XSD) and every schema it imports or includes, parsed safely.

Documents with a DOCTYPE are refused (no DTDs, no entities); imports are read through the
bounded :class:`~collaudo.contractcheck.sources.Reader`. Each schema, inline or in its own
file, becomes a :class:`SchemaDoc`; their global components are indexed by namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from collaudo.contractcheck.findings import Finding, Location, Severity
from collaudo.contractcheck.sources import Reader, Refused, resolve

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
KINDS = {
    "complexType": "type",
    "simpleType": "type",
    "element": "element",
    "group": "group",
    "attributeGroup": "attributeGroup",
    "attribute": "attribute",
}


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass
class SchemaDoc:
    """One ``xs:schema`` element: inline in a WSDL or the root of an XSD file."""

    element: etree._Element
    uri: str
    name: str
    inline: bool
    target_ns: str


@dataclass
class XmlSet:
    """The root document, the schemas it reaches and their components."""

    root_uri: str
    root_name: str
    root: etree._Element | None = None
    documents: dict[str, etree._Element] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    schemas: list[SchemaDoc] = field(default_factory=list)
    components: dict[tuple[str, str, str], tuple[SchemaDoc, etree._Element]] = field(
        default_factory=dict
    )
    findings: list[Finding] = field(default_factory=list)
    raw: dict[str, bytes] = field(default_factory=dict)

    @property
    def is_wsdl(self) -> bool:
        return self.root is not None and etree.QName(self.root).namespace == WSDL

    def namespaces(self) -> set[str]:
        return {s.target_ns for s in self.schemas}

    def wsdl_find(self, path: str) -> list[etree._Element]:
        """The elements at ``path`` in every WSDL document of the set: the root and the
        WSDLs it imports (split WSDLs keep messages and portTypes apart)."""
        found: list[etree._Element] = []
        for root in self.documents.values():
            if etree.QName(root).namespace == WSDL:
                found += root.iterfind(path)
        return found

    def locate(self, element: etree._Element) -> Location:
        """Where ``element`` is, in whichever document of the set holds it."""
        root = element.getroottree().getroot()
        uri = next((u for u, doc in self.documents.items() if doc is root), self.root_uri)
        return self.location(uri, element)

    def location(self, uri: str, element: etree._Element) -> Location:
        tree = element.getroottree()
        return Location(self.names.get(uri, uri), element.sourceline, tree.getpath(element))


def _parse(xml: XmlSet, uri: str, data: bytes, name: str) -> etree._Element | None:
    try:
        root = etree.fromstring(data, parser(), base_url=uri)
    except etree.XMLSyntaxError as exc:
        xml.findings.append(
            Finding(
                "xml-syntax", Severity.ERROR, Location(name, exc.lineno), {"problem": str(exc.msg)}
            )
        )
        return None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        xml.findings.append(Finding("xml-dtd", Severity.ERROR, Location(name, 1), {}))
        return None
    xml.documents[uri] = root
    xml.names[uri] = name
    xml.raw[uri] = data
    return root


def load(reader: Reader, root_uri: str, data: bytes, names: Callable[[str], str]) -> XmlSet:
    """Read the WSDL/XSD at ``root_uri`` and everything it imports; ``names(uri)`` gives
    the name a report shows for a file."""
    name_of = names
    xml = XmlSet(root_uri, name_of(root_uri))
    xml.root = _parse(xml, root_uri, data, xml.root_name)
    if xml.root is None:
        return xml
    pending: list[tuple[str, etree._Element]] = [(root_uri, xml.root)]
    while pending:
        uri, root = pending.pop()
        if etree.QName(root).namespace == WSDL:
            for schema in root.iterfind(f"{{{WSDL}}}types/{{{XSD}}}schema"):
                _add_schema(xml, schema, uri, True, None, pending, reader, name_of)
            for imported in root.iterfind(f"{{{WSDL}}}import"):
                _follow(
                    xml, imported, uri, imported.get("location"), None, pending, reader, name_of
                )
        else:
            _add_schema(xml, root, uri, False, None, pending, reader, name_of)
    return xml


def _add_schema(
    xml: XmlSet,
    schema: etree._Element,
    uri: str,
    inline: bool,
    chameleon_ns: str | None,
    pending: list[tuple[str, etree._Element]],
    reader: Reader,
    name_of: Callable[[str], str],
) -> None:
    target = schema.get("targetNamespace") or chameleon_ns or ""
    doc = SchemaDoc(schema, uri, xml.names[uri], inline, target)
    xml.schemas.append(doc)
    for child in schema:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local in KINDS and child.get("name"):
            xml.components.setdefault((target, KINDS[local], child.get("name", "")), (doc, child))
    for child in schema:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != XSD:
            continue
        local = etree.QName(child).localname
        if local in ("import", "include", "redefine") and child.get("schemaLocation"):
            chameleon = target if local != "import" else None
            _follow(
                xml, child, uri, child.get("schemaLocation"), chameleon, pending, reader, name_of
            )


def _follow(
    xml: XmlSet,
    element: etree._Element,
    base: str,
    location: str | None,
    chameleon_ns: str | None,
    pending: list[tuple[str, etree._Element]],
    reader: Reader,
    name_of: Callable[[str], str],
) -> None:
    if not location:
        return
    target = resolve(base, location)
    if target in xml.documents:
        return
    try:
        data = reader.read(target)
    except Refused:
        xml.findings.append(
            Finding(
                "import-not-followed",
                Severity.WARNING,
                xml.location(base, element),
                {"location": location},
            )
        )
        return
    except OSError as exc:
        xml.findings.append(
            Finding(
                "import-missing",
                Severity.ERROR,
                xml.location(base, element),
                {
                    "location": location,
                    # The path alone, as for OpenAPI: the sentence around it is translated
                    # when the report is written, in the reader's language.
                    "detail": name_of(target) if isinstance(exc, FileNotFoundError) else str(exc),
                },
            )
        )
        return
    name = name_of(target)
    root = _parse(xml, target, data, name)
    if root is None:
        return
    if (
        etree.QName(root).namespace == XSD
        and chameleon_ns is not None
        and not root.get("targetNamespace")
    ):
        _add_schema(xml, root, target, False, chameleon_ns, pending, reader, name_of)
    else:
        pending.append((target, root))
