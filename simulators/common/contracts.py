"""The official contract files: where they are found, and the ones read whole, loaded once.

The files are never copied into the repository. Each is looked for, per file, in order:

1. ``$COLLAUDO_CONTRACTS_DIR``;
2. a contracts folder beside the checkout: ``../shared/contracts`` and ``../contracts``
   (``$COLLAUDO_CONTRACTS_BESIDE``, folders separated by ``os.pathsep``, replaces both);
3. the user cache, where ``collaudo contracts fetch`` puts them: ``<user cache>/collaudo/
   contracts`` (``$COLLAUDO_CACHE_DIR`` replaces ``<user cache>/collaudo``);
4. built-in: ``simulators/common/builtin_contracts/`` (``$COLLAUDO_BUILTIN_CONTRACTS_DIR``
   replaces it), the team's own MyPay-compatible contract, used only where no official
   file is found.

Every place follows the layout of the official contracts folder (``mypay/…``,
``pagopa/…``), so a test can point each of them at an empty folder. :func:`locate` says
where a file was found and whether its sha256 matches the lock
(:mod:`simulators.common.contract_lock`). This module is the one place that knows all
that (the simulators, the fuzzer, the recorder, drift, ``collaudo contracts`` and the
Docker stack all ask it); the adapter's drivers do not use it: they fetch their WSDL by
URL, as in production. A missing official file, or one replaced by the built-in contract,
is logged once per process, by name, with the remedy.

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
from typing import Any, Literal

import platformdirs
from lxml import etree

from simulators.common import contract_lock

log = logging.getLogger(__name__)

ENV_VAR = "COLLAUDO_CONTRACTS_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]
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

BESIDE_ENV = "COLLAUDO_CONTRACTS_BESIDE"
CACHE_ENV = "COLLAUDO_CACHE_DIR"
BUILTIN_ENV = "COLLAUDO_BUILTIN_CONTRACTS_DIR"
BUILTIN_DIR = Path(__file__).with_name("builtin_contracts")
FETCH = "collaudo contracts fetch"
PlaceKind = Literal["env", "beside", "cache", "builtin"]
State = Literal["verified", "differs", "unpinned", "built-in", "missing"]


@dataclass(frozen=True)
class Place:
    """One place where contract files are looked for, in the contracts folder's layout."""

    kind: PlaceKind
    directory: Path

    @property
    def label(self) -> str:
        return {
            "env": f"${ENV_VAR}",
            "beside": "beside the checkout",
            "cache": "user cache",
            "builtin": "built-in",
        }[self.kind]

    def describe(self) -> str:
        return f"{self.label} ({self.directory})"


def cache_dir() -> Path:
    """Where ``collaudo contracts fetch`` puts the official files (the user cache)."""
    root = os.environ.get(CACHE_ENV)
    base = Path(root) if root else Path(platformdirs.user_cache_dir("collaudo", appauthor=False))
    return base / "contracts"


def builtin_dir() -> Path:
    """The built-in contracts (the team's own MyPay-compatible WSDL/XSD)."""
    chosen = os.environ.get(BUILTIN_ENV)
    return Path(chosen) if chosen else BUILTIN_DIR


def _beside_dirs() -> list[Path]:
    chosen = os.environ.get(BESIDE_ENV)
    if chosen is not None:
        return [Path(p) for p in chosen.split(os.pathsep) if p]
    if not (REPO_ROOT / "pyproject.toml").is_file():  # an installed copy: no checkout
        return []
    return [REPO_ROOT.parent / "shared" / "contracts", REPO_ROOT.parent / "contracts"]


def places() -> list[Place]:
    """Every place looked in, in order (they may not exist)."""
    found: list[Place] = []
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        found.append(Place("env", Path(explicit)))
    found += [Place("beside", d) for d in _beside_dirs()]
    found.append(Place("cache", cache_dir()))
    found.append(Place("builtin", builtin_dir()))
    return found


def _where_looked() -> str:
    shown = [p.describe() for p in places()]
    if not os.environ.get(ENV_VAR):
        shown.insert(0, f"${ENV_VAR} (unset)")
    return ", ".join(shown)


def missing_message(*relative: str) -> str:
    """What to say when no place has these files: where they were sought, what to do."""
    return (
        f"official contract {', '.join(relative)} not found (looked in {_where_looked()}): "
        f"run `{FETCH}`, or set {ENV_VAR} to a folder holding the official contracts"
    )


@dataclass(frozen=True)
class Located:
    """Where one contract file was found, and how it compares with the lock."""

    relative: str
    place: Place | None
    path: Path | None
    state: State
    sha256: str | None = None  # of the file found (None when missing or built-in)

    @property
    def official(self) -> bool:
        return self.place is not None and self.place.kind != "builtin"

    @property
    def where(self) -> str:
        return self.place.label if self.place is not None else "missing"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.relative,
            "found": self.where,
            "path": str(self.path) if self.path is not None else None,
            "sha256": self.state,
        }


def _first(relative: str, *, official_only: bool = False) -> tuple[Place, Path] | None:
    for place in places():
        if official_only and place.kind == "builtin":
            continue
        path = place.directory / relative
        if path.is_file():
            return place, path
    return None


def locate(relative: str) -> Located:
    """Where ``relative`` is found first, and its sha256 state against the lock."""
    hit = _first(relative)
    if hit is None:
        return Located(relative, None, None, "missing")
    place, path = hit
    if place.kind == "builtin":
        return Located(relative, place, path, "built-in")
    digest = contract_lock.sha256_of(path)
    pinned = contract_lock.pin(relative)
    if pinned is None:
        return Located(relative, place, path, "unpinned", digest)
    state: State = "verified" if digest == pinned.sha256 else "differs"
    return Located(relative, place, path, state, digest)


