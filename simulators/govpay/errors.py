"""GovPay's error answers: the ``FaultBean`` and the status each code travels with.

Every error is ``{"categoria", "codice", "descrizione", "dettaglio"}`` as
``application/json`` (also on 500, where API Pendenze v2 declares
``application/problem+json``: see :mod:`.defects`). Business codes take their HTTP status
and messages from GovPay's ``govpay-exception-messages.properties``: 422 for the VER_/TVD_/
DOM_000 family, 400 for APP_002, 500 for DOM_002/DOM_003.
"""

from __future__ import annotations

import json
from typing import Literal

from starlette.responses import Response

Categoria = Literal["AUTORIZZAZIONE", "RICHIESTA", "OPERAZIONE", "PAGOPA", "EC", "INTERNO"]

# codice -> HTTP status, for codes raised by business rules (GovPay's own table).
BUSINESS_STATUS = {"APP_002": 400, "DOM_002": 500, "DOM_003": 500}
INVALID_REQUEST = "Richiesta non valida"


class GovPayError(Exception):
    """An answer GovPay gives as a FaultBean."""

    def __init__(
        self,
        status: int,
        categoria: Categoria,
        codice: str,
        descrizione: str,
        dettaglio: str | None = None,
    ) -> None:
        super().__init__(f"{status} {codice}: {dettaglio or descrizione}")
        self.status = status
        self.categoria: Categoria = categoria
        self.codice = codice
        self.descrizione = descrizione
        self.dettaglio = dettaglio

    def body(self) -> dict[str, str]:
        fault = {
            "categoria": self.categoria,
            "codice": self.codice,
            "descrizione": self.descrizione,
        }
        if self.dettaglio:
            fault["dettaglio"] = self.dettaglio
        return fault

    def response(self, headers: dict[str, str] | None = None) -> Response:
        return Response(
            json.dumps(self.body()).encode(),
            status_code=self.status,
            media_type="application/json",
            headers=headers,
        )


def business(codice: str, dettaglio: str) -> GovPayError:
    """A rule of GovPay's (VER_0xx, TVD_000, DOM_000, ...): 422 unless its table says else."""
    return GovPayError(
        BUSINESS_STATUS.get(codice, 422), "RICHIESTA", codice, INVALID_REQUEST, dettaglio
    )


def syntax(dettaglio: str) -> GovPayError:
    """A body or parameter that breaks the API's schema: 400 SINTASSI."""
    return GovPayError(400, "RICHIESTA", "SINTASSI", INVALID_REQUEST, dettaglio)


def not_found(dettaglio: str) -> GovPayError:
    return GovPayError(404, "OPERAZIONE", "404000", "Risorsa non trovata", dettaglio)


def not_acceptable(dettaglio: str) -> GovPayError:
    return GovPayError(406, "RICHIESTA", "406000", "Formato non supportato", dettaglio)


def unauthenticated() -> GovPayError:
    return GovPayError(
        401, "AUTORIZZAZIONE", "401", "Autenticazione fallita", "credenziali assenti o errate"
    )


def forbidden(dettaglio: str) -> GovPayError:
    return GovPayError(403, "AUTORIZZAZIONE", "403000", "Operazione non autorizzata", dettaglio)


def internal(dettaglio: str) -> GovPayError:
    return GovPayError(500, "INTERNO", "INTERNAL", "Errore interno", dettaglio)
