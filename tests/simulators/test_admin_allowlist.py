"""The vendor's allowlist console: ``/_admin/allowlist`` reads and changes who gets in."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from simulators.common.access import Allowlist, AllowlistMiddleware
from simulators.common.admin import admin_mount
from simulators.common.faults import FaultState


class _Target:
    faults = FaultState("gpd")

    def reset(self) -> None: ...

    def positions(self) -> list[dict[str, object]]:
        return []


def _app(allowlist: Allowlist | None) -> Starlette:
    async def hello(request: object) -> PlainTextResponse:
        return PlainTextResponse("hello")

    middleware = [] if allowlist is None else [Middleware(AllowlistMiddleware, allowlist=allowlist)]
    app = Starlette(routes=[Route("/", hello), admin_mount(_Target())], middleware=middleware)
    if allowlist is not None:
        app.state.allowlist = allowlist
    return app


def test_the_vendor_authorises_one_more_address_and_it_gets_in_at_once() -> None:
    allowlist = Allowlist(["127.0.0.1/32"], mode="403")
    console = TestClient(_app(allowlist), client=("127.0.0.1", 5000))
    outsider = TestClient(_app(allowlist), client=("198.51.100.7", 5000))
    assert outsider.get("/").status_code == 403
    added = console.post("/_admin/allowlist", json={"network": "198.51.100.7/32"})
    assert added.status_code == 200
    assert added.json() == {"networks": ["127.0.0.1/32", "198.51.100.7/32"], "mode": "403"}
    assert outsider.get("/").text == "hello"
    assert console.get("/_admin/allowlist").json()["networks"][-1] == "198.51.100.7/32"


def test_the_whole_list_is_replaced_and_bad_input_is_refused_saying_why() -> None:
    allowlist = Allowlist(["0.0.0.0/0"], mode="refuse")
    console = TestClient(_app(allowlist), client=("127.0.0.1", 5000))
    networks = ["10.8.0.0/16", "127.0.0.1/32"]  # the console keeps itself in
    put = console.put("/_admin/allowlist", json={"networks": networks, "mode": "403"})
    assert put.json() == {"networks": networks, "mode": "403"}
    bad = console.put("/_admin/allowlist", json={"networks": ["10.8.0.300/16"]})
    assert bad.status_code == 422 and "10.8.0.300" in bad.json()["detail"]
    assert console.post("/_admin/allowlist", json={}).status_code == 422
    assert console.put("/_admin/allowlist", json={"mode": "drop"}).status_code == 422
    assert allowlist.to_dict() == {"networks": networks, "mode": "403"}  # unchanged


def test_refuse_mode_cannot_be_switched_on_after_start() -> None:
    allowlist = Allowlist(["127.0.0.1/32"], mode="403")
    console = TestClient(_app(allowlist), client=("127.0.0.1", 5000))
    late = console.put("/_admin/allowlist", json={"networks": [], "mode": "refuse"})
    assert late.status_code == 409 and "--allowlist-mode refuse" in late.json()["detail"]


def test_a_simulator_without_an_allowlist_says_so() -> None:
    console = TestClient(_app(None))
    assert console.get("/_admin/allowlist").status_code == 404
