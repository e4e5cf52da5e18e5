"""The operations of a WSDL, with the element names their input and output carry."""

from __future__ import annotations

from lxml import etree

from collaudo.contractcheck.operations import Operation
from collaudo.contractcheck.wsdl.loader import SOAP11, SOAP12, WSDL, XSD, XmlSet

DEPTH = 4


def _message_elements(xml: XmlSet, message_qname: str) -> list[tuple[str, str]]:
    assert xml.root is not None
    name = message_qname.rpartition(":")[2]
    out = []
    for message in xml.wsdl_find(f"{{{WSDL}}}message"):
        if message.get("name") == name:
            for part in message.iterfind(f"{{{WSDL}}}part"):
                qname = part.get("element") or part.get("type") or ""
                prefix, _, local = qname.rpartition(":")
                kind = "element" if part.get("element") else "type"
                out.append(((part.nsmap.get(prefix or None) or "") + "|" + kind, local))
    return out


def _fields(xml: XmlSet, namespace: str, kind: str, name: str, depth: int, out: list[str]) -> None:
    found = xml.components.get((namespace, kind, name))
    if found is None or depth > DEPTH:
        return
    _, element = found
    _walk(xml, element, depth, out)


def _walk(xml: XmlSet, node: etree._Element, depth: int, out: list[str]) -> None:
    for child in node.iter(f"{{{XSD}}}element", f"{{{XSD}}}extension"):
        if child is node:
            if etree.QName(child).localname == "element" and child.get("type"):
                prefix, _, local = child.get("type", "").rpartition(":")
                _fields(xml, child.nsmap.get(prefix or None) or "", "type", local, depth + 1, out)
            continue
        local_name = etree.QName(child).localname
        if local_name == "extension":
            prefix, _, local = child.get("base", "").rpartition(":")
            _fields(xml, child.nsmap.get(prefix or None) or "", "type", local, depth + 1, out)
            continue
        name = child.get("name") or (child.get("ref") or "").rpartition(":")[2]
        if name and name not in out:
            out.append(name)
        if child.get("type") and depth < DEPTH:
            prefix, _, local = child.get("type", "").rpartition(":")
            _fields(xml, child.nsmap.get(prefix or None) or "", "type", local, depth + 1, out)


def _io_fields(xml: XmlSet, operation: etree._Element, io: str) -> list[str]:
    out: list[str] = []
    node = operation.find(f"{{{WSDL}}}{io}")
    if node is None:
        return out
    for key, name in _message_elements(xml, node.get("message", "")):
        namespace, kind = key.rsplit("|", 1)
        _fields(xml, namespace, kind, name, 0, out)
    return out


def output_fields(xml: XmlSet, operation: etree._Element) -> list[str]:
    """The element names of the operation's answer."""
    return _io_fields(xml, operation, "output")


def operations(xml: XmlSet) -> list[Operation]:
    """Every portType operation, with its SOAPAction from the binding."""
    if xml.root is None or not xml.is_wsdl:
        return []
    actions: dict[str, str] = {}
    for ns in (SOAP11, SOAP12):
        for op in xml.wsdl_find(f"{{{WSDL}}}binding/{{{WSDL}}}operation"):
            soap = op.find(f"{{{ns}}}operation")
            if soap is not None:
                actions[op.get("name", "")] = soap.get("soapAction", "")
    addresses = [
        a.get("location", "")
        for ns in (SOAP11, SOAP12)
        for a in xml.wsdl_find(f"{{{WSDL}}}service/{{{WSDL}}}port/{{{ns}}}address")
    ]
    found = []
    for operation in xml.wsdl_find(f"{{{WSDL}}}portType/{{{WSDL}}}operation"):
        name = operation.get("name", "")
        doc = operation.find(f"{{{WSDL}}}documentation")
        found.append(
            Operation(
                kind="soap",
                name=name,
                location=xml.locate(operation),
                soap_action=actions.get(name),
                summary=(doc.text or "").strip() if doc is not None else "",
                request_fields=tuple(_io_fields(xml, operation, "input")),
                response_fields=tuple(output_fields(xml, operation)),
                response_media=("text/xml",),
                server=addresses[0] if addresses else "",
                error_answers=tuple(
                    f.get("name", "") for f in operation.iterfind(f"{{{WSDL}}}fault")
                ),
            )
        )
    return found
