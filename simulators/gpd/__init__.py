"""A GPD-compatible REST intermediary: pagoPA's "Gestione Posizioni Debitorie".

It answers the debt-positions API (``/gpd/debt-positions-service/v1``, per the
official ``gpd.json``) and the payments-receipts API
(``/gpd/payments-receipts-service/v1``, per ``gpd_payments.json``) with an
in-memory store, and plays the creditor's station towards the Nodo mock
(``/pagopa/paForNode``): a paid notice moves its debt position to PAID and
leaves a receipt the payments-receipts API serves. Start it with
:func:`simulators.gpd.app.create_app`.
"""
