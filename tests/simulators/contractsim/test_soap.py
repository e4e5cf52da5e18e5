"""The contract simulator serving a synthetic WSDL: zeep drives it from the served WSDL;
state between a creating and a reading operation; the declared fault on a violation."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import zeep
from lxml import etree

from simulators.common.server import serving
from simulators.contractsim import pagopa
from simulators.contractsim.app import Settings, create_app
from tests.simulators.contractsim import synthetic_soap

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
PATH = "/servizi/pratiche/v1"
IUV_TAG = "identificativoUnivocoVersamento"
READ = f"<p:leggiPratica><{IUV_TAG}>010000000000000001</{IUV_TAG}></p:leggiPratica>"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    app = create_app(Settings(contract=str(synthetic_soap.write(tmp_path))))
    with serving(app) as running:
        yield running.url


def client(url: str) -> zeep.Client:
    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
    return zeep.Client(f"{url}{PATH}?wsdl", settings=settings)


def raw(url: str, body: str, action: str, envelope: str = SOAP) -> httpx.Response:
    data = (
        f'<soap:Envelope xmlns:soap="{envelope}" xmlns:p="{synthetic_soap.TNS}">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    )
    return httpx.post(
        url + PATH, content=data, headers={"SOAPAction": action, "Content-Type": "text/xml"}
    )


def test_wsdl_is_served_with_its_address_and_imports_pointing_here(server: str) -> None:
    wsdl = etree.fromstring(httpx.get(f"{server}{PATH}?wsdl").content)
    address = wsdl.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None and address.get("location") == server + PATH
    include = wsdl.find(".//{http://www.w3.org/2001/XMLSchema}include")
    assert include is not None
    location = include.get("schemaLocation", "")
    assert location.startswith(f"{server}{PATH}?xsd=")
    schema = etree.fromstring(httpx.get(location).content)
    assert schema.get("targetNamespace") == synthetic_soap.COMMON
    assert httpx.get(f"{server}{PATH}?xsd=99").status_code == 404


def test_created_record_is_returned_by_the_read_operation(server: str) -> None:
    service = client(server).service
    created = service.creaPratica(
        codiceFiscaleEnte="80000000002", descrizione="Canone CUP", importo=Decimal("42.50")
    )
    assert created.esito == "OK"
    assert pagopa.is_notice_number(created.numeroAvviso)
    # One answer tells one story: the notice number is the IUV's (aux digit 3).
    assert created.numeroAvviso == "3" + created.identificativoUnivocoVersamento
    read = service.leggiPratica(
        identificativoUnivocoVersamento=created.identificativoUnivocoVersamento
    )
    assert read.identificativoUnivocoVersamento == created.identificativoUnivocoVersamento
    assert read.descrizione == "Canone CUP"
    assert read.importo == Decimal("42.50")
    assert read.stato in ("APERTA", "PAGATA")
    records = httpx.get(f"{server}/_admin/state").json()["records"]
    assert records[0]["_operation"] == "creaPratica" and records[0]["descrizione"] == "Canone CUP"


def test_a_read_with_an_unknown_key_is_generated_and_deterministic(server: str) -> None:
    service = client(server).service
    first = service.leggiPratica(identificativoUnivocoVersamento="010000000000000001")
    second = service.leggiPratica(identificativoUnivocoVersamento="010000000000000001")
    assert first == second
    assert first.identificativoUnivocoVersamento == "010000000000000001"
    assert first.iban is None or pagopa.is_iban(first.iban)


def test_invalid_request_gets_the_declared_fault_as_detail(server: str) -> None:
    service = client(server).service
    with pytest.raises(zeep.exceptions.Fault) as raised:
        service.creaPratica(codiceFiscaleEnte="123", descrizione="x", importo=Decimal("1.00"))
    fault = raised.value
    assert "codiceFiscaleEnte" in fault.message
    assert fault.detail is not None
    detail = fault.detail.find(f"{{{synthetic_soap.TNS}}}erroreServizio")
    assert detail is not None and "codiceFiscaleEnte" in (detail.findtext("description") or "")
    violations = httpx.get(f"{server}/_admin/violations").json()
    assert violations == [
        {**violations[0], "operation": "creaPratica", "rule": "XSD creaPratica", "answered": 500}
    ]


def test_soap_action_and_version_are_checked(server: str) -> None:
    body = READ
    assert raw(server, body, "urn:leggiPratica").status_code == 200
    mismatch = raw(server, body, "urn:creaPratica")
    assert mismatch.status_code == 500 and b"does not match" in mismatch.content
    v12 = raw(server, body, "urn:leggiPratica", "http://www.w3.org/2003/05/soap-envelope")
    assert b"VersionMismatch" in v12.content
    unknown = raw(server, "<p:cancellaPratica/>", "")
    assert b"not the input of any operation" in unknown.content
    rules = [v["rule"] for v in httpx.get(f"{server}/_admin/violations").json()]
    assert rules == ["SOAPAction", "SOAP version", "operation"]


def test_entities_are_refused(server: str) -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
        f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body>&e;</soap:Body></soap:Envelope>'
    )
    answer = httpx.post(server + PATH, content=evil, headers={"Content-Type": "text/xml"})
    assert answer.status_code == 500 and b"Fault" in answer.content
    assert httpx.get(f"{server}/_admin/violations").json()[0]["rule"] in (
        "safe XML",
        "well-formed XML",
    )


def test_missing_import_is_added_and_reported(server: str) -> None:
    workarounds = httpx.get(f"{server}/status").json()["workarounds"]
    assert len(workarounds) == 1
    assert "com:stCodiceFiscale" in workarounds[0]["problem"]
    assert workarounds[0]["where"] == f"schema {synthetic_soap.TNS}"


def test_an_answer_set_by_hand_overrides_values(server: str) -> None:
    put = httpx.put(f"{server}/_admin/answers/leggiPratica", json={"body": {"stato": "PAGATA"}})
    assert put.status_code == 200
    read = client(server).service.leggiPratica(identificativoUnivocoVersamento="010000000000000009")
    assert read.stato == "PAGATA"


def test_soap_faults_from_profiles(server: str) -> None:
    httpx.put(f"{server}/_admin/faults/creation-error", json={"rate": 1})
    with pytest.raises(zeep.exceptions.Fault, match="creation-error"):
        client(server).service.creaPratica(
            codiceFiscaleEnte="80000000002", descrizione="x", importo=Decimal("1.00")
        )
    httpx.delete(f"{server}/_admin/faults")
    httpx.put(f"{server}/_admin/faults/wrong-namespace", json={"rate": 1})
    body = READ
    answer = etree.fromstring(raw(server, body, "urn:leggiPratica").content)
    assert answer.find(f".//{{{synthetic_soap.TNS}}}leggiPraticaRisposta") is None


def test_a_seeded_record_is_returned_by_the_read_operation(server: str) -> None:
    record = {"identificativoUnivocoVersamento": "010000000000000077", "descrizione": "Seminata"}
    assert httpx.post(f"{server}/_admin/state", json={"record": record}).status_code == 201
    read = client(server).service.leggiPratica(identificativoUnivocoVersamento="010000000000000077")
    assert read.descrizione == "Seminata"


SOAP11_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"


def test_soap_12_bindings_answer_soap_12(tmp_path: Path) -> None:
    wsdl = synthetic_soap.write(tmp_path)
    wsdl.write_text(
        wsdl.read_text().replace(SOAP11_BINDING, "http://schemas.xmlsoap.org/wsdl/soap12/")
    )
    with serving(create_app(Settings(contract=str(wsdl)))) as running:
        service = client(running.url).service
        created = service.creaPratica(
            codiceFiscaleEnte="80000000002", descrizione="x", importo=Decimal("1.00")
        )
        assert created.esito == "OK"
        with pytest.raises(zeep.exceptions.Fault) as raised:
            service.creaPratica(codiceFiscaleEnte="8", descrizione="x", importo=Decimal("1.00"))
        assert raised.value.code == "soap:Sender" and raised.value.detail is not None


def test_rpc_style_operations_are_answered(tmp_path: Path) -> None:
    text = synthetic_soap.WSDL.replace('style="document"', 'style="rpc"')
    text = text.replace(
        '<soap:body use="literal"/>', '<soap:body use="literal" namespace="urn:rpc"/>'
    )
    text = text.replace(
        '<wsdl:part name="body" element="tns:creaPratica"/>',
        '<wsdl:part name="descrizione" type="xsd:string"/>'
        '<wsdl:part name="importo" type="com:stImporto"/>',
    )
    text = text.replace(
        '<wsdl:part name="body" element="tns:creaPraticaRisposta"/>',
        '<wsdl:part name="esito" type="xsd:string"/>'
        '<wsdl:part name="numeroAvviso" type="com:stNumeroAvviso"/>',
    )
    synthetic_soap.write(tmp_path).write_text(text)
    with serving(create_app(Settings(contract=str(tmp_path / "pratiche.wsdl")))) as running:
        answer = client(running.url).service.creaPratica(descrizione="x", importo=Decimal("1.00"))
    assert answer.esito == "OK" and pagopa.is_notice_number(answer.numeroAvviso)
