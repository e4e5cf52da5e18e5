"""``collaudo contract check``: the vendor's documentation checked as a person would.

Loading (:mod:`.sources`, :mod:`.detect`, :mod:`.textdoc`), checks per kind registered in
:mod:`.registry` (OpenAPI in :mod:`.openapi`, WSDL/XSD in :mod:`.wsdl`, Postman in
:mod:`.postman`), findings (:mod:`.findings`, sentences in :mod:`.messages`), the
five-operation mapping (:mod:`.operations`, :mod:`.mapping`) and the report writers
(:mod:`.report`). :func:`collaudo.contractcheck.check.check_contracts` is the entry point.
"""
