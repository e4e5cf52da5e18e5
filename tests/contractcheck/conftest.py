"""Small contracts written by the tests, so every check is proven on inputs other than the
official files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

TYPES_XSD = """\
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:demo:types"
           xmlns:t="urn:demo:types" elementFormDefault="qualified">
  <xs:simpleType name="Importo">
    <xs:restriction base="xs:decimal"><xs:minInclusive value="0.01"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="stTesto70">
    <xs:restriction base="xs:string"><xs:maxLength value="35"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Codice">
    <xs:restriction base="xs:string"><xs:maxLength value="35"/></xs:restriction>
  </xs:simpleType>
</xs:schema>
"""

HEADER_SCHEMA = """\
    <xs:schema targetNamespace="urn:demo:head">
      <xs:element name="intestazione"><xs:complexType><xs:sequence>
        <xs:element name="ente" type="xs:string"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:simpleType name="Testo"><xs:restriction base="xs:string"/></xs:simpleType>
    </xs:schema>
"""


def wsdl_text(
    *,
    import_head: bool,
    address: str = "http://demo.example/ws",
    extra_type: str = "t:Codice",
    doctype: str = "",
) -> str:
    """A small SOAP service of a fictitious intermediary: five operations with Italian names
    unlike MyPay's, an imported XSD, and (unless ``import_head``) a QName from a sibling
    inline schema used without importing its namespace."""
    head_import = '<xs:import namespace="urn:demo:head"/>' if import_head else ""

    def op(name: str, request: str, response: str) -> str:
        return (
            f'<xs:element name="{name}"><xs:complexType><xs:sequence>{request}'
            f"</xs:sequence></xs:complexType></xs:element>"
            f'<xs:element name="{name}Risposta"><xs:complexType><xs:sequence>{response}'
            f"</xs:sequence></xs:complexType></xs:element>"
        )

    elements = "".join(
        [
            op(
                "CaricaDebito",
                '<xs:element name="importo" type="t:Importo"/>'
                '<xs:element name="codiceFiscale" type="h:Testo"/>',
                '<xs:element name="iuv" type="t:Codice"/>',
            ),
            op(
                "StampaAvviso",
                '<xs:element name="iuv" type="t:Codice"/>',
                '<xs:element name="avvisoPdf" type="xs:base64Binary"/>',
            ),
            op(
                "AvviaPagamentoOnline",
                '<xs:element name="iuv" type="t:Codice"/>'
                '<xs:element name="urlRitorno" type="xs:string"/>',
                '<xs:element name="urlPagamento" type="xs:string"/>',
            ),
            op(
                "LeggiStatoPagamento",
                '<xs:element name="iuv" type="t:Codice"/>',
                f'<xs:element name="stato" type="{extra_type}"/>',
            ),
            op(
                "ScaricaRicevuta",
                '<xs:element name="iuv" type="t:Codice"/>',
                '<xs:element name="ricevuta" type="xs:base64Binary"/>',
            ),
        ]
    )
    names = [
        "CaricaDebito",
        "StampaAvviso",
        "AvviaPagamentoOnline",
        "LeggiStatoPagamento",
        "ScaricaRicevuta",
    ]
    messages = "".join(
        f'<wsdl:message name="{n}"><wsdl:part name="body" element="tns:{n}"/></wsdl:message>'
        f'<wsdl:message name="{n}Risposta"><wsdl:part name="body" element="tns:{n}Risposta"/>'
        "</wsdl:message>"
        for n in names
    )
    fault = (
        '<wsdl:message name="Errore"><wsdl:part name="body" element="h:intestazione"/>'
        "</wsdl:message>"
    )
    port_ops = "".join(
        f'<wsdl:operation name="{n}"><wsdl:input message="tns:{n}"/>'
        f'<wsdl:output message="tns:{n}Risposta"/>'
        + ('<wsdl:fault name="errore" message="tns:Errore"/>' if n == "CaricaDebito" else "")
        + "</wsdl:operation>"
        for n in names
    )
    binding_ops = "".join(
        f'<wsdl:operation name="{n}"><soap:operation soapAction="urn:demo:{n}"/>'
        '<wsdl:input><soap:body use="literal"/></wsdl:input>'
        '<wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>'
        for n in names
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>{doctype}
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:demo:svc"
    xmlns:t="urn:demo:types" xmlns:h="urn:demo:head" targetNamespace="urn:demo:svc">
  <wsdl:types>
{HEADER_SCHEMA}
    <xs:schema targetNamespace="urn:demo:svc" elementFormDefault="qualified">
      <xs:import namespace="urn:demo:types" schemaLocation="xsd/types.xsd"/>
      {head_import}
      {elements}
      <xs:complexType name="MaiUsato"><xs:sequence/></xs:complexType>
    </xs:schema>
  </wsdl:types>
  {messages}{fault}
  <wsdl:portType name="Demo">{port_ops}</wsdl:portType>
  <wsdl:binding name="DemoBinding" type="tns:Demo">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    {binding_ops}
  </wsdl:binding>
  <wsdl:service name="DemoService"><wsdl:port name="DemoPort" binding="tns:DemoBinding">
    <soap:address location="{address}"/></wsdl:port></wsdl:service>
</wsdl:definitions>
"""


