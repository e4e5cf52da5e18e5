"""Fixtures: a platform simulator with an in-memory publisher, and event builders."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from simulators.platform.app import Settings, create_app

TENANT = "60e35f02-1509-408c-b101-3b1a28109329"
SUOLO = "b21c4429-95e4-45d5-930f-44eb74136625"
CF = "RSSMRA80A01H501U"


class RecordingPublisher:
    """Stands in for the proxy's bus: keeps every message it is given."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        self.sent.append((topic, key, value))

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(value) for _, _, value in self.sent]


def application_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tenant_id": TENANT,
        "service_id": SUOLO,
        "amount": 20,
        "payer": {
            "type": "human",
            "tax_identification_number": CF,
            "name": "Mario",
            "family_name": "Rossi",
            "email": "mario.rossi@example.org",
            "country_subdivision": "PI",
        },
    }
    body.update(changes)
    return body


def next_version(
    event: dict[str, Any], status: str, *, after: float = 1.0, **changes: Any
) -> dict[str, Any]:
    """What the proxy would publish next: same payment, new event id, later timestamps."""
    updated = datetime.fromisoformat(event["updated_at"]) + timedelta(seconds=after)
    version: dict[str, Any] = json.loads(json.dumps(event))
    version.update(
        status=status,
        updated_at=updated.isoformat(),
        event_created_at=updated.isoformat(),
        event_id=str(uuid.uuid4()),
        app_id="collaudo-payment-proxy:0.1.0",
    )
    version.update(changes)
    return version


def pending_links(payment_id: str) -> dict[str, Any]:
    proxy = "http://proxy.test"
    return {
        "online_payment_begin": {"url": f"{proxy}/online-payment/{payment_id}", "method": "GET"},
        "offline_payment": {"url": f"{proxy}/notice/{payment_id}", "method": "GET"},
        "receipt": {"url": f"{proxy}/receipt/{payment_id}", "method": "GET"},
        "update": {"url": f"{proxy}/update/{payment_id}", "method": "GET"},
    }


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def client(publisher: RecordingPublisher) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), publisher=publisher)) as client:
        yield client


@pytest.fixture
def created(client: TestClient) -> dict[str, Any]:
    """One application submitted; the 201 body."""
    response = client.post("/applications", json=application_body())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
