"""paForNode on the wire: SOAP 1.1 envelopes, the official schema, element codecs.

Built from the official ``pagopa/wsdl/paForNode.wsdl`` + ``wsdl/xsd/paForNode.xsd``
(found by :mod:`simulators.common.contracts`, never copied). Both schemas leave
``elementFormDefault`` unset, so only the wrapper element (``paf:paGetPaymentV2Request``
...) is namespace-qualified; every child element is unqualified.

Validation against the schema is on by default whenever the contracts are present;
switch it off for speed with :func:`set_validation` or ``COLLAUDO_XSD_VALIDATION=0``.
"""

from __future__ import annotations

import functools
import logging
import os
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

from lxml import etree

from simulators.common import contracts
from simulators.common.safexml import parse_xml

log = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PAF = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"
NSMAP = {"soapenv": SOAP_ENV, "paf": PAF}

# lxml has no type stubs here; an alias keeps signatures readable.
Element: TypeAlias = Any


class SoapFormatError(ValueError):
    """The message is not a SOAP 1.1 envelope carrying one paForNode element."""


class ContractViolation(ValueError):
    """A paForNode message does not validate against the official paForNode.xsd."""


PAFORNODE_XSD = contracts.PAFORNODE_XSD
MBD_XSD = "pagopa/xsd-common/MarcaDaBollo.xsd"


@functools.lru_cache(maxsize=4)
def load_schema(relative: str) -> Any | None:
    """The compiled official schema (xmlschema), loaded once; None when absent."""
    if contracts.find(relative) is None:
        log.warning("official schema %s not found: messages are not validated", relative)
        return None
    return contracts.xmlschema_schema(relative)


_validation = {"enabled": os.environ.get("COLLAUDO_XSD_VALIDATION", "1") not in {"0", "false"}}


def set_validation(enabled: bool) -> None:
    """Switch schema validation of every paForNode message on or off (process-wide)."""
    _validation["enabled"] = enabled


def validation_enabled() -> bool:
    return _validation["enabled"]


def schema_errors(element: Element, relative: str = PAFORNODE_XSD) -> list[str]:
    """Every violation of the official schema in ``element`` (empty when valid or absent)."""
    schema = load_schema(relative)
    if schema is None:
        return []
    return [f"{err.path}: {err.reason}" for err in schema.iter_errors(element)]


def check(element: Element, what: str, validate: bool | None = None) -> None:
    """Raise :class:`ContractViolation` if ``element`` breaks paForNode.xsd."""
    if not (validation_enabled() if validate is None else validate):
        return
    errors = schema_errors(element)
    if errors:
        raise ContractViolation(f"{what} does not validate against paForNode.xsd: {errors[0]}")


# --- SOAP 1.1 envelope -------------------------------------------------------------------------


def envelope(payload: Element) -> bytes:
    """Wrap one paForNode element in a SOAP 1.1 envelope."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=NSMAP)
    etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    body.append(payload)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def soap_fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 Fault, for messages that are not paForNode at all."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soapenv:{code}"
    etree.SubElement(fault, "faultstring").text = message
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def unwrap(data: bytes) -> Element:
    """The paForNode element inside a SOAP envelope (safe parsing)."""
    root = parse_xml(data)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFormatError(f"expected a SOAP 1.1 Envelope ({SOAP_ENV}), got {root.tag}")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        raise SoapFormatError("the SOAP envelope has no Body")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SoapFormatError(f"the SOAP Body must carry one element, found {len(children)}")
    fault = children[0]
    if fault.tag == f"{{{SOAP_ENV}}}Fault":
        raise SoapFormatError(
            f"SOAP Fault {fault.findtext('faultcode')}: {fault.findtext('faultstring')}"
        )
    return fault


def operation_of(payload: Element) -> str:
    """The local name of a paForNode wrapper element, checking its namespace."""
    qname = etree.QName(payload)
    if qname.namespace != PAF:
        raise SoapFormatError(f"element {qname.localname} is not in the paForNode namespace {PAF}")
    return str(qname.localname)


# --- small builders and readers ----------------------------------------------------------------


def root(name: str) -> Element:
    return etree.Element(f"{{{PAF}}}{name}", nsmap={"paf": PAF})


def sub(parent: Element, name: str, text: str | None = None) -> Element:
    child = etree.SubElement(parent, name)
    if text is not None:
        child.text = text
    return child


def sub_opt(parent: Element, name: str, text: str | None) -> None:
    if text:
        sub(parent, name, text)


def money(value: Decimal) -> str:
    """stAmount text: always two decimals."""
    return f"{value.quantize(Decimal('0.01')):.2f}"


def text(parent: Element, path: str) -> str:
    """The text of a mandatory child (``a/b`` paths allowed)."""
    found = parent.find(path)
    if found is None or found.text is None:
        raise SoapFormatError(f"{etree.QName(parent).localname}: missing element {path}")
    return str(found.text).strip()


def text_opt(parent: Element, path: str) -> str | None:
    found = parent.find(path)
    return str(found.text).strip() if found is not None and found.text else None


def decimal_of(parent: Element, path: str) -> Decimal:
    raw = text(parent, path)
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise SoapFormatError(f"{path}: {raw!r} is not an amount") from exc


def date_opt(parent: Element, path: str) -> date | None:
    raw = text_opt(parent, path)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])  # xsd:date may carry a timezone suffix
    except ValueError as exc:
        raise SoapFormatError(f"{path}: {raw!r} is not a date") from exc


def datetime_opt(parent: Element, path: str) -> datetime | None:
    raw = text_opt(parent, path)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError as exc:
        raise SoapFormatError(f"{path}: {raw!r} is not a date-time") from exc
