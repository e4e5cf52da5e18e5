"""GovPay's JSON renderings of a pendenza: API Pendenze v2 objects and the ``Ricevuta``.

Null fields are left out of GovPay's own objects, amounts are JSON numbers in euro,
dates ``YYYY-MM-DD`` and date-times ``YYYY-MM-DDThh:mm:ss`` (GovPay's Jackson patterns, no
offset). Every shape here is checked against the official files in the tests; where
GovPay's real output breaks its file (``PendenzaIndex.pagamenti`` never set, the
``Ricevuta`` without ``stato``/``modello``, ...) this module writes what GovPay writes and
:mod:`.defects` says so.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from simulators.govpay.ente import Ente
from simulators.govpay.model import Pendenza, Rpp, Voce
from simulators.govpay.numbering import iuv_of

# Voce fields echoed as sent (NuovaVocePendenza -> VocePendenza).
VOCE_ECHO = (
    "descrizioneCausaleRPT",
    "datiAllegati",
    "contabilita",
    "metadata",
    "codEntrata",
    "ibanAccredito",
    "ibanAppoggio",
    "tipoContabilita",
    "codiceContabilita",
    "tipoBollo",
    "hashDocumento",
    "provinciaResidenza",
)


def amount(value: Decimal) -> float:
    """A euro amount as GovPay writes it: a JSON number."""
    return float(value)


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime) -> str:
    return value.replace(microsecond=0, tzinfo=None).isoformat()


def compact(fields: dict[str, Any]) -> dict[str, Any]:
    """GovPay's own objects leave null fields out."""
    return {k: v for k, v in fields.items() if v is not None}


def dominio(id_dominio: str, enti: dict[str, Ente]) -> dict[str, str]:
    ente = enti.get(id_dominio)
    return {"idDominio": id_dominio, "ragioneSociale": ente.ragione_sociale if ente else id_dominio}


def voce(v: Voce, indice: int, enti: dict[str, Ente], stato: str | None = None) -> dict[str, Any]:
    body = compact({name: v.sent.get(name) for name in VOCE_ECHO})
    body.update(
        idVocePendenza=v.id_voce,
        importo=amount(v.importo),
        descrizione=v.descrizione,
        indice=indice,
        stato=stato or v.stato,
    )
    if v.id_dominio is not None:
        body["dominio"] = dominio(v.id_dominio, enti)
    return body


def _base(p: Pendenza, today: date, enti: dict[str, Ente]) -> dict[str, Any]:
    stato = p.stato(today)
    return compact(
        {
            "idA2A": p.id_a2a,
            "idPendenza": p.id_pendenza,
            "idTipoPendenza": p.id_tipo_pendenza,
            "dominio": dominio(p.id_dominio, enti),
            "stato": stato,
            "descrizioneStato": p.descrizione_stato,
            "segnalazioni": p.segnalazioni or None,
            "iuvAvviso": iuv_of(p.numero_avviso) if p.numero_avviso else None,
            "iuvPagamento": p.iuv_pagamento,
            "dataPagamento": day(p.data_pagamento),
            "causale": p.causale,
            "soggettoPagatore": p.soggetto,
            "importo": amount(p.importo),
            "numeroAvviso": p.numero_avviso,
            "dataCaricamento": day(p.data_caricamento),
            "dataValidita": day(p.data_validita),
            "dataScadenza": day(p.data_scadenza),
            "tipo": "dovuto",
            "UUID": p.uuid,
            **p.echoed,
        }
    )


def pendenza_index(p: Pendenza, today: date, enti: dict[str, Ente]) -> dict[str, Any]:
    """``PendenzaIndex`` as GovPay fills it: ``rpp`` is a URL, ``pagamenti`` is never set."""
    body = _base(p, today, enti)
    body["rpp"] = f"/rpp?idA2A={p.id_a2a}&idPendenza={p.id_pendenza}"
    return body


def pendenza(p: Pendenza, today: date, enti: dict[str, Ente]) -> dict[str, Any]:
    """``Pendenza``: the index fields, ``voci`` with ``indice``/``stato`` and ``rpp[]``."""
    body = _base(p, today, enti)
    body["voci"] = [voce(v, i, enti) for i, v in enumerate(p.voci, start=1)]
    index = pendenza_index(p, today, enti)
    body["rpp"] = [rpp_index(r, index) for r in p.rpps]
    return body


def rpp_index(r: Rpp, index: dict[str, Any]) -> dict[str, Any]:
    return {"stato": r.stato, "rpt": r.rpt_json, "rt": r.rt_json, "pendenza": index}


def pendenza_creata(p: Pendenza, pdf: bytes | None) -> dict[str, Any]:
    assert p.numero_avviso is not None
    return compact(
        {
            "idDominio": p.id_dominio,
            "numeroAvviso": p.numero_avviso,
            "UUID": p.uuid,
            "pdf": base64.b64encode(pdf).decode() if pdf is not None else None,
        }
    )


