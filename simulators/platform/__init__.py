"""The OpenCity platform ("Area Personale" / Stanza del Cittadino) as a payment proxy sees it.

It plays the Core's part of the payment flow (reference §2): when a citizen
submits an application it publishes a ``CREATION_PENDING`` payment event v2
on the ``payments`` topic keyed by ``service_id``; it receives the proxy's
notify callbacks on ``POST /applications/{id}/payment`` (and, given an event
source, reads the topic) to track each payment's latest status; and it shows
the citizen's payments page with the links the proxy published ("Paga
online", "Scarica avviso", "Scarica ricevuta").
"""
