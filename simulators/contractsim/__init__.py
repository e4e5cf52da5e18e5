"""A simulator of any intermediary, built from its contract: a WSDL (with its XSDs), an
OpenAPI 2/3.0/3.1 document or a Postman collection v2.1.

It serves every operation at the contract's own paths, validates requests against the
contract (violations get the contract's own error answer and are listed at
``/_admin/violations``), answers with the contract's examples or values generated from its
schemas (pagoPA-aware, deterministic per request), keeps state across calls, and shares the
other simulators' fault profiles, allowlist, ``/status`` and admin API. See :mod:`.app`.
"""
