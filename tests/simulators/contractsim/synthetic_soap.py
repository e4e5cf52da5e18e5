# ruff: noqa: E501  (contract text, kept as a vendor writes it)
"""A tiny WSDL (document/literal, SOAP 1.1) with an imported XSD, written for the tests.

Its inline schema uses the ``com:`` prefix of the imported namespace for one type without
importing that namespace in the inline schema itself (the kind of defect pa-per-ente.wsdl
has): the simulator must add the import and report it.
"""

from __future__ import annotations

from pathlib import Path

TNS = "urn:example:pratiche"
COMMON = "urn:example:comuni"

WSDL = f"""<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="{TNS}" xmlns:com="{COMMON}" name="PraticheService" targetNamespace="{TNS}">
  <wsdl:types>
    <xsd:schema targetNamespace="{COMMON}" elementFormDefault="qualified">
      <xsd:include schemaLocation="xsd/comuni.xsd"/>
    </xsd:schema>
    <xsd:schema targetNamespace="{TNS}">
      <xsd:element name="creaPratica">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="codiceFiscaleEnte" type="com:stCodiceFiscale"/>
          <xsd:element name="descrizione" type="xsd:string"/>
          <xsd:element name="importo" type="com:stImporto"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="creaPraticaRisposta">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="esito" type="xsd:string"/>
          <xsd:element name="identificativoUnivocoVersamento" type="com:stIuv"/>
          <xsd:element name="numeroAvviso" type="com:stNumeroAvviso"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="leggiPratica">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="identificativoUnivocoVersamento" type="com:stIuv"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="leggiPraticaRisposta">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="identificativoUnivocoVersamento" type="com:stIuv"/>
          <xsd:element name="descrizione" type="xsd:string"/>
          <xsd:element name="importo" type="com:stImporto"/>
          <xsd:element name="stato" type="com:stStato"/>
          <xsd:element name="iban" type="xsd:string" minOccurs="0"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="erroreServizio">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="faultCode" type="xsd:string"/>
          <xsd:element name="description" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="creaPratica"><wsdl:part name="body" element="tns:creaPratica"/></wsdl:message>
  <wsdl:message name="creaPraticaRisposta"><wsdl:part name="body" element="tns:creaPraticaRisposta"/></wsdl:message>
  <wsdl:message name="leggiPratica"><wsdl:part name="body" element="tns:leggiPratica"/></wsdl:message>
  <wsdl:message name="leggiPraticaRisposta"><wsdl:part name="body" element="tns:leggiPraticaRisposta"/></wsdl:message>
  <wsdl:message name="errore"><wsdl:part name="detail" element="tns:erroreServizio"/></wsdl:message>
  <wsdl:portType name="Pratiche">
    <wsdl:operation name="creaPratica">
      <wsdl:input message="tns:creaPratica"/><wsdl:output message="tns:creaPraticaRisposta"/>
      <wsdl:fault name="errore" message="tns:errore"/>
    </wsdl:operation>
    <wsdl:operation name="leggiPratica">
      <wsdl:input message="tns:leggiPratica"/><wsdl:output message="tns:leggiPraticaRisposta"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="PraticheBinding" type="tns:Pratiche">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="creaPratica">
      <soap:operation soapAction="urn:creaPratica"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="errore"><soap:fault name="errore" use="literal"/></wsdl:fault>
    </wsdl:operation>
    <wsdl:operation name="leggiPratica">
      <soap:operation soapAction="urn:leggiPratica"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="PraticheService">
    <wsdl:port name="PratichePort" binding="tns:PraticheBinding">
      <soap:address location="https://vendor.example.it/servizi/pratiche/v1"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""

COMMON_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="{COMMON}"
    elementFormDefault="qualified">
  <xsd:simpleType name="stCodiceFiscale">
    <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{{11}}"/></xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="stIuv">
    <xsd:restriction base="xsd:string"><xsd:minLength value="15"/><xsd:maxLength value="35"/></xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="stNumeroAvviso">
    <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{{18}}"/></xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="stImporto">
    <xsd:restriction base="xsd:decimal">
      <xsd:minInclusive value="0.01"/><xsd:fractionDigits value="2"/>
    </xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="stStato">
    <xsd:restriction base="xsd:string">
      <xsd:enumeration value="APERTA"/><xsd:enumeration value="PAGATA"/>
    </xsd:restriction>
  </xsd:simpleType>
</xsd:schema>
"""


def write(folder: Path) -> Path:
    (folder / "xsd").mkdir(exist_ok=True)
    (folder / "xsd" / "comuni.xsd").write_text(COMMON_XSD)
    root = folder / "pratiche.wsdl"
    root.write_text(WSDL)
    return root
