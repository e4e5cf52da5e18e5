"""On the wire, both ways: a zeep client built from the official pa-per-ente.wsdl drives
the MyPay simulator running on the built-in contract through every implemented operation,
and a client built from the built-in WSDL drives the simulator running on the official one.

The simulator validates every request against the contract it runs on; here every answer,
and every base64 document in it, is also validated against the *client's* contract.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import xmlschema
from lxml import etree
from zeep import Client
from zeep import Settings as ZeepSettings
from zeep.plugins import HistoryPlugin

from simulators.common import contracts
from simulators.common.server import serving
from simulators.mypay.app import MyPaySimulator, Settings, create_app
from simulators.mypay.soap import OPERATIONS
from tests.contracts.support import (
    builtin_mypay_contracts,
    is_builtin,
    needs_official_mypay,
    official_mypay_contracts,
    without_official_contracts,
)
from tests.simulators.mypay.helpers import (
    BINDING,
    CF_ENTE,
    COD_IPA,
    DEBTOR_CF,
    PASSWORD,
    dovuti,
    receipt,
    versamento,
)

pytestmark = [pytest.mark.contracts, needs_official_mypay]
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
HEADER = {"header": {"codIpaEnte": COD_IPA}}


@dataclass
class ClientSide:
    """A zeep client of one contract, what it received, and that contract's schemas."""

    client: Client
    history: HistoryPlugin
    bodies: Any
    documents: Any
    checked: list[str]

    @classmethod
    def of(cls, wsdl_path: Path, xsd_path: Path) -> ClientSide:
        history = HistoryPlugin(maxlen=1)
        settings = ZeepSettings(strict=True, forbid_dtd=True, forbid_entities=True)
        client = Client(str(wsdl_path), settings=settings, plugins=[history])
        wsdl = etree.parse(str(wsdl_path), contracts.xml_parser()).getroot()
        lifted, _ = contracts.lift_inline_schemas(wsdl, wsdl_path.parent)
        bodies = xmlschema.XMLSchema(
            [lifted[contracts.PPT].decode(), lifted[contracts.PPTHEAD].decode()]
        )
        return cls(client, history, bodies, xmlschema.XMLSchema(str(xsd_path)), [])

    def call(self, service: Any, operation: str, **kwargs: Any) -> Any:
        """Call ``operation``; the raw answer must conform to this client's contract."""
        answer = getattr(service, operation)(**kwargs)
        envelope = self.history.last_received["envelope"]
        body = envelope.find(f"{{{SOAP_ENV}}}Body")[0]
        assert etree.QName(body).localname == f"{operation}Risposta"
        errors = [str(e.reason) for e in self.bodies.iter_errors(body)]
        assert errors == [], f"{operation} answer: {errors}"
        self.checked.append(operation)
        return answer

    def document(self, data: bytes, root: str) -> etree._Element:
        """A base64-carried document: the expected root, valid against this contract."""
        tree = etree.fromstring(data)
        assert etree.QName(tree).localname == root
        errors = [str(e.reason) for e in self.documents.iter_errors(tree)]
        assert errors == [], f"{root}: {errors}"
        return tree


