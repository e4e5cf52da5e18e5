"""The official contracts the fuzzer uses as oracles, as :mod:`simulators.common.contracts`
finds and loads them (at run time, never copied).

Defects of the official files patched in memory are reported by every run that met them
(:func:`simulators.common.contracts.applied_defects`).
"""

from __future__ import annotations

from typing import Any

from simulators.common.contracts import ContractsMissing as ContractsMissing
from simulators.common.contracts import available as available
from simulators.common.contracts import contract_file as contract_file
from simulators.common.contracts import official_available as official_available
from simulators.common.contracts import openapi_document


def _link(operation_id: str, parameters: dict[str, str]) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters}


def gpd_spec() -> dict[str, Any]:
    """``gpd.json`` with its invalid pattern patched and OpenAPI links added.

    The official document declares no links; the ones added say what its prose says (a
    created position is then read, updated, published, invalidated and deleted by its
    ``iupd``), so that schemathesis can run stateful sequences.
    """
    spec = openapi_document("pagopa/openapi/gpd.json")
    by_path = {
        "organizationfiscalcode": "$request.path.organizationfiscalcode",
        "iupd": "$response.body#/iupd",
    }
    create = spec["paths"]["/organizations/{organizationfiscalcode}/debtpositions"]["post"]
    links: dict[str, Any] = {}
    item = spec["paths"]["/organizations/{organizationfiscalcode}/debtpositions/{iupd}"]
    for method in ("get", "put", "delete"):
        if method in item and "operationId" in item[method]:
            links[f"{method.title()}Position"] = _link(item[method]["operationId"], by_path)
    for action in ("publish", "invalidate"):
        path = f"/organizations/{{organizationfiscalcode}}/debtpositions/{{iupd}}/{action}"
        operation = spec["paths"].get(path, {}).get("post", {})
        if "operationId" in operation:
            links[f"{action.title()}Position"] = _link(operation["operationId"], by_path)
    create["responses"]["201"].setdefault("links", {}).update(links)
    return spec


def gpd_payments_spec() -> dict[str, Any]:
    """``gpd_payments.json`` as published."""
    return openapi_document("pagopa/openapi/gpd_payments.json")


def checkout_spec() -> dict[str, Any]:
    """``checkout_v1.json`` as published."""
    return openapi_document("pagopa/openapi/checkout_v1.json")
