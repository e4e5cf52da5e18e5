"""The GovPay simulator's operator side: fault profiles, allowlist, /status, backoffice, admin."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from simulators.common.env import SettingError, from_environ
from simulators.common.faults import available
from simulators.govpay.app import ENV_PREFIX, Settings, create_app
from tests.simulators.govpay.conftest import A2A, AUTH, BASE, DOMINIO, JSON, nuova_pendenza


def test_govpay_fault_profiles() -> None:
    names = {cls.name for cls in available("govpay")}
    assert {
        "creation-error",
        "status-error",
        "notice-download-failure",
        "receipt-download-failure",
        "lost-notification",
        "duplicate-notification",
        "late-notification",
        "anomalous-payment",
        "malformed-json",
        "ip-not-allowed-403",
        "ip-not-allowed-refuse",
        "expired-credentials",
        "slow-response",
    } <= names


@pytest.mark.parametrize(
    ("fault", "method", "path", "status"),
    [
        ("creation-error", "PUT", "/pendenze/A2A-COLLAUDO/f-1", 500),
        ("status-error", "GET", "/pendenze/A2A-COLLAUDO/f-0", 500),
        ("notice-download-failure", "GET", f"/avvisi/{DOMINIO}/301000000000000144", 500),
        ("ip-not-allowed-403", "GET", "/pendenze/A2A-COLLAUDO/f-0", 403),
        ("expired-credentials", "GET", "/pendenze/A2A-COLLAUDO/f-0", 401),
    ],
)
def test_faults_answer_as_govpay_errors(
    client: TestClient, fault: str, method: str, path: str, status: int
) -> None:
    client.put(f"{BASE}/pendenze/{A2A}/f-0", json=nuova_pendenza(), auth=AUTH)
    assert client.put(f"/_admin/faults/{fault}", json={}).status_code == 200
    answer = client.request(method, BASE + path, json=nuova_pendenza(), headers=JSON, auth=AUTH)
    assert answer.status_code == status
    assert answer.json()["categoria"] in {"INTERNO", "AUTORIZZAZIONE"}
    assert "x-govpay-idtransazione" in answer.headers
    client.delete("/_admin/faults")
    assert client.get(f"{BASE}/pendenze/{A2A}/f-0", auth=AUTH).status_code == 200


def test_malformed_json_cuts_the_body(client: TestClient) -> None:
    client.put("/_admin/faults/malformed-json", json={})
    answer = client.put(f"{BASE}/pendenze/{A2A}/m-1", json=nuova_pendenza(), auth=AUTH)
    with pytest.raises(ValueError):
        answer.json()


def test_refuse_drops_the_connection(client: TestClient) -> None:
    client.put("/_admin/faults/ip-not-allowed-refuse", json={})
    with pytest.raises(ConnectionResetError):
        client.get(f"{BASE}/pendenze", auth=AUTH)
    assert client.get("/status").status_code == 200  # the operator side stays reachable


def test_allowlist_403() -> None:
    with TestClient(create_app(Settings(allowed_networks=["10.8.0.0/16"]))) as client:
        answer = client.get(f"{BASE}/pendenze", auth=AUTH)
        assert answer.status_code == 403 and "not allow-listed" in answer.text


def test_status_backoffice_positions_and_reset(client: TestClient) -> None:
    client.put(f"{BASE}/pendenze/{A2A}/s-1", json=nuova_pendenza(), auth=AUTH)
    status = client.get("/status").json()
    assert status["simulator"] == "govpay" and status["pendenze"] == 1
    assert status["enti"][0]["idDominio"] == DOMINIO
    assert "sim-password" not in client.get("/status").text
    page = client.get("/backoffice")
    assert "s-1" in page.text and "NON_ESEGUITA" in page.text
    [position] = client.get("/_admin/positions").json()
    assert position["idPendenza"] == "s-1" and position["exchanges"][0]["outcome"] == "201 creata"
    assert client.post("/_admin/reset").status_code == 204
    assert client.get("/_admin/positions").json() == []
    assert client.get(f"{BASE}/pendenze/{A2A}/s-1", auth=AUTH).status_code == 404


def test_admin_refuses_bad_input(client: TestClient) -> None:
    assert client.put("/_admin/creditors/80000000002", json={"url": "nope"}).status_code == 422
    bad_auth = {"url": "http://x:1/e", "auth": "oauth"}
    assert client.put("/_admin/creditors/80000000002", json=bad_auth).status_code == 422
    assert client.put("/_admin/clock", json={"days": 1}).status_code == 422
    assert client.put("/_admin/faults/no-such-fault", json={}).status_code == 404
    assert client.put("/_admin/faults/card-screen-error", json={}).status_code == 422


def test_settings_from_the_environment() -> None:
    values = from_environ(
        Settings,
        ENV_PREFIX,
        {
            "COLLAUDO_GOVPAY_CREDITOR_URLS": "80000000002=http://proxy:8000/govpay/ente/v2",
            "COLLAUDO_GOVPAY_AUX_DIGIT": "0",
            "COLLAUDO_GOVPAY_NOTIFICATION_RETRY_UNIT": "0.1",
        },
    )
    assert values["creditor_urls"] == {"80000000002": "http://proxy:8000/govpay/ente/v2"}
    assert values["aux_digit"] == 0
    with pytest.raises(SettingError, match="0, 1, 2 or 3"):
        from_environ(Settings, ENV_PREFIX, {"COLLAUDO_GOVPAY_AUX_DIGIT": "7"})
    with pytest.raises(SettingError, match="idDominio"):
        from_environ(Settings, ENV_PREFIX, {"COLLAUDO_GOVPAY_CREDITOR_URLS": "x=http://a:1"})
    with pytest.raises(SettingError, match="ente"):
        from_environ(Settings, ENV_PREFIX, {"COLLAUDO_GOVPAY_IUV_MODE": "psp"})
