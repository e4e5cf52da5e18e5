"""GovPay (Link.it) as an :class:`Intermediary`, over its API Pendenze v2 (REST).

- create: ``PUT /pendenze/{idA2A}/{idPendenza}`` (idempotent upsert; ``idPendenza`` is the
  payment's IUD). The numero avviso comes from GovPay, or from the proxy (derived from the
  payment id, aux digit 3) when the ente's IUVs are made outside GovPay. Voci are funded by
  ``codEntrata`` or ``ibanAccredito`` + ``tipoContabilita``/``codiceContabilita``; the
  marca da bollo digitale is a bollo voce.
- checkout URL: pagoPA Checkout ``POST /carts`` by the proxy, or API Pagamento v2
  ``POST /pagamenti`` (deprecated) when configured.
- notice: ``GET /avvisi/{idDominio}/{numeroAvviso}`` with ``Accept: application/pdf``.
- status: ``GET /pendenze/{idA2A}/{idPendenza}``; ANOMALA and ESEGUITA_PARZIALE are errors
  an operator sees (:class:`GovPayAnomaly`), never paid.
- receipt: ``GET /rpp/{idDominio}/{iuv}/{ccp}/rt`` (XML, PDF or JSON by ``Accept``) or API
  Ragioneria v3 ``GET /ricevute/{idDominio}/{iuv}/{idRicevuta}``.
- cancel: ``PATCH /pendenze/{idA2A}/{idPendenza}`` ``/stato`` ANNULLATA.

GovPay pushes payment outcomes to the creditor through its API Ente v2; the proxy's side of
it is :mod:`adapters.api.govpay_ente`.

Modules: :mod:`.config` (fields, credentials), :mod:`.faults` (FaultBean → errors),
:mod:`.payloads` (the JSON sent), :mod:`.answers` (the JSON read), :mod:`.client` (auth,
TLS, httpx), :mod:`.driver` (the verbs).
"""

from __future__ import annotations

from adapters.drivers.govpay.config import FIELDS
from adapters.drivers.govpay.driver import GovPayDriver, spec
from adapters.drivers.govpay.faults import GovPayAnomaly

__all__ = ["FIELDS", "GovPayAnomaly", "GovPayDriver", "spec"]
