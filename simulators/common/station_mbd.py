"""The digital stamp document (``marcaDaBollo``, Agenzia delle Entrate) carried in receipts.

Built per the official ``pagopa/xsd-common/MarcaDaBollo.xsd``: PSP, IUBD, OraAcquisto,
Importo, TipoBollo, ImprontaDocumento (SHA-256 DigestMethod + ds:DigestValue = the
``hashDocumento`` of the request) and a ds:Signature. The signature is structurally
complete (enveloped, c14n, rsa-sha256) with a real SHA-256 reference digest, but its
SignatureValue is a placeholder: no key signs it, and nobody should trust it.
The schema has no element for the payer's province (``provinciaResidenza`` of the
request), so the document cannot carry it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from lxml import etree

from simulators.common.safexml import parse_xml
from simulators.common.station_xml import MBD_XSD, SoapFormatError, schema_errors

MBD = "http://www.agenziaentrate.gov.it/2014/MarcaDaBollo"
DS = "http://www.w3.org/2000/09/xmldsig#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"


@dataclass(frozen=True)
class MbdDocument:
    """The fields of a ``marcaDaBollo`` document."""

    psp_fiscal_code: str
    psp_name: str
    iubd: str  # identificativo univoco del bollo digitale
    purchased_at: datetime
    amount: Decimal
    stamp_type: str
    document_hash: str


def _m(parent: etree._Element, name: str, value: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{MBD}}}{name}")
    el.text = value
    return el


def _ds(parent: etree._Element, name: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{DS}}}{name}", attrs)


def iubd_for(seed: str) -> str:
    """A stable 14-digit stamp identifier derived from ``seed`` (e.g. receipt id + transfer)."""
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 10**14).zfill(14)


def build_mbd(doc: MbdDocument) -> bytes:
    """The ``marcaDaBollo`` XML document for ``doc``, with a placeholder signature."""
    root = etree.Element(f"{{{MBD}}}marcaDaBollo", nsmap={None: MBD, "ds": DS})
    psp = _m(root, "PSP")
    _m(psp, "CodiceFiscale", doc.psp_fiscal_code)
    _m(psp, "Denominazione", doc.psp_name)
    _m(root, "IUBD", doc.iubd)
    _m(root, "OraAcquisto", doc.purchased_at.isoformat(timespec="seconds"))
    _m(root, "Importo", f"{doc.amount.quantize(Decimal('0.01')):.2f}")
    _m(root, "TipoBollo", doc.stamp_type)
    imprint = _m(root, "ImprontaDocumento")
    etree.SubElement(imprint, f"{{{MBD}}}DigestMethod", Algorithm=SHA256)
    _ds(imprint, "DigestValue").text = doc.document_hash
    # Enveloped-signature reference: digest of the document before the Signature exists.
    digest = base64.b64encode(hashlib.sha256(etree.tostring(root, method="c14n")).digest())
    signature = _ds(root, "Signature")
    signed_info = _ds(signature, "SignedInfo")
    _ds(signed_info, "CanonicalizationMethod", Algorithm=C14N)
    _ds(signed_info, "SignatureMethod", Algorithm=RSA_SHA256)
    reference = _ds(signed_info, "Reference", URI="")
    _ds(_ds(reference, "Transforms"), "Transform", Algorithm=ENVELOPED)
    _ds(reference, "DigestMethod", Algorithm=SHA256)
    _ds(reference, "DigestValue").text = digest.decode("ascii")
    placeholder = hashlib.sha256(etree.tostring(signed_info, method="c14n")).digest() * 8
    _ds(signature, "SignatureValue").text = base64.b64encode(placeholder).decode("ascii")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def mbd_errors(data: bytes) -> list[str]:
    """Violations of the official MarcaDaBollo.xsd (empty when valid or contracts absent)."""
    return schema_errors(parse_xml(data), MBD_XSD)


def parse_mbd(data: bytes) -> MbdDocument:
    """Read a ``marcaDaBollo`` document (safe parsing); SoapFormatError when it is not one."""
    root = parse_xml(data)
    if root.tag != f"{{{MBD}}}marcaDaBollo":
        raise SoapFormatError(f"expected a marcaDaBollo document ({MBD}), got {root.tag}")

    def get(path: str) -> str:
        found = root.find(path, {"m": MBD, "ds": DS})
        if found is None or not found.text:
            raise SoapFormatError(f"marcaDaBollo: missing element {path}")
        return str(found.text).strip()

    return MbdDocument(
        psp_fiscal_code=get("m:PSP/m:CodiceFiscale"),
        psp_name=get("m:PSP/m:Denominazione"),
        iubd=get("m:IUBD"),
        purchased_at=datetime.fromisoformat(get("m:OraAcquisto")),
        amount=Decimal(get("m:Importo")),
        stamp_type=get("m:TipoBollo"),
        document_hash=get("m:ImprontaDocumento/ds:DigestValue"),
    )
