"""The official MyPay contract files, loaded once at run time from ``../shared/contracts``.

Nothing here is copied into the repository: the WSDL served at ``/ws/pa?wsdl`` is the
official file with only its ``soap:address`` rewritten, the SOAP bodies are validated
against the WSDL's own inline schemas (compiled once with lxml, microseconds per
message), and the base64 ``Dovuti`` / ``Versamento`` / ``Pagati`` documents against
``PagInf_Dovuti_Pagati_6_2_0.xsd`` (compiled once with xmlschema).
"""

from __future__ import annotations

import copy
import functools
import logging
import os
from pathlib import Path
from typing import Any

from lxml import etree

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
PPT = "http://www.regione.veneto.it/pagamenti/ente/"
PPTHEAD = "http://www.regione.veneto.it/pagamenti/ente/ppthead"
PAY_I = "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"

WSDL_FILE = "mypay/pa-per-ente.wsdl"
DOCUMENTS_XSD = "mypay/PagInf_Dovuti_Pagati_6_2_0.xsd"
# Files the WSDL imports by relative location; served beside it so a client can load it.
SERVABLE = {"PagInf_Dovuti_Pagati_6_2_0.xsd", "PagInf_RP_Esito_6_2_0.xsd", "bilancioDefault.xsd"}


class ContractsMissing(RuntimeError):
    """The official contract files are not where they should be."""


def contracts_dir() -> Path | None:
    """``$COLLAUDO_CONTRACTS_DIR``, else ``../shared/contracts`` beside the repository."""
    env = os.environ.get("COLLAUDO_CONTRACTS_DIR")
    root = Path(__file__).resolve().parents[2]
    candidate = Path(env) if env else root.parent / "shared" / "contracts"
    return candidate if candidate.is_dir() else None


def contract_file(relative: str) -> Path:
    """The path of one official file; :class:`ContractsMissing` says where it was sought."""
    base = contracts_dir()
    path = (base / relative) if base else None
    if path is None or not path.is_file():
        raise ContractsMissing(
            f"official contract {relative} not found (looked in {base or '../shared/contracts'});"
            " set COLLAUDO_CONTRACTS_DIR to the directory holding mypay/pa-per-ente.wsdl"
        )
    return path


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@functools.lru_cache(maxsize=1)
def _wsdl_tree() -> etree._Element:
    root: etree._Element = etree.parse(str(contract_file(WSDL_FILE)), _parser()).getroot()
    return root


@functools.lru_cache(maxsize=16)
def wsdl_for(endpoint_url: str) -> bytes:
    """The official WSDL with its ``soap:address`` pointing at ``endpoint_url``."""
    root = copy.deepcopy(_wsdl_tree())
    for address in root.iter(f"{{{WSDL_SOAP}}}address"):
        address.set("location", endpoint_url)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def companion_xsd(name: str) -> bytes:
    """One of the schema files the WSDL imports by relative location."""
    if name not in SERVABLE:
        raise FileNotFoundError(name)
    return contract_file(f"mypay/{name}").read_bytes()


class _MemoryResolver(etree.Resolver):  # type: ignore[misc]
    def __init__(self, documents: dict[str, bytes]) -> None:
        super().__init__()
        self.documents = documents

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        if system_url in self.documents:
            return self.resolve_string(self.documents[system_url], context)
        return None


@functools.lru_cache(maxsize=1)
def body_schema() -> etree.XMLSchema:
    """The WSDL's inline schemas (``ppt`` and ``ppthead``) compiled with lxml.

    The ``ppt`` schema uses ``ppthead:stText35`` without importing that namespace (a
    defect of the official file, tolerated by JAXB); the import is added here so that
    libxml2 can compile it. Each inline schema is lifted into its own document with the
    WSDL's namespace declarations, since its QName-valued attributes rely on them.
    """
    wsdl = _wsdl_tree()
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
    head_import = etree.Element(f"{{{XSD}}}import", namespace=PPTHEAD, schemaLocation="mem:ppthead")
    ppt.insert(0, head_import)
    parser = _parser()
    parser.resolvers.add(_MemoryResolver({"mem:ppthead": etree.tostring(lifted[PPTHEAD])}))
    compiled = etree.XMLSchema(etree.fromstring(etree.tostring(ppt), parser))
    return compiled


@functools.lru_cache(maxsize=1)
def documents_schema() -> Any:
    """``PagInf_Dovuti_Pagati_6_2_0.xsd`` compiled with xmlschema (once)."""
    import xmlschema  # compiling takes a moment: only when documents are validated

    return xmlschema.XMLSchema(str(contract_file(DOCUMENTS_XSD)))


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether the official MyPay contracts are present (looked up once per process)."""
    try:
        contract_file(WSDL_FILE)
        contract_file(DOCUMENTS_XSD)
    except ContractsMissing:
        return False
    return True
