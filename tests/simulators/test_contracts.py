"""simulators.common.contracts: where the contract files are found, the lock, the patches."""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from simulators.common import contract_lock, contracts
from tests.contracts_env import needs_official

GPD = contracts.GPD_JSON
WSDL = contracts.MYPAY_WSDL
Isolate = Callable[..., dict[str, Path]]


def _put(folder: Path, relative: str, text: str) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_file_is_looked_for_in_order_env_beside_cache_builtin(
    isolated_contracts: Isolate,
) -> None:
    places = isolated_contracts()
    for kind in ("env", "beside", "cache", "builtin"):
        _put(places[kind], WSDL, f"<from-{kind}/>")
    for kind in ("env", "beside", "cache", "builtin"):
        found = contracts.locate(WSDL)
        assert found.place is not None and found.place.kind == kind
        assert found.path == places[kind] / WSDL
        assert contracts.find(WSDL) == places[kind] / WSDL
        (places[kind] / WSDL).unlink()
    assert contracts.locate(WSDL).state == "missing"
    assert contracts.find(WSDL) is None


def test_the_lookup_is_per_file(isolated_contracts: Isolate) -> None:
    places = isolated_contracts()
    _put(places["env"], GPD, "{}")
    _put(places["cache"], WSDL, "<w/>")
    assert contracts.locate(GPD).where == f"${contracts.ENV_VAR}"
    assert contracts.locate(WSDL).where == "user cache"
    assert contracts.available(GPD, WSDL)
    assert not contracts.available(GPD, WSDL, contracts.PAFORNODE_XSD)


def test_a_miss_names_every_place_and_the_remedy(isolated_contracts: Isolate) -> None:
    places = isolated_contracts()
    with pytest.raises(contracts.ContractsMissing) as missing:
        contracts.contract_file(WSDL)
    message = str(missing.value)
    assert WSDL in message and "collaudo contracts fetch" in message
    for label in (f"${contracts.ENV_VAR}", "beside the checkout", "user cache", "built-in"):
        assert label in message
    for folder in places.values():
        assert str(folder) in message


def test_built_in_files_count_as_available_but_never_as_official(
    isolated_contracts: Isolate,
) -> None:
    places = isolated_contracts()
    _put(places["builtin"], WSDL, "<built-in/>")
    assert contracts.locate(WSDL).state == "built-in"
    assert contracts.available(WSDL) and not contracts.official_available(WSDL)
    assert contracts.find_official(WSDL) is None
    assert contracts.contracts_dir() is not None  # the empty env folder exists
    assert contracts.contracts_dir() == places["env"].resolve()


def test_a_file_that_is_not_the_pinned_one_differs(isolated_contracts: Isolate) -> None:
    places = isolated_contracts()
    path = _put(places["beside"], WSDL, "<another-version/>")
    found = contracts.locate(WSDL)
    assert found.state == "differs" and found.where == "beside the checkout"
    assert found.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    _put(places["beside"], "mypay/unknown.xsd", "<x/>")
    assert contracts.locate("mypay/unknown.xsd").state == "unpinned"


def test_the_search_dir_is_the_first_official_folder_holding_a_pinned_file(
    isolated_contracts: Isolate,
) -> None:
    places = isolated_contracts()
    assert contracts.search_dir() == places["env"]  # nothing anywhere: the first place
    _put(places["cache"], GPD, "{}")
    assert contracts.search_dir() == places["cache"]
    _put(places["beside"], WSDL, "<w/>")
    assert contracts.search_dir() == places["beside"]
    _put(places["builtin"], contracts.PAFORNODE_XSD, "<x/>")  # built-in: never a search dir
    assert contracts.search_dir() == places["beside"]


def test_each_place_is_moved_by_its_environment_variable(
    isolated_contracts: Isolate, tmp_path: Path
) -> None:
    places = isolated_contracts(cache_root=tmp_path / "my-cache")
    kinds = [(p.kind, p.directory) for p in contracts.places()]
    assert kinds == [
        ("env", places["env"]),
        ("beside", places["beside"]),
        ("cache", tmp_path / "my-cache" / "contracts"),
        ("builtin", places["builtin"]),
    ]


