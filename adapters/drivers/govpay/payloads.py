"""The JSON GovPay is sent: the pendenza (``NuovaPendenza`` of API Pendenze v2, its voci and
the marca da bollo voce), the cancellation patch and API Pagamento v2's ``POST /pagamenti``.

Amounts are JSON numbers in euro; dates ``YYYY-MM-DD``. A voce is funded in exactly one
way: a ``codEntrata`` configured in GovPay, or ``ibanAccredito`` with ``tipoContabilita``
and ``codiceContabilita``, or it is the bollo (``tipoBollo``, ``hashDocumento``,
``provinciaResidenza``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from adapters.core.intermediary import (
    CreditorConfig,
    Debtor,
    DebtPositionRequest,
    PositionContext,
    RequestRejected,
    ReturnUrls,
    Transfer,
)
from adapters.drivers import _config
from adapters.drivers.govpay.config import (
    F_COD_ENTRATA,
    F_CODICE_CONTABILITA,
    F_IBAN,
    F_TASSONOMIA_AVVISO,
    F_TIPO_CONTABILITA,
    F_TIPO_PENDENZA,
    id_a2a,
)
from adapters.drivers.gpd.payloads import cut

ID_PENDENZA = re.compile(r"[a-zA-Z0-9\-_]{1,35}")
_VOCE_ID = re.compile(r"[^\w\-.]")
_EMAIL = re.compile(
    r"[A-Za-z0-9_]+([\-+.'][A-Za-z0-9_]+)*@[A-Za-z0-9_]+([\-.][A-Za-z0-9_]+)*"
    r"\.[A-Za-z0-9_]+([\-.][A-Za-z0-9_]+)*"
)
TIPI_CONTABILITA = ("CAPITOLO", "SPECIALE", "SIOPE", "ALTRO")
STAMP_VOCE = "BOLLO"


def id_pendenza(request: DebtPositionRequest) -> str:
    """The stable idPendenza: the payment's IUD (its id in hex) when GovPay accepts it."""
    return request.iud if ID_PENDENZA.fullmatch(request.iud) else request.payment_id.hex


def amount(value: Decimal) -> float:
    """Euro as a JSON number (GovPay reads ``45.01``)."""
    return float(value.quantize(Decimal("0.01")))


def soggetto(debtor: Debtor) -> dict[str, Any]:
    """The ``soggettoPagatore`` of the pendenza."""
    found: dict[str, Any] = {
        "tipo": "G" if debtor.type == "legal" else "F",
        "identificativo": debtor.fiscal_code.upper(),
        "anagrafica": cut(debtor.full_name or debtor.fiscal_code, 70),
    }
    optional = {
        "indirizzo": (debtor.street_name, 70),
        "civico": (debtor.building_number, 16),
        "cap": (debtor.postal_code, 16),
        "localita": (debtor.town_name, 35),
        "provincia": (debtor.province, 35),
    }
    for key, (value, limit) in optional.items():
        if value and value.strip():
            found[key] = cut(value, limit)
    if debtor.country and re.fullmatch(r"[A-Za-z]{2}", debtor.country):
        found["nazione"] = debtor.country.upper()
    if debtor.email and _EMAIL.fullmatch(debtor.email):
        found["email"] = debtor.email
    return found


def _funding(
    creditor: CreditorConfig, meta: Mapping[str, Any], *, service_default: bool
) -> dict[str, Any]:
    """How one voce is funded: the split's own data first, then the service's."""
    entrata = meta.get("cod_entrata") or meta.get("codEntrata")
    if entrata:
        return {"codEntrata": str(entrata)}
    iban = meta.get("iban") or _config.field_value(creditor, F_IBAN)
    chapter = meta.get("split_budget_chapter")
    tipo = meta.get("tipo_contabilita") or ("CAPITOLO" if chapter else None)
    tipo = tipo or _config.field_value(creditor, F_TIPO_CONTABILITA)
    codice = meta.get("codice_contabilita") or chapter
    codice = codice or _config.field_value(creditor, F_CODICE_CONTABILITA)
    if iban and tipo and codice:
        if tipo not in TIPI_CONTABILITA:
            raise RequestRejected(
                f"GovPay: tipoContabilita {tipo!r} is not one of {', '.join(TIPI_CONTABILITA)}",
                code="CONFIGURATION",
            )
        return {
            "ibanAccredito": str(iban).replace(" ", "").upper(),
            "tipoContabilita": str(tipo),
            "codiceContabilita": cut(str(codice), 135),
        }
    service_entrata = _config.field_value(creditor, F_COD_ENTRATA)
    if service_entrata and service_default:
        return {"codEntrata": service_entrata}
    raise RequestRejected(
        f"GovPay: no way to fund the voce: set {F_COD_ENTRATA.key!r} (an entrata configured "
        f"in GovPay), or {F_IBAN.key!r}, {F_TIPO_CONTABILITA.key!r} and "
        f"{F_CODICE_CONTABILITA.key!r}, in the service configuration of tenant "
        f"{creditor.tenant_id}",
        code="CONFIGURATION",
    )


