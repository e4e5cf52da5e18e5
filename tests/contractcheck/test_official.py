"""``collaudo contract check`` on the official contracts: the known defects are found, and
the five-operation mapping agrees with the hand-written MyPay and GPD drivers."""

from __future__ import annotations

import pytest

from adapters.drivers.mypay import spec as mypay_spec
from collaudo.contractcheck.check import check_contracts
from collaudo.contractcheck.findings import Severity
from collaudo.contractcheck.report import to_text
from simulators.common.contracts import search_dir

ROOT = search_dir()
pytestmark = pytest.mark.skipif(
    not (ROOT / "mypay" / "pa-per-ente.wsdl").is_file(),
    reason=f"official contracts not in {ROOT}: run `collaudo contracts fetch` or set "
    "COLLAUDO_CONTRACTS_DIR",
)

MAIN_FILES = [
    "mypay/pa-per-ente.wsdl",
    "pagopa/wsdl/paForNode.wsdl",
    "pagopa/openapi/gpd.json",
    "pagopa/openapi/gpd_payments.json",
    "pagopa/openapi/checkout_v1.json",
    "pagopa/openapi/checkout_v2.json",
    "pagopa/openapi/print-payment-notice-service.json",
    "govpay/api-pendenze-v2/govpay-api-pendenze-v2.yaml",
    "govpay/api-pagamento-v2/govpay-api-pagamento-v2.yaml",
    "govpay/api-ente-v2/govpay-api-ec.yaml",
    "govpay/api-ente-v1/govpay-api-ec-v1.yaml",
    "govpay/api-ragioneria-v3/govpay-api-ragioneria.yaml",
    "mypay/PagInf_Dovuti_Pagati_6_2_0.xsd",
    "pagopa/wsdl/xsd/paForNode.xsd",
]


def check(*names: str):  # type: ignore[no-untyped-def]
    return check_contracts([str(ROOT / n) for n in names], base_dir=ROOT)


@pytest.mark.parametrize("name", MAIN_FILES)
def test_every_official_contract_is_checked_to_the_end(name: str) -> None:
    report = check(name)
    (document,) = report.documents
    assert not [f for f in document.findings if f.code == "check-incomplete"]
    assert all(f.location.file for f in document.findings)


def test_gpd_h_pattern_is_an_error_at_each_line() -> None:
    report = check("pagopa/openapi/gpd.json")
    found = [f for f in report.documents[0].findings if f.code == "pattern-unknown-escape"]
    assert found and all(f.severity is Severity.ERROR for f in found)
    assert all(f.params["escapes"] == "\\h" and f.location.line for f in found)
    assert "horizontal whitespace" in found[0].params["meaning"]
    strict = [f for f in report.documents[0].findings if f.code == "strict-invalid"]
    assert strict and all(f.params["cause"] == "[\\w*\\h-]+" for f in strict)
    assert report.exit_code == 1


def test_mypay_missing_ppthead_import_is_found() -> None:
    report = check("mypay/pa-per-ente.wsdl")
    found = [f for f in report.documents[0].findings if f.code == "qname-not-imported"]
    assert [f.params["prefix"] for f in found] == ["ppthead"]
    assert found[0].params["namespace"].endswith("/ppthead")
    assert found[0].location.line == 215
    validators = {
        f.params["validator"] for f in report.documents[0].findings if f.code == "strict-schema"
    }
    assert validators == {"libxml2 (lxml)", "xmlschema"}
    assert report.exit_code == 1


def test_govpay_ente_v2_tab_is_found_and_the_rest_still_checked() -> None:
    report = check("govpay/api-ente-v2/govpay-api-ec.yaml")
    findings = report.documents[0].findings
    tab = [f for f in findings if f.code == "yaml-tab"]
    assert [(f.location.file, f.location.line) for f in tab] == [
        ("govpay/api-ente-v2/govpay-api-schemas.yaml", 893)
    ]
    # read leniently for the other checks: the schemas file's own defects are reported too
    assert any(
        f.code == "required-undefined" and f.params["schema"] == "Ricevuta" for f in findings
    )


def test_govpay_ragioneria_local_refs_resolving_only_in_the_companion_file() -> None:
    report = check("govpay/api-ragioneria-v3/govpay-api-ragioneria.yaml")
    found = [f for f in report.documents[0].findings if f.code == "ref-other-file"]
    assert sorted(f.params["ref"].rsplit("/", 1)[1] for f in found) == [
        "RiferimentoIdentificativoFlussoRendicontazione",
        "RiferimentoIdentificativoUnivocoVersamento",
    ]
    assert {f.params["found_in"] for f in found} == {
        "govpay/api-ragioneria-v3/govpay-api-schemas.yaml"
    }
    assert report.exit_code == 1


