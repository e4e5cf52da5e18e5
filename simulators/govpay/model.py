"""A pendenza as GovPay holds it, and ``NuovaPendenza`` read the way GovPay reads it.

Reading checks the schema (``400 SINTASSI``, naming the field); the rules that need the
ente's configuration (tipi, entrate, IBAN, numbering) are :mod:`.rules`. ``stato`` is
never stored as SCADUTA: :meth:`Pendenza.stato` computes it at read time from
``dataScadenza``, as GovPay does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from simulators.govpay.errors import syntax

ID_PATTERN = re.compile(r"^[a-zA-Z0-9\-_]{1,35}$")
TIPO_PATTERN = re.compile(r"^[a-zA-Z0-9\-_\.]{1,35}$")
DOMINIO_PATTERN = re.compile(r"^[0-9]{11}$")
NUMERO_AVVISO_PATTERN = re.compile(r"^[0-9]{18}$")
IBAN_PATTERN = re.compile(r"^[a-zA-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$")
PROVINCIA_PATTERN = re.compile(r"^[A-Z]{2}$")
CELLULARE_PATTERN = re.compile(r"^\+[0-9]{2}\s[0-9]{3}-[0-9]{7}$")
# pagoPA transfer category codes for tipoContabilita (GovPay's TipoContabilita.getCodifica).
TIPO_CONTABILITA = {"CAPITOLO": "0", "SPECIALE": "1", "SIOPE": "2", "ALTRO": "9"}
MAX_AMOUNT = Decimal("9999999999999999.99")
# Fields of NuovaPendenza kept as sent and echoed back in Pendenza.
ECHOED = (
    "annoRiferimento",
    "cartellaPagamento",
    "datiAllegati",
    "tassonomia",
    "tassonomiaAvviso",
    "direzione",
    "divisione",
    "documento",
    "proprieta",
)
TASSONOMIE_AVVISO = frozenset(
    {
        "Cartelle esattoriali",
        "Diritti e concessioni",
        "Imposte e tasse",
        "IMU, TASI e altre tasse comunali",
        "Ingressi a mostre e musei",
        "Multe e sanzioni amministrative",
        "Previdenza e infortuni",
        "Servizi erogati dal comune",
        "Servizi erogati da altri enti",
        "Servizi scolastici",
        "Tassa automobilistica",
        "Ticket e prestazioni sanitarie",
        "Trasporti, mobilità e parcheggi",
    }
)


@dataclass
class Voce:
    """A voce (GovPay's singolo versamento): one pagoPA transfer."""

    id_voce: str
    importo: Decimal
    descrizione: str
    sent: dict[str, Any]  # the NuovaVocePendenza as received (echoed back)
    cod_entrata: str | None = None
    iban: str | None = None
    tassonomia: str | None = None  # pagoPA transferCategory, e.g. "9/0101108TS/"
    bollo: dict[str, str] | None = None  # tipoBollo, hashDocumento, provinciaResidenza
    id_dominio: str | None = None  # another beneficiary
    stato: str = "Non eseguito"


@dataclass
class Rpp:
    """One payment attempt that got a receipt (``rpp[]``)."""

    iuv: str
    ccp: str  # the receiptId
    importo: Decimal
    received_at: datetime
    paid_at: datetime
    psp_id: str
    psp_name: str
    channel_id: str
    rpt_json: dict[str, Any]
    rpt_xml: bytes
    rt_json: dict[str, Any]
    rt_xml: bytes
    stato: str = "RT_ACCETTATA_PA"
    esito: str = "ESEGUITO"
    mbd: dict[int, bytes] = field(default_factory=dict)


@dataclass
class Pendenza:
    id_a2a: str
    id_pendenza: str
    id_tipo_pendenza: str
    id_dominio: str
    causale: str
    soggetto: dict[str, Any]
    importo: Decimal
    voci: list[Voce]
    numero_avviso: str | None
    data_caricamento: date
    data_validita: date | None = None
    data_scadenza: date | None = None
    id_unita_operativa: str | None = None
    echoed: dict[str, Any] = field(default_factory=dict)
    base_stato: str = "NON_ESEGUITA"  # NON_ESEGUITA | ANNULLATA | ESEGUITA | ANOMALA | ...
    descrizione_stato: str | None = None
    data_pagamento: date | None = None
    iuv_pagamento: str | None = None
    rpps: list[Rpp] = field(default_factory=list)
    segnalazioni: list[dict[str, str]] = field(default_factory=list)
    uuid: str | None = None

    def stato(self, today: date) -> str:
        """GovPay's ``stato``: SCADUTA is NON_ESEGUITA past ``dataScadenza``, at read time."""
        if (
            self.base_stato == "NON_ESEGUITA"
            and self.data_scadenza is not None
            and today > self.data_scadenza
        ):
            return "SCADUTA"
        return self.base_stato


def _text(
    body: dict[str, Any],
    name: str,
    where: str,
    *,
    required: bool = True,
    max_length: int | None = None,
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise syntax(f"{where}{name}: campo obbligatorio assente")
        return None
    if not isinstance(value, str):
        raise syntax(f"{where}{name}: atteso un testo, trovato {type(value).__name__}")
    if max_length is not None and len(value) > max_length:
        raise syntax(f"{where}{name}: lunghezza {len(value)} oltre il massimo di {max_length}")
    if pattern is not None and not pattern.match(value):
        raise syntax(f"{where}{name}: {value!r} non rispetta il pattern {pattern.pattern}")
    return value


def _amount(body: dict[str, Any], name: str, where: str) -> Decimal:
    value = body.get(name)
    if value is None:
        raise syntax(f"{where}{name}: campo obbligatorio assente")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise syntax(f"{where}{name}: atteso un numero (euro, es. 45.01)")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise syntax(f"{where}{name}: {value!r} non e' un importo") from None
    if amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise syntax(f"{where}{name}: {value} non e' un importo in euro con al piu' due decimali")
    return amount.quantize(Decimal("0.01"))


def _date(body: dict[str, Any], name: str) -> date | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise syntax(f"{name}: {value!r} non e' una data YYYY-MM-DD")


def read_soggetto(body: Any, where: str = "soggettoPagatore.") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise syntax(f"{where.rstrip('.')}: atteso un oggetto Soggetto")
    if body.get("tipo") not in ("F", "G"):
        raise syntax(f"{where}tipo: atteso F (persona fisica) o G (giuridica)")
    identificativo = _text(body, "identificativo", where, max_length=16)
    assert identificativo is not None
    if len(identificativo) < 2:
        raise syntax(f"{where}identificativo: almeno 2 caratteri")
    limits = {
        "anagrafica": 70,
        "indirizzo": 70,
        "civico": 16,
        "cap": 16,
        "localita": 35,
        "provincia": 35,
    }
    for name, limit in limits.items():
        _text(body, name, where, required=False, max_length=limit)
    _text(body, "nazione", where, required=False, pattern=PROVINCIA_PATTERN)
    _text(body, "cellulare", where, required=False, pattern=CELLULARE_PATTERN)
    _text(body, "email", where, required=False, max_length=256)
    return {k: v for k, v in body.items() if v is not None}


def read_voce(body: Any, index: int) -> Voce:
    where = f"voci[{index}]."
    if not isinstance(body, dict):
        raise syntax(f"voci[{index}]: atteso un oggetto NuovaVocePendenza")
    id_voce = _text(body, "idVocePendenza", where, max_length=35)
    descrizione = _text(body, "descrizione", where, max_length=140)
    assert id_voce is not None and descrizione is not None
    _text(body, "descrizioneCausaleRPT", where, required=False, max_length=140)
    voce = Voce(id_voce, _amount(body, "importo", where), descrizione, dict(body))
    voce.id_dominio = _text(body, "idDominio", where, required=False, pattern=DOMINIO_PATTERN)
    forms = [name for name in ("codEntrata", "ibanAccredito", "tipoBollo") if name in body]
    if len(forms) != 1:
        raise syntax(
            f"voci[{index}]: indicare esattamente uno tra codEntrata, ibanAccredito "
            f"(+ tipoContabilita, codiceContabilita) e tipoBollo (+ hashDocumento, "
            f"provinciaResidenza); trovati: {', '.join(forms) or 'nessuno'}"
        )
    if forms[0] == "codEntrata":
        voce.cod_entrata = _text(body, "codEntrata", where, pattern=TIPO_PATTERN)
    elif forms[0] == "ibanAccredito":
        voce.iban = _text(body, "ibanAccredito", where, pattern=IBAN_PATTERN)
        _text(body, "ibanAppoggio", where, required=False, pattern=IBAN_PATTERN)
        tipo = body.get("tipoContabilita")
        if tipo not in TIPO_CONTABILITA:
            raise syntax(f"{where}tipoContabilita: uno tra {', '.join(TIPO_CONTABILITA)}")
        codice = _text(body, "codiceContabilita", where, max_length=135)
        voce.tassonomia = f"{TIPO_CONTABILITA[tipo]}/{codice}"
    else:
        if body.get("tipoBollo") != "01":
            raise syntax(f"{where}tipoBollo: l'unico valore ammesso e' '01' (imposta di bollo)")
        hash_documento = _text(body, "hashDocumento", where, max_length=70)
        provincia = _text(body, "provinciaResidenza", where, pattern=PROVINCIA_PATTERN)
        assert hash_documento is not None and provincia is not None
        voce.bollo = {
            "tipoBollo": "01",
            "hashDocumento": hash_documento,
            "provinciaResidenza": provincia,
        }
    return voce


def read_nuova_pendenza(body: Any, id_a2a: str, id_pendenza: str, today: date) -> Pendenza:
    """``NuovaPendenza`` as a :class:`Pendenza` (not yet checked against the ente)."""
    if not isinstance(body, dict):
        raise syntax("il corpo deve essere un oggetto JSON NuovaPendenza")
    tipo = _text(body, "idTipoPendenza", "", pattern=TIPO_PATTERN)
    dominio = _text(body, "idDominio", "", pattern=DOMINIO_PATTERN)
    causale = _text(body, "causale", "", max_length=140)
    assert tipo is not None and dominio is not None and causale is not None
    if "soggettoPagatore" not in body:
        raise syntax("soggettoPagatore: campo obbligatorio assente")
    soggetto = read_soggetto(body["soggettoPagatore"])
    importo = _amount(body, "importo", "")
    voci_body = body.get("voci")
    if not isinstance(voci_body, list) or not 1 <= len(voci_body) <= 5:
        raise syntax("voci: attese da 1 a 5 voci (il limite dei trasferimenti pagoPA)")
    voci = [read_voce(voce, i) for i, voce in enumerate(voci_body)]
    avviso = body.get("tassonomiaAvviso")
    if avviso is not None and avviso not in TASSONOMIE_AVVISO:
        raise syntax(f"tassonomiaAvviso: {avviso!r} non e' una delle 13 categorie AgID")
    anno = body.get("annoRiferimento")
    if anno is not None and (isinstance(anno, bool) or not isinstance(anno, int)):
        raise syntax("annoRiferimento: atteso un anno intero, es. 2025")
    pendenza = Pendenza(
        id_a2a=id_a2a,
        id_pendenza=id_pendenza,
        id_tipo_pendenza=tipo,
        id_dominio=dominio,
        causale=causale,
        soggetto=soggetto,
        importo=importo,
        voci=voci,
        numero_avviso=_text(
            body, "numeroAvviso", "", required=False, pattern=NUMERO_AVVISO_PATTERN
        ),
        data_caricamento=today,
        data_validita=_date(body, "dataValidita"),
        data_scadenza=_date(body, "dataScadenza"),
        id_unita_operativa=_text(body, "idUnitaOperativa", "", required=False, pattern=ID_PATTERN),
        echoed={name: body[name] for name in ECHOED if body.get(name) is not None},
    )
    _date(body, "dataNotificaAvviso")
    _date(body, "dataPromemoriaScadenza")
    return pendenza
