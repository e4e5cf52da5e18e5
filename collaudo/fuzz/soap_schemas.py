"""The official SOAP contracts as xmlschema components: MyPay ``pa-per-ente`` (the WSDL's
inline schemas), the ``Dovuti``/``Versamento`` documents and ``paForNode.xsd``.

``pa-per-ente.wsdl``'s ``ppt`` schema uses ``ppthead:stText35`` without importing that
namespace (a defect of the official file, see :data:`contracts.CONTRACT_DEFECTS`): each
inline schema is lifted into its own document and the import is added in memory.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Any

import xmlschema
from lxml import etree

from collaudo.fuzz.contracts import contract_file

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
PPT = "http://www.regione.veneto.it/pagamenti/ente/"
PPTHEAD = "http://www.regione.veneto.it/pagamenti/ente/ppthead"
PAFORNODE = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


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


def _lift(wsdl: etree._Element) -> dict[str, str]:
    lifted: dict[str, str] = {}
    for schema in wsdl.iter(f"{{{XSD}}}schema"):
        nsmap = {k: v for k, v in {**wsdl.nsmap, **schema.nsmap}.items() if k}
        doc = etree.Element(f"{{{XSD}}}schema", nsmap=nsmap)
        for key, value in schema.attrib.items():
            doc.set(key, value)
        doc.extend(copy.deepcopy(child) for child in schema)
        if schema.get("targetNamespace") == PPT:
            doc.insert(0, etree.Element(f"{{{XSD}}}import", namespace=PPTHEAD))
        lifted[schema.get("targetNamespace", "")] = etree.tostring(doc).decode()
    return lifted


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
    path = contract_file("mypay/pa-per-ente.wsdl")
    wsdl = etree.parse(str(path), _PARSER).getroot()
    lifted = _lift(wsdl)
    schema = xmlschema.XMLSchema([lifted[PPT], lifted[PPTHEAD]], base_url=str(path.parent) + "/")
    return SoapContract(schema, tuple(_operations(wsdl)))


@functools.lru_cache(maxsize=1)
def mypay_documents() -> Any:
    return xmlschema.XMLSchema(str(contract_file("mypay/PagInf_Dovuti_Pagati_6_2_0.xsd")))


@functools.lru_cache(maxsize=1)
def pa_for_node() -> SoapContract:
    wsdl = etree.parse(str(contract_file("pagopa/wsdl/paForNode.wsdl")), _PARSER).getroot()
    schema = xmlschema.XMLSchema(str(contract_file("pagopa/wsdl/xsd/paForNode.xsd")))
    return SoapContract(schema, tuple(_operations(wsdl)))
