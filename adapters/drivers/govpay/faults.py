"""GovPay's error body (``FaultBean``: ``categoria``, ``codice``, ``descrizione``,
``dettaglio``) translated into the driver error tree.

- ``RICHIESTA`` (400, 406, 422: ``SINTASSI``, ``VER_0xx``, ``DOM_000``…), ``OPERAZIONE``
  (404 → :class:`PositionNotFound`) and ``EC``: permanent, explained in the domain's words
  (:data:`EXPLAINED`, Italian and English, from GovPay's validation rules);
- ``AUTORIZZAZIONE`` (401, 403): :class:`AccessDenied`, naming the credential to check;
- ``PAGOPA`` (502) and ``INTERNO`` (500), any other 5xx and 429: retried.

A 5xx answer to a PUT with codes ``DOM_002``/``DOM_003`` is GovPay refusing a numero avviso
against the ente's IUV mode: a configuration mistake, permanent despite the status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.core.intermediary import (
    AccessDenied,
    IntermediaryError,
    IntermediaryFault,
    PermanentError,
    PositionNotFound,
    RequestRejected,
)
from adapters.drivers._http import CallRecord, allowlist_diagnosis

#: What GovPay's business-rule codes mean, and what to do (reference §5).
EXPLAINED: dict[str, str] = {
    "SINTASSI": "la richiesta non rispetta lo schema di GovPay / the request does not match "
    "GovPay's schema; check the fields named in the detail",
    "APP_002": "l'idA2A nel percorso non è l'applicazione autenticata / the idA2A in the path "
    "is not the authenticated Applicazione; fix govpay_id_a2a or the credentials",
    "VER_002": "l'importo della pendenza non è la somma delle voci / the pendenza's amount is "
    "not the sum of its voci",
    "VER_003": "la pendenza è in uno stato che non ne consente l'aggiornamento (es. già "
    "pagata) / the pendenza can no longer be updated (e.g. already paid)",
    "VER_004": "la pendenza esiste già con un altro ente beneficiario / the pendenza exists "
    "with a different creditor",
    "VER_005": "il numero di voci della pendenza è cambiato / the number of voci changed "
    "since the pendenza was loaded",
    "VER_006": "una voce della pendenza non ha identificativo / a voce has no idVocePendenza",
    "VER_017": "numero avviso non valido per l'ente (cifra di controllo) / the numero avviso "
    "is not valid for the ente (check digit)",
    "VER_020": "l'IBAN di accredito non è censito per l'ente in GovPay / the IBAN is not "
    "registered for the ente in GovPay; register it or use a codEntrata",
    "VER_024": "il numero avviso della pendenza è cambiato / the numero avviso differs from "
    "the one already assigned to this pendenza",
    "VER_025": "numero avviso già usato da un'altra pendenza / the numero avviso is already "
    "used by another pendenza",
    "VER_026": "numero avviso non valido per l'ente (codice applicazione) / the numero avviso "
    "does not carry the ente's application code",
    "VER_027": "numero avviso non valido per l'ente (codice di segregazione) / the numero "
    "avviso does not carry the ente's segregation code; check govpay_segregation_code",
    "VER_031": "numero avviso indicato per una pendenza multivoce con bollo / a numero avviso "
    "cannot be given for a multi-voce pendenza with a marca da bollo",
    "VER_039": "numero avviso non valido per l'ente (aux digit) / the numero avviso does not "
    "start with the ente's aux digit",
    "DOM_000": "ente creditore sconosciuto a GovPay / the ente (idDominio) is not configured "
    "in GovPay; check the tenant's fiscal code",
    "DOM_002": "l'ente genera i numeri avviso in GovPay: non vanno indicati / the ente makes "
    "its numeri avviso in GovPay: set govpay_iuv_mode to 'govpay'",
    "DOM_003": "l'ente non genera numeri avviso in GovPay: vanno indicati / the ente does not "
    "make numeri avviso in GovPay: set govpay_iuv_mode to 'proxy'",
    "TVD_000": "tipo pendenza sconosciuto per l'ente / the tipo pendenza is not registered "
    "for the ente; check govpay_id_tipo_pendenza",
    "TVR_000": "tipo pendenza sconosciuto / the tipo pendenza does not exist in GovPay; "
    "check govpay_id_tipo_pendenza",
    "UOP_000": "unità operativa sconosciuta / unknown unità operativa",
    "406000": "formato non disponibile per questa risorsa (Accept) / GovPay cannot give this "
    "resource in the format asked (Accept header); choose another format",
}
RETRIED_CATEGORIES = frozenset({"PAGOPA", "INTERNO"})
CONFIGURATION_CODES = frozenset({"DOM_002", "DOM_003"})


@dataclass(frozen=True)
class Fault:
    """GovPay's FaultBean, as read from an error answer (fields may be missing)."""

    categoria: str | None
    codice: str | None
    descrizione: str | None
    dettaglio: str | None

    @property
    def summary(self) -> str:
        parts = [p for p in (self.descrizione, self.dettaglio) if p]
        return " — ".join(parts)


