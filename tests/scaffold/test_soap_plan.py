"""The SOAP generator's decisions on MyPay's built-in WSDL (no subprocess): the mapped
operations, the input members matched to the payment, the header and secret fields, and the
refusal of a WSDL mixed with other documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from collaudo.contractcheck import check_contracts
from collaudo.scaffold import ScaffoldError, generate
from collaudo.scaffold.plan import Plan
from collaudo.scaffold.render_soap import config_module, driver_module, payloads_module
from collaudo.scaffold.soap_plan import SoapPlanner
from simulators.contractsim.load import load
from simulators.contractsim.wsdl import SoapContract

REPO = Path(__file__).resolve().parents[2]
WSDL = str(REPO / "simulators" / "common" / "builtin_contracts" / "mypay" / "pa-per-ente.wsdl")


@pytest.fixture(scope="module")
def plan() -> Plan:
    contract = load(WSDL)
    assert isinstance(contract, SoapContract)
    return SoapPlanner("vendor", check_contracts([WSDL]), contract).build()


def test_each_verb_calls_the_operation_contract_check_mapped(plan: Plan) -> None:
    assert plan.kind == "soap" and not plan.calls
    assert plan.soap_calls["create"].operation.name == "paaSILImportaDovuto"
    assert plan.soap_calls["receipt"].operation.name == "paaSILChiediPagatiConRicevuta"
    assert plan.wsdl_base == "/ws/pa"


def test_members_are_matched_by_name_and_the_rest_marked_for_the_integrator(plan: Plan) -> None:
    status = dict((name, expr) for name, expr, _ in plan.soap_calls["status"].members)
    assert status["identificativoUnivocoVersamento"] == "ctx.position.iuv"
    assert status["identificativoUnivocoDovuto"] == "ctx.position.iud"
    # the body's codIpaEnte is the header's configuration field, not an invented literal
    assert status["codIpaEnte"] == "_config.required(creditor, config.F_CODIPAENTE)"
    create = {name: note for name, _, note in plan.soap_calls["create"].members}
    assert create["dovuto"] is not None and "TODO(integrator)" in create["dovuto"]


def test_headers_and_secrets_become_configuration_fields(plan: Plan) -> None:
    keys = {spec.key: spec for spec in plan.fields}
    assert {"vendor_wsdl_url", "vendor_endpoint_url", "vendor_cod_ipa_ente"} <= set(keys)
    assert not keys["vendor_endpoint_url"].required
    password = keys["vendor_password_env"]
    assert password.kind == "env" and password.default == "VENDOR_PASSWORD"
    headers = plan.soap_calls["create"].headers
    assert [name for name, _ in next(iter(headers.values()))] == ["codIpaEnte"]
    config = config_module(plan)
    assert "vendor_password_env" not in config.split("SIMULATED =", 1)[1].split("\n", 1)[0]
    assert '"vendor_wsdl_url": "/ws/pa?wsdl"' not in driver_module(plan)  # a field, not a key
    assert '"url_fields": {config.F_WSDL.key: "/ws/pa?wsdl"}' in driver_module(plan)
    assert "intestazionePPT" in payloads_module(plan)


def test_a_wsdl_with_other_documents_is_refused(tmp_path: Path) -> None:
    other = str(REPO / "simulators" / "common" / "builtin_contracts" / "mypay" / "pa-per-ente.wsdl")
    with pytest.raises(ScaffoldError, match="one WSDL"):
        generate("vendor", [WSDL, other], root=tmp_path)
    assert not (tmp_path / "adapters").exists()
