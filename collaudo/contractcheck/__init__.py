"""``collaudo contract check``: the vendor's documentation checked as a person would.

Loading (:mod:`.sources`, :mod:`.detect`, :mod:`.textdoc`), checks per kind registered in
:mod:`.registry` (OpenAPI in :mod:`.openapi`, WSDL/XSD in :mod:`.wsdl`, Postman in
:mod:`.postman`), findings (:mod:`.findings`, sentences in :mod:`.messages`), the
five-operation mapping (:mod:`.operations`, :mod:`.mapping`) and the report writers
(:mod:`.report`).

The API other parts build on (the driver scaffolding, the contract simulator)::

    from collaudo.contractcheck import check_contracts
    report = check_contracts(["gpd.json", "gpd_payments.json"])
    report.mapping["create"].operation      # Operation: kind, name, method, path, soap_action…
    report.mapping["notice"].status         # "found" | "ambiguous" | "missing"
    report.mapping["status"].candidates     # scored candidates with their reasons
    report.documents[0].operations          # every operation of a document
"""

from collaudo.contractcheck.check import CheckReport, DocumentReport, check_contracts
from collaudo.contractcheck.findings import ContractInputError, Finding, Severity
from collaudo.contractcheck.mapping import VERBS, Candidate, VerbMapping, map_operations
from collaudo.contractcheck.operations import Operation

__all__ = [
    "VERBS",
    "Candidate",
    "CheckReport",
    "ContractInputError",
    "DocumentReport",
    "Finding",
    "Operation",
    "Severity",
    "VerbMapping",
    "check_contracts",
    "map_operations",
]
