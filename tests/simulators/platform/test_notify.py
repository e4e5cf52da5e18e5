"""The notify receiver and GET /payments/{id}: newest version wins, duplicates ignored."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.simulators.platform.conftest import next_version, pending_links


def _notify(client: TestClient, application_id: str, event: dict[str, Any]) -> Any:
    return client.post(f"/applications/{application_id}/payment", json=event)


def test_newer_event_updates_the_payment(client: TestClient, created: dict[str, Any]) -> None:
    pending = next_version(created["event"], "PAYMENT_PENDING")
    pending["payment"]["notice_code"] = "301000000000000017"
    response = _notify(client, created["application_id"], pending)
    assert response.status_code == 200
    assert response.json() == {
        "outcome": "stored",
        "stored": True,
        "status": "PAYMENT_PENDING",
        "event_id": pending["event_id"],
    }
    latest = client.get(f"/payments/{created['payment_id']}").json()
    assert latest == pending  # kept exactly as the proxy sent it


def test_duplicate_event_id_is_acknowledged_and_ignored(
    client: TestClient, created: dict[str, Any]
) -> None:
    pending = next_version(created["event"], "PAYMENT_PENDING")
    assert _notify(client, created["application_id"], pending).json()["stored"] is True
    # The same event again, even dressed as newer, changes nothing.
    replay = dict(pending, status="COMPLETE", updated_at="2999-01-01T00:00:00+00:00")
    again = _notify(client, created["application_id"], replay)
    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert client.get(f"/payments/{created['payment_id']}").json()["status"] == "PAYMENT_PENDING"


def test_older_event_does_not_overwrite_a_newer_one(
    client: TestClient, created: dict[str, Any]
) -> None:
    complete = next_version(created["event"], "COMPLETE", after=10)
    late_started = next_version(created["event"], "PAYMENT_STARTED", after=5)
    _notify(client, created["application_id"], complete)
    response = _notify(client, created["application_id"], late_started)
    assert response.status_code == 200
    assert response.json()["outcome"] == "older"
    assert response.json()["status"] == "COMPLETE"
    assert client.get(f"/payments/{created['payment_id']}").json()["status"] == "COMPLETE"


def test_same_updated_at_is_ordered_by_event_created_at(
    client: TestClient, created: dict[str, Any]
) -> None:
    first = next_version(created["event"], "PAYMENT_PENDING")
    second = next_version(created["event"], "PAYMENT_STARTED")
    second["event_created_at"] = "2999-01-01T00:00:00+00:00"
    _notify(client, created["application_id"], first)
    assert _notify(client, created["application_id"], second).json()["outcome"] == "stored"


def test_malformed_events_are_400_with_the_reason(
    client: TestClient, created: dict[str, Any]
) -> None:
    url = f"/applications/{created['application_id']}/payment"
    not_json = client.post(url, content=b"{oops", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["detail"]
    assert client.post(url, json=[1, 2]).status_code == 400

    missing = next_version(created["event"], "PAYMENT_PENDING")
    del missing["event_id"]
    response = client.post(url, json=missing)
    assert response.status_code == 400
    assert {"field": "event_id", "message": "is required"} in response.json()["errors"]

    old_version = next_version(created["event"], "PAYMENT_PENDING", event_version="1.0")
    assert "event_version" in client.post(url, json=old_version).json()["detail"]
    bogus_status = next_version(created["event"], "PAID")
    assert "status" in client.post(url, json=bogus_status).json()["detail"]
    assert client.get(f"/payments/{created['payment_id']}").json()["status"] == "CREATION_PENDING"


def test_event_for_another_payment_or_application_is_refused(
    client: TestClient, created: dict[str, Any]
) -> None:
    stranger = next_version(created["event"], "PAYMENT_PENDING")
    stranger["id"] = "00000000-0000-4000-8000-000000000001"
    response = _notify(client, created["application_id"], stranger)
    assert response.status_code == 422
    assert created["payment_id"] in response.json()["detail"]

    pending = next_version(created["event"], "PAYMENT_PENDING")
    unknown = _notify(client, "00000000-0000-4000-8000-000000000002", pending)
    assert unknown.status_code == 404
    assert "no application" in unknown.json()["detail"]


def test_unknown_payment_is_404(client: TestClient) -> None:
    assert client.get("/payments/00000000-0000-4000-8000-000000000003").status_code == 404
    assert client.get("/payments/not-a-uuid").status_code == 404


def test_notify_history_is_visible_in_admin_positions(
    client: TestClient, created: dict[str, Any]
) -> None:
    pending = next_version(created["event"], "PAYMENT_PENDING")
    pending["links"].update(pending_links(created["payment_id"]))
    _notify(client, created["application_id"], pending)
    _notify(client, created["application_id"], pending)
    (position,) = client.get("/_admin/positions").json()
    assert position["application_id"] == created["application_id"]
    assert position["status"] == "PAYMENT_PENDING"
    assert [(e["via"], e["outcome"]) for e in position["exchanges"]] == [
        ("published", "stored"),
        ("notify", "stored"),
        ("notify", "duplicate"),
    ]
