"""Bugs the fuzzer found, each pinned by its minimal (shrunk) case.

Each test is ``xfail(strict=True)``: it fails today because of the bug named in its reason;
once the owner fixes the bug, the test passes, strict xfail turns that into a failure, and
the fixer removes the mark and the matching entry of :data:`KNOWN_OPEN` (which the CI fuzz
run in ``test_ci_budget.py`` tolerates, and only these).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from adapters.api.app import create_app
from adapters.api.settings import ApiSettings
from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import IntermediaryError
from adapters.core.store import Store
from adapters.drivers.gpd import GpdDriver
from adapters.drivers.mypay import MyPayDriver
from collaudo.fuzz import contracts
from collaudo.fuzz.drivers import _context, _creditor, _Replies, _request
from simulators.checkout import app as checkout_sim
from simulators.gpd import app as gpd_sim

# (api, operation substring, check, message substring): findings tolerated by the CI fuzz
# run because a strict-xfail regression test below pins each of them.
KNOWN_OPEN: list[tuple[str, str, str, str]] = [
    ("proxy", "POST /services", "not_a_server_error", ""),
    ("proxy", "POST /services", "fuzzer error", "InvalidOperation"),
    ("proxy", "POST /services", "status_code_conformance", "Received: 500"),
    ("proxy", "POST /imports", "status_code_conformance", "Received: 400"),
    ("gpd", "/receipts", "status_code_conformance", "Undocumented status code"),
    ("checkout", "POST /carts", "response_schema_conformance", 'is not a "uri"'),
    ("drivers", "mypay driver", "typed_errors_only", "Type 'bytes' cannot be serialized"),
    ("drivers", "gpd driver", "typed_errors_only", "InvalidURL"),
]
needs_gpd_spec = pytest.mark.skipif(
    not contracts.available("pagopa/openapi/gpd_payments.json"),
    reason="official pagoPA contracts not found in ../shared/contracts (COLLAUDO_CONTRACTS_DIR)",
)
needs_wsdl = pytest.mark.skipif(
    not contracts.available("mypay/pa-per-ente.wsdl"),
    reason="official MyPay WSDL not found in ../shared/contracts (COLLAUDO_CONTRACTS_DIR)",
)
TENANT = "60e35f02-1509-408c-b101-3b1a28109329"


def _client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://fuzz.test")


@pytest.mark.xfail(
    strict=True,
    reason="adapters/core/models.py _two_decimals: Decimal.quantize raises InvalidOperation "
    "for amounts beyond 28 significant digits (e.g. 1e30) before the maximum is checked; "
    "POST /services answers 500 instead of 422. Fix: check is_finite()/magnitude "
    "(<= 999999999.99) before quantize, or catch decimal.InvalidOperation -> ValueError",
)
async def test_proxy_rejects_a_huge_service_amount_with_422() -> None:
    app = create_app(
        ApiSettings(api_token="t"),
        intermediary=FakeIntermediary(),
        store=Store.open(":memory:"),
        run_background=False,
    )
    auth = {"Authorization": "Bearer t"}
    tenant = {
        "id": TENANT,
        "name": "Comune di Bugliano",
        "tax_identification_number": "80000000002",
        "ipa_code": "c_bugliano",
    }
    service = {
        "tenant_id": TENANT,
        "payment_type": "pagopa",
        "remote_collection": {"id": str(uuid.uuid4()), "type": "service"},
        "amount": 1e30,
        "reason": "Diritti di segreteria",
        "expire_at": 30,
        "collection_data": "9/0101108TS/",
        "codice_tipo_dovuto": "DIRITTI_SEGRETERIA",
    }
    async with _client(app) as http:
        assert (await http.post("/tenants", json=tenant, headers=auth)).status_code == 201
        response = await http.post(
            "/services",
            content=json.dumps(service),
            headers={**auth, "content-type": "application/json"},
        )
    assert response.status_code == 422, response.text


@pytest.mark.xfail(
    strict=True,
    reason="adapters/api/imports.py: request.form(max_files=1, max_fields=10) makes Starlette "
    "answer 400 (HTTPException 'Too many fields') for a multipart body with more than 10 "
    "fields, a status the /imports operation does not document (200/401/413/415/422). Fix: "
    "catch starlette's MultiPartException/HTTPException there and answer 422 (or 413) with "
    "a problem naming the limit, or document 400 in imports.PATHS",
)
async def test_proxy_imports_answers_a_documented_status_to_too_many_fields() -> None:
    app = create_app(
        ApiSettings(api_token="t"),
        intermediary=FakeIntermediary(),
        store=Store.open(":memory:"),
        run_background=False,
    )
    parts = b"".join(
        b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n{}\r\n' % i for i in range(11)
    )
    headers = {"Authorization": "Bearer t", "content-type": "multipart/form-data; boundary=b"}
    async with _client(app) as http:
        response = await http.post("/imports", content=parts + b"--b--\r\n", headers=headers)
    documented = {"200", "401", "413", "415", "422"}
    assert str(response.status_code) in documented, response.text


@needs_gpd_spec
@pytest.mark.xfail(
    strict=True,
    reason="simulators/gpd/api.py _segregation_codes answers 400 to a malformed "
    "segregationCodes, a status gpd_payments.json does not declare for the receipts "
    "operations (200/401/403/404/500, 422 for one receipt). Fix: answer a documented status "
    "(422 as for a receipt, or ignore codes that cannot match) or report the spec gap",
)
async def test_gpd_receipts_answer_only_documented_statuses() -> None:
    spec = contracts.gpd_payments_spec()
    documented = set(
        spec["paths"]["/payments/{organizationfiscalcode}/receipts"]["get"]["responses"]
    )
    app = gpd_sim.create_app(gpd_sim.Settings(organizations=()))
    async with _client(app) as http:
        response = await http.get(
            "/gpd/payments-receipts-service/v1/payments/0/receipts",
            params={"segregationCodes": "null"},
            headers={"Ocp-Apim-Subscription-Key": "sim-subscription-key"},
        )
    assert str(response.status_code) in documented, response.text


@pytest.mark.xfail(
    strict=True,
    reason="simulators/checkout/app.py post_cart passes request.url.path as ProblemJson "
    "'instance'; checkout_v1.json declares it format: uri (absolute). Fix: use str(request.url)",
)
async def test_checkout_problem_instance_is_an_absolute_uri() -> None:
    app = checkout_sim.create_app(checkout_sim.Settings(public_url="http://127.0.0.1:8030"))
    async with _client(app) as http:
        response = await http.post("/checkout/ec/v1/carts", json={"paymentNotices": []})
    assert response.status_code == 400
    assert httpx.URL(response.json()["instance"]).is_absolute_url, response.text


@needs_wsdl
@pytest.mark.xfail(
    strict=True,
    reason="adapters/drivers/_soap.py soap_fault_code calls etree.tostring(fault.detail) but "
    "zeep gives bytes as detail when a non-200 answer carries no Fault ('Unknown fault "
    "occured'): TypeError escapes instead of an IntermediaryError. Fix: accept bytes/str "
    "detail (decode it) and only tostring() lxml elements",
)
async def test_mypay_driver_turns_a_201_answer_into_an_intermediary_error() -> None:
    replies = _Replies()
    envelope = (
        b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<soapenv:Body><ns0:paaSILImportaDovutoRisposta "
        b'xmlns:ns0="http://www.regione.veneto.it/pagamenti/ente/"/></soapenv:Body>'
        b"</soapenv:Envelope>"
    )
    replies.load(
        {
            "answers": {
                "paaSILImportaDovuto": (201, envelope, "text/xml"),
                "paaSILChiediPosizioniAperte": (201, envelope, "text/xml"),
            }
        }
    )
    driver = MyPayDriver(
        transport=httpx.MockTransport(replies.mypay),
        environ={"FUZZ_MYPAY_PASSWORD": "fuzz-password1"},
    )
    try:
        with pytest.raises(IntermediaryError):
            await driver.create_debt_position(_request(_creditor("mypay"), _amount()))
    finally:
        await driver.aclose()


@pytest.mark.xfail(
    strict=True,
    reason="adapters/drivers/gpd.py _send catches httpx.HTTPError only; a 3xx answer with a "
    "malformed Location makes httpx raise httpx.InvalidURL (not an HTTPError) while building "
    "next_request. Fix: also catch httpx.InvalidURL (and httpx.InvalidURL in checkout_url) "
    "and raise IntermediaryFault naming the bad Location",
)
async def test_gpd_driver_turns_a_malformed_redirect_into_an_intermediary_error() -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, content=b"", headers={"location": "javascript:alert(1)"})

    driver = GpdDriver(transport=httpx.MockTransport(reply), environ={"FUZZ_GPD_KEY": "k"})
    try:
        with pytest.raises(IntermediaryError):
            await driver.create_debt_position(_request(_creditor("gpd"), _amount()))
    finally:
        await driver.aclose()


def _amount() -> Any:
    from decimal import Decimal

    return Decimal("20.00")


__all__ = ["KNOWN_OPEN", "_context"]
