"""The official contracts as the recorder's drift checks read them.

:mod:`simulators.common.contracts` finds them (never copied; drift checks only against the
official files, never the built-in MyPay contract) and patches the defects of the official files
that stop a validator, reporting each once (:class:`Defect`), so drift output can name
them as contract defects, not vendor drift. Schemas are compiled once per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from lxml import etree

from simulators.common import contracts as official
from simulators.common import openapi_files
from simulators.common.contracts import Defect as Defect
from simulators.govpay import defects as govpay_defects

PPT = official.PPT
OPENAPI_FILES = {
    "gpd": ("pagopa/openapi/gpd.json", "pagopa/openapi/gpd_payments.json"),
    "checkout": ("pagopa/openapi/checkout_v1.json",),
    # API Pendenze v2 (the proxy → GovPay) and API Ente v2 (GovPay → the proxy).
    "govpay": (govpay_defects.PENDENZE, govpay_defects.ENTE_EC),
}
# Where each GovPay API is served when the file's own server URL says nothing useful: API
# Ente v2 is the creditor's, so it lives wherever the proxy serves it.
GOVPAY_BASE_PATHS = {govpay_defects.ENTE_EC: "/govpay/ente/v2"}
MYPAY_WSDL = official.MYPAY_WSDL
MYPAY_DOCUMENTS = official.MYPAY_DOCUMENTS_XSD
PAFORNODE_XSD = official.PAFORNODE_XSD
CONTRACTS = ("mypay", "gpd", "paForNode", "checkout", "govpay")
MYPAY_DEFECTS = (official.MYPAY_PPTHEAD_IMPORT,)


def files(contract: str) -> tuple[str, ...]:
    """The official files ``contract`` (mypay, gpd, paForNode, checkout, govpay) is checked
    against."""
    return {
        "mypay": (MYPAY_WSDL, MYPAY_DOCUMENTS),
        "paForNode": (PAFORNODE_XSD,),
        **OPENAPI_FILES,
    }[contract]


def missing(contract: str) -> list[str]:
    """The official files of ``contract`` not found (the built-in ones do not count)."""
    return [name for name in files(contract) if not official.official_available(name)]


def available(contract: str) -> bool:
    """Whether the official files of ``contract`` are all present."""
    return not missing(contract)


def mypay_body_schema() -> etree.XMLSchema:
    """The WSDL's inline schemas compiled with lxml (the ``ppthead`` import added)."""
    return official.mypay_body_schema()


def mypay_documents_schema() -> etree.XMLSchema:
    """``PagInf_Dovuti_Pagati_6_2_0.xsd`` (the base64 ``Versamento``/``Dovuti``/``Pagati``)."""
    return official.lxml_schema(MYPAY_DOCUMENTS)


def pafornode_schema() -> etree.XMLSchema:
    return official.lxml_schema(PAFORNODE_XSD)


def _openapi_30_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's ``null`` type, everywhere."""
    if isinstance(node, dict):
        out = {k: _openapi_30_to_jsonschema(v) for k, v in node.items()}
        if out.pop("nullable", False) and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [_openapi_30_to_jsonschema(v) for v in node]
    return node


@dataclass(frozen=True)
class OpenApi:
    """One OpenAPI document, patched and converted for jsonschema, with its base path."""

    file: str
    base_path: str
    document: dict[str, Any]
    defects: tuple[Defect, ...]


def _govpay_document(relative: str) -> tuple[dict[str, Any], tuple[Defect, ...]]:
    """A GovPay file through the shared loader, GovPay's documentation defects fixed as the
    GovPay simulator lists them, and those defects as contract defects."""
    listed = govpay_defects.DEFECTS
    fixes = tuple(fix for defect in listed for fix in defect.fixes)
    folder = relative.rsplit("/", 1)[0]
    found = tuple(
        Defect(d.file, d.where, f"the file {d.documented}; GovPay {d.govpay}", "fixed in memory")
        for d in listed
        if d.file.rsplit("/", 1)[0] == folder
    )
    return openapi_files.bundled(relative, fixes), found


@functools.cache
def openapi(relative: str) -> OpenApi:
    if relative.startswith("govpay/"):
        raw, defects = _govpay_document(relative)
    else:
        raw = official.openapi_document(relative)
        defects = tuple(d for d in official.applied_defects() if d.file == relative)
    document = _openapi_30_to_jsonschema(raw)
    server = (document.get("servers") or [{"url": "/"}])[0]["url"]
    base = "/" + server.split("://", 1)[-1].split("/", 1)[-1] if "://" in server else server
    base = GOVPAY_BASE_PATHS.get(relative, base)
    return OpenApi(relative, base.rstrip("/"), document, defects)
