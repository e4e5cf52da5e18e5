"""SOAP 1.1 on the wire for ``pa-per-ente``: read a request envelope, write answers.

Document/literal as in the official WSDL: the body holds one ``ppt:<operation>`` element
whose children are *unqualified* (the WSDL's inline schemas leave ``elementFormDefault``
unset); operations with a header carry ``ppthead:intestazionePPT`` whose ``codIpaEnte``
child is unqualified too. Requests are validated against those inline schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from simulators.common.safexml import MalformedXML, UnsafeXML, parse_xml
from simulators.mypay import contracts

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
PPT = contracts.PPT
PPTHEAD = contracts.PPTHEAD

# Operations of pa-per-ente.wsdl this simulator implements, and whether they carry the
# intestazionePPT header (binding <soap:header>) and an ``esito`` in the answer.
OPERATIONS: dict[str, tuple[bool, bool]] = {
    "paaSILImportaDovuto": (True, True),
    "paaSILInviaDovuti": (True, True),
    "paaSILVerificaAvviso": (True, True),
    "paaSILChiediPagati": (False, False),
    "paaSILChiediPagatiConRicevuta": (False, False),
    "paaSILChiediPosizioniAperte": (False, False),
}
NOT_IMPLEMENTED = {
    "paaSILInviaCarrelloDovuti",
    "paaSILRegistraPagamento",
    "paaSILAutorizzaImportFlusso",
    "paaSILChiediStatoImportFlusso",
    "paaSILPrenotaExportFlusso",
    "paaSILPrenotaExportFlussoScaduti",
    "paaSILPrenotaExportFlussoIncrementaleConRicevuta",
    "paaSILChiediStatoExportFlusso",
    "paaSILChiediStatoExportFlussoScaduti",
    "paaSILChiediAvvisiPendenti",
    "paaSILChiediEsitoCarrelloDovuti",
    "paaSILChiediStoricoPagamenti",
}


class SoapFault(Exception):
    """A SOAP 1.1 ``Fault`` (HTTP 500): the message itself could not be processed."""

    def __init__(self, code: str, string: str, detail: str | None = None, status: int = 500):
        super().__init__(f"{code}: {string}")
        self.code = code
        self.string = string
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class SoapRequest:
    """One parsed ``pa-per-ente`` request."""

    operation: str
    body: etree._Element
    cod_ipa_header: str | None
    _texts: dict[str, str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def text(self, name: str) -> str | None:
        """The text of an unqualified child of the body element, stripped; None if absent."""
        texts = self._texts
        if not texts:  # one pass over the children: a search per field costs more
            for child in self.body:
                tag = child.tag
                if isinstance(tag, str) and tag not in texts:
                    value = child.text
                    texts[tag] = (value.strip() or None) if value is not None else None
            texts[""] = None  # marks the pass as done, whatever the body held
        return texts.get(name)

    def has(self, name: str) -> bool:
        """Whether the body element has an unqualified child ``name``."""
        self.text(name)  # reads the children once
        return name in self._texts


def _first_child(parent: etree._Element, tag: str) -> etree._Element | None:
    return next(parent.iterchildren(tag), None)


def parse_request(
    data: bytes, soap_action: str | None, validate: bool, max_bytes: int
) -> SoapRequest:
    """Parse and check an envelope; :class:`SoapFault` says precisely what is wrong."""
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except UnsafeXML as exc:
        status = 413 if "exceeds the limit" in str(exc) else 400
        raise SoapFault("soap:Client", f"request refused: {exc}", status=status) from exc
    except MalformedXML as exc:
        raise SoapFault("soap:Client", f"request is not well-formed XML: {exc}") from exc
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        raise SoapFault(
            "soap:VersionMismatch",
            "SOAP 1.2 envelope received: pa-per-ente is bound to SOAP 1.1 "
            f"(envelope namespace {SOAP_ENV})",
        )
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("soap:Client", f"expected a SOAP 1.1 Envelope, got root element {root.tag}")
    # iterchildren matches tags in C; find() goes through ElementPath, several times slower
    body = _first_child(root, f"{{{SOAP_ENV}}}Body")
    if body is None:
        raise SoapFault("soap:Client", "SOAP Envelope without Body")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SoapFault(
            "soap:Client", f"SOAP Body must hold exactly one element, found {len(children)}"
        )
    element = children[0]
    qname = etree.QName(element)
    if qname.namespace != PPT:
        raise SoapFault(
            "soap:Client",
            f"body element {element.tag} is not in the pa-per-ente namespace {PPT}",
        )
    operation = qname.localname
    if operation in NOT_IMPLEMENTED:
        raise SoapFault(
            "soap:Server",
            f"PAA_SERVIZIO_NON_IMPLEMENTATO: {operation} is in "
            "pa-per-ente.wsdl but not implemented by this simulator",
        )
    if operation not in OPERATIONS:
        raise SoapFault("soap:Client", f"unknown operation {operation}: not in pa-per-ente.wsdl")
    action = (soap_action or "").strip().strip('"')
    if action and action != operation:
        raise SoapFault("soap:Client", f"SOAPAction {action!r} does not match body {operation}")
    has_header, _ = OPERATIONS[operation]
    cod_ipa = None
    header = _first_child(root, f"{{{SOAP_ENV}}}Header")
    intestazione = (
        _first_child(header, f"{{{PPTHEAD}}}intestazionePPT") if header is not None else None
    )
    if has_header:
        if intestazione is None:
            raise SoapFault(
                "soap:Client",
                f"{operation} needs the SOAP header {{{PPTHEAD}}}intestazionePPT with codIpaEnte",
            )
        ipa = _first_child(intestazione, "codIpaEnte")
        cod_ipa = ((ipa.text if ipa is not None else None) or "").strip() or None
    if validate and contracts.available():
        schema = contracts.body_schema()
        for part in (element, intestazione if has_header else None):
            if part is not None and not schema.validate(part):
                error = schema.error_log.last_error
                raise SoapFault(
                    "soap:Client",
                    f"{etree.QName(part).localname} does not conform to pa-per-ente.wsdl: "
                    f"{error.message if error else 'invalid'}",
                )
    return SoapRequest(operation, element, cod_ipa)


def response_element(operation: str, ns: str = PPT) -> etree._Element:
    """An empty ``ppt:<operation>Risposta`` wrapper, already in the Body of the envelope
    :func:`envelope` writes (built around it afterwards, it would have to be moved there)."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    return etree.SubElement(body, f"{{{ns}}}{operation}Risposta", nsmap={"ppt": ns})


def child(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    """An unqualified child element, as the WSDL's schemas require."""
    element = etree.SubElement(parent, name)
    if text is not None:
        element.text = text
    return element


def envelope(body_element: etree._Element) -> bytes:
    """A SOAP 1.1 envelope around ``body_element`` (the one :func:`response_element` made
    it in, else a new one)."""
    body = body_element.getparent()
    env = body.getparent() if body is not None and body.tag == f"{{{SOAP_ENV}}}Body" else None
    if env is None or env.tag != f"{{{SOAP_ENV}}}Envelope" or len(env[0]) != 1:
        env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
        etree.SubElement(env, f"{{{SOAP_ENV}}}Body").append(body_element)
    data: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return data


def fault_envelope(fault: SoapFault) -> bytes:
    """A SOAP 1.1 Fault envelope."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    element = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    child(element, "faultcode", fault.code)
    child(element, "faultstring", fault.string)
    if fault.detail:
        child(child(element, "detail"), "description", fault.detail)
    data: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return data
