"""GovPay asking the creditor for a pendenza whose ``dataValidita`` has passed (API Ente v2).

At payment time (paVerifyPaymentNotice / paGetPaymentV2), a NON_ESEGUITA pendenza whose
``dataValidita`` is behind us is refreshed from the creditor with
``GET {base}/pendenze/{idA2A}/{idPendenza}`` (``verifyPendenza``), as GovPay's
``VersamentoUtils.aggiornaVersamento`` does. The ``PendenzaVerificata`` answer decides:
NON_ESEGUITA with ``pendenza`` replaces the stored data (numero avviso kept); ANNULLATA and
SCADUTA refuse the payment. An unknown pendenza, an unreachable creditor or a malformed
answer are ignored — GovPay goes on with what it has — unless the update is mandatory
(``Settings.verify_mandatory``, GovPay's "aggiornamento validita' mandatorio"), where they
refuse the payment (``PAA_PAGAMENTO_SCADUTO`` / ``PAA_SYSTEM_ERROR``, GovPay's VER_014).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from simulators.common.station import StationError
from simulators.govpay.errors import GovPayError
from simulators.govpay.model import Pendenza, read_nuova_pendenza
from simulators.govpay.notifier import Connector, RetryPolicy

STATI = ("NON_ESEGUITA", "ANNULLATA", "SCADUTA", "SCONOSCIUTA")


@dataclass
class Verified:
    """What the creditor said: its ``stato`` and, when payable, the refreshed pendenza."""

    stato: str
    pendenza: Pendenza | None = None
    problem: str | None = None  # why the answer could not be used


def ask(p: Pendenza, connector: Connector, policy: RetryPolicy) -> Verified:
    """One ``verifyPendenza`` call; never raises (problems come back in ``problem``)."""
    url = (
        connector.url.rstrip("/")
        + "/pendenze/"
        + "/".join(quote(part, safe="") for part in (p.id_a2a, p.id_pendenza))
    )
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    try:
        answer = httpx.get(
            url,
            headers={"Accept": "application/json", **connector.headers()},
            auth=connector.basic(),
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        return Verified("ERRORE", problem=f"{type(exc).__name__}: {exc}")
    if answer.status_code != 200:
        return Verified("ERRORE", problem=f"HTTP {answer.status_code} da {url}")
    try:
        body: Any = answer.json()
    except ValueError:
        return Verified("ERRORE", problem="risposta non JSON")
    stato = body.get("stato") if isinstance(body, dict) else None
    if stato not in STATI:
        return Verified("ERRORE", problem=f"stato {stato!r} non tra {', '.join(STATI)}")
    if stato != "NON_ESEGUITA":
        return Verified(stato)
    try:
        fresh = read_nuova_pendenza(
            body.get("pendenza"), p.id_a2a, p.id_pendenza, p.data_caricamento
        )
    except GovPayError as exc:
        return Verified("ERRORE", problem=f"pendenza non valida: {exc.dettaglio}")
    return Verified(stato, fresh)


def outcome(verified: Verified, mandatory: bool) -> StationError | None:
    """The refusal the Nodo gets for ``verified``, or None when the payment may go on."""
    if verified.stato == "ANNULLATA":
        return StationError("PAA_PAGAMENTO_ANNULLATO", "il creditore ha annullato la pendenza")
    if verified.stato == "SCADUTA":
        return StationError(
            "PAA_PAGAMENTO_SCADUTO", "il creditore ha dichiarato scaduta la pendenza"
        )
    if not mandatory:
        return None
    if verified.stato == "SCONOSCIUTA":
        return StationError("PAA_PAGAMENTO_SCADUTO", "pendenza sconosciuta al creditore")
    if verified.problem is not None:
        return StationError(
            "PAA_SYSTEM_ERROR",
            f"VER_014 La richiesta di verifica pendenza per decorrenza della data validita' e' "
            f"fallita: {verified.problem}",
        )
    return None