def drive_every_operation(side: ClientSide, base_url: str, sim: MyPaySimulator) -> None:
    """Import with a notice, open a session, fail to read an unpaid payment, pay through the
    station, read Pagati and PagatiConRicevuta (with a stamp attachment) and the open
    positions: each implemented operation at least once, its documents checked."""
    service = side.client.create_service(BINDING, f"{base_url}/ws/pa")
    imported = side.call(
        service,
        "paaSILImportaDovuto",
        password=PASSWORD,
        dovuto=versamento("IUD-X-1", amount="35.50"),
        flagGeneraIuv=True,
        _soapheaders=HEADER,
    )
    assert imported.fault is None and imported.esito == "OK"
    iuv = imported.identificativoUnivocoVersamento
    assert imported.urlFileAvviso == f"{base_url}/avvisi/{iuv}.pdf"
    assert imported.base64ZipAvviso is None  # as MyPay: rendered when downloaded or printed

    opened = side.call(
        service,
        "paaSILVerificaAvviso",
        password=PASSWORD,
        identificativoUnivocoVersamento=iuv,
        _soapheaders=HEADER,
    )
    assert opened.esito == "OK" and opened.redirect == 1 and opened.idSession
    unpaid = side.call(
        service,
        "paaSILChiediPagati",
        codIpaEnte=COD_IPA,
        password=PASSWORD,
        idSession=opened.idSession,
    )
    assert unpaid.fault.faultCode == "PAA_PAGAMENTO_NON_INIZIATO" and unpaid.pagati is None

    open_positions = side.call(
        service,
        "paaSILChiediPosizioniAperte",
        password=PASSWORD,
        codIpaEnte=COD_IPA,
        identificativoUnivocoPersonaFG={
            "tipoIdentificativoUnivoco": "F",
            "codiceIdentificativoUnivoco": DEBTOR_CF,
        },
    )
    (entry,) = open_positions.paaSILPosizioniAperte
    assert entry.codIpaEnte == COD_IPA
    side.document(entry.dovuti, "Dovuti")

    sim.station.get_payment(CF_ENTE, "3" + iuv, Decimal("35.50"))
    sim.station.send_receipt(receipt("3" + iuv, iuv, [Decimal("35.50")], receipt_id="rcpt-x-1"))
    paid = side.call(
        service,
        "paaSILChiediPagati",
        codIpaEnte=COD_IPA,
        password=PASSWORD,
        idSession=opened.idSession,
    )
    assert paid.fault is None
    side.document(paid.pagati, "Pagati")

    stamp_hash = base64.b64encode(b"\x02" * 32).decode()
    cart = side.call(
        service,
        "paaSILInviaDovuti",
        password=PASSWORD,
        dovuti=dovuti(
            [
                {"iud": "IUD-X-2", "amount": "20.00"},
                {
                    "iud": "IUD-X-3",
                    "amount": "16.00",
                    "tipo": "MARCA_BOLLO_DIGITALE",
                    "stamp": (stamp_hash, "PI"),
                },
            ]
        ),
        enteSILInviaRispostaPagamentoUrl="https://proxy.example/landing/x",
        _soapheaders=HEADER,
    )
    assert cart.esito == "OK" and cart.idSession and "amount=3600" in cart.url
    position = next(p for p in sim.store.positions() if p.iuv != iuv)
    sim.station.get_payment(CF_ENTE, position.notice_number, None)
    mbd = b"<marcaDaBollo>MBD</marcaDaBollo>"
    sim.station.send_receipt(
        receipt(
            position.notice_number,
            position.iuv,
            [Decimal("20.00"), Decimal("16.00")],
            receipt_id="rcpt-x-2",
            mbd={2: mbd},
        )
    )
    with_rt = side.call(
        service,
        "paaSILChiediPagatiConRicevuta",
        codIpaEnte=COD_IPA,
        password=PASSWORD,
        identificativoUnivocoVersamento=position.iuv,
    )
    tree = side.document(with_rt.pagati, "PagatiConRicevuta")
    texts = [el.text for el in tree.iter() if etree.QName(el).localname == "testoAllegato"]
    assert [base64.b64decode(t or "") for t in texts] == [mbd]
    assert b"<receiptId>rcpt-x-2</receiptId>" in with_rt.rt
    assert set(side.checked) == set(OPERATIONS)


def served_operations(base_url: str) -> int:
    served = etree.fromstring(httpx.get(f"{base_url}/ws/pa?wsdl", timeout=10).content)
    return len(served.findall(f"{{{WSDL_NS}}}binding/{{{WSDL_NS}}}operation"))


def test_an_official_client_drives_the_simulator_on_the_builtin_contract(tmp_path: Path) -> None:
    found = official_mypay_contracts()
    assert found is not None
    side = ClientSide.of(*found)  # loaded now: the files are hidden below
    with without_official_contracts(tmp_path):
        app = create_app(Settings())
        with serving(app) as live:
            assert served_operations(live.url) == len(OPERATIONS)  # the built-in one
            drive_every_operation(side, live.url, app.state.simulator)


def test_a_builtin_client_drives_the_simulator_on_the_official_contract() -> None:
    wsdl = contracts.find(contracts.MYPAY_WSDL)
    assert wsdl is not None and not is_builtin(wsdl)
    side = ClientSide.of(*builtin_mypay_contracts())
    app = create_app(Settings())
    with serving(app) as live:
        assert served_operations(live.url) > len(OPERATIONS)  # the official one
        drive_every_operation(side, live.url, app.state.simulator)
