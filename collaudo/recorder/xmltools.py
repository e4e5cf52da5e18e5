"""Safe XML parsing and the small SOAP facts the recorder needs.

Recorded traffic is untrusted: DTDs, entities and network access are forbidden and a
DOCTYPE is refused. Embedded documents (MyPay's ``dovuto``/``pagati``, the RT) travel as
base64 text inside elements; :func:`embedded_document` recognises them.
"""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from simulators.common import safexml

SOAP_ENVELOPES = {
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/2003/05/soap-envelope",
}
_BASE64 = re.compile(rb"^[A-Za-z0-9+/\r\n]+={0,2}\s*$")
MAX_XML_BYTES = 8 * 1024 * 1024  # recordings carry whole receipts and notices


class UnsafeXML(ValueError):
    """Not well-formed, too large, or carrying a DOCTYPE or entities."""


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML with the simulators' hardened parser; :class:`UnsafeXML` (one
    exception for the recorder's callers, malformed or unsafe alike) says why it was refused."""
    try:
        return safexml.parse_xml(data, max_bytes=MAX_XML_BYTES)
    except (safexml.UnsafeXML, safexml.MalformedXML) as exc:
        raise UnsafeXML(str(exc)) from exc


def local_name(element: etree._Element) -> str:
    """The element's name without namespace (comments and PIs give '')."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def looks_like_xml(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def decode_base64(text: str) -> bytes | None:
    """The bytes behind a base64 text, or None if it is not plausibly base64."""
    raw = text.strip().encode("ascii", errors="replace")
    if len(raw) < 16 or not _BASE64.match(raw):
        return None
    try:
        return base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError):
        return None


def embedded_document(text: str) -> etree._Element | None:
    """The XML document carried base64 in ``text``, if it carries one."""
    data = decode_base64(text)
    if data is None or not looks_like_xml(data):
        return None
    try:
        return parse_xml(data)
    except UnsafeXML:
        return None


def _envelope_part(root: etree._Element, name: str) -> etree._Element | None:
    if not isinstance(root.tag, str) or root.tag.partition("}")[0][1:] not in SOAP_ENVELOPES:
        return None
    for child in root:
        if local_name(child) == name:
            return child
    return None


def soap_body(root: etree._Element) -> etree._Element | None:
    """The SOAP Body element of an envelope, or None if ``root`` is no envelope."""
    return _envelope_part(root, "Body")


def soap_header(root: etree._Element) -> etree._Element | None:
    """The SOAP Header element of an envelope, if it has one."""
    return _envelope_part(root, "Header")


def soap_operation(root: etree._Element) -> etree._Element | None:
    """The first element inside the SOAP Body: the operation (or its response, or a Fault)."""
    body = soap_body(root)
    if body is None:
        return None
    for child in body:
        if isinstance(child.tag, str):
            return child
    return None


def serialize(root: etree._Element, *, declaration: bool) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=declaration, encoding="UTF-8")
    return data
