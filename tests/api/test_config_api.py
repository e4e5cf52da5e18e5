"""Configuration API v2: token, field-level 422s, soft delete, driver fields in the schemas."""

from __future__ import annotations

import uuid

import httpx

from tests.api.conftest import AUTH, SERVICE_ID, TENANT_ID, service_body, tenant_body


async def test_protected_routes_answer_401_without_or_with_a_wrong_token(
    client: httpx.AsyncClient,
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        response = await client.post("/tenants", json=tenant_body(), headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "COLLAUDO_API_TOKEN" in response.json()["detail"]
        assert "www-authenticate" in response.headers
    assert (await client.get(f"/tenants/{TENANT_ID}")).status_code == 401
    assert (await client.post("/imports", content=b"x")).status_code == 401
    assert (await client.post("/stamps", json={})).status_code == 401


async def test_schemas_are_form_io_with_the_driver_fields(client: httpx.AsyncClient) -> None:
    tenant = (await client.get("/tenants/schema")).json()
    service = (await client.get("/services/schema")).json()
    assert tenant["display"] == "form" and service["display"] == "form"
    tenant_keys = {c["key"] for c in tenant["components"]}
    service_keys = {c["key"] for c in service["components"]}
    assert {"id", "name", "tax_identification_number", "ipa_code", "password_env"} <= tenant_keys
    assert {
        "payment_type",
        "remote_collection.id",
        "amount",
        "expire_at",
        "collection_data",
        "codice_tipo_dovuto",
    } <= service_keys
    secret = next(c for c in tenant["components"] if c["key"] == "password_env")
    assert "variabile d'ambiente" in secret["description"]


async def test_invalid_tenant_gets_every_field_error_at_once(client: httpx.AsyncClient) -> None:
    body = tenant_body(name="", tax_identification_number="80000000001", ipa_code=None)
    body["colour"] = "blue"
    response = await client.post("/tenants", json=body, headers=AUTH)
    assert response.status_code == 422
    problem = response.json()
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(fields) == {"name", "tax_identification_number", "ipa_code", "colour"}
    assert "carattere di controllo" in fields["tax_identification_number"]
    assert "ipa_code" in problem["detail"]


async def test_invalid_service_lists_missing_v2_fields_and_bad_secret(
    configured: httpx.AsyncClient,
) -> None:
    body = {"tenant_id": str(TENANT_ID), "amount": -1, "codice_tipo_dovuto": "X"}
    response = await configured.post("/services", json=body, headers=AUTH)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"remote_collection.id", "reason", "expire_at", "collection_data", "amount"} <= fields
    bad_secret = tenant_body(id=str(uuid.uuid4()), password_env="s3cret-password!")
    response = await configured.post("/tenants", json=bad_secret, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password_env"


async def test_service_for_an_unknown_tenant_is_a_field_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/services", json=service_body(), headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tenant_id"


async def test_stamp_service_must_cost_16_euros(configured: httpx.AsyncClient) -> None:
    body = service_body(id=None, payment_type="stamp", amount=10)
    response = await configured.post("/services", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "amount",
            "message": "una marca da bollo digitale costa 16,00 euro: impostare amount a 16",
        }
    ]


async def test_create_read_patch_put_and_soft_delete(configured: httpx.AsyncClient) -> None:
    generated = await configured.post("/services", json=service_body(id=None), headers=AUTH)
    assert generated.status_code == 201
    new_id = uuid.UUID(generated.json()["id"])
    assert new_id != SERVICE_ID
    assert generated.headers["location"] == f"/services/{new_id}"

    again = await configured.post("/services", json=service_body(), headers=AUTH)
    assert again.status_code == 409

    patched = await configured.patch(
        f"/services/{SERVICE_ID}", json={"reason": "Canone CUP"}, headers=AUTH
    )
    assert patched.status_code == 200
    assert patched.json()["reason"] == "Canone CUP"
    assert patched.json()["codice_tipo_dovuto"] == "DIRITTI_SEGRETERIA"

    put = await configured.put(
        f"/tenants/{TENANT_ID}", json=tenant_body(name="Comune di Bugliano (PI)"), headers=AUTH
    )
    assert put.status_code == 200 and put.json()["name"] == "Comune di Bugliano (PI)"
    mismatch = await configured.put(
        f"/tenants/{TENANT_ID}", json=tenant_body(id=str(uuid.uuid4())), headers=AUTH
    )
    assert mismatch.status_code == 422

    deleted = await configured.delete(f"/services/{SERVICE_ID}", headers=AUTH)
    assert deleted.status_code == 204
    kept = await configured.get(f"/services/{SERVICE_ID}", headers=AUTH)
    assert kept.status_code == 200 and kept.json()["active"] is False
    assert (await configured.delete(f"/tenants/{TENANT_ID}", headers=AUTH)).status_code == 204
    tenant = (await configured.get(f"/tenants/{TENANT_ID}", headers=AUTH)).json()
    assert tenant["active"] is False


async def test_unknown_ids_are_404_problems(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/tenants/{uuid.uuid4()}", headers=AUTH)
    assert response.status_code == 404
    assert "POST /tenants" in response.json()["detail"]
    response = await client.get("/services/not-a-uuid", headers=AUTH)
    assert response.status_code == 404
    response = await client.post(
        "/tenants", content=b"{not json", headers={**AUTH, "content-type": "application/json"}
    )
    assert response.status_code == 400
