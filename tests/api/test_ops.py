"""/status, /metrics, /docs (validated, every route documented), access log, lifespan."""

from __future__ import annotations

import logging
import re
import uuid

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from adapters.api.app import create_app
from adapters.api.settings import ApiSettings
from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.service import PaymentService
from adapters.core.store import Store
from tests.api.conftest import AUTH, TOKEN
from tests.api.test_citizen_links import _created


async def test_status_is_200_then_503_naming_the_store(
    client: httpx.AsyncClient, store: Store
) -> None:
    ok = await client.get("/status")
    assert ok.status_code == 200 and ok.json()["status"] == "ok"
    store.close()
    down = await client.get("/status")
    assert down.status_code == 503
    assert down.json()["down"] == ["store"]
    assert "store" in down.json()["detail"]


async def test_status_names_a_closed_bus(client: httpx.AsyncClient, bus: MemoryBus) -> None:
    await bus.close()
    down = await client.get("/status")
    assert down.status_code == 503 and down.json()["down"] == ["bus"]


async def test_metrics_count_payments_and_errors_by_kind(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    await _created(service)
    await service.handle_event(b"not json")
    text = (await configured.get("/metrics")).text
    assert re.search(r'^payments_created_total\{origin="created"\} 1\.0$', text, re.M)
    assert re.search(r'^payment_processing_errors_total\{kind="internal"\} 1\.0$', text, re.M)
    assert 'payment_processing_errors_total{kind="external"} 0.0' in text


async def test_openapi_document_is_valid_and_documents_every_route(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    doc = (await client.get("/docs")).json()
    validate(doc)  # openapi-spec-validator: the OpenAPI 3 document is valid
    _sanity_check(doc)
    documented = {
        (path, method.upper())
        for path, item in doc["paths"].items()
        for method in item
        if method != "parameters"
    }
    served = set()
    for route in app.routes:
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                served.add((route.path, method))
    assert served == documented
    for (path, method), item in ((k, doc["paths"][k[0]][k[1].lower()]) for k in documented):
        assert item["responses"], (path, method)
        for code, response in item["responses"].items():
            assert response["description"], (path, method, code)
        if "security" in item:
            assert "401" in item["responses"], (path, method)
    ui = await client.get("/docs/ui")
    assert ui.status_code == 200 and "/imports" in ui.text


def _sanity_check(doc: dict[str, object]) -> None:
    schema = {
        "type": "object",
        "required": ["openapi", "info", "paths", "components"],
        "properties": {
            "openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"},
            "info": {"type": "object", "required": ["title", "version"]},
            "paths": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": {
                        "anyOf": [
                            {"type": "array"},
                            {"type": "object", "required": ["responses"]},
                        ]
                    },
                },
            },
        },
    }
    jsonschema.validate(doc, schema)
    text = str(doc)
    components = doc["components"]["schemas"]  # type: ignore[index]
    for name in re.findall(r"#/components/schemas/([A-Za-z0-9_]+)", text):
        assert name in components, f"dangling $ref to {name}"
    for component in components.values():
        jsonschema.Draft202012Validator.check_schema(component)


async def test_the_openapi_service_schema_accepts_what_the_api_accepts(
    client: httpx.AsyncClient,
) -> None:
    from tests.api.conftest import service_body, tenant_body

    doc = (await client.get("/docs")).json()
    resolver_doc = {"components": doc["components"]}
    for name, body in (("TenantInput", tenant_body()), ("ServiceInput", service_body())):
        schema = {**doc["components"]["schemas"][name], **resolver_doc}
        jsonschema.validate(body, schema)


async def test_access_log_names_the_payment(
    configured: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    payment_id = uuid.uuid4()
    with caplog.at_level(logging.INFO, logger="adapters.api.access"):
        await configured.get(f"/receipt/{payment_id}?token=secret", headers=AUTH)
    line = next(r.getMessage() for r in caplog.records if r.name == "adapters.api.access")
    assert f'"GET /receipt/{payment_id} HTTP/1.1" 404 ' in line
    assert f"payment_id={payment_id}" in line
    assert "secret" not in line and TOKEN not in line


def test_lifespan_starts_and_stops_the_runtime(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    settings = ApiSettings(api_token=TOKEN, db_path=tmp_path / "proxy.sqlite", retention_days=7)
    app = create_app(settings, intermediary=FakeIntermediary())
    assert app.state.service.settings.retention_days == 7
    with TestClient(app) as client:
        assert app.state.runtime_started is True
        status = client.get("/status")
        assert status.status_code == 200, status.text
    assert app.state.runtime_started is False
    assert (tmp_path / "proxy.sqlite").exists()


def test_settings_from_environment_never_show_the_token() -> None:
    settings = ApiSettings.from_env(
        {"COLLAUDO_API_TOKEN": "very-secret", "COLLAUDO_BUS": "kafka", "COLLAUDO_DB": "x.db"}
    )
    assert settings.bus == "kafka" and str(settings.db_path) == "x.db"
    assert "very-secret" not in repr(settings)
    with pytest.raises(ValueError, match="COLLAUDO_BUS"):
        ApiSettings.from_env({"COLLAUDO_BUS": "rabbit"})


def test_retention_days_come_from_the_environment_and_bad_ones_say_what_to_write() -> None:
    assert ApiSettings.from_env({}).retention_days == 90
    assert ApiSettings.from_env({"COLLAUDO_RETENTION_DAYS": " 0 "}).retention_days == 0
    for bad in ("-1", "30d", "1.5"):
        with pytest.raises(ValueError, match=r"COLLAUDO_RETENTION_DAYS=.*whole number of days"):
            ApiSettings.from_env({"COLLAUDO_RETENTION_DAYS": bad})
