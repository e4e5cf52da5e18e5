"""pagoPA GPD (Gestione Posizioni Debitorie, REST) as an :class:`Intermediary`.

- create: ``POST /organizations/{cf}/debtpositions?toPublish=true``. The IUPD comes from the
  payment's IUD and the IUV from a base derived from the payment id (aux digit 3, the
  configured segregation code), so a retry sends the same position: a ``409`` then means
  "already there" and a ``GET`` by IUPD returns it. A ``409`` whose IUPD is unknown is an
  IUV taken by another position: the next derived base is tried.
- checkout URL: pagoPA Checkout ``POST /carts``; the ``302`` ``Location`` is the URL
  (redirects are not followed).
- notice: rendered locally, pagoPA's standard notice (:mod:`adapters.drivers.avviso`).
- status: ``GET /organizations/{cf}/debtpositions/{iupd}``.
- receipt: payments-receipts ``GET /payments/{cf}/receipts/{iuv}`` (the receipt XML).

HTTP 5xx, 429, timeouts and refused connections are retriable; 4xx ProblemJson answers are
permanent; 401/403 are :class:`AccessDenied`, 403 with an allowlist diagnosis.

Modules: :mod:`.config` (fields, subscription keys), :mod:`.payloads` (the JSON sent),
:mod:`.answers` (the JSON and XML read), :mod:`.driver` (the five verbs over httpx).
"""

from __future__ import annotations

from adapters.drivers.gpd.config import FIELDS
from adapters.drivers.gpd.driver import GpdDriver, spec

__all__ = ["FIELDS", "GpdDriver", "spec"]
