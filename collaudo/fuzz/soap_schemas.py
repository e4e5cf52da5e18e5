"""The official SOAP contracts as xmlschema components: MyPay ``pa-per-ente`` (the WSDL's
inline schemas), the ``Dovuti``/``Versamento`` documents and ``paForNode.xsd``.

``pa-per-ente.wsdl``'s ``ppt`` schema uses ``ppthead:stText35`` without importing that
namespace (a defect of the official file): :mod:`simulators.common.contracts` lifts each
inline schema into its own document and adds the import in memory.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import xmlschema
from lxml import etree

from simulators.common import contracts as official
from simulators.common.contracts import contract_file

PPT = official.PPT
PPTHEAD = official.PPTHEAD

WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
PAFORNODE = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"


@dataclass(frozen=True)
class SoapOperation:
    """One WSDL operation: request and response element names, header, SOAPAction."""

    name: str
    request: str
    response: str
    header: str | None
    soap_action: str


def _operations(wsdl: etree._Element) -> list[SoapOperation]:
    messages = {m.get("name"): m for m in wsdl.iter(f"{{{WSDL}}}message")}
    actions = {
        op.get("name"): (op.find(f"{{{WSDL_SOAP}}}operation").get("soapAction") or op.get("name"))
        for binding in wsdl.iter(f"{{{WSDL}}}binding")
        for op in binding.iter(f"{{{WSDL}}}operation")
        if op.find(f"{{{WSDL_SOAP}}}operation") is not None
    }
    found: list[SoapOperation] = []
    for port_type in wsdl.iter(f"{{{WSDL}}}portType"):
        for op in port_type.iter(f"{{{WSDL}}}operation"):
            name = op.get("name") or ""
            parts: dict[str, list[str]] = {}
            for direction in ("input", "output"):
                node = op.find(f"{{{WSDL}}}{direction}")
                message = (
                    messages.get((node.get("message") or "").split(":")[-1])
                    if node is not None
                    else None
                )
                parts[direction] = [
                    (p.get("element") or "").split(":")[-1]
                    for p in (message.iter(f"{{{WSDL}}}part") if message is not None else [])
                ]
            request = parts["input"][0] if parts["input"] else name
            header = next((p for p in parts["input"][1:]), None)
            response = parts["output"][0] if parts["output"] else f"{name}Risposta"
            found.append(SoapOperation(name, request, response, header, actions.get(name, name)))
    return found


@dataclass(frozen=True)
class SoapContract:
    """A compiled schema and the operations of one SOAP interface."""

    schema: Any
    operations: tuple[SoapOperation, ...]

    def element(self, namespace: str, name: str) -> Any:
        return self.schema.maps.elements[f"{{{namespace}}}{name}"]

    def validator(self, namespace: str, name: str) -> Any:
        component = self.element(namespace, name)

        def validate(element: etree._Element) -> str | None:
            for error in component.iter_errors(element):
                return f"{error.reason} at {error.path}"
            return None

        return validate


@functools.lru_cache(maxsize=1)
def mypay() -> SoapContract:
    schemas = official.mypay_inline_schemas()
    sources: list[Any] = [schemas[PPT].decode(), schemas[PPTHEAD].decode()]
    return SoapContract(xmlschema.XMLSchema(sources), tuple(_operations(official.mypay_wsdl())))


def mypay_documents() -> Any:
    return official.xmlschema_schema(official.MYPAY_DOCUMENTS_XSD)


@functools.lru_cache(maxsize=1)
def pa_for_node() -> SoapContract:
    wsdl = etree.parse(str(contract_file(official.PAFORNODE_WSDL)), official.xml_parser())
    schema = official.xmlschema_schema(official.PAFORNODE_XSD)
    return SoapContract(schema, tuple(_operations(wsdl.getroot())))
