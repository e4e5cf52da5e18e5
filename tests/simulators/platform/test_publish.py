"""POST /applications: one well-formed CREATION_PENDING on topic payments, or a 422."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from adapters.core.models import PaymentEvent
from simulators.platform.app import Settings, create_app
from tests.simulators.platform.conftest import (
    CF,
    SUOLO,
    TENANT,
    RecordingPublisher,
    application_body,
)


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"{text} has no UTC offset"
    return value


def test_creation_pending_has_every_field_of_the_contract(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    before = datetime.now(UTC)
    response = client.post("/applications", json=application_body())
    assert response.status_code == 201
    body = response.json()
    application_id, payment_id = body["application_id"], body["payment_id"]
    assert response.headers["location"] == f"http://testserver/applications/{application_id}"

    assert len(publisher.sent) == 1
    topic, key, value = publisher.sent[0]
    assert topic == "payments"
    assert key == SUOLO.encode()  # keyed by service_id: one service's events stay ordered
    event = json.loads(value)
    assert event["id"] == payment_id
    uuid.UUID(event["user_id"])
    assert event["type"] == "PAGOPA"
    assert (event["tenant_id"], event["service_id"]) == (TENANT, SUOLO)
    assert event["status"] == "CREATION_PENDING"
    assert event["remote_id"] == application_id
    assert event["reason"] == f"{application_id} - {CF}"
    created_at = _aware(event["created_at"])
    assert before <= created_at <= datetime.now(UTC)
    assert _aware(event["updated_at"]) == created_at
    uuid.UUID(event["event_id"])
    assert event["event_version"] == "2.0"
    assert _aware(event["event_created_at"]) >= created_at
    assert event["app_id"].startswith("collaudo-platform-sim:")

    payment = event["payment"]
    assert payment["type"] == "PAGOPA"
    assert payment["amount"] == 20.0 and payment["currency"] == "EUR"
    expire_at = _aware(payment["expire_at"])
    assert expire_at - created_at == timedelta(days=90)
    for unset in ("transaction_id", "paid_at", "notice_code", "iud", "iuv"):
        assert payment[unset] is None, unset
    assert "document" not in payment

    links = event["links"]
    assert links["notify"] == [
        {
            "url": f"http://testserver/applications/{application_id}/payment",
            "method": "POST",
            "sent_at": None,
        }
    ]
    assert links["online_payment_landing"]["url"] == (
        f"http://testserver/applications/{application_id}"
    )
    for proxy_link in ("online_payment_begin", "offline_payment", "receipt", "update"):
        assert links[proxy_link]["url"] is None, proxy_link

    payer = event["payer"]
    assert payer["type"] == "human"
    assert payer["tax_identification_number"] == CF
    assert (payer["name"], payer["family_name"]) == ("Mario", "Rossi")
    assert payer["email"] == "mario.rossi@example.org"
    assert payer["country_subdivision"] == "PI"

    # The event parses as the proxy reads it, and the 201 carries the same document.
    PaymentEvent.model_validate(event)
    assert body["event"] == event and body["status"] == "CREATION_PENDING"
    assert client.get(f"/payments/{payment_id}").json() == event


def test_reason_given_by_the_form_is_kept(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    client.post("/applications", json=application_body(reason="Occupazione Via Roma 1"))
    assert publisher.events()[0]["reason"] == "Occupazione Via Roma 1"


def test_stamp_carries_type_and_document_hash(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    digest = "AB" * 32
    response = client.post("/applications", json=application_body(amount=16, document_hash=digest))
    assert response.status_code == 201
    event = publisher.events()[0]
    assert event["type"] == "PAGOPA"
    assert event["payment"]["type"] == "STAMP"
    document = event["payment"]["document"]
    assert document["hash"] == "sha256:" + digest.lower()
    assert document["id"] and document["ref"]
    assert PaymentEvent.model_validate(event).payment.document is not None


def test_public_url_roots_the_links_the_proxy_calls(publisher: RecordingPublisher) -> None:
    app = create_app(Settings(public_url="http://platform.internal:8001/"), publisher=publisher)
    with TestClient(app) as client:
        application_id = client.post("/applications", json=application_body()).json()[
            "application_id"
        ]
    notify = publisher.events()[0]["links"]["notify"][0]["url"]
    assert notify == f"http://platform.internal:8001/applications/{application_id}/payment"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tenant_id": None}, "tenant_id"),
        ({"service_id": "not-a-uuid"}, "service_id"),
        ({"amount": 0}, "amount"),
        ({"amount": "20.001"}, "amount"),
        ({"reason": "x" * 141}, "reason"),
        ({"document_hash": "md5:abc"}, "document_hash"),
        ({"colour": "blue"}, "colour"),
        ({"payer": {"name": "Mario"}}, "payer.tax_identification_number"),
        (
            {"payer": {"tax_identification_number": "12", "name": "M"}},
            "payer.tax_identification_number",
        ),
        ({"payer": {"tax_identification_number": CF, "name": "M", "type": "x"}}, "payer.type"),
        ({"payer": {"tax_identification_number": CF, "name": "M", "email": "no"}}, "payer.email"),
    ],
)
def test_bad_application_is_a_422_naming_the_field(
    client: TestClient, publisher: RecordingPublisher, change: dict[str, Any], field: str
) -> None:
    body = application_body(**change)
    if change.get("tenant_id", "") is None:
        del body["tenant_id"]
    response = client.post("/applications", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert field in [e["field"] for e in problem["errors"]]
    assert field in problem["detail"]
    assert publisher.sent == []  # nothing published for a refused application


def test_body_that_is_not_json_is_a_422(client: TestClient) -> None:
    response = client.post(
        "/applications", content=b"tenant=1", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "is not JSON" in response.json()["detail"]


def test_bus_failure_creates_nothing_and_says_so() -> None:
    class BrokenBus:
        async def publish(self, topic: str, key: bytes, value: bytes) -> None:
            raise ConnectionError("broker unreachable")

    with TestClient(create_app(publisher=BrokenBus())) as client:
        response = client.post("/applications", json=application_body())
        assert response.status_code == 503
        assert "broker unreachable" in response.json()["detail"]
        assert client.get("/_admin/positions").json() == []


def test_standalone_keeps_events_in_memory_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLLAUDO_KAFKA_BOOTSTRAP", raising=False)
    app = create_app()
    assert any("GET /events" in note for note in app.state.notes)
    with TestClient(app) as client:
        payment_id = client.post("/applications", json=application_body()).json()["payment_id"]
        listed = client.get("/events").json()
    assert "memory" in listed["publisher"]
    assert listed["count"] == 1
    (only,) = listed["events"]
    assert only["topic"] == "payments" and only["key"] == SUOLO
    assert only["value"]["id"] == payment_id


def test_the_notify_url_can_differ_from_the_links_for_browsers() -> None:
    """In containers the proxy calls the platform by service name; browsers use loopback."""
    publisher = RecordingPublisher()
    settings = Settings(public_url="http://127.0.0.1:18001/", notify_url="http://platform:8001")
    with TestClient(create_app(settings, publisher=publisher)) as client:
        body = client.post("/applications", json=application_body()).json()
    application_id = body["application_id"]
    links = json.loads(publisher.sent[0][2])["links"]
    landing = f"http://127.0.0.1:18001/applications/{application_id}"
    assert links["online_payment_landing"]["url"] == landing
    assert (
        links["notify"][0]["url"] == f"http://platform:8001/applications/{application_id}/payment"
    )
    assert body["links"]["application"] == landing


@pytest.mark.parametrize(
    ("settings", "base"),
    [
        (Settings(), "http://testserver"),  # the URL each request came on
        (Settings(public_url="http://127.0.0.1:8001"), "http://127.0.0.1:8001"),
    ],
)
def test_by_default_the_notify_url_follows_the_public_one(settings: Settings, base: str) -> None:
    publisher = RecordingPublisher()
    with TestClient(create_app(settings, publisher=publisher)) as client:
        application_id = client.post("/applications", json=application_body()).json()[
            "application_id"
        ]
    links = json.loads(publisher.sent[0][2])["links"]
    assert links["notify"][0]["url"] == f"{base}/applications/{application_id}/payment"
    assert links["online_payment_landing"]["url"] == f"{base}/applications/{application_id}"