def _voce_id(code: str, index: int, used: set[str]) -> str:
    base = _VOCE_ID.sub("-", code)[:32] or f"V{index}"
    voce = base if base not in used else f"{base[:30]}-{index}"
    used.add(voce)
    return voce


def voci(request: DebtPositionRequest) -> list[dict[str, Any]]:
    """The pendenza's voci: the split (or one voce for the whole amount), then the bollo."""
    creditor = request.creditor
    stamp = request.stamp
    ordinary = request.amount - (stamp.amount if stamp else Decimal(0))
    if ordinary < 0:
        raise RequestRejected(
            f"GovPay: the amount {request.amount} is below the marca da bollo's "
            f"{stamp.amount if stamp else 0}",
            code="INVALID_REQUEST",
        )
    shares: list[Transfer] = list(request.transfers)
    if ordinary > 0 and not shares:
        shares = [Transfer(code="1", amount=ordinary)]
    elif shares and sum(t.amount for t in shares) != ordinary:
        raise RequestRejected(
            f"GovPay: the split sums to {sum(t.amount for t in shares)}, the payment "
            f"(without marca da bollo) is {ordinary}",
            code="INVALID_REQUEST",
        )
    found: list[dict[str, Any]] = []
    used: set[str] = set()
    for index, share in enumerate(shares, start=1):
        meta = share.meta
        voce: dict[str, Any] = {
            "idVocePendenza": _voce_id(share.code, index, used),
            "importo": amount(share.amount),
            "descrizione": cut(str(meta.get("split_description") or request.reason), 140),
            **_funding(creditor, meta, service_default=True),
        }
        other = meta.get("fiscal_code")
        if other and other != creditor.creditor_fiscal_code:
            voce["idDominio"] = str(other)
        found.append(voce)
    if stamp is not None:
        found.append(
            {
                "idVocePendenza": _voce_id(STAMP_VOCE, len(found) + 1, used),
                "importo": amount(stamp.amount),
                "descrizione": cut(f"Marca da bollo digitale - {request.reason}", 140),
                "tipoBollo": stamp.stamp_type,
                "hashDocumento": stamp.document_hash,
                "provinciaResidenza": stamp.province.upper(),
            }
        )
    if not 1 <= len(found) <= 5:
        raise RequestRejected(
            f"GovPay: a pendenza carries 1 to 5 voci (the pagoPA transfer limit), this one "
            f"{len(found)}",
            code="INVALID_REQUEST",
        )
    return found


def nuova_pendenza(request: DebtPositionRequest, numero_avviso: str | None) -> dict[str, Any]:
    """The ``NuovaPendenza`` body of ``PUT /pendenze/{idA2A}/{idPendenza}``."""
    creditor = request.creditor
    body: dict[str, Any] = {
        "idTipoPendenza": _config.required(creditor, F_TIPO_PENDENZA),
        "idDominio": creditor.creditor_fiscal_code,
        "causale": cut(request.reason, 140),
        "soggettoPagatore": soggetto(request.debtor),
        "importo": amount(request.amount),
        "voci": voci(request),
    }
    if numero_avviso:
        body["numeroAvviso"] = numero_avviso
    if request.expire_at is not None:
        body["dataScadenza"] = request.expire_at.date().isoformat()
    tassonomia = _config.field_value(creditor, F_TASSONOMIA_AVVISO)
    if tassonomia:
        body["tassonomiaAvviso"] = tassonomia
    return body


def cancellation(reason: str) -> list[dict[str, Any]]:
    """The PATCH body cancelling a pendenza (ops upper case, as GovPay reads them)."""
    return [
        {"op": "REPLACE", "path": "/stato", "value": "ANNULLATA"},
        {"op": "REPLACE", "path": "/descrizioneStato", "value": cut(reason, 255)},
    ]


def pagamento(ctx: PositionContext, return_urls: ReturnUrls) -> dict[str, Any]:
    """API Pagamento v2 ``POST /pagamenti``: pay this pendenza, come back to the proxy.

    GovPay appends ``esito=OK|ERROR|CANCEL`` to ``urlRitorno``; the proxy's landing reads
    the position's status anyway, so the OK return URL serves every outcome.
    """
    id_pendenza = ctx.position.handle.get("idPendenza")
    if id_pendenza:
        reference = {"idA2A": id_a2a(ctx.creditor), "idPendenza": id_pendenza}
    else:  # imported or adopted: made elsewhere, known by its notice
        reference = {
            "idDominio": ctx.position.creditor_fiscal_code,
            "numeroAvviso": ctx.position.notice_number,
        }
    return {"pendenze": [reference], "urlRitorno": return_urls.ok}
