"""The official contracts the fuzzer uses as oracles, as :mod:`simulators.common.contracts`
finds and loads them (at run time, never copied).

Defects of the official files patched in memory are reported by every run that met them
(:func:`simulators.common.contracts.applied_defects`).
"""

from __future__ import annotations

from typing import Any

from simulators.common import openapi_files
from simulators.common.contracts import ContractsMissing as ContractsMissing
from simulators.common.contracts import available as available
from simulators.common.contracts import contract_file as contract_file
from simulators.common.contracts import official_available as official_available
from simulators.common.contracts import openapi_document
from simulators.govpay.defects import DEFECTS, PENDENZE

GOVPAY_PENDENZE = PENDENZE


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


def govpay_fixes() -> tuple[openapi_files.SpecFix, ...]:
    """The fixes of GovPay's documentation defects, as the GovPay simulator lists them."""
    return tuple(fix for defect in DEFECTS for fix in defect.fixes)


def govpay_defects(relative: str) -> tuple[str, ...]:
    """GovPay's documentation defects in ``relative`` (and its companion files), worded
    as contract defects: where, what the file says, what GovPay does."""
    folder = relative.rsplit("/", 1)[0]
    return tuple(
        f"contract defect {d.id} ({d.file.rsplit('/', 1)[-1]}, {d.where}): the file "
        f"{d.documented}; GovPay {d.govpay}"
        for d in DEFECTS
        if d.file.rsplit("/", 1)[0] == folder
    )


def govpay_pendenze_spec() -> dict[str, Any]:
    """API Pendenze v2 (``govpay-api-pendenze-v2.yaml``) with GovPay's listed documentation
    defects fixed: the answers GovPay gives but the file does not declare (201 on creation,
    422 on business rules, ...) are declared, so their bodies are still checked."""
    return openapi_files.bundled(GOVPAY_PENDENZE, govpay_fixes())
