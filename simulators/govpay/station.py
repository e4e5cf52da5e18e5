"""GovPay as the creditor's pagoPA station: what the Nodo mock asks and sends.

``paVerifyPaymentNotice`` / ``paGetPaymentV2`` read a payable pendenza by numero avviso
(the attempt's ``paGetPaymentV2Response`` is kept: it becomes the ``rpt`` of the
``rpp[]`` entry); ``paSendRTV2`` makes it ESEGUITA, appends the ``rpp[]`` entry
(``RT_ACCETTATA_PA``) and hands the receipt to the notifier (API Ente v2). A receipt
GovPay cannot match cleanly (a second receipt for a paid pendenza, an amount different
from the debt, a pendenza annulled meanwhile, or the ``anomalous-payment`` fault) is
still taken — the money has moved — and leaves the pendenza ANOMALA with a segnalazione.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lxml import etree

from simulators.common.faults import FaultState
from simulators.common.safexml import MalformedXML, UnsafeXML
from simulators.common.station import (
    StationError,
    StationPosition,
    StationReceipt,
    StationStamp,
    StationTransfer,
    send_rt_request,
)
from simulators.common.station_codec import add_payment_data, response
from simulators.common.station_xml import Element, SoapFormatError, unwrap
from simulators.govpay.ente import check_new
from simulators.govpay.errors import GovPayError
from simulators.govpay.model import Pendenza, Rpp
from simulators.govpay.notifier import Connector, RetryPolicy
from simulators.govpay.numbering import iuv_of
from simulators.govpay.store import Store
from simulators.govpay.verify import Verified, ask, outcome

PAID = ("ESEGUITA", "ESEGUITA_PARZIALE", "INCASSATA", "ANOMALA")
REFUSALS = {
    "ANNULLATA": ("PAA_PAGAMENTO_ANNULLATO", "e' stata annullata dal creditore"),
    "SCADUTA": ("PAA_PAGAMENTO_SCADUTO", "e' scaduta"),
    **{stato: ("PAA_PAGAMENTO_DUPLICATO", "risulta gia' pagata") for stato in PAID},
}
LISTS = frozenset({"transfer", "mapEntry"})
INTEGERS = frozenset({"idTransfer"})
BOOLEANS = frozenset({"lastPayment", "standIn"})
# Fields GovPay's JSON of a pagoPA object always carries (null when absent), in its order:
# Jackson over the JAXB classes of ctPaymentPAV2 ("data"), ctReceiptV2 ("receipt"), ...
FIELDS = {
    "data": (
        "creditorReferenceId",
        "paymentAmount",
        "dueDate",
        "retentionDate",
        "lastPayment",
        "description",
        "companyName",
        "officeName",
        "debtor",
        "transferList",
        "metadata",
    ),
    "receipt": (
        "receiptId",
        "noticeNumber",
        "fiscalCode",
        "outcome",
        "creditorReferenceId",
        "paymentAmount",
        "description",
        "companyName",
        "officeName",
        "debtor",
        "transferList",
        "idPSP",
        "pspFiscalCode",
        "pspPartitaIVA",
        "PSPCompanyName",
        "idChannel",
        "channelDescription",
        "payer",
        "paymentMethod",
        "fee",
        "paymentDateTime",
        "applicationDate",
        "transferDate",
        "standIn",
        "metadata",
    ),
    "transfer": (
        "idTransfer",
        "transferAmount",
        "fiscalCodePA",
        "IBAN",
        "remittanceInformation",
        "transferCategory",
        "metadata",
    ),
    "debtor": (
        "uniqueIdentifier",
        "fullName",
        "streetName",
        "civicNumber",
        "postalCode",
        "city",
        "stateProvinceRegion",
        "country",
        "e-mail",
    ),
}
Notify = Callable[[Pendenza, Rpp], None]


def xml_to_json(element: Element) -> Any:
    """A pagoPA element as GovPay's JSON of it (Jackson over JAXB): amounts and texts as
    strings, ``idTransfer`` a number, flags booleans, repeated elements as lists, the known
    optional fields present as null."""
    name = etree.QName(element).localname
    children = list(element)
    if not children:
        text = element.text
        if name in INTEGERS and text is not None and text.isdigit():
            return int(text)
        if name in BOOLEANS and text is not None:
            return text == "true"
        return text
    body: dict[str, Any] = {}
    for child in children:
        child_name = etree.QName(child).localname
        value = xml_to_json(child)
        if child_name in LISTS:
            body.setdefault(child_name, []).append(value)
        else:
            body[child_name] = value
    known = FIELDS.get(name, ())
    ordered = {field: body.get(field) for field in known}
    ordered.update((k, v) for k, v in body.items() if k not in ordered)
    return ordered


def remittance(iuv: str, importo: Decimal, descrizione: str, causale_rpt: str | None) -> str:
    """GovPay's ``RptBuilder.buildCausaleSingoloVersamento``: ``/RFB/<iuv>/<importo>/TXT/...``,
    cut at 140 characters."""
    text = f"/RFB/{iuv}/{importo:.2f}"
    reason = causale_rpt or descrizione
    if reason:
        text += f"/TXT/{reason}"
    return text[:140]


class GovPayStation:
    """:class:`simulators.common.station.CreditorStation` over the GovPay :class:`Store`."""

    def __init__(
        self,
        store: Store,
        faults: FaultState,
        notify: Notify,
        *,
        broker_id: str,
        station_id: str,
        connectors: dict[str, Connector] | None = None,
        policy: RetryPolicy | None = None,
        verify_mandatory: bool = False,
    ) -> None:
        self.store = store
        self.faults = faults
        self.notify = notify
        self.broker_id = broker_id
        self.station_id = station_id
        self.connectors = connectors if connectors is not None else {}
        self.policy = policy or RetryPolicy()
        self.verify_mandatory = verify_mandatory
        # (idDominio, iuv) -> the last paGetPaymentV2Response, the attempt's RPT
        self.attempts: dict[tuple[str, str], Element] = {}

    def reset(self) -> None:
        self.attempts.clear()

    def _refresh(self, fiscal_code: str, notice_number: str) -> None:
        """Ask the creditor for a pendenza past its dataValidita (see :mod:`.verify`)."""
        with self.store.lock:
            p = self.store.by_avviso(fiscal_code, notice_number)
            today = self.store.clock.today()
            if p is None or p.stato(today) != "NON_ESEGUITA":
                return
            if p.data_validita is None or today <= p.data_validita:
                return
            connector = self.connectors.get(p.id_dominio)
        if connector is None:
            if self.verify_mandatory:
                raise StationError("PAA_PAGAMENTO_SCADUTO", "dati scaduti e nessun connettore")
            return
        verified = ask(p, connector, self.policy)
        with self.store.lock:
            if verified.pendenza is not None:
                try:
                    check_new(verified.pendenza, self.store.enti.get(p.id_dominio))
                    _replace_data(p, verified.pendenza)
                except GovPayError as exc:
                    verified = Verified("ERRORE", problem=f"pendenza non valida: {exc.dettaglio}")
            elif verified.stato == "ANNULLATA":
                p.base_stato = "ANNULLATA"
            refusal = outcome(verified, self.verify_mandatory)
            note = f" ({verified.problem})" if verified.problem else ""
            self._record(p, "verificaPendenza (API Ente)", f"{verified.stato}{note}")
        if refusal is not None:
            raise refusal

    def _find(self, fiscal_code: str, notice_number: str, operation: str) -> Pendenza:
        self._refresh(fiscal_code, notice_number)
        pendenza = self.store.by_avviso(fiscal_code, notice_number)
        if pendenza is None:
            raise StationError(
                "PAA_PAGAMENTO_SCONOSCIUTO",
                f"avviso {notice_number} sconosciuto per l'ente {fiscal_code}",
            )
        stato = pendenza.stato(self.store.clock.today())
        refusal = REFUSALS.get(stato)
        if refusal is not None:
            code, why = refusal
            self._record(pendenza, operation, f"KO {code}")
            raise StationError(code, f"la pendenza dell'avviso {notice_number} {why}")
        return pendenza

    def _record(self, p: Pendenza, operation: str, outcome: str) -> None:
        self.store.record((p.id_a2a, p.id_pendenza), "paForNode", operation, outcome)

    def describe(self, p: Pendenza) -> StationPosition:
        assert p.numero_avviso is not None
        ente = self.store.enti[p.id_dominio]
        transfers = []
        for index, voce in enumerate(p.voci, start=1):
            stamp = None
            causale_rpt = voce.sent.get("descrizioneCausaleRPT")
            if voce.bollo is not None:
                stamp = StationStamp(
                    voce.bollo["tipoBollo"],
                    voce.bollo["hashDocumento"],
                    voce.bollo["provinciaResidenza"],
                )
            transfers.append(
                StationTransfer(
                    id_transfer=index,
                    amount=voce.importo,
                    fiscal_code_pa=voce.id_dominio or p.id_dominio,
                    iban=voce.iban if stamp is None else None,
                    remittance_information=remittance(
                        iuv_of(p.numero_avviso), voce.importo, voce.descrizione, causale_rpt
                    ),
                    transfer_category=voce.tassonomia or ente.entrata_category,
                    stamp=stamp,
                )
            )
        return StationPosition(
            fiscal_code=p.id_dominio,
            notice_number=p.numero_avviso,
            creditor_reference_id=iuv_of(p.numero_avviso),
            amount=p.importo,
            due_date=p.data_scadenza,
            description=p.causale[:140],
            company_name=ente.ragione_sociale,
            office_name=None,
            debtor_fiscal_code=str(p.soggetto["identificativo"]),
            debtor_name=str(p.soggetto.get("anagrafica") or p.soggetto["identificativo"]),
            transfers=transfers,
        )

    def verify_payment_notice(self, fiscal_code: str, notice_number: str) -> StationPosition:
        with self.store.lock:
            pendenza = self._find(fiscal_code, notice_number, "paVerifyPaymentNotice")
            self._record(pendenza, "paVerifyPaymentNotice", "OK")
            return self.describe(pendenza)

    def get_payment(
        self, fiscal_code: str, notice_number: str, amount: Decimal | None
    ) -> StationPosition:
        with self.store.lock:
            pendenza = self._find(fiscal_code, notice_number, "paGetPaymentV2")
            if amount is not None and amount != pendenza.importo:
                self._record(pendenza, "paGetPaymentV2", "KO PAA_SEMANTICA")
                raise StationError(
                    "PAA_SEMANTICA",
                    f"l'avviso {notice_number} e' dovuto per {pendenza.importo} EUR, la "
                    f"richiesta indica {amount}",
                )
            position = self.describe(pendenza)
            self.attempts[(fiscal_code, position.creditor_reference_id)] = _attempt(position)
            self._record(pendenza, "paGetPaymentV2", "OK")
            return position

    def send_receipt(self, receipt: StationReceipt) -> None:
        with self.store.lock:
            p = self.store.by_avviso(receipt.fiscal_code, receipt.notice_number)
            if p is None:
                raise StationError(
                    "PAA_PAGAMENTO_SCONOSCIUTO",
                    f"avviso {receipt.notice_number} sconosciuto per l'ente {receipt.fiscal_code}",
                )
            if receipt.outcome != "OK":
                self._record(p, "paSendRTV2", "OK (esito KO ignorato)")
                return
            if any(r.ccp == receipt.receipt_id for r in p.rpps):
                self._record(p, "paSendRTV2", "KO PAA_RECEIPT_DUPLICATA")
                raise StationError(
                    "PAA_RECEIPT_DUPLICATA", f"la ricevuta {receipt.receipt_id} e' gia' acquisita"
                )
            rpp = self._rpp(p, receipt)
            already_paid = p.base_stato in PAID
            irregularity = self._irregularity(p, receipt)
            p.rpps.append(rpp)
            p.iuv_pagamento = rpp.iuv
            p.data_pagamento = receipt.payment_datetime.date()
            # GovPay's RtUtils.impostaNuovoStatoVersamento: a receipt for an annulled or unpaid
            # pendenza pays it (anomalous only if irregular); one for a paid pendenza is anomalous.
            anomalous = already_paid or irregularity is not None
            if irregularity is not None:
                p.descrizione_stato = irregularity
            for voce in p.voci:
                voce.stato = "Anomalo" if anomalous else "Eseguito"
            p.base_stato = "ANOMALA" if anomalous else "ESEGUITA"
            self._record(p, "paSendRTV2", f"OK ricevuta {receipt.receipt_id} -> {p.base_stato}")
        self.notify(p, rpp)

    def _irregularity(self, p: Pendenza, receipt: StationReceipt) -> str | None:
        if receipt.amount != p.importo:
            return f"Importo pagato ({receipt.amount}) diverso dall'importo dovuto ({p.importo})"
        if self.faults.fires("anomalous-payment") is not None:
            return "Pagamento irregolare (fault profile anomalous-payment)"
        return None

    def _rpp(self, p: Pendenza, receipt: StationReceipt) -> Rpp:
        iuv = receipt.creditor_reference_id
        # paid without a paGetPaymentV2 seen here (e.g. after a restart): rebuild the attempt
        rpt = self.attempts.pop((receipt.fiscal_code, iuv), None)
        if rpt is None:
            rpt = _attempt(self.describe(p))
        rt = self._rt_document(p, receipt)
        now = self.store.clock.now()
        return Rpp(
            iuv=iuv,
            ccp=receipt.receipt_id,
            importo=receipt.amount,
            received_at=now,
            paid_at=receipt.payment_datetime.replace(tzinfo=None),
            psp_id=receipt.psp_id,
            psp_name=receipt.psp_name,
            channel_id=receipt.channel_id,
            rpt_json=_child_json(rpt, "data"),
            rpt_xml=_document(rpt),
            rt_json=_child_json(rt, "receipt"),
            rt_xml=_document(rt),
            mbd=dict(receipt.mbd_attachments),
        )

    def _rt_document(self, p: Pendenza, receipt: StationReceipt) -> Element:
        """The ``paSendRTV2Request`` as received (what GovPay stores as the RT)."""
        if receipt.raw_xml:
            try:
                return unwrap(receipt.raw_xml)
            except (SoapFormatError, MalformedXML, UnsafeXML):
                pass
        return unwrap(
            send_rt_request(
                receipt,
                company_name=self.store.enti[p.id_dominio].ragione_sociale,
                debtor_name=str(p.soggetto.get("anagrafica") or p.soggetto["identificativo"]),
                id_broker_pa=self.broker_id,
                id_station=self.station_id,
                v2=True,
            )
        )


def _replace_data(p: Pendenza, fresh: Pendenza) -> None:
    """The creditor's refreshed data into the stored pendenza (identity and history kept)."""
    for name in (
        "id_tipo_pendenza",
        "causale",
        "soggetto",
        "importo",
        "voci",
        "data_validita",
        "data_scadenza",
        "id_unita_operativa",
        "echoed",
    ):
        setattr(p, name, getattr(fresh, name))


def _attempt(position: StationPosition) -> Element:
    """The ``paGetPaymentV2Response`` of an attempt: what GovPay stores as the RPT."""
    answer = response("paGetPaymentV2Response", None, position.fiscal_code)
    add_payment_data(answer, position, v2=True)
    return answer


def _document(element: Element) -> bytes:
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8"))


def _child_json(payload: Element, child: str) -> dict[str, Any]:
    element = payload.find(child)
    value = xml_to_json(element) if element is not None else None
    return value if isinstance(value, dict) else {}
