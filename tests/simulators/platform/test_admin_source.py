"""/status, /_admin/, access control, and following the payments topic."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from simulators.platform.app import Settings, create_app
from tests.simulators.platform.conftest import (
    RecordingPublisher,
    application_body,
    next_version,
    pending_links,
)


def test_status_and_admin(client: TestClient, created: dict[str, Any]) -> None:
    status = client.get("/status")
    assert status.status_code == 200
    assert status.json()["simulator"] == "platform"
    assert status.json()["applications"] == 1
    assert client.get("/_admin/faults").json() == {"active": [], "available": []}
    refused = client.put("/_admin/faults/timeout", json={"rate": 1})
    assert refused.status_code == 422
    assert "does not apply to the platform simulator" in refused.json()["detail"]

    assert client.post("/_admin/reset").status_code == 204
    assert client.get("/_admin/positions").json() == []
    assert client.get(f"/payments/{created['payment_id']}").status_code == 404
    assert client.get("/events").json()["count"] == 0


def test_defaults_are_the_demo_data() -> None:
    settings = Settings()
    assert str(settings.tenant_id) == "60e35f02-1509-408c-b101-3b1a28109329"
    assert str(settings.service_id) == "b21c4429-95e4-45d5-930f-44eb74136625"
    assert settings.amount == 20 and settings.expire_days == 90


def test_allowlist_answers_403_to_strangers() -> None:
    app = create_app(Settings(allowlist=["10.8.0.0/16"], allowlist_mode="403"))
    with TestClient(app) as client:
        response = client.get("/status")
    assert response.status_code == 403
    assert "not allow-listed" in response.json()["detail"]


@dataclass
class Message:
    key: bytes
    value: bytes
    offset: int


def _wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the platform did not read the topic in time"
        time.sleep(0.01)


def test_follows_the_topic_including_payments_of_no_application() -> None:
    publisher = RecordingPublisher()
    queue: asyncio.Queue[bytes | Message] = asyncio.Queue()

    async def topic() -> AsyncIterator[bytes | Message]:
        while True:
            yield await queue.get()

    app = create_app(publisher=publisher, source=topic())
    with TestClient(app) as client:
        created = client.post("/applications", json=application_body()).json()
        pending = next_version(created["event"], "PAYMENT_PENDING")
        pending["links"].update(pending_links(created["payment_id"]))
        imported = next_version(created["event"], "PAYMENT_PENDING")
        imported.update(id=str(uuid.uuid4()), remote_id=None, reason="TARI 2024 - rata 1")
        for item in (
            publisher.sent[0][2],  # its own CREATION_PENDING comes back: a duplicate
            b"not an event",  # skipped, reading goes on
            Message(b"k", json.dumps(pending).encode(), 1),
            json.dumps(imported).encode(),
        ):
            client.portal.call(queue.put, item)  # type: ignore[union-attr]

        _wait_for(lambda: client.get(f"/payments/{imported['id']}").status_code == 200)
        assert client.get(f"/payments/{created['payment_id']}").json()["status"] == (
            "PAYMENT_PENDING"
        )
        page = client.get("/").text
        assert "Altri pagamenti" in page and "TARI 2024 - rata 1" in page
        assert client.get("/status").json()["reads_topic"] is True


def test_unreachable_kafka_stops_start_up_saying_what_to_do() -> None:
    app = create_app(Settings(kafka_bootstrap="127.0.0.1:1"))  # nothing listens on port 1
    assert app.state.notes[0] == "payment events: Kafka at 127.0.0.1:1, topic payments"
    with pytest.raises(RuntimeError, match="unset COLLAUDO_KAFKA_BOOTSTRAP"), TestClient(app):
        pass


@pytest.mark.kafka
@pytest.mark.skipif(
    not os.environ.get("COLLAUDO_KAFKA_BOOTSTRAP"), reason="needs COLLAUDO_KAFKA_BOOTSTRAP"
)
def test_publishes_on_kafka_when_configured() -> None:
    from aiokafka import AIOKafkaConsumer

    bootstrap = os.environ["COLLAUDO_KAFKA_BOOTSTRAP"]

    async def first_event_for(payment_id: str, ready: asyncio.Event) -> dict[str, Any]:
        consumer = AIOKafkaConsumer(
            "payments", bootstrap_servers=bootstrap, group_id=f"t-{uuid.uuid4()}",
            auto_offset_reset="earliest",
        )  # fmt: skip
        await consumer.start()
        ready.set()
        try:
            async for message in consumer:
                event: dict[str, Any] = json.loads(message.value)
                if event.get("id") == payment_id:
                    return event
        finally:
            await consumer.stop()
        raise AssertionError("topic ended")

    with TestClient(create_app(Settings(kafka_bootstrap=bootstrap))) as client:
        created = client.post("/applications", json=application_body())
        assert created.status_code == 201
        payment_id = created.json()["payment_id"]
        event = asyncio.run(
            asyncio.wait_for(first_event_for(payment_id, asyncio.Event()), timeout=30)
        )
    assert event["status"] == "CREATION_PENDING"