def read_fault(response: httpx.Response) -> Fault | None:
    """The FaultBean of an error answer, or None when the body is not one."""
    try:
        body: Any = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict) or not ({"categoria", "codice"} & body.keys()):
        return None

    def text(key: str) -> str | None:
        value = body.get(key)
        return str(value) if value not in (None, "") else None

    return Fault(text("categoria"), text("codice"), text("descrizione"), text("dettaglio"))


def fault_error(
    response: httpx.Response, record: CallRecord, what: str, *, credential: str
) -> IntermediaryError:
    """An error answer of GovPay as the error the driver raises."""
    status = response.status_code
    fault = read_fault(response)
    exchanges = record.exchanges
    if fault is None:
        text = response.text.strip().replace("\n", " ")[:300] or response.reason_phrase
        detail = f"HTTP {status}: {text}"
        code = f"HTTP {status}"
    else:
        detail = f"HTTP {status} {fault.categoria}/{fault.codice}: {fault.summary}".rstrip(": ")
        code = fault.codice or f"HTTP {status}"
    detail = record.redact(detail)  # an answer may echo what was sent
    categoria = fault.categoria if fault else None
    explained = EXPLAINED.get(fault.codice or "") if fault else None
    if status == 401 or (categoria == "AUTORIZZAZIONE" and status != 403):
        return AccessDenied(
            f"{what}: credentials refused ({detail}); check {credential}",
            exchanges=exchanges,
            code=code,
        )
    if status == 403:
        return AccessDenied(
            f"{what}: access forbidden ({detail}); the Applicazione must be authorised for "
            "this ente and tipo pendenza in GovPay",
            exchanges=exchanges,
            diagnosis=allowlist_diagnosis(response.request.url, forbidden=True),
            code=code,
        )
    if status == 404:
        return PositionNotFound(f"{what}: not found ({detail})", exchanges=exchanges, code=code)
    if fault is not None and fault.codice in CONFIGURATION_CODES:
        return RequestRejected(
            f"{what}: {explained} ({detail})", exchanges=exchanges, code=fault.codice
        )
    if status == 429 or status >= 500 or categoria in RETRIED_CATEGORIES:
        return IntermediaryFault(
            f"{what}: GovPay failed ({detail}); it will be retried", exchanges=exchanges, code=code
        )
    message = f"{what}: refused by GovPay ({detail})"
    if explained:
        message = f"{what}: {explained} ({detail})"
    return RequestRejected(message, exchanges=exchanges, code=code)


class GovPayAnomaly(PermanentError):
    """GovPay reports the pendenza ANOMALA or ESEGUITA_PARZIALE: money moved but not as
    expected (paid twice, wrong amount, some voci only). Never treated as paid: an operator
    must look at the pendenza in the GovPay console."""
