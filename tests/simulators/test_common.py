"""Fault profiles, allowlist and safe XML shared by every simulator."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from simulators.common.access import Allowlist, AllowlistMiddleware
from simulators.common.admin import admin_mount
from simulators.common.faults import REGISTRY, FaultSpec, FaultState, UnknownFault
from simulators.common.safexml import MalformedXML, UnsafeXML, parse_xml
from simulators.common.server import serving


def test_every_design_fault_profile_is_registered() -> None:
    for name in [
        "creation-error", "notice-download-failure", "receipt-download-failure", "status-error",
        "broken-redirect", "slow-response", "timeout", "malformed-xml", "wrong-namespace",
        "missing-element", "duplicate-notification", "late-notification", "lost-notification",
        "card-screen-error", "lost-outcome", "ip-not-allowed-refuse", "ip-not-allowed-403",
        "expired-credentials",
    ]:  # fmt: skip
        assert name in REGISTRY


def test_fault_rate_and_seed_are_reproducible() -> None:
    def run() -> list[bool]:
        state = FaultState("mypay")
        state.activate("creation-error", rate=0.3, seed=42)
        return [state.check("create") is not None for _ in range(200)]

    first, second = run(), run()
    assert first == second
    assert 30 < sum(first) < 90  # about 30 %
    state = FaultState("mypay")
    state.activate("creation-error", rate=1.0)
    assert state.check("status") is None  # only strikes where it applies
    assert state.check("create") is not None


def test_fault_spec_and_applicability_errors_are_specific() -> None:
    assert FaultSpec.parse("timeout:0.5:7") == FaultSpec("timeout", 0.5, 7)
    with pytest.raises(UnknownFault, match="known: "):
        FaultSpec.parse("no-such-fault")
    with pytest.raises(ValueError, match="does not apply to the checkout simulator"):
        FaultState("checkout").activate("creation-error")
    with pytest.raises(ValueError, match="rate must be between 0 and 1"):
        FaultState("gpd").activate("timeout", rate=2)


class _Target:
    def __init__(self) -> None:
        self.faults = FaultState("gpd")
        self.was_reset = False

    def reset(self) -> None:
        self.was_reset = True

    def positions(self) -> list[dict[str, object]]:
        return [{"iupd": "x", "status": "VALID"}]


def test_admin_api_switches_faults_at_run_time() -> None:
    target = _Target()
    client = TestClient(Starlette(routes=[admin_mount(target)]))
    put = client.put("/_admin/faults/status-error", json={"rate": 0.5, "seed": 3})
    assert put.status_code == 200 and put.json()["rate"] == 0.5
    listed = client.get("/_admin/faults").json()
    assert [f["name"] for f in listed["active"]] == ["status-error"]
    assert "malformed-json" in {f["name"] for f in listed["available"]}
    assert client.put("/_admin/faults/bogus", json={}).status_code == 404
    assert client.put("/_admin/faults/timeout", json={"rate": "x"}).status_code == 422
    assert client.delete("/_admin/faults").status_code == 204
    assert target.faults.to_list() == []
    assert client.post("/_admin/reset").status_code == 204 and target.was_reset
    assert client.get("/_admin/positions").json()[0]["status"] == "VALID"


def _hello_app() -> Starlette:
    async def hello(request: object) -> PlainTextResponse:
        return PlainTextResponse("hello")

    return Starlette(routes=[Route("/", hello)])


def test_allowlist_403_names_the_source_address() -> None:
    app = AllowlistMiddleware(_hello_app(), Allowlist(["10.0.0.0/8"], mode="403"))
    response = TestClient(app, client=("127.0.0.1", 5000)).get("/")
    assert response.status_code == 403
    assert "127.0.0.1" in response.json()["detail"]
    allowed = AllowlistMiddleware(_hello_app(), Allowlist(["127.0.0.0/8"], mode="403"))
    assert TestClient(allowed, client=("127.0.0.1", 5000)).get("/").text == "hello"


def test_allowlist_refuse_resets_the_tcp_connection() -> None:
    with serving(_hello_app(), allowlist=Allowlist(["10.0.0.0/8"], mode="refuse")) as server:
        with pytest.raises(httpx.TransportError):
            httpx.get(server.url + "/", timeout=5)
    with serving(_hello_app(), allowlist=Allowlist(["127.0.0.1/32"], mode="refuse")) as server:
        assert httpx.get(server.url + "/", timeout=5).text == "hello"


def test_safe_xml_refuses_dtd_entities_and_oversize() -> None:
    assert parse_xml(b"<a><b>1</b></a>").findtext("b") == "1"
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><l>&a;&a;</l>'
    with pytest.raises(UnsafeXML, match="DOCTYPE"):
        parse_xml(bomb)
    external = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(UnsafeXML):
        parse_xml(external)
    with pytest.raises(MalformedXML, match="not well-formed"):
        parse_xml(b"<a><b></a>")
    with pytest.raises(UnsafeXML, match="exceeds the limit"):
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)
