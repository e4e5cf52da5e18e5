"""The WSDL/XSD checks and the mapping on a small SOAP contract written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from collaudo.contractcheck.check import check_contracts
from collaudo.contractcheck.findings import Severity
from tests.contractcheck.conftest import wsdl_text


def _check(directory: Path, text: str):  # type: ignore[no-untyped-def]
    (directory / "service.wsdl").write_text(text)
    report = check_contracts([str(directory / "service.wsdl")], base_dir=directory)
    return report, report.documents[0].findings


def codes(findings) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in findings}


def test_a_clean_wsdl_with_an_imported_xsd_loads_strictly(soap_dir: Path) -> None:
    report, findings = _check(soap_dir, wsdl_text(import_head=True))
    assert report.exit_code == 0, [f for f in findings if f.severity is Severity.ERROR]
    assert not [f for f in findings if f.severity is Severity.ERROR]


def test_a_namespace_used_without_import_is_an_error_at_its_line(soap_dir: Path) -> None:
    report, findings = _check(soap_dir, wsdl_text(import_head=False))
    (missing,) = [f for f in findings if f.code == "qname-not-imported"]
    assert missing.params["namespace"] == "urn:demo:head"
    assert missing.params["qname"] == "h:Testo"
    assert missing.location.line is not None and missing.location.file == "service.wsdl"
    strict = {f.params["validator"] for f in findings if f.code == "strict-schema"}
    assert strict == {"libxml2 (lxml)", "xmlschema"}  # both strict validators refuse it
    assert report.exit_code == 1


def test_an_undefined_type_and_a_missing_xsd_are_errors(soap_dir: Path) -> None:
    report, findings = _check(soap_dir, wsdl_text(import_head=True, extra_type="t:Inesistente"))
    (undefined,) = [f for f in findings if f.code == "component-undefined"]
    assert undefined.params["name"] == "Inesistente"
    (soap_dir / "xsd" / "types.xsd").unlink()
    report, findings = _check(soap_dir, wsdl_text(import_head=True))
    (missing,) = [f for f in findings if f.code == "import-missing"]
    assert missing.params["location"] == "xsd/types.xsd"
    assert report.exit_code == 1


def test_faults_endpoint_and_unused_types(soap_dir: Path) -> None:
    _, findings = _check(soap_dir, wsdl_text(import_head=True, address="/ws/demo"))
    no_fault = sorted(f.params["operation"] for f in findings if f.code == "no-error-answer")
    assert "CaricaDebito" not in no_fault and len(no_fault) == 4  # only it declares a fault
    assert [f.params["location"] for f in findings if f.code == "endpoint-relative"] == ["/ws/demo"]
    assert "MaiUsato" in {f.params["name"] for f in findings if f.code == "component-unused"}
    (length,) = [f for f in findings if f.code == "length-name-mismatch"]
    assert (length.params["name"], length.params["max"]) == ("stTesto70", "35")
    assert length.location.file == "xsd/types.xsd"


def test_a_doctype_is_refused(soap_dir: Path) -> None:
    doctype = '<!DOCTYPE d [<!ENTITY x "boom">]>'
    report, findings = _check(soap_dir, wsdl_text(import_head=True, doctype=doctype))
    assert "xml-dtd" in codes(findings)
    assert report.exit_code == 1


def test_the_five_operations_are_found_by_shape_and_italian_names(soap_dir: Path) -> None:
    report, _ = _check(soap_dir, wsdl_text(import_head=True))
    chosen = {verb: m.operation.name if m.operation else None for verb, m in report.mapping.items()}
    assert chosen == {
        "create": "CaricaDebito",
        "notice": "StampaAvviso",
        "checkout": "AvviaPagamentoOnline",
        "status": "LeggiStatoPagamento",
        "receipt": "ScaricaRicevuta",
    }
    assert all(m.status == "found" and m.candidates[0].reasons for m in report.mapping.values())
    create = report.mapping["create"].operation
    assert create is not None
    assert (create.soap_action, create.server) == (
        "urn:demo:CaricaDebito",
        "http://demo.example/ws",
    )


@pytest.mark.parametrize("lang", ["it", "en"])
def test_each_finding_has_a_sentence(soap_dir: Path, lang: str) -> None:
    from collaudo.contractcheck.messages import FINDINGS, finding_sentence

    _, findings = _check(soap_dir, wsdl_text(import_head=False, address="ws"))
    for finding in findings:
        assert finding.code in FINDINGS
        assert "—" not in finding_sentence(finding, lang) or finding.code == "required-undefined"


ABSTRACT = """<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:split" targetNamespace="urn:split">
  <wsdl:types><xs:schema targetNamespace="urn:split" elementFormDefault="qualified">
    <xs:element name="RichiediRicevuta"><xs:complexType><xs:sequence>
      <xs:element name="numeroAvviso" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
    <xs:element name="RichiediRicevutaRisposta"><xs:complexType><xs:sequence>
      <xs:element name="ricevuta" type="xs:base64Binary"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:schema></wsdl:types>
  <wsdl:message name="In"><wsdl:part name="b" element="tns:RichiediRicevuta"/></wsdl:message>
  <wsdl:message name="Out">
    <wsdl:part name="b" element="tns:RichiediRicevutaRisposta"/></wsdl:message>
  <wsdl:portType name="P"><wsdl:operation name="RichiediRicevuta">
    <wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/>
    <wsdl:fault name="f" message="tns:Assente"/>
  </wsdl:operation></wsdl:portType>
</wsdl:definitions>
"""
SERVICE = """<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:split"
    targetNamespace="urn:split">
  <wsdl:import namespace="urn:split" location="abstract/abstract.wsdl"/>
  <wsdl:binding name="B" type="tns:P">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="RichiediRicevuta"><soap:operation soapAction="ricevuta"/></wsdl:operation>
    <wsdl:operation name="Fantasma"><soap:operation soapAction="x"/></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="S"><wsdl:port name="p" binding="tns:B">
    <soap:address location="https://demo.example/split"/></wsdl:port></wsdl:service>
</wsdl:definitions>
"""


def test_a_split_wsdl_is_read_across_its_imports(tmp_path: Path) -> None:
    (tmp_path / "abstract").mkdir()
    (tmp_path / "abstract" / "abstract.wsdl").write_text(ABSTRACT)
    report, findings = _check(tmp_path, SERVICE)
    (operation,) = report.documents[0].operations
    assert (operation.name, operation.soap_action) == ("RichiediRicevuta", "ricevuta")
    assert report.mapping["receipt"].operation is operation
    (undefined,) = [f for f in findings if f.code == "component-undefined"]
    assert (undefined.params["name"], undefined.location.file) == (
        "Assente",
        "abstract/abstract.wsdl",
    )
    assert [f.params["operation"] for f in findings if f.code == "binding-undeclared"] == [
        "Fantasma"
    ]
