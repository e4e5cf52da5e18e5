"""Bugs the fuzzer found, each pinned by its minimal (shrunk) case.

A new finding is first pinned here as ``xfail(strict=True)`` with the bug in its reason and
listed in :data:`KNOWN_OPEN` (which the CI fuzz run in ``test_ci_budget.py`` tolerates, and
only these); once fixed, the mark and the entry go and the test guards the fix.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import jsonschema
import pytest

from adapters.api.app import create_app
from adapters.api.settings import ApiSettings
from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import IntermediaryError
from adapters.core.store import Store
from adapters.drivers.gpd import GpdDriver
from adapters.drivers.mypay import MyPayDriver
from collaudo.fuzz import contracts
from collaudo.fuzz.driver_harness import (
    Replies,
    debt_position_request,
    fuzz_creditor,
    position_context,
)
from simulators.checkout import app as checkout_sim
from simulators.gpd import app as gpd_sim
from tests.contracts_env import needs_official

# (api, operation substring, check, message substring): findings tolerated by the CI fuzz
# run because a strict-xfail regression test below pins each of them.
KNOWN_OPEN: list[tuple[str, str, str, str]] = []
needs_gpd_spec = needs_official("pagopa/openapi/gpd_payments.json")
needs_wsdl = needs_official("mypay/pa-per-ente.wsdl")
TENANT = "60e35f02-1509-408c-b101-3b1a28109329"


def _client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://fuzz.test")


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
async def test_gpd_receipts_answer_only_documented_statuses() -> None:
    spec = contracts.gpd_payments_spec()
    documented = set(
        spec["paths"]["/payments/{organizationfiscalcode}/receipts"]["get"]["responses"]
    )
    app = gpd_sim.create_app(gpd_sim.Settings(organizations=()))
    async with _client(app) as http:
        for params in ({"segregationCodes": "null"}, {"pageSize": "-2147483649"}):
            response = await http.get(
                "/gpd/payments-receipts-service/v1/payments/0/receipts",
                params=params,
                headers={"Ocp-Apim-Subscription-Key": "sim-subscription-key"},
            )
            assert str(response.status_code) in documented, (params, response.text)
    assert "pageSize must be between 1 and 100" in response.json()["detail"]


async def test_checkout_problem_instance_is_an_absolute_uri() -> None:
    app = checkout_sim.create_app(checkout_sim.Settings(public_url="http://127.0.0.1:8030"))
    async with _client(app) as http:
        response = await http.post("/checkout/ec/v1/carts", json={"paymentNotices": []})
    assert response.status_code == 400
    assert httpx.URL(response.json()["instance"]).is_absolute_url, response.text


@needs_wsdl
async def test_mypay_driver_turns_a_201_answer_into_an_intermediary_error() -> None:
    replies = Replies()
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
            await driver.create_debt_position(
                debt_position_request(fuzz_creditor("mypay"), _amount())
            )
    finally:
        await driver.aclose()


@needs_wsdl
async def test_mypay_driver_refuses_a_relative_notice_url_as_a_malformed_answer() -> None:
    # Shrunk: paaSILImportaDovuto (azione S) answering urlFileAvviso "/àè…" made
    # notice_pdf raise a bare ValueError from the HTTP client instead of a driver error.
    replies = Replies()
    envelope = (
        b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<soapenv:Body><ns0:paaSILImportaDovutoRisposta "
        b'xmlns:ns0="http://www.regione.veneto.it/pagamenti/ente/">'
        b"<esito>OK</esito><urlFileAvviso>/%C3%A0%C3%A8</urlFileAvviso>"
        b"</ns0:paaSILImportaDovutoRisposta></soapenv:Body></soapenv:Envelope>"
    )
    replies.load({"answers": {"paaSILImportaDovuto": (200, envelope, "text/xml")}})
    driver = MyPayDriver(
        transport=httpx.MockTransport(replies.mypay),
        environ={"FUZZ_MYPAY_PASSWORD": "fuzz-password1"},
    )
    request = debt_position_request(fuzz_creditor("mypay"), _amount())
    try:
        with pytest.raises(IntermediaryError, match="not an absolute http"):
            await driver.notice_pdf(position_context(request))
    finally:
        await driver.aclose()


async def test_gpd_driver_turns_a_malformed_redirect_into_an_intermediary_error() -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, content=b"", headers={"location": "javascript:alert(1)"})

    driver = GpdDriver(transport=httpx.MockTransport(reply), environ={"FUZZ_GPD_KEY": "k"})
    try:
        with pytest.raises(IntermediaryError):
            await driver.create_debt_position(
                debt_position_request(fuzz_creditor("gpd"), _amount())
            )
    finally:
        await driver.aclose()


def _amount() -> Any:
    from decimal import Decimal

    return Decimal("20.00")


__all__ = ["KNOWN_OPEN"]


def _answer_schema(spec: dict[str, Any], path: str, method: str, status: int) -> Any:
    operation = spec["paths"][path][method]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({**schema, "components": spec["components"]})


async def test_proxy_services_without_a_receiver_match_its_own_openapi() -> None:
    """Found by `collaudo fuzz --budget 50` (stateful phase): POST/GET/PUT/PATCH /services
    answered ``"receiver": null`` where the proxy's OpenAPI declares ``receiver`` an object.
    A service has no receiver unless it is multi-beneficiary; the field is then absent."""
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
    service_id = str(uuid.uuid4())
    service = {
        "id": service_id,
        "tenant_id": TENANT,
        "payment_type": "pagopa",
        "remote_collection": {"id": str(uuid.uuid4()), "type": "service"},
        "amount": 20,
        "reason": "Diritti di segreteria",
        "expire_at": 30,
        "collection_data": "9/0101108TS/",
        "codice_tipo_dovuto": "DIRITTI_SEGRETERIA",
    }
    receiver = {"tax_identification_number": "80000000002", "name": "Comune di Bugliano"}
    async with _client(app) as http:
        spec = (await http.get("/docs")).json()
        assert (await http.post("/tenants", json=tenant, headers=auth)).status_code == 201
        item = "/services/{service_id}"
        answers = [
            ("/services", "post", await http.post("/services", json=service, headers=auth)),
            (item, "get", await http.get(f"/services/{service_id}", headers=auth)),
            (item, "put", await http.put(f"/services/{service_id}", json=service, headers=auth)),
            (
                item,
                "patch",
                await http.patch(
                    f"/services/{service_id}", json={"receiver": receiver}, headers=auth
                ),
            ),
            (
                item,
                "patch",
                await http.patch(f"/services/{service_id}", json={"receiver": None}, headers=auth),
            ),
        ]
        listed = await http.get("/services", headers=auth)
    for path, method, answer in answers:
        assert answer.status_code < 300, (method, answer.text)
        errors = list(
            _answer_schema(spec, path, method, answer.status_code).iter_errors(answer.json())
        )
        assert not errors, (method, answer.json(), [e.message for e in errors])
    assert answers[3][2].json()["receiver"] == {**receiver, "iban": None}
    assert "receiver" not in answers[4][2].json()  # removed by the merge patch: absent
    assert all("receiver" not in s for s in listed.json())


async def test_proxy_tenant_with_an_empty_optional_field_matches_its_own_openapi() -> None:
    """Found by the CI fuzz run once it got past validation: PUT/PATCH /tenants stored an
    optional driver field sent empty ("", as a form sends it) and answered it, against the
    field's own pattern. An optional field left empty is absent."""
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
        "password_env": "",
    }
    async with _client(app) as http:
        spec = (await http.get("/docs")).json()
        answers = [
            ("/tenants", "post", await http.post("/tenants", json=tenant, headers=auth)),
            (
                "/tenants/{tenant_id}",
                "put",
                await http.put(f"/tenants/{TENANT}", json=tenant, headers=auth),
            ),
            (
                "/tenants/{tenant_id}",
                "patch",
                await http.patch(f"/tenants/{TENANT}", json={"password_env": " "}, headers=auth),
            ),
        ]
    for path, method, answer in answers:
        assert answer.status_code < 300, (method, answer.text)
        validator = _answer_schema(spec, path, method, answer.status_code)
        assert not list(validator.iter_errors(answer.json())), (method, answer.json())
        assert "password_env" not in answer.json()
