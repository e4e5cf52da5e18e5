"""The official contracts, loaded at run time from ``../shared/contracts`` (never copied).

``$COLLAUDO_CONTRACTS_DIR`` overrides the location. Schemas are compiled once per process.
Defects of the official files that stop a validator are patched in memory and reported
(:data:`DEFECTS`), so drift output can name them as contract defects, not vendor drift.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

XSD = "http://www.w3.org/2001/XMLSchema"
PPT = "http://www.regione.veneto.it/pagamenti/ente/"
PPTHEAD = "http://www.regione.veneto.it/pagamenti/ente/ppthead"

OPENAPI_FILES = {
    "gpd": ("pagopa/openapi/gpd.json", "pagopa/openapi/gpd_payments.json"),
    "checkout": ("pagopa/openapi/checkout_v1.json",),
}
MYPAY_WSDL = "mypay/pa-per-ente.wsdl"
MYPAY_DOCUMENTS = "mypay/PagInf_Dovuti_Pagati_6_2_0.xsd"
PAFORNODE_XSD = "pagopa/wsdl/xsd/paForNode.xsd"
CONTRACTS = ("mypay", "gpd", "paForNode", "checkout")


class ContractMissing(RuntimeError):
    """An official contract file is absent; the message says where it was sought."""


@dataclass(frozen=True)
class Defect:
    """A defect of an official contract file, worked around in memory."""

    file: str
    where: str
    problem: str
    workaround: str

    def __str__(self) -> str:
        return f"{self.file} {self.where}: {self.problem} (worked around: {self.workaround})"


def contracts_dir() -> Path:
    env = os.environ.get("COLLAUDO_CONTRACTS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "contracts"


def contract_file(relative: str) -> Path:
    path = contracts_dir() / relative
    if not path.is_file():
        raise ContractMissing(
            f"official contract {relative} not found in {contracts_dir()}: put pagoPA's and "
            "MyPay's contracts there or set COLLAUDO_CONTRACTS_DIR"
        )
    return path


def available(contract: str) -> bool:
    files = {
        "mypay": (MYPAY_WSDL, MYPAY_DOCUMENTS),
        "paForNode": (PAFORNODE_XSD,),
        **OPENAPI_FILES,
    }[contract]
    return all((contracts_dir() / f).is_file() for f in files)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class _MemoryResolver(etree.Resolver):  # type: ignore[misc]
    def __init__(self, documents: dict[str, bytes]) -> None:
        super().__init__()
        self.documents = documents

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        if system_url in self.documents:
            return self.resolve_string(self.documents[system_url], context)
        return None


@functools.cache
def mypay_body_schema() -> etree.XMLSchema:
    """The WSDL's inline schemas compiled with lxml.

    The ``ppt`` schema uses ``ppthead:stText35`` without importing its namespace (tolerated
    by JAXB, refused by libxml2): the import is added in memory. Each inline schema is
    lifted into its own document with the WSDL's namespace declarations.
    """
    wsdl = etree.parse(str(contract_file(MYPAY_WSDL)), _parser()).getroot()
    lifted: dict[str, etree._Element] = {}
    for schema in wsdl.iter(f"{{{XSD}}}schema"):
        nsmap = {k: v for k, v in {**wsdl.nsmap, **schema.nsmap}.items() if k}
        doc = etree.Element(f"{{{XSD}}}schema", nsmap=nsmap)
        for key, value in schema.attrib.items():
            doc.set(key, value)
        doc.extend(copy.deepcopy(child) for child in schema)
        lifted[schema.get("targetNamespace", "")] = doc
    ppt = lifted[PPT]
    for imported in ppt.findall(f"{{{XSD}}}import"):
        location = imported.get("schemaLocation")
        if location:
            imported.set("schemaLocation", contract_file(f"mypay/{location}").as_uri())
    ppt.insert(0, etree.Element(f"{{{XSD}}}import", namespace=PPTHEAD, schemaLocation="mem:h"))
    parser = _parser()
    parser.resolvers.add(_MemoryResolver({"mem:h": etree.tostring(lifted[PPTHEAD])}))
    return etree.XMLSchema(etree.fromstring(etree.tostring(ppt), parser))


@functools.cache
def mypay_documents_schema() -> etree.XMLSchema:
    """``PagInf_Dovuti_Pagati_6_2_0.xsd`` (the base64 ``Versamento``/``Dovuti``/``Pagati``)."""
    return etree.XMLSchema(etree.parse(str(contract_file(MYPAY_DOCUMENTS)), _parser()))


@functools.cache
def pafornode_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(contract_file(PAFORNODE_XSD)), _parser()))


MYPAY_DEFECTS = (
    Defect(
        MYPAY_WSDL,
        "schema ppt",
        "uses ppthead:stText35 without importing the ppthead namespace",
        "the import is added in memory",
    ),
)
_BAD_PATTERN = re.compile(r"\\h")


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


def _patch_patterns(node: Any, file: str, where: str, defects: list[Defect]) -> Any:
    """Patterns using ``\\h`` (not ECMA-262, nor Python): ``\\h`` becomes space and tab."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str) and _BAD_PATTERN.search(value):
                patched = _BAD_PATTERN.sub(r" \\t", value)
                defects.append(
                    Defect(
                        file,
                        where,
                        f"pattern {value!r} uses \\h, which ECMA-262 regular expressions "
                        "do not define (strict OpenAPI validators reject the document)",
                        f"read as {patched!r}",
                    )
                )
                out[key] = patched
            else:
                out[key] = _patch_patterns(value, file, f"{where}/{key}", defects)
        return out
    if isinstance(node, list):
        return [_patch_patterns(v, file, where, defects) for v in node]
    return node


@dataclass(frozen=True)
class OpenApi:
    """One OpenAPI document, patched and converted for jsonschema, with its base path."""

    file: str
    base_path: str
    document: dict[str, Any]
    defects: tuple[Defect, ...]


@functools.cache
def openapi(relative: str) -> OpenApi:
    raw = json.loads(contract_file(relative).read_text(encoding="utf-8"))
    defects: list[Defect] = []
    document = _patch_patterns(raw, relative, "", defects)
    document = _openapi_30_to_jsonschema(document)
    server = (document.get("servers") or [{"url": "/"}])[0]["url"]
    base = "/" + server.split("://", 1)[-1].split("/", 1)[-1] if "://" in server else server
    unique = tuple(dict.fromkeys(defects))
    return OpenApi(relative, base.rstrip("/"), document, unique)