def test_govpay_ricevuta_requires_stato_but_defines_esito() -> None:
    report = check("govpay/api-ragioneria-v3/govpay-api-ragioneria.yaml")
    (ricevuta,) = [
        f
        for f in report.documents[0].findings
        if f.code == "required-undefined" and f.params["schema"] == "Ricevuta"
    ]
    assert ricevuta.params["missing"] == "stato"
    assert "esito" in ricevuta.params["defined"].split(", ")
    assert ricevuta.params["close"] == "stato → esito"


def _chosen(report, verb: str) -> str | None:  # type: ignore[no-untyped-def]
    operation = report.mapping[verb].operation
    return None if operation is None else operation.label


def test_mypay_mapping_matches_the_driver() -> None:
    report = check("mypay/pa-per-ente.wsdl")
    assert {verb: m.status for verb, m in report.mapping.items()} == dict.fromkeys(
        ("create", "notice", "checkout", "status", "receipt"), "found"
    )
    chosen = {verb: _chosen(report, verb) for verb in report.mapping}
    # adapters/drivers/mypay/__init__.py: verb → operation
    assert chosen == {
        "create": "paaSILImportaDovuto",
        "notice": "paaSILImportaDovuto",
        "checkout": "paaSILVerificaAvviso",
        "status": "paaSILChiediPagatiConRicevuta",
        "receipt": "paaSILChiediPagatiConRicevuta",
    }
    assert set(chosen.values()) <= set(mypay_spec().extra["operations"])


def test_gpd_mapping_matches_the_driver_and_says_what_the_contract_lacks() -> None:
    report = check("pagopa/openapi/gpd.json", "pagopa/openapi/gpd_payments.json")
    # adapters/drivers/gpd/__init__.py: create, status on GPD; receipt on payments-receipts;
    # the notice is rendered locally and the payment goes through pagoPA Checkout
    assert (report.mapping["create"].operation.method, report.mapping["create"].operation.path) == (
        "POST",
        "/organizations/{organizationfiscalcode}/debtpositions",
    )
    status = report.mapping["status"].operation
    assert (status.method, status.path) == (
        "GET",
        "/organizations/{organizationfiscalcode}/debtpositions/{iupd}",
    )
    receipt = report.mapping["receipt"].operation
    assert (receipt.method, receipt.path) == (
        "GET",
        "/payments/{organizationfiscalcode}/receipts/{iuv}",
    )
    assert report.mapping["notice"].status == "missing"
    assert report.mapping["checkout"].status == "missing"
    text = to_text(report, "en")
    assert "the contract has no operation producing the notice: do not invent one" in text
    assert "pagoPA Checkout (POST /carts" in text


def test_checkout_contract_provides_the_online_payment() -> None:
    report = check("pagopa/openapi/checkout_v1.json")
    assert report.mapping["checkout"].status == "found"
    assert _chosen(report, "checkout") == "POST /carts (PostCarts)"


def test_govpay_contracts_map_to_the_operations_of_the_govpay_reference() -> None:
    # ../shared/reference/govpay.md and issue 13: create PUT /pendenze/{idA2A}/{idPendenza},
    # notice GET /avvisi/{idDominio}/{numeroAvviso} (PDF by Accept), receipt from
    # Ragioneria v3 /ricevute, API Pagamento v2 POST /pagamenti as the online payment
    pendenze = check("govpay/api-pendenze-v2/govpay-api-pendenze-v2.yaml")
    assert _chosen(pendenze, "create") == "PUT /pendenze/{idA2A}/{idPendenza} (addPendenza)"
    assert _chosen(pendenze, "notice") == "GET /avvisi/{idDominio}/{numeroAvviso} (getAvviso)"
    assert pendenze.mapping["checkout"].status == "missing"
    ragioneria = check("govpay/api-ragioneria-v3/govpay-api-ragioneria.yaml")
    assert ragioneria.mapping["receipt"].status == "found"
    assert _chosen(ragioneria, "receipt") == (
        "GET /ricevute/{idDominio}/{iuv}/{idRicevuta} (getRicevuta)"
    )
    assert ragioneria.mapping["create"].status == "missing"  # a reconciliation is no debt
    pagamento = check("govpay/api-pagamento-v2/govpay-api-pagamento-v2.yaml")
    assert _chosen(pagamento, "checkout") == "POST /pagamenti (addPagamento)"
    # API Ente is what GovPay calls on the creditor: a receipt pushed there is not a read
    ente = check("govpay/api-ente-v2/govpay-api-ec.yaml")
    assert ente.mapping["receipt"].status == "missing"
    assert ente.mapping["create"].status == "missing"
