"""simulators.common.contracts: where the official files are sought, and the patches."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from lxml import etree

from simulators.common import contracts

GPD = contracts.GPD_JSON
needs_contracts = pytest.mark.skipif(
    not contracts.available(GPD, contracts.MYPAY_WSDL),
    reason="official contracts not found in ../shared/contracts (COLLAUDO_CONTRACTS_DIR)",
)


def test_the_environment_variable_moves_the_search_and_a_miss_says_how_to_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "pagopa" / "openapi").mkdir(parents=True)
    (tmp_path / "pagopa" / "openapi" / "gpd.json").write_text("{}")
    monkeypatch.setenv(contracts.ENV_VAR, str(tmp_path))
    assert contracts.contracts_dir() == tmp_path.resolve()
    assert contracts.find(GPD) == tmp_path / GPD
    assert contracts.available(GPD) and not contracts.available(GPD, contracts.PAFORNODE_WSDL)
    assert contracts.find(contracts.PAFORNODE_WSDL) is None
    # MyPay's WSDL has a built-in stand-in: found there when not in the directory
    assert contracts.find(contracts.MYPAY_WSDL) == contracts.BUILTIN_DIR / contracts.MYPAY_WSDL
    with pytest.raises(contracts.ContractsMissing) as missing:
        contracts.contract_file(contracts.PAFORNODE_WSDL)
    assert str(tmp_path) in str(missing.value) and contracts.ENV_VAR in str(missing.value)

    monkeypatch.setenv(contracts.ENV_VAR, str(tmp_path / "nowhere"))
    assert contracts.contracts_dir() is None


def test_without_the_variable_the_contracts_are_sought_beside_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(contracts.ENV_VAR, raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert contracts.search_dir() == repo.parent / "shared" / "contracts"


@needs_contracts
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


@needs_contracts
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
