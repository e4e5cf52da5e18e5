"""collaudo's built-in MyPay contract is wire-equivalent to the official one for every
operation the simulator implements: compared structurally, element by element.

The comparison (``tests/contracts/wire_shape.py``) covers the operations' names, SOAPAction,
style, message parts, the binding, port and service names a client binds by; and for every
element on the wire (requests, headers, answers, and the base64 documents Versamento,
Dovuti, Pagati, PagatiConRicevuta): its namespace on the wire (qualification), cardinality,
default, nillable, content model in order, the XSD built-in type it derives from, and its
lengths, bounds, patterns and enumerations. Run where the official files are present.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from lxml import etree

from simulators.common import contracts
from simulators.mypay.soap import OPERATIONS
from tests.contracts.support import (
    builtin_mypay_contracts,
    needs_official_mypay,
    official_mypay_contracts,
)
from tests.contracts.wire_shape import (
    differences,
    element_shape,
    operation_facts,
)

DOCUMENTS = ("Versamento", "Dovuti", "Pagati", "PagatiConRicevuta")
PPT, PPTHEAD, PAY_I = (
    contracts.PPT,
    contracts.PPTHEAD,
    "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/",
)


@dataclass(frozen=True)
class Contract:
    """One description of pa-per-ente: its WSDL and both compiled schemas."""

    wsdl: etree._Element
    bodies: Any  # xmlschema: the WSDL's inline schemas
    documents: Any  # xmlschema: PagInf_Dovuti_Pagati_6_2_0.xsd
    patched: bool  # whether the ppthead import had to be added


def load(wsdl_path: Path, xsd_path: Path) -> Contract:
    wsdl = etree.parse(str(wsdl_path), contracts.xml_parser()).getroot()
    lifted, patched = contracts.lift_inline_schemas(wsdl, wsdl_path.parent)
    bodies = xmlschema.XMLSchema([lifted[PPT].decode(), lifted[PPTHEAD].decode()])
    return Contract(wsdl, bodies, xmlschema.XMLSchema(str(xsd_path)), patched)


@pytest.fixture(scope="module")
def builtin() -> Contract:
    return load(*builtin_mypay_contracts())


@pytest.fixture(scope="module")
def official() -> Contract:
    found = official_mypay_contracts()
    assert found is not None
    return load(*found)


def wire_elements(operation: str) -> list[str]:
    """The qualified names of what travels for ``operation``: request, header, answer."""
    names = [f"{{{PPT}}}{operation}", f"{{{PPT}}}{operation}Risposta"]
    if OPERATIONS[operation][0]:
        names.append(f"{{{PPTHEAD}}}intestazionePPT")
    return names


def shape(contract: Contract, qname: str) -> dict[str, dict[str, Any]]:
    return element_shape(contract.bodies.maps.elements[qname])


# -- without the official files ---------------------------------------------------------------


def test_the_builtin_wsdl_declares_exactly_the_operations_the_simulator_implements(
    builtin: Contract,
) -> None:
    facts = operation_facts(builtin.wsdl)
    declared = {key.removeprefix("operation ") for key in facts if key.startswith("operation ")}
    assert declared == set(OPERATIONS)
    for operation in OPERATIONS:
        for qname in wire_elements(operation):
            assert qname in builtin.bodies.maps.elements, qname
    assert set(builtin.documents.elements) == set(DOCUMENTS)


def test_the_builtin_contract_needs_no_patch_and_compiles_strictly(builtin: Contract) -> None:
    # it imports ppthead itself: the official file's defect is not reproduced, so the
    # workaround for it must not fire
    assert not builtin.patched
    wsdl_path, xsd_path = builtin_mypay_contracts()
    lifted, _ = contracts.lift_inline_schemas(builtin.wsdl, wsdl_path.parent)
    assert b'namespace="http://www.regione.veneto.it/pagamenti/ente/ppthead"' in lifted[PPT]
    etree.XMLSchema(etree.parse(str(xsd_path), contracts.xml_parser()))  # libxml2 too


def test_the_comparison_reports_each_difference_by_path(builtin: Contract, tmp_path: Path) -> None:
    """Guard against a vacuous comparison: a built-in contract changed in four small ways
    is reported at each element that changed (and a cardinality in its parent's model)."""
    wsdl_path, xsd_path = builtin_mypay_contracts()
    text = wsdl_path.read_text(encoding="utf-8")
    changed = (
        text.replace(
            '<xs:minLength value="8"/><xs:maxLength value="15"/>',
            '<xs:minLength value="8"/><xs:maxLength value="16"/>',
        )
        .replace(
            'name="idSession" type="xs:string"/>',
            'name="idSession" type="xs:string" minOccurs="0"/>',
        )
        .replace('soapAction="paaSILChiediPagati"', 'soapAction="urn:paaSILChiediPagati"')
    )
    (tmp_path / "pa-per-ente.wsdl").write_text(changed, encoding="utf-8")
    documents = xsd_path.read_text(encoding="utf-8").replace(
        '<xs:enumeration value="F"/><xs:enumeration value="G"/>', '<xs:enumeration value="F"/>'
    )
    (tmp_path / xsd_path.name).write_text(documents, encoding="utf-8")
    mutated = load(tmp_path / "pa-per-ente.wsdl", tmp_path / xsd_path.name)

    found = differences(operation_facts(builtin.wsdl), operation_facts(mutated.wsdl))
    assert found == [
        "operation paaSILChiediPagati: soapAction is 'urn:paaSILChiediPagati', "
        "the official contract says 'paaSILChiediPagati'"
    ]
    request = f"{{{PPT}}}paaSILChiediPagati"
    found = differences(shape(builtin, request), shape(mutated, request))
    assert found == [
        "paaSILChiediPagati: content is 'sequence(codIpaEnte{1..1}, password{0..1}, "
        "idSession{0..1})', the official contract says 'sequence(codIpaEnte{1..1}, "
        "password{0..1}, idSession{1..1})'",
        "paaSILChiediPagati/idSession: occurs is '0..1', the official contract says '1..1'",
        "paaSILChiediPagati/password: maxLength is '16', the official contract says '15'",
    ]
    found = differences(
        element_shape(builtin.documents.elements["Dovuti"]),
        element_shape(mutated.documents.elements["Dovuti"]),
    )
    assert found == [
        "Dovuti/soggettoPagatore/identificativoUnivocoPagatore/tipoIdentificativoUnivoco: "
        "enumeration is ('F',), the official contract says ('F', 'G')"
    ]


# -- against the official files ---------------------------------------------------------------


@needs_official_mypay
@pytest.mark.contracts
def test_operations_soap_actions_messages_and_binding_names_match(
    official: Contract, builtin: Contract
) -> None:
    theirs = {
        key: value
        for key, value in operation_facts(official.wsdl).items()
        if not key.startswith("operation ") or key.removeprefix("operation ") in OPERATIONS
    }
    assert differences(theirs, operation_facts(builtin.wsdl)) == []


@needs_official_mypay
@pytest.mark.contracts
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_element_of_the_operation_matches(
    operation: str, official: Contract, builtin: Contract
) -> None:
    found: list[str] = []
    for qname in wire_elements(operation):
        theirs, ours = shape(official, qname), shape(builtin, qname)
        assert len(theirs) > 1, f"{qname}: nothing to compare"
        found += differences(theirs, ours)
    assert found == []


@needs_official_mypay
@pytest.mark.contracts
@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_element_of_the_base64_document_matches(
    document: str, official: Contract, builtin: Contract
) -> None:
    theirs = element_shape(official.documents.elements[document])
    ours = element_shape(builtin.documents.elements[document])
    assert len(theirs) > 10
    assert differences(theirs, ours) == []


@needs_official_mypay
@pytest.mark.contracts
def test_the_ppthead_workaround_fires_for_the_official_file_only(
    official: Contract, builtin: Contract
) -> None:
    assert official.patched and not builtin.patched
