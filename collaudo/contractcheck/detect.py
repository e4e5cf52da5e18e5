"""Which kind of document a contract is, told from its content (never its file name)."""

from __future__ import annotations

import enum
import io
import re

from lxml import etree

from collaudo.contractcheck.findings import ContractInputError

WSDL11 = "http://schemas.xmlsoap.org/wsdl/"
WSDL20 = "http://www.w3.org/ns/wsdl"
XSD = "http://www.w3.org/2001/XMLSchema"


class Kind(enum.StrEnum):
    WSDL = "wsdl"
    XSD = "xsd"
    OPENAPI = "openapi"
    POSTMAN = "postman"


_OPENAPI = re.compile(r"""^\s*["']?(?:openapi|swagger)["']?\s*:""", re.M)
_OPENAPI_JSON = re.compile(r"""["'](?:openapi|swagger)["']\s*:\s*["']\d""")
_POSTMAN = re.compile(r"schema\.getpostman\.com/json/collection|\"_postman_id\"|\"_exporter_id\"")


def detect(data: bytes, where: str) -> Kind:
    """The kind of ``data``; :class:`ContractInputError` names what was found instead."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return _xml_kind(head, where)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractInputError(
            f"{where}: not UTF-8 text (byte {exc.start}); a contract is a WSDL/XSD, an "
            "OpenAPI (JSON or YAML) or a Postman collection"
        ) from exc
    if _POSTMAN.search(text[:4096]):
        if '"item"' in text:
            return Kind.POSTMAN
        raise ContractInputError(
            f"{where}: a Postman collection of the old v1 format (no 'item' tree): export it "
            "again from Postman as Collection v2.1 (Export → Collection v2.1)"
        )
    if _OPENAPI.search(text) or _OPENAPI_JSON.search(text[:4096]):
        return Kind.OPENAPI
    if re.search(r"^\s*[\"']?components[\"']?\s*:", text, re.M) or '"definitions"' in text[:2048]:
        raise ContractInputError(
            f"{where}: a component file of a split OpenAPI document (it has no 'openapi' or "
            "'swagger' key): give the main file, whose $refs lead here"
        )
    if not text.strip():
        raise ContractInputError(f"{where}: the file is empty; give the contract's main file")
    first = text.strip().splitlines()[0][:80]
    raise ContractInputError(
        f"{where}: not a contract collaudo can check (it starts with {first!r}); give a WSDL "
        "1.1 (with its XSDs beside it), an OpenAPI 2.0/3.0/3.1 document (JSON or YAML, with "
        "an 'openapi' or 'swagger' key) or a Postman collection v2.1 exported as JSON"
    )


def _xml_kind(head: bytes, where: str) -> Kind:
    try:
        _, root = next(
            etree.iterparse(
                io.BytesIO(head),
                events=("start",),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
            )
        )
    except (etree.XMLSyntaxError, StopIteration) as exc:
        raise ContractInputError(f"{where}: XML that is not well-formed ({exc})") from exc
    qname = etree.QName(root)
    if qname.localname == "definitions" and qname.namespace == WSDL11:
        return Kind.WSDL
    if qname.localname == "description" and qname.namespace == WSDL20:
        raise ContractInputError(
            f"{where}: a WSDL 2.0 document; collaudo checks WSDL 1.1 (the SOAP services of "
            "the Italian intermediaries): ask the vendor for the WSDL 1.1"
        )
    if qname.localname == "schema" and qname.namespace == XSD:
        return Kind.XSD
    raise ContractInputError(
        f"{where}: an XML document whose root is {{{qname.namespace}}}{qname.localname}, not "
        "a WSDL 1.1 <definitions> nor an XSD <schema>"
    )