@pytest.fixture
def soap_dir(tmp_path: Path) -> Path:
    (tmp_path / "xsd").mkdir()
    (tmp_path / "xsd" / "types.xsd").write_text(TYPES_XSD)
    return tmp_path


MAIN_YAML = """\
openapi: 3.0.3
info: {title: Demo intermediario, version: "1.0"}
servers: [{url: https://demo.example/api/v1}]
paths:
  /posizioni:
    post:
      operationId: creaPosizione
      requestBody:
        content:
          application/json:
            schema: {$ref: 'components/schemas.yaml#/components/schemas/NuovaPosizione'}
      responses:
        "201":
          description: creata
          content:
            application/json:
              schema: {$ref: 'components/schemas.yaml#/components/schemas/Posizione'}
              example: {iuv: "01000000000000123", stato: PAGATA, importo: "dieci"}
        "400": {$ref: 'components/schemas.yaml#/components/responses/Errore'}
  /posizioni/{iuv}:
    get:
      operationId: leggiPosizione
      parameters:
        - {name: iuv, in: path, required: true, schema: {type: string, pattern: '[\\w\\h-]+'}}
      responses:
        "200":
          description: la posizione
          content:
            application/json:
              schema: {$ref: 'components/schemas.yaml#/components/schemas/Posizione'}
        "404": {$ref: 'components/schemas.yaml#/components/responses/Errore'}
  /posizioni/{iuv}/avviso:
    get:
      operationId: scaricaAvviso
      parameters:
        - {name: iuv, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: il PDF dell'avviso
          content:
            application/pdf:
              schema: {type: string, format: binary}
  /posizioni/{iuv}/ricevuta:
    get:
      operationId: scaricaRicevuta
      parameters:
        - {name: iuv, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: la ricevuta
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Ricevuta'}
        "404": {$ref: 'components/schemas.yaml#/components/responses/Errore'}
  /checkout:
    post:
      operationId: avviaCheckout
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                iuv: {type: string}
                returnUrl: {type: string}
      responses:
        "302":
          description: redirect alla pagina di pagamento
          headers:
            Location: {schema: {type: string}}
        "400": {$ref: 'components/schemas.yaml#/components/responses/Errore'}
components:
  schemas:
    Manca: {$ref: 'components/missing.yaml#/Nulla'}
"""

SCHEMAS_YAML = """\
components:
  schemas:
    NuovaPosizione:
      type: object
      required: [importo, codiceFiscale, causale]
      properties:
        importo: {type: number}
        codiceFiscale: {type: string}
    Posizione:
      type: object
      required: [iuv, stato]
      properties:
        iuv: {type: string}
        stato: {type: string, enum: [APERTA, PAGATA]}
        importo: {type: number}
        dataScadenza: {type: string, format: date, example: 2026-12-31}
    Ricevuta:
      type: object
      properties:
        rt: {type: string}
    Orfano: {type: string}
  responses:
    Errore:
      description: errore
      content:
        application/json:
          schema: {type: object, properties: {codice: {type: string}}}
"""


@pytest.fixture
def rest_dir(tmp_path: Path) -> Path:
    (tmp_path / "components").mkdir()
    (tmp_path / "main.yaml").write_text(MAIN_YAML)
    (tmp_path / "components" / "schemas.yaml").write_text(SCHEMAS_YAML)
    return tmp_path


def dedent(text: str) -> str:
    return textwrap.dedent(text)
