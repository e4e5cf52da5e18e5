"""Paper marca da bollo registration: one use per tenant."""

from __future__ import annotations

import uuid

import httpx

from adapters.core.service import PaymentService
from tests.api.conftest import AUTH, TENANT_ID, tenant_body
from tests.api.test_citizen_links import _created


async def test_a_stamp_is_registered_once_per_tenant(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    application = str(uuid.uuid4())
    body = {
        "tenant_id": str(TENANT_ID),
        "identifier": "0123 4567 8901 23",
        "issued_on": "15/03/2024",
        "application_id": application,
    }
    first = await configured.post("/stamps", json=body, headers=AUTH)
    assert first.status_code == 201, first.text
    assert first.json()["identifier"] == "01234567890123"
    assert first.json()["issued_on"] == "2024-03-15"

    payment_id = await _created(service)
    reused = await configured.post(
        f"/payments/{payment_id}/stamps",
        json={"identifier": "01234567890123", "issued_on": "2024-03-15"},
        headers=AUTH,
    )
    assert reused.status_code == 409
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert application in reused.json()["detail"]
    assert "un'altra marca" in reused.json()["detail"]

    other = await configured.post(
        f"/payments/{payment_id}/stamps",
        json={"identifier": "01234567890124", "issued_on": "2024-03-15"},
        headers=AUTH,
    )
    assert other.status_code == 201 and other.json()["payment_id"] == str(payment_id)


async def test_the_same_identifier_is_free_in_another_tenant(
    configured: httpx.AsyncClient,
) -> None:
    other_tenant = str(uuid.uuid4())
    created = await configured.post("/tenants", json=tenant_body(id=other_tenant), headers=AUTH)
    assert created.status_code == 201
    for tenant in (str(TENANT_ID), other_tenant):
        body = {
            "tenant_id": tenant,
            "identifier": "11111111111111",
            "issued_on": "2024-01-02",
            "application_id": str(uuid.uuid4()),
        }
        assert (await configured.post("/stamps", json=body, headers=AUTH)).status_code == 201


async def test_invalid_stamps_get_field_errors(configured: httpx.AsyncClient) -> None:
    body = {"tenant_id": str(TENANT_ID), "identifier": "1234", "issued_on": "2999-01-01"}
    response = await configured.post("/stamps", json=body, headers=AUTH)
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "ne servono 14" in fields["identifier"]
    assert "nel futuro" in fields["issued_on"]
    missing_target = {**body, "identifier": "12345678901234", "issued_on": "2024-01-01"}
    response = await configured.post("/stamps", json=missing_target, headers=AUTH)
    assert response.json()["errors"][0]["field"] == "payment_id"
    unknown = await configured.post(
        f"/payments/{uuid.uuid4()}/stamps",
        json={"identifier": "12345678901234", "issued_on": "2024-01-01"},
        headers=AUTH,
    )
    assert unknown.status_code == 404
