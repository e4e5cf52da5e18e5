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


@pytest.mark.parametrize("lang", ["it", "en"])
def test_each_finding_has_a_sentence(soap_dir: Path, lang: str) -> None:
    from collaudo.contractcheck.messages import FINDINGS, finding_sentence

    _, findings = _check(soap_dir, wsdl_text(import_head=False, address="ws"))
    for finding in findings:
        assert finding.code in FINDINGS
        assert "—" not in finding_sentence(finding, lang) or finding.code == "required-undefined"
