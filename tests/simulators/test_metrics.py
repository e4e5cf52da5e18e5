"""Every simulator's /metrics: requests and latency per operation, faults injected, state."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from simulators.checkout.app import create_app as checkout_app
from simulators.gpd.app import create_app as gpd_app
from simulators.mypay.app import create_app as mypay_app
from simulators.platform.app import create_app as platform_app

GPD_KEY = {"Ocp-Apim-Subscription-Key": "sim-subscription-key"}


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample ``name`` carrying (at least) ``labels``; None if absent."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(match[3])
    return None


def test_mypay_counts_soap_operations_by_action_and_times_them() -> None:
    client = TestClient(mypay_app())
    for _ in range(3):
        client.post(
            "/ws/pa", content=b"<not-soap/>", headers={"SOAPAction": '"paaSILChiediPagati"'}
        )
    client.post("/ws/pa", content=b"<x/>", headers={"SOAPAction": "made-up"})
    text = client.get("/metrics").text
    labels = {"simulator": "mypay", "operation": "paaSILChiediPagati"}
    assert sample(text, "simulator_requests_total", status="500", **labels) == 3
    assert sample(text, "simulator_request_duration_seconds_count", **labels) == 3
    assert (sample(text, "simulator_request_duration_seconds_sum", **labels) or 0) > 0
    # An unknown action is not a label of its own: the label set stays bounded.
    assert sample(text, "simulator_requests_total", operation="POST /ws/pa") == 1
    assert "made-up" not in text
    assert sample(text, "simulator_state_size", simulator="mypay", kind="positions") == 0


def test_faults_injected_are_counted_and_survive_switching_the_fault_off() -> None:
    app = gpd_app()
    client = TestClient(app)
    url = "/gpd/debt-positions-service/v1/organizations/80000000002/debtpositions/P1"
    assert client.put("/_admin/faults/status-error", json={}).status_code == 200
    for _ in range(2):
        assert client.get(url, headers=GPD_KEY).status_code == 500
    assert client.delete("/_admin/faults/status-error").status_code in (200, 204)
    text = client.get("/metrics").text
    assert (
        sample(text, "simulator_faults_injected_total", simulator="gpd", fault="status-error") == 2
    )
    route = "GET /gpd/debt-positions-service/v1/organizations/{organizationfiscalcode}"
    assert sample(
        text, "simulator_requests_total", operation=route + "/debtpositions/{iupd}", status="500"
    ) == 2  # fmt: skip
    assert sample(text, "simulator_state_size", simulator="gpd", kind="positions") == 0


def test_each_simulator_has_its_own_registry() -> None:
    first, second = TestClient(mypay_app()), TestClient(mypay_app())
    first.get("/status")
    assert sample(first.get("/metrics").text, "simulator_requests_total", operation="GET /status")
    assert (
        sample(second.get("/metrics").text, "simulator_requests_total", operation="GET /status")
        is None
    )
    for app, name in ((checkout_app(), "checkout"), (platform_app(), "platform")):
        client = TestClient(app)
        client.get("/status")
        text = client.get("/metrics").text
        assert sample(text, "simulator_requests_total", simulator=name, operation="GET /status")
        assert sample(text, "simulator_state_size", simulator=name) is not None