def avviso(p: Pendenza | None, id_dominio: str, numero_avviso: str, today: date) -> dict[str, Any]:
    """``Avviso``: SCONOSCIUTA for an unknown notice, DUPLICATA once paid."""
    if p is None:
        return {"stato": "SCONOSCIUTA", "idDominio": id_dominio, "numeroAvviso": numero_avviso}
    stato = p.stato(today)
    if stato in ("ESEGUITA", "ESEGUITA_PARZIALE", "INCASSATA", "ANOMALA"):
        stato = "DUPLICATA"
    cents = int(p.importo * 100)
    return compact(
        {
            "stato": stato,
            "importo": amount(p.importo),
            "idDominio": p.id_dominio,
            "numeroAvviso": numero_avviso,
            "dataValidita": day(p.data_validita),
            "dataScadenza": day(p.data_scadenza),
            "dataPagamento": day(p.data_pagamento),
            "descrizione": p.causale,
            "tassonomiaAvviso": p.echoed.get("tassonomiaAvviso"),
            "qrcode": f"PAGOPA|002|{numero_avviso}|{p.id_dominio}|{cents}",
            "barcode": barcode(numero_avviso, id_dominio, cents),
        }
    )


def barcode(numero_avviso: str, id_dominio: str, cents: int) -> str:
    """The GS1-128 text of the notice: GLN (415), numero avviso (8020), amount (3902)."""
    return f"415{id_dominio.zfill(13)}8020{numero_avviso}3902{cents:010d}"


def riscossione(p: Pendenza, v: Voce, indice: int, r: Rpp) -> dict[str, Any]:
    body: dict[str, Any] = {
        "idDominio": v.id_dominio or p.id_dominio,
        "iuv": r.iuv,
        "iur": r.ccp,
        "indice": indice,
        "tipo": "MBT" if v.bollo is not None else "ENTRATA",
        "importo": amount(v.importo),
        "data": r.paid_at.date().isoformat(),  # GovPay's bean: pattern yyyy-MM-dd
    }
    document = r.mbd.get(indice)
    if v.bollo is not None and document is not None:
        body["allegato"] = {"tipo": "Marca da bollo", "testo": base64.b64encode(document).decode()}
    return body


def voce_pagata(p: Pendenza, v: Voce, indice: int, r: Rpp, enti: dict[str, Ente]) -> dict[str, Any]:
    """API Ente v2 ``VocePendenzaPagata`` as GovPay's PendenzePagateConverter builds it."""
    body = compact(
        {
            "idVocePendenza": v.id_voce,
            "descrizione": v.descrizione,
            "descrizioneCausaleRPT": v.sent.get("descrizioneCausaleRPT"),
            "datiAllegati": v.sent.get("datiAllegati"),
            "contabilita": v.sent.get("contabilita"),
            "metadata": v.sent.get("metadata"),
        }
    )
    if v.id_dominio is not None:
        body["dominio"] = dominio(v.id_dominio, enti)
    if v.bollo is not None:
        body.update(v.bollo)
        body["codiceTassonomicoPagoPA"] = v.tassonomia
    elif v.cod_entrata is not None:
        body["codEntrata"] = v.cod_entrata
    else:
        body["ibanAccredito"] = v.iban
        body["codiceTassonomicoPagoPA"] = v.tassonomia
    body["riscossione"] = riscossione(p, v, indice, r)
    return body


def ricevuta(p: Pendenza, r: Rpp, enti: dict[str, Ente]) -> dict[str, Any]:
    """API Ente v2 (and Ragioneria v3) ``Ricevuta`` of one receipt, as GovPay sends it."""
    pagata = compact(
        {
            "idA2A": p.id_a2a,
            "idPendenza": p.id_pendenza,
            "idTipoPendenza": p.id_tipo_pendenza,
            "dominio": dominio(p.id_dominio, enti),
            "causale": p.causale,
            "soggettoPagatore": p.soggetto,
            "importo": amount(p.importo),
            "numeroAvviso": p.numero_avviso,
            "dataValidita": day(p.data_validita),
            "dataScadenza": day(p.data_scadenza),
            "UUID": p.uuid,
            **{k: v for k, v in p.echoed.items() if k != "tassonomiaAvviso"},
        }
    )
    pagata["voci"] = [voce_pagata(p, v, i, r, enti) for i, v in enumerate(p.voci, start=1)]
    return {
        "dominio": dominio(p.id_dominio, enti),
        "iuv": r.iuv,
        "idRicevuta": r.ccp,
        "importo": amount(r.importo),
        "esito": r.esito,
        "istitutoAttestante": {
            "idPSP": r.psp_id,
            "denominazione": r.psp_name,
            "idCanale": r.channel_id,
        },
        "pendenza": pagata,
        "data": moment(r.received_at),
        "dataPagamento": moment(r.received_at),  # GovPay: the receipt's message date, too
        "rpt": {
            "tipo": "ctPaymentPA",
            "xml": base64.b64encode(r.rpt_xml).decode(),
            "json": r.rpt_json,
        },
        "rt": {"tipo": "ctReceipt", "xml": base64.b64encode(r.rt_xml).decode(), "json": r.rt_json},
    }


def ricevuta_index(p: Pendenza, r: Rpp, enti: dict[str, Ente]) -> dict[str, Any]:
    return {
        "dominio": dominio(p.id_dominio, enti),
        "iuv": r.iuv,
        "idRicevuta": r.ccp,
        "data": moment(r.received_at),
        "esito": r.esito,
    }
