"""The documents the drivers build and read: MyPay's Versamento/Dovuti, receipts, IUDs."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from lxml import etree

from adapters.core.intermediary import DigitalStamp, Transfer
from adapters.drivers._receipt import decode_base64_xml, read_receipt
from adapters.drivers._xml import UnsafeXML
from adapters.drivers.mypay.documents import (
    NS,
    Azione,
    dati_specifici_riscossione,
    dovuti,
    mypay_iud,
    versamento,
)
from adapters.pagopa import document_hash
from simulators.common.contracts import MYPAY_DOCUMENTS_XSD, find_official
from tests.contracts_env import needs_official
from tests.drivers.stack import PAYER

needs_xsd = needs_official(MYPAY_DOCUMENTS_XSD)
STAMP = DigitalStamp(document_hash=document_hash(b"istanza"), province="PI")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(find_official(MYPAY_DOCUMENTS_XSD))))


def _versamento(**extra: object) -> bytes:
    args: dict[str, object] = dict(
        iud="a1b2c3",
        amount=Decimal("20.00"),
        tipo_dovuto="DIRITTI_SEGRETERIA",
        reason="Diritti di segreteria",
        taxonomy="9/0101108TS/",
        debtor=PAYER,
        due=None,
    )
    args.update(extra)
    return versamento(**args)  # type: ignore[arg-type]


@needs_xsd
def test_versamento_is_valid_and_namespace_qualified(schema: etree.XMLSchema) -> None:
    split = [Transfer("CAP-1", Decimal("15.00")), Transfer("CAP-2", Decimal("5.00"))]
    for document in (_versamento(), _versamento(azione=Azione.PRINT, iuv="01123", transfers=split)):
        root = etree.fromstring(document)
        schema.assertValid(root)
        assert all(etree.QName(node).namespace == NS for node in root.iter())
    root = etree.fromstring(_versamento())
    assert root.findtext(f".//{{{NS}}}identificativoUnivocoDovuto") == "a1b2c3"
    assert root.findtext(f".//{{{NS}}}importoSingoloVersamento") == "20.00"
    assert root.findtext(f"{{{NS}}}azione") == "I"


@needs_xsd
def test_dovuti_carries_the_digital_stamp(schema: etree.XMLSchema) -> None:
    document = dovuti(
        iud="a1b2c3",
        iuv="01123456789012345",
        amount=Decimal("16.00"),
        tipo_dovuto="MARCA_BOLLO_DIGITALE",
        reason="Marca da bollo",
        taxonomy=None,
        debtor=PAYER,
        stamp=STAMP,
    )
    root = etree.fromstring(document)
    schema.assertValid(root)
    bollo = root.find(f".//{{{NS}}}datiMarcaBolloDigitale")
    assert bollo is not None
    assert [child.text for child in bollo] == ["01", STAMP.document_hash, "PI"]


def test_taxonomy_and_iud_rules() -> None:
    assert dati_specifici_riscossione("0101108TS/") == "9/0101108TS/"
    assert dati_specifici_riscossione(None) == "9/0101108TS/"
    with pytest.raises(ValueError, match="datiSpecificiRiscossione"):
        dati_specifici_riscossione("x")
    assert mypay_iud("000abc") == "I000abc"  # MyPay refuses IUDs starting with 000
    assert mypay_iud("f" * 40) == "f" * 35


RECEIPT_V2 = b"""<paf:paSendRTV2Req xmlns:paf="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">
<receipt><receiptId>r-1</receiptId><noticeNumber>301123456789012316</noticeNumber>
<fiscalCode>80000000002</fiscalCode><outcome>OK</outcome>
<creditorReferenceId>01123456789012316</creditorReferenceId><paymentAmount>16.00</paymentAmount>
<debtor><uniqueIdentifier><entityUniqueIdentifierType>F</entityUniqueIdentifierType>
<entityUniqueIdentifierValue>RSSMRA80A01H501U</entityUniqueIdentifierValue></uniqueIdentifier>
<fullName>Mario Rossi</fullName></debtor>
<transferList><transfer><idTransfer>1</idTransfer><transferAmount>16.00</transferAmount>
<MBDAttachment>%s</MBDAttachment></transfer></transferList>
<PSPCompanyName>PSP</PSPCompanyName><paymentDateTime>2024-05-01T10:00:00</paymentDateTime>
</receipt></paf:paSendRTV2Req>""" % base64.b64encode(b"<marcaDaBollo/>")


def test_receipt_v2_facts_and_stamp() -> None:
    facts = read_receipt(RECEIPT_V2)
    assert facts.iuv == "01123456789012316" and facts.amount == Decimal("16.00")
    assert facts.payer_fiscal_code == "RSSMRA80A01H501U" and facts.paid
    assert facts.receipt_id == "r-1" and facts.psp == "PSP"
    assert facts.stamps == [b"<marcaDaBollo/>"]
    assert facts.paid_at is not None and facts.paid_at.tzinfo is not None


def test_old_model_rt_stamp_attachment_and_double_base64() -> None:
    rt = (
        b"<RT xmlns='http://www.digitpa.gov.it/schemas/2011/Pagamenti/'><datiPagamento>"
        b"<codiceEsitoPagamento>0</codiceEsitoPagamento><importoTotalePagato>16.00"
        b"</importoTotalePagato><identificativoUnivocoVersamento>0112</identificativoUnivocoVersamento>"
        b"<datiSingoloPagamento><allegatoRicevuta><tipoAllegatoRicevuta>BD</tipoAllegatoRicevuta>"
        b"<testoAllegato>" + base64.b64encode(b"<mbd/>") + b"</testoAllegato></allegatoRicevuta>"
        b"</datiSingoloPagamento></datiPagamento></RT>"
    )
    twice = base64.b64encode(base64.b64encode(rt))
    facts = read_receipt(decode_base64_xml(twice))
    assert facts.iuv == "0112" and facts.paid and facts.stamps == [b"<mbd/>"]


def test_hostile_xml_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'
    with pytest.raises(UnsafeXML, match="DOCTYPE|entit"):
        read_receipt(bomb)
    with pytest.raises(UnsafeXML, match="not well-formed"):
        read_receipt(b"<receipt><open>")
