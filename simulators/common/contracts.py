"""The official contract files: where they are, and the ones read whole, loaded once.

The files are never copied into the repository: they are read at run time from
``$COLLAUDO_CONTRACTS_DIR``, else from ``../shared/contracts`` beside the repository.
This module is the one place that knows that (the simulators, the fuzzer, the recorder
and the Docker stack all ask it); the adapter's drivers do not use it: they fetch their
WSDL by URL, as in production.

Two defects of the official files stop strict tools; the loaders here patch them in
memory, each reported once per process (a logged warning, and :func:`applied_defects`)
as a contract defect, never as a vendor's drift:

- ``gpd.json``'s path-parameter pattern ``[\\w*\\h-]+``: ``\\h`` is not ECMA-262 (nor
  Python); read as space and tab, its meaning (:data:`GPD_PATTERN`);
- ``pa-per-ente.wsdl``'s ``ppt`` inline schema uses ``ppthead:stText35`` without
  importing that namespace (JAXB tolerates it, libxml2 and xmlschema do not): the import
  is added (:data:`MYPAY_PPTHEAD_IMPORT`), only where it is missing (collaudo's built-in
  WSDL has it).

Where an official MyPay file is absent, collaudo's own description of the operations the
MyPay simulator implements serves in its place (:data:`BUILTIN_DIR`, laid out and named as
the official files; ``tests/contracts`` proves it wire-equivalent).
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lxml import etree

log = logging.getLogger(__name__)

ENV_VAR = "COLLAUDO_CONTRACTS_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]
# collaudo's own contracts, laid out as the official ones: used where those are absent.
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin_contracts"
XSD = "http://www.w3.org/2001/XMLSchema"
PPT = "http://www.regione.veneto.it/pagamenti/ente/"
PPTHEAD = "http://www.regione.veneto.it/pagamenti/ente/ppthead"

GPD_JSON = "pagopa/openapi/gpd.json"
MYPAY_WSDL = "mypay/pa-per-ente.wsdl"
MYPAY_DOCUMENTS_XSD = "mypay/PagInf_Dovuti_Pagati_6_2_0.xsd"
PAFORNODE_WSDL = "pagopa/wsdl/paForNode.wsdl"
PAFORNODE_XSD = "pagopa/wsdl/xsd/paForNode.xsd"


class ContractsMissing(RuntimeError):
    """An official contract file is not where it is sought; the message says where."""


@dataclass(frozen=True)
class Defect:
    """A defect of an official contract file, worked around in memory."""

    file: str
    where: str
    problem: str
    workaround: str

    def __str__(self) -> str:
        return f"{self.file} {self.where}: {self.problem} (worked around: {self.workaround})"


GPD_PATTERN = Defect(
    GPD_JSON,
    "path parameters (iupd)",
    "pattern '[\\w*\\h-]+' uses \\h, which ECMA-262 regular expressions (OpenAPI's dialect) "
    "do not define: strict OpenAPI validators reject the whole document",
    "read as '[\\w* \\t-]+' (\\h is space and tab)",
)
MYPAY_PPTHEAD_IMPORT = Defect(
    MYPAY_WSDL,
    "schema ppt",
    "uses ppthead:stText35 without importing the ppthead namespace",
    "the import is added in memory",
)
KNOWN_DEFECTS = (GPD_PATTERN, MYPAY_PPTHEAD_IMPORT)

_applied: dict[Defect, None] = {}  # insertion-ordered set
_applied_lock = threading.Lock()


def _apply(defect: Defect) -> None:
    with _applied_lock:
        if defect in _applied:
            return
        _applied[defect] = None
    log.warning("contract defect worked around: %s", defect)


def applied_defects() -> tuple[Defect, ...]:
    """The known defects this process has patched so far, each once, in order."""
    with _applied_lock:
        return tuple(_applied)


# --- where the files are ---------------------------------------------------------------------


def search_dir() -> Path:
    """Where the contracts are sought: ``$COLLAUDO_CONTRACTS_DIR``, else
    ``../shared/contracts`` beside the repository (it may not exist)."""
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else REPO_ROOT.parent / "shared" / "contracts"


def contracts_dir() -> Path | None:
    """The contracts directory (resolved), or None when it does not exist."""
    candidate = search_dir()
    return candidate.resolve() if candidate.is_dir() else None


def find(relative: str) -> Path | None:
    """The path of one official file, or None when it is absent."""
    path = search_dir() / relative
    # --- built-in fallback (branch builtin; the lead reconciles with the lookup order) ---
    if not path.is_file() and (BUILTIN_DIR / relative).is_file():
        return BUILTIN_DIR / relative
    # ---
    return path if path.is_file() else None


def contract_file(relative: str) -> Path:
    """The path of one official file; :class:`ContractsMissing` says where it was sought."""
    path = find(relative)
    if path is None:
        raise ContractsMissing(
            f"official contract {relative} not found in {search_dir()}: put pagoPA's and "
            f"MyPay's contracts in ../shared/contracts beside the repository or set {ENV_VAR} "
            "to the directory holding them"
        )
    return path


def available(*relative: str) -> bool:
    """Whether every named official file is present."""
    return all(find(name) is not None for name in relative)


# --- loaders (cached: compiled once per process; callers must not mutate results) -----------


def xml_parser() -> etree.XMLParser:
    """lxml's parser with DTDs, entities and the network refused."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@functools.cache