def locate_all(relatives: tuple[str, ...] | None = None) -> list[Located]:
    """:func:`locate` for each named file (default: every file the lock pins)."""
    names = relatives if relatives is not None else tuple(contract_lock.pins())
    return [locate(name) for name in names]


_said: set[tuple[str, str]] = set()
_said_lock = threading.Lock()


def _say_once(relative: str, kind: str, message: str) -> None:
    with _said_lock:
        if (relative, kind) in _said:
            return
        _said.add((relative, kind))
    log.warning("%s", message)


def find(relative: str) -> Path | None:
    """The path of one contract file (official, else built-in), or None when absent.

    Says once per process when the file is missing or only the built-in one is used."""
    hit = _first(relative)
    if hit is None:
        _say_once(relative, "missing", f"{missing_message(relative)}; what needs it is not checked")
        return None
    place, path = hit
    if place.kind == "builtin":
        _say_once(
            relative,
            "builtin",
            f"official contract {relative} not found: using collaudo's built-in one; "
            f"not validated against the official file — run `{FETCH}`",
        )
    return path


def find_official(relative: str) -> Path | None:
    """The path of one official file (never the built-in one), or None when absent."""
    hit = _first(relative, official_only=True)
    return hit[1] if hit is not None else None


def contract_file(relative: str) -> Path:
    """The path of one contract file; :class:`ContractsMissing` says where it was sought."""
    path = find(relative)
    if path is None:
        raise ContractsMissing(missing_message(relative))
    return path


def available(*relative: str) -> bool:
    """Whether every named file is present (an official one, else a built-in one)."""
    return all(find(name) is not None for name in relative)


def official_available(*relative: str) -> bool:
    """Whether every named file is present as an official file (the built-in ones do not
    count: for oracles such as the fuzzer and drift, which check against the vendor's)."""
    return all(find_official(name) is not None for name in relative)


def contracts_dir() -> Path | None:
    """The first existing folder of official contracts (``$COLLAUDO_CONTRACTS_DIR``,
    beside the checkout, the user cache), resolved; None when there is none. For what
    needs one folder (the Docker stack mounts it)."""
    for place in places():
        if place.kind != "builtin" and place.directory.is_dir():
            return place.directory.resolve()
    return None


def announce(part: str) -> dict[str, Any]:
    """Say once per process, by name with the remedy, each file ``part`` runs without (or
    on a version the lock does not pin); return its :func:`facts`."""
    found = locate_all(contract_lock.used_by(part))
    for item in found:
        if item.state == "missing":
            _say_once(
                item.relative,
                "missing",
                f"{missing_message(item.relative)}; {part} does not validate against it",
            )
        elif item.state == "built-in":
            _say_once(
                item.relative,
                "builtin",
                f"official contract {item.relative} not "
                f"found: {part} uses collaudo's built-in one; not validated against "
                f"the official file — run `{FETCH}`",
            )
        elif item.state == "differs":
            _say_once(
                item.relative,
                "differs",
                f"official contract {item.relative} at "
                f"{item.path} differs from the lock: run collaudo drift against it, "
                "or update the lock",
            )
    return summary(found)


def search_dir() -> Path:
    """One folder of official contracts, for code that reads a whole folder (prefer
    :func:`find` / :func:`locate`, which look per file): the first of
    ``$COLLAUDO_CONTRACTS_DIR``, beside the checkout and the user cache that holds a pinned
    file, else the first that exists, else the first looked in."""
    official = [p.directory for p in places() if p.kind != "builtin"]
    pinned = tuple(contract_lock.pins())
    for directory in official:
        if any((directory / relative).is_file() for relative in pinned):
            return directory
    return next((d for d in official if d.is_dir()), official[0])


def facts(part: str) -> dict[str, Any]:
    """What ``part`` (``simulator:mypay``…) is and is not checked against, for ``/status``:
    ``official`` is ``verified``, ``differs``, ``built-in`` or ``missing`` (the worst of its
    files), ``not_validated_against`` the files it runs without, ``remedy`` what to do."""
    found = locate_all(contract_lock.used_by(part))
    return summary(found)


def summary(found: list[Located]) -> dict[str, Any]:
    """The overall state of these files (see :func:`facts`)."""
    states = {f.state for f in found}
    overall = next((s for s in ("missing", "differs", "built-in") if s in states), "verified")
    not_validated = [f.relative for f in found if f.state in ("missing", "built-in")]
    remedy = None
    if not_validated:
        remedy = f"run {FETCH}"
    elif overall == "differs":
        remedy = "run collaudo drift against the new file, or update the lock"
    return {
        "official": overall,
        "not_validated_against": not_validated,
        "differs": [f.relative for f in found if f.state == "differs"],
        "remedy": remedy,
        "files": [f.to_dict() for f in found],
    }


def clear_caches() -> None:
    """Forget every cached lookup, load, hash and message (tests that move files)."""
    for cached in (_json, _openapi, mypay_wsdl, mypay_inline_schemas, mypay_body_schema):
        cached.cache_clear()
    lxml_schema.cache_clear()
    xmlschema_schema.cache_clear()
    contract_lock.clear_hashes()
    with _said_lock:
        _said.clear()
    with _applied_lock:
        _applied.clear()


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
        if imported.get("namespace") == PPTHEAD and PPTHEAD in schemas:
            imported.set("schemaLocation", "mem:ppthead")
    parser = xml_parser()
    if PPTHEAD in schemas:
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
