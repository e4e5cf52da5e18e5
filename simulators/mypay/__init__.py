"""A MyPay-compatible intermediary (Regione Veneto's ``pa-per-ente`` SOAP API).

Simulates what a payment proxy talks to when its creditor is served by MyPay:
``paaSILImportaDovuto`` (debt position + printable notice), ``paaSILInviaDovuti`` /
``paaSILVerificaAvviso`` (the URL where the citizen pays), ``paaSILChiediPagati`` /
``paaSILChiediPagatiConRicevuta`` (status and receipt), ``paaSILChiediPosizioniAperte``;
plus MyPay's station side towards the pagoPA Nodo (``/pagopa/paForNode``), so that a
payment made on the checkout mock closes the dovuto. Wire-compatible with the official
``pa-per-ente.wsdl``, which it serves at ``/ws/pa?wsdl``.
"""