def test_by_default_the_contracts_are_sought_beside_the_checkout_and_in_the_user_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (contracts.ENV_VAR, contracts.BESIDE_ENV, contracts.CACHE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(contracts.BUILTIN_ENV, raising=False)
    repo = Path(__file__).resolve().parents[2]
    found = [(p.kind, p.directory) for p in contracts.places()]
    assert found[:2] == [
        ("beside", repo.parent / "shared" / "contracts"),
        ("beside", repo.parent / "contracts"),
    ]
    assert found[2][0] == "cache" and found[2][1].parts[-2:] == ("collaudo", "contracts")
    assert found[3] == ("builtin", repo / "simulators" / "common" / "builtin_contracts")


def test_hashes_are_computed_once_per_version_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "f.xsd"
    path.write_bytes(b"one")
    first = contract_lock.sha256_of(path)
    assert first == hashlib.sha256(b"one").hexdigest()
    path.write_bytes(b"two, longer")  # another size: another version
    assert contract_lock.sha256_of(path) == hashlib.sha256(b"two, longer").hexdigest()


def test_the_lock_pins_every_file_with_its_facts() -> None:
    document = tomllib.loads(contract_lock.LOCK_FILE.read_text(encoding="utf-8"))
    assert len(document["files"]) == len(contract_lock.pins()) >= 28
    for relative, pin in contract_lock.pins().items():
        assert relative.split("/")[0] in {"mypay", "pagopa", "govpay"}
        assert len(pin.commit) == 40 and int(pin.commit, 16) >= 0
        assert len(pin.sha256) == 64 and pin.size > 0 and pin.licence and pin.used_by
        assert pin.upstream_url is not None and pin.upstream_url == (
            f"https://raw.githubusercontent.com/{pin.repository.removeprefix('https://github.com/')}"
            f"/{pin.commit}/{pin.path}"
        )
    mypay = contract_lock.used_by("simulator:mypay")
    assert WSDL in mypay and contracts.MYPAY_DOCUMENTS_XSD in mypay


@needs_official(*contract_lock.pins())
def test_the_official_files_found_are_the_pinned_ones() -> None:
    assert {f.relative: f.state for f in contracts.locate_all()} == dict.fromkeys(
        contract_lock.pins(), "verified"
    )


@needs_official(GPD, WSDL)
def test_gpd_pattern_is_patched_and_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="simulators.common.contracts"):
        first = contracts.openapi_document(GPD)
        second = contracts.openapi_document(GPD)
    raw = contracts.contract_file(GPD).read_text(encoding="utf-8")
    assert "\\\\h" in raw and "\\\\h" not in str(first)
    patterns = [
        p["schema"]["pattern"]
        for item in first["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for p in operation.get("parameters", [])
        if "pattern" in p.get("schema", {})
    ]
    assert "[\\w* \\t-]+" in patterns
    first["paths"].clear()  # a fresh copy each time: the cache is not touched
    assert second["paths"] and contracts.openapi_document(GPD)["paths"]
    assert contracts.applied_defects().count(contracts.GPD_PATTERN) == 1
    assert len([r for r in caplog.records if "gpd.json" in r.getMessage()]) <= 1


@needs_official(WSDL)
def test_mypay_inline_schemas_compile_with_the_ppthead_import_added() -> None:
    schema = contracts.mypay_body_schema()
    assert schema is contracts.mypay_body_schema()  # compiled once
    assert contracts.MYPAY_PPTHEAD_IMPORT in contracts.applied_defects()
    assert set(contracts.mypay_inline_schemas()) >= {contracts.PPT, contracts.PPTHEAD}


def _wsdl_with_ppt_schema(body: str) -> etree._Element:
    return etree.fromstring(
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:ppt="{contracts.PPT}" xmlns:ppthead="{contracts.PPTHEAD}"><wsdl:types>'
        f'<xs:schema targetNamespace="{contracts.PPTHEAD}"><xs:simpleType name="t">'
        '<xs:restriction base="xs:string"/></xs:simpleType></xs:schema>'
        f'<xs:schema targetNamespace="{contracts.PPT}">{body}</xs:schema>'
        "</wsdl:types></wsdl:definitions>"
    )


@pytest.mark.parametrize(
    ("body", "patched"),
    [
        ('<xs:element name="e" type="ppthead:t"/>', True),  # the official file's defect
        (
            f'<xs:import namespace="{contracts.PPTHEAD}"/><xs:element name="e" type="ppthead:t"/>',
            False,
        ),
        ('<xs:element name="e" type="xs:string"/>', False),  # ppthead not used at all
    ],
)
def test_the_ppthead_import_is_added_only_where_it_is_used_and_missing(
    body: str, patched: bool, tmp_path: Path
) -> None:
    lifted, applied = contracts.lift_inline_schemas(_wsdl_with_ppt_schema(body), tmp_path)
    assert applied is patched
    ppt = etree.fromstring(lifted[contracts.PPT])
    imports = [i.get("namespace") for i in ppt.findall(f"{{{contracts.XSD}}}import")]
    assert imports.count(contracts.PPTHEAD) == (1 if "ppthead:t" in body else 0)


def test_relative_schema_imports_resolve_beside_the_wsdl(tmp_path: Path) -> None:
    body = '<xs:import namespace="urn:x" schemaLocation="Other.xsd"/>'
    lifted, _ = contracts.lift_inline_schemas(_wsdl_with_ppt_schema(body), tmp_path)
    ppt = etree.fromstring(lifted[contracts.PPT])
    (imported,) = ppt.findall(f"{{{contracts.XSD}}}import")
    assert imported.get("schemaLocation") == (tmp_path / "Other.xsd").resolve().as_uri()


@needs_official(WSDL, contracts.MYPAY_DOCUMENTS_XSD)
def test_the_ppthead_patch_is_applied_only_where_the_import_is_missing(
    isolated_contracts: Isolate,
) -> None:
    official = contracts.find_official(WSDL)
    documents = contracts.find_official(contracts.MYPAY_DOCUMENTS_XSD)
    assert official is not None and documents is not None
    places = isolated_contracts()
    root = etree.parse(str(official), contracts.xml_parser()).getroot()
    xsd = f"{{{contracts.XSD}}}"
    ppt = next(s for s in root.iter(f"{xsd}schema") if s.get("targetNamespace") == contracts.PPT)
    ppt.insert(0, etree.Element(f"{xsd}import", namespace=contracts.PPTHEAD))
    _put(places["env"], WSDL, etree.tostring(root, encoding="unicode"))
    _put(places["env"], contracts.MYPAY_DOCUMENTS_XSD, documents.read_text(encoding="utf-8"))

    contracts.mypay_body_schema()  # compiles: the import is there

    assert contracts.MYPAY_PPTHEAD_IMPORT not in contracts.applied_defects()
    lifted = etree.fromstring(contracts.mypay_inline_schemas()[contracts.PPT])
    imports = [i for i in lifted.iter(f"{xsd}import") if i.get("namespace") == contracts.PPTHEAD]
    assert len(imports) == 1