def _json(relative: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(contract_file(relative).read_text(encoding="utf-8"))
    return loaded


_H_ESCAPE = re.compile(r"\\h")


def _patched_patterns(node: Any) -> tuple[Any, bool]:
    if isinstance(node, dict):
        out, changed = {}, False
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str) and _H_ESCAPE.search(value):
                out[key], changed = _H_ESCAPE.sub(r" \\t", value), True
            else:
                out[key], inner = _patched_patterns(value)
                changed = changed or inner
        return out, changed
    if isinstance(node, list):
        items = [_patched_patterns(item) for item in node]
        return [item for item, _ in items], any(changed for _, changed in items)
    return node, False


@functools.cache
def _openapi(relative: str) -> dict[str, Any]:
    document, patched = _patched_patterns(_json(relative))
    if patched:
        _apply(GPD_PATTERN if relative == GPD_JSON else replace(GPD_PATTERN, file=relative))
    result: dict[str, Any] = document
    return result


def openapi_document(relative: str) -> dict[str, Any]:
    """An official OpenAPI document (JSON), ``\\h`` patterns patched; a fresh copy."""
    return copy.deepcopy(_openapi(relative))


@functools.cache
def mypay_wsdl() -> etree._Element:
    """``pa-per-ente.wsdl``'s root element as published (shared: copy before changing)."""
    root: etree._Element = etree.parse(str(contract_file(MYPAY_WSDL)), xml_parser()).getroot()
    return root


@functools.cache
def mypay_inline_schemas() -> dict[str, bytes]:
    """The WSDL's inline schemas by target namespace (see :func:`lift_inline_schemas`),
    the official file's missing ``ppthead`` import added and reported."""
    lifted, patched = lift_inline_schemas(mypay_wsdl(), contract_file(MYPAY_WSDL).parent)
    if patched:
        _apply(MYPAY_PPTHEAD_IMPORT)
    return lifted


def _uses_namespace(schema: etree._Element, namespace: str) -> bool:
    """Whether a QName attribute (``type``, ``ref``, ``base``...) in ``schema`` names a
    component of ``namespace``."""
    for node in schema.iter(etree.Element):
        for key in ("type", "ref", "base", "itemType", "substitutionGroup"):
            value = node.get(key)
            if value is not None:
                prefix = value.split(":", 1)[0] if ":" in value else None
                if node.nsmap.get(prefix) == namespace:
                    return True
    return False


def lift_inline_schemas(wsdl: etree._Element, base: Path) -> tuple[dict[str, bytes], bool]:
    """A WSDL's inline schemas by target namespace, each lifted into its own document with
    the WSDL's namespace declarations (their QName attributes rely on them) and its
    relative imports made absolute against ``base`` (the WSDL's directory). A ``ppt``
    schema that uses ``ppthead`` without importing it (the official file's defect) gets
    the import, without a location (compilers are given both documents); the flag says
    whether that happened."""
    lifted: dict[str, bytes] = {}
    patched = False
    for schema in wsdl.iter(f"{{{XSD}}}schema"):
        nsmap = {k: v for k, v in {**wsdl.nsmap, **schema.nsmap}.items() if k}
        doc = etree.Element(f"{{{XSD}}}schema", nsmap=nsmap)
        for key, value in schema.attrib.items():
            doc.set(key, value)
        doc.extend(copy.deepcopy(child) for child in schema)
        for imported in doc.findall(f"{{{XSD}}}import"):
            location = imported.get("schemaLocation")
            if location and "://" not in location:
                imported.set("schemaLocation", (base / location).resolve().as_uri())
        namespace = schema.get("targetNamespace", "")
        imports = {i.get("namespace") for i in doc.findall(f"{{{XSD}}}import")}
        if namespace == PPT and PPTHEAD not in imports and _uses_namespace(doc, PPTHEAD):
            doc.insert(0, etree.Element(f"{{{XSD}}}import", namespace=PPTHEAD))
            patched = True
        lifted[namespace] = etree.tostring(doc)
    return lifted, patched


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
    """The SOAP bodies' schema (``ppt`` with ``ppthead``) compiled with lxml."""
    schemas = mypay_inline_schemas()
    ppt = etree.fromstring(schemas[PPT], xml_parser())
    for imported in ppt.findall(f"{{{XSD}}}import"):
        if imported.get("namespace") == PPTHEAD:
            imported.set("schemaLocation", "mem:ppthead")
    parser = xml_parser()
    parser.resolvers.add(_MemoryResolver({"mem:ppthead": schemas[PPTHEAD]}))
    return etree.XMLSchema(etree.fromstring(etree.tostring(ppt), parser))


@functools.cache
def lxml_schema(relative: str) -> etree.XMLSchema:
    """An official XSD compiled with lxml (fast validation, libxml2's messages)."""
    return etree.XMLSchema(etree.parse(str(contract_file(relative)), xml_parser()))


@functools.cache
def xmlschema_schema(relative: str) -> Any:
    """An official XSD compiled with xmlschema (components, paths in errors)."""
    import xmlschema  # compiling takes a moment: only when a schema is needed

    return xmlschema.XMLSchema(str(contract_file(relative)))
