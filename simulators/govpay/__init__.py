"""A GovPay-compatible intermediary (Link.it GovPay 3.9.x), stateful, on the wire.

It answers API Pendenze v2 (``/govpay/backend/api/pendenze/rs/{basic,apikey}/v2``), the
API Ragioneria v3 receipt reads and API Pagamento v2 ``POST /pagamenti``, with GovPay's
validation rules and error codes, and plays the creditor's pagoPA station towards the
Nodo mock (``/pagopa/paForNode``). A receipt makes the pendenza ESEGUITA with an
``rpp[]`` entry, and GovPay then pushes it to the creditor through API Ente v2
(``PUT {base}/ricevute/{idDominio}/{iuv}/{idRicevuta}``), retrying as GovPay does.
Start it with :func:`simulators.govpay.app.create_app`; where GovPay and its own files
disagree it behaves as GovPay and lists the disagreement in :mod:`.defects`.
"""
