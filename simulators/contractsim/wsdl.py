"""A WSDL 1.1 contract: its operations, its schemas compiled (lxml for validating requests,
xmlschema for generating answers), and its documents as served back to clients.

Read with DTDs, entities and the network refused (:mod:`simulators.common.safexml`); the
WSDL's ``wsdl:import`` and every ``xsd:import``/``include``/``redefine`` with a
``schemaLocation`` are read too, relative to the document holding them (path or URL). A
schema that uses a namespace prefix whose namespace it never imports (pa-per-ente.wsdl's
``ppthead``) gets the import added, reported as a :class:`Workaround`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from simulators.common.safexml import MalformedXML, UnsafeXML, parse_xml
from simulators.contractsim.source import ContractUnreadable, Reader, join, relative_name
from simulators.contractsim.workarounds import Workaround
from simulators.contractsim.xsdset import REFERENCES, compile_schemas

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
XSD = "http://www.w3.org/2001/XMLSchema"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class SoapOperation:
    name: str
    soap_action: str
    style: str  # document or rpc
    input_element: str | None  # Clark notation {ns}local
    output_element: str | None
    input_headers: list[str]
    output_headers: list[str]
    faults: list[str]  # fault detail elements
    namespace: str = ""  # rpc: the wrapper's namespace
    input_types: list[tuple[str, str]] = field(default_factory=list)  # rpc parts (name, type)
    output_types: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ServedDocument:
    index: int
    location: str
    root: etree._Element
    is_wsdl: bool


@dataclass
class SoapContract:
    file: str
    title: str
    base_path: str
    soap_version: str  # "1.1" or "1.2"
    operations: list[SoapOperation]
    documents: list[ServedDocument]
    validator: etree.XMLSchema
    schema: Any  # xmlschema.XMLSchema
    prefixes: dict[str, str]  # namespace -> prefix, as the contract writes them
    workarounds: list[Workaround] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    by_element: dict[str, SoapOperation] = field(default_factory=dict)
    by_action: dict[str, SoapOperation] = field(default_factory=dict)


def _parse(reader: Reader, location: str, where: str) -> etree._Element:
    try:
        data = reader.read(location)
    except ContractUnreadable as exc:
        raise ContractUnreadable(f"{where}: {exc}") from exc
    try:
        return parse_xml(data, max_bytes=MAX_BYTES)
    except (MalformedXML, UnsafeXML) as exc:
        raise ContractUnreadable(f"{location}: {exc}") from exc


def _qname(element: etree._Element, text: str | None) -> str | None:
    """``prefix:local`` in the scope of ``element`` as ``{ns}local``."""
    if not text:
        return None
    prefix, _, local = text.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    if namespace is None and not prefix:
        namespace = element.getroottree().getroot().get("targetNamespace", "")
    return f"{{{namespace or ''}}}{local}"


class _Loader:
    def __init__(self, reader: Reader, root: str) -> None:
        self.reader = reader
        self.root = root
        self.name = relative_name(root, root)
        self.workarounds: list[Workaround] = []
        self.wsdls: list[tuple[str, etree._Element]] = []
        self.external: dict[str, etree._Element] = {}  # XSD documents by location
        self.documents: list[ServedDocument] = []
        self.index: dict[str, int] = {}

    def served(self, location: str, root: etree._Element, is_wsdl: bool) -> None:
        if location not in self.index:
            self.index[location] = len(self.documents)
            self.documents.append(ServedDocument(len(self.documents), location, root, is_wsdl))

    def read_wsdl(self, location: str, where: str) -> None:
        if any(loc == location for loc, _ in self.wsdls):
            return
        root = _parse(self.reader, location, where)
        if root.tag != f"{{{WSDL}}}definitions":
            raise ContractUnreadable(
                f"{location}: root element {root.tag} is not a WSDL 1.1 definitions element "
                "(WSDL 2.0 is not supported)"
            )
        self.wsdls.append((location, root))
        self.served(location, root, True)
        for imported in root.findall(f"{{{WSDL}}}import"):
            target = imported.get("location")
            if target:
                self.read_wsdl(
                    join(location, target), f"{relative_name(self.root, location)} wsdl:import"
                )
        for schema in root.iter(f"{{{XSD}}}schema"):
            self.read_references(schema, location)

    def read_references(self, schema: etree._Element, location: str) -> None:
        for reference in schema:
            if reference.tag not in REFERENCES:
                continue
            target = reference.get("schemaLocation")
            if not target:
                continue
            resolved = join(location, target)
            if resolved in self.external:
                continue
            try:
                root = _parse(self.reader, resolved, f"{relative_name(self.root, location)}")
            except ContractUnreadable as exc:
                self.workarounds.append(
                    Workaround(
                        relative_name(self.root, location),
                        f"schemaLocation {target}",
                        f"cannot be read ({exc})",
                        "the import is kept without a location (built-in namespaces still work)",
                    )
                )
                reference.attrib.pop("schemaLocation", None)
                continue
            self.external[resolved] = root
            self.served(resolved, root, False)
            self.read_references(root, resolved)


def _operations(loader: _Loader) -> tuple[list[SoapOperation], str, str]:
    messages: dict[str, etree._Element] = {}
    port_types: dict[str, etree._Element] = {}
    bindings: dict[str, etree._Element] = {}
    ports: list[tuple[str, str, str]] = []  # (binding qname, address, soap version)
    for _, root in loader.wsdls:
        tns = root.get("targetNamespace", "")
        for message in root.findall(f"{{{WSDL}}}message"):
            messages[f"{{{tns}}}{message.get('name')}"] = message
        for port_type in root.findall(f"{{{WSDL}}}portType"):
            port_types[f"{{{tns}}}{port_type.get('name')}"] = port_type
        for binding in root.findall(f"{{{WSDL}}}binding"):
            bindings[f"{{{tns}}}{binding.get('name')}"] = binding
        for port in root.iter(f"{{{WSDL}}}port"):
            for version, namespace in (("1.1", SOAP11), ("1.2", SOAP12)):
                address = port.find(f"{{{namespace}}}address")
                if address is not None:
                    ports.append(
                        (
                            _qname(port, port.get("binding")) or "",
                            address.get("location", ""),
                            version,
                        )
                    )
    ports.sort(key=lambda p: p[2])  # SOAP 1.1 first
    soap_bindings = [
        (qname, b) for qname, b in bindings.items()
        if b.find(f"{{{SOAP11}}}binding") is not None or b.find(f"{{{SOAP12}}}binding") is not None
    ]  # fmt: skip
    if not soap_bindings:
        raise ContractUnreadable(f"{loader.name}: no SOAP binding: nothing to serve")
    chosen = next((p for p in ports if p[0] in dict(soap_bindings)), None)
    binding_name = chosen[0] if chosen else soap_bindings[0][0]
    binding = bindings[binding_name]
    soap_ns = SOAP11 if binding.find(f"{{{SOAP11}}}binding") is not None else SOAP12
    version = "1.1" if soap_ns == SOAP11 else "1.2"
    address = chosen[1] if chosen else ""
    default_style = binding.find(f"{{{soap_ns}}}binding").get("style", "document")
    port_type = port_types.get(_qname(binding, binding.get("type")) or "")
    if port_type is None:
        raise ContractUnreadable(
            f"{loader.name}: binding {binding.get('name')} names an undeclared portType"
        )
    abstract = {op.get("name"): op for op in port_type.findall(f"{{{WSDL}}}operation")}

    def parts(
        message_ref: str | None, scope: etree._Element
    ) -> list[tuple[str, str | None, str | None]]:
        message = messages.get(_qname(scope, message_ref) or "")
        if message is None:
            return []
        return [
            (p.get("name", ""), _qname(p, p.get("element")), _qname(p, p.get("type")))
            for p in message.findall(f"{{{WSDL}}}part")
        ]

    found: list[SoapOperation] = []
    for bound in binding.findall(f"{{{WSDL}}}operation"):
        name = bound.get("name", "")
        op = abstract.get(name)
        if op is None:
            continue
        soap_op = bound.find(f"{{{soap_ns}}}operation")
        action = soap_op.get("soapAction", "") if soap_op is not None else ""
        style = (soap_op.get("style") if soap_op is not None else None) or default_style
        sides: dict[str, tuple[str | None, list[str], list[tuple[str, str]], str]] = {}
        for side in ("input", "output"):
            abstract_side = op.find(f"{{{WSDL}}}{side}")
            bound_side = bound.find(f"{{{WSDL}}}{side}")
            message_parts = parts(
                abstract_side.get("message") if abstract_side is not None else None, op
            )
            headers: list[str] = []
            header_parts: set[str] = set()
            body_parts: list[str] | None = None
            namespace = ""
            if bound_side is not None:
                for header in bound_side.findall(f"{{{soap_ns}}}header"):
                    for part_name, element, _ in parts(header.get("message"), header):
                        if part_name == header.get("part") and element:
                            headers.append(element)
                    if _qname(header, header.get("message")) == _qname(
                        op, abstract_side.get("message") if abstract_side is not None else None
                    ):
                        header_parts.add(header.get("part", ""))
                body = bound_side.find(f"{{{soap_ns}}}body")
                if body is not None:
                    namespace = body.get("namespace", "")
                    if body.get("parts") is not None:
                        body_parts = body.get("parts", "").split()
            selected = [
                p for p in message_parts
                if p[0] not in header_parts and (body_parts is None or p[0] in body_parts)
            ]  # fmt: skip
            element = next((p[1] for p in selected if p[1]), None)
            types = [(p[0], p[2]) for p in selected if p[2]]
            sides[side] = (element, headers, types, namespace)
        faults = []
        for fault in op.findall(f"{{{WSDL}}}fault"):
            for _, element, _ in parts(fault.get("message"), op):
                if element:
                    faults.append(element)
        input_element, input_headers, input_types, namespace = sides["input"]
        output_element, output_headers, output_types, _ = sides["output"]
        found.append(
            SoapOperation(
                name, action, style, input_element if style == "document" else None,
                output_element if style == "document" else None, input_headers, output_headers,
                faults, namespace or port_type.getroottree().getroot().get("targetNamespace", ""),
                input_types, output_types,
            )
        )  # fmt: skip
    return found, address, version


def load_wsdl(reader: Reader, location: str) -> SoapContract:
    loader = _Loader(reader, location)
    loader.read_wsdl(location, loader.name)
    operations, address, version = _operations(loader)
    validator, schema = compile_schemas(
        loader.root, loader.wsdls, loader.external, loader.workarounds
    )
    root = loader.wsdls[0][1]
    prefixes: dict[str, str] = {}
    for _, wsdl in loader.wsdls:
        for element in wsdl.iter(f"{{{XSD}}}schema"):
            for prefix, namespace in {**wsdl.nsmap, **element.nsmap}.items():
                if (
                    prefix
                    and namespace not in prefixes
                    and namespace not in (XSD, WSDL, SOAP11, SOAP12)
                ):
                    prefixes[namespace] = prefix
    base_path = urlsplit(address).path.rstrip("/") if address else ""
    if not base_path:
        base_path = "/" + (root.get("name") or "service")
        loader.workarounds.append(
            Workaround(loader.name, "service", "declares no soap:address path",
                       f"served at {base_path}")
        )  # fmt: skip
    contract = SoapContract(
        loader.name,
        root.get("name") or loader.name,
        base_path,
        version,
        operations,
        loader.documents,
        validator,
        schema,
        prefixes,
        loader.workarounds,
        [d.location for d in loader.documents],
    )
    for op in operations:
        if op.input_element:
            contract.by_element.setdefault(op.input_element, op)
        else:
            contract.by_element.setdefault(f"{{{op.namespace}}}{op.name}", op)
        if op.soap_action:
            contract.by_action.setdefault(op.soap_action, op)
    return contract
