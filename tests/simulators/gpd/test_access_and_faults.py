"""Subscription key (APIM's answers) and every fault profile the GPD simulator knows."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from simulators.common.faults import available
from simulators.common.server import serving
from simulators.gpd.app import Settings, create_app
from simulators.gpd.gate import INVALID_KEY, MISSING_KEY
from tests.simulators.gpd.conftest import KEY, ORG, POSITIONS, RECEIPTS, position_body

Create = Callable[..., dict[str, Any]]


def test_missing_or_wrong_key_gets_apims_401(client: TestClient) -> None:
    missing = client.get(POSITIONS)
    assert missing.status_code == 401
    assert missing.json() == {"statusCode": 401, "message": MISSING_KEY}
    wrong = client.get(POSITIONS, headers={"Ocp-Apim-Subscription-Key": "nope"})
    assert wrong.status_code == 401 and wrong.json()["message"] == INVALID_KEY
    assert (
        client.get(RECEIPTS, params={"subscription-key": "sim-subscription-key"}).status_code == 404
    )
    # the station, status, backoffice and admin API need no key
    assert client.get("/status").status_code == 200


def test_other_organizations_are_forbidden(client: TestClient) -> None:
    answer = client.get(POSITIONS.replace(ORG, "77777777777"), headers=KEY)
    assert answer.status_code == 403 and "77777777777" in answer.json()["message"]


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    assert (
        client.get(POSITIONS, headers={**KEY, "X-Request-Id": "abc"}).headers["x-request-id"]
        == "abc"
    )
    assert len(client.get(POSITIONS, headers=KEY).headers["x-request-id"]) == 32


def activate(client: TestClient, name: str, **params: Any) -> None:
    answer = client.put(f"/_admin/faults/{name}", json=params)
    assert answer.status_code == 200, answer.text


def test_creation_error_is_a_500_problem_and_creates_nothing(client: TestClient) -> None:
    activate(client, "creation-error")
    answer = client.post(POSITIONS, json=position_body("f1"), headers=KEY)
    assert answer.status_code == 500
    assert answer.json()["title"] == "The debt position creation is failed"
    client.delete("/_admin/faults")
    assert client.get(f"{POSITIONS}/f1", headers=KEY).status_code == 404
    assert client.post(POSITIONS, json=position_body("f1"), headers=KEY).status_code == 201


def test_status_error_breaks_get_and_list_only(client: TestClient, create: Create) -> None:
    created = create()
    activate(client, "status-error")
    assert client.get(f"{POSITIONS}/{created['iupd']}", headers=KEY).status_code == 500
    assert client.get(POSITIONS, headers=KEY).status_code == 500
    assert client.post(f"{POSITIONS}/{created['iupd']}/invalidate", headers=KEY).status_code == 200


def test_receipt_download_failure(client: TestClient) -> None:
    activate(client, "receipt-download-failure")
    answer = client.get(f"{RECEIPTS}/01000000000000144", headers=KEY)
    assert answer.status_code == 500 and answer.json()["title"] == "The receipt recovery is failed"


def test_rate_and_seed_make_faults_reproducible() -> None:
    def run() -> list[int]:
        with TestClient(create_app(Settings(faults=["status-error:0.5:7"]))) as c:
            return [c.get(POSITIONS, headers=KEY).status_code for _ in range(20)]

    first = run()
    assert first == run() and {200, 500} == set(first)


def test_malformed_json_cuts_the_body(client: TestClient, create: Create) -> None:
    created = create()
    activate(client, "malformed-json")
    answer = client.get(f"{POSITIONS}/{created['iupd']}", headers=KEY)
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()


def test_expired_credentials_refuse_the_valid_key(client: TestClient) -> None:
    activate(client, "expired-credentials")
    answer = client.get(POSITIONS, headers=KEY)
    assert answer.status_code == 401 and answer.json()["message"] == INVALID_KEY


def test_ip_not_allowed_403(client: TestClient) -> None:
    activate(client, "ip-not-allowed-403")
    answer = client.get(POSITIONS, headers=KEY)
    assert answer.status_code == 403 and "not allow-listed" in answer.json()["message"]
    # the admin API stays reachable, so the fault can be switched off
    assert client.delete("/_admin/faults").status_code == 204
    assert client.get(POSITIONS, headers=KEY).status_code == 200


def test_ip_not_allowed_refuse_drops_the_connection(client: TestClient) -> None:
    activate(client, "ip-not-allowed-refuse")
    with pytest.raises(ConnectionResetError):
        client.get(POSITIONS, headers=KEY)


def test_ip_not_allowed_refuse_resets_tcp_when_served_with_the_guard() -> None:
    app = create_app(Settings(faults=["ip-not-allowed-refuse"]))
    assert app.state.connection_guard.enabled
    with serving(app, allowlist=app.state.connection_guard) as server:
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{server.url}{POSITIONS}", headers=KEY, timeout=5)
        # the admin API is behind the same TCP guard; clearing the fault reopens the door
        app.state.simulator.faults.clear()
        assert httpx.get(f"{server.url}{POSITIONS}", headers=KEY, timeout=5).status_code == 200


def test_ip_not_allowed_refuse_at_run_time_breaks_the_connection_mid_answer() -> None:
    app = create_app(Settings())
    assert not app.state.connection_guard.enabled  # fast protocol when no refusal is needed
    with serving(app) as server, httpx.Client(base_url=server.url, timeout=5) as http:
        assert http.put("/_admin/faults/ip-not-allowed-refuse", json={}).status_code == 200
        with pytest.raises(httpx.TransportError):
            http.get(POSITIONS, headers=KEY)
        assert http.delete("/_admin/faults").status_code == 204
        assert http.get(POSITIONS, headers=KEY).status_code == 200


@pytest.mark.parametrize("name", ["slow-response", "timeout"])
def test_slow_answers_wait_the_delay(client: TestClient, name: str) -> None:
    activate(client, name, delay=0.3)
    started = time.perf_counter()
    assert client.get(POSITIONS, headers=KEY).status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_slow_response_also_delays_the_station(client: TestClient) -> None:
    activate(client, "slow-response", delay=0.2)
    started = time.perf_counter()
    client.post("/pagopa/paForNode", content=b"<x/>")
    assert time.perf_counter() - started >= 0.2


def test_faults_that_gpd_cannot_express_are_accepted_and_harmless(
    client: TestClient, create: Create
) -> None:
    names = {cls.name for cls in available("gpd")}
    assert {"notice-download-failure", "broken-redirect"} <= names
    activate(client, "notice-download-failure")
    activate(client, "broken-redirect")
    created = create()
    assert client.get(f"{POSITIONS}/{created['iupd']}", headers=KEY).status_code == 200


def test_faults_chosen_at_start() -> None:
    with TestClient(create_app(Settings(faults=["creation-error"]))) as c:
        assert c.post(POSITIONS, json=position_body("s1"), headers=KEY).status_code == 500
        assert [f["name"] for f in c.get("/_admin/faults").json()["active"]] == ["creation-error"]
