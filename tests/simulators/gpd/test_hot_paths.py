"""The hot paths (GET of a debt position, creation) answer exactly as Starlette's routes do."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from simulators.gpd.app import Settings, create_app
from simulators.gpd.hot import GpdApp

from .conftest import KEY, ORG, POSITIONS, position_body

Messages = list[dict[str, Any]]


def _scope(path: str, headers: list[tuple[bytes, bytes]], query: bytes = b"") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
        "state": {},
    }


def _call(app: Starlette, scope: dict[str, Any], starlette_only: bool = False) -> Messages:
    """The ASGI messages ``app`` sends; ``starlette_only`` skips the hot path."""
    sent: Messages = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    handler = Starlette.__call__ if starlette_only else type(app).__call__
    asyncio.run(handler(app, dict(scope), receive, send))
    return sent


def _both(app: Starlette, scope: dict[str, Any]) -> tuple[Messages, Messages]:
    return _call(app, scope), _call(app, scope, starlette_only=True)


KEY_HEADER = (b"ocp-apim-subscription-key", b"sim-subscription-key")
REQUEST_ID = (b"x-request-id", b"req-42")


def test_the_hot_path_gives_starlettes_bytes_and_headers_in_order(
    app: Starlette, create: Callable[..., dict[str, Any]]
) -> None:
    assert isinstance(app, GpdApp)
    created = create()
    scope = _scope(f"{POSITIONS}/{created['iupd']}", [KEY_HEADER, REQUEST_ID])
    hot, routed = _both(app, scope)
    assert hot == routed
    assert hot[0]["status"] == 200
    assert [name for name, _ in hot[0]["headers"]] == [
        b"content-length",
        b"content-type",
        b"x-request-id",
    ]
    assert b'"status":"VALID"' in hot[1]["body"] or b'"status":"PUBLISHED"' in hot[1]["body"]


def test_without_a_request_id_both_paths_make_a_new_one(
    app: Starlette, create: Callable[..., dict[str, Any]]
) -> None:
    created = create()
    hot, routed = _both(app, _scope(f"{POSITIONS}/{created['iupd']}", [KEY_HEADER]))
    hot_ids = [v for n, v in hot[0]["headers"] if n == b"x-request-id"]
    routed_ids = [v for n, v in routed[0]["headers"] if n == b"x-request-id"]
    assert len(hot_ids[0]) == len(routed_ids[0]) == 32 and hot_ids != routed_ids
    assert hot[1] == routed[1]


def test_what_the_hot_path_leaves_to_starlette_is_answered_as_before(
    app: Starlette, create: Callable[..., dict[str, Any]]
) -> None:
    created = create()
    path = f"{POSITIONS}/{created['iupd']}"
    cases = [
        (_scope(path, [REQUEST_ID]), 401),  # no key
        (_scope(path, [(b"ocp-apim-subscription-key", b"wrong"), REQUEST_ID]), 401),
        (_scope(path.replace(ORG, "99999999999"), [KEY_HEADER, REQUEST_ID]), 403),
        (_scope(f"{POSITIONS}/no-such-iupd", [KEY_HEADER, REQUEST_ID]), 404),
        (_scope(f"{POSITIONS}/transfers", [KEY_HEADER, REQUEST_ID]), 404),
        # The key as a query parameter, as APIM allows.
        (_scope(path, [REQUEST_ID], b"subscription-key=sim-subscription-key"), 200),
    ]
    for scope, status in cases:
        hot, routed = _both(app, scope)
        assert hot == routed, scope["path"]
        assert hot[0]["status"] == status, (scope["path"], hot[0]["status"])


def test_faults_and_changes_reach_the_hot_path(
    client: TestClient, create: Callable[..., dict[str, Any]]
) -> None:
    created = create(publish=False)
    url = f"{POSITIONS}/{created['iupd']}"
    assert client.get(url, headers=KEY).json()["status"] == "DRAFT"
    # A change drops the cached answer.
    assert client.post(f"{url}/publish", headers=KEY).status_code == 200
    assert client.get(url, headers=KEY).json()["status"] in ("PUBLISHED", "VALID")
    changed = position_body(created["iupd"], amount=3100)
    changed["paymentOption"][0]["iuv"] = created["paymentOption"][0]["iuv"]
    assert client.put(url, json=changed, headers=KEY).status_code == 200
    assert client.get(url, headers=KEY).json()["paymentOption"][0]["amount"] == 3100
    # A fault switched on through the admin API strikes the hot GET too.
    fault = client.put("/_admin/faults/status-error", json={})
    assert fault.status_code in (200, 201), fault.text
    assert client.get(url, headers=KEY).status_code == 500
    assert client.delete("/_admin/faults").status_code == 204
    assert client.get(url, headers=KEY).status_code == 200
    client.post("/_admin/reset")
    assert client.get(url, headers=KEY).status_code == 404


def test_metrics_count_hot_gets_under_the_route_template(
    client: TestClient, create: Callable[..., dict[str, Any]]
) -> None:
    created = create()
    for _ in range(3):
        assert client.get(f"{POSITIONS}/{created['iupd']}", headers=KEY).status_code == 200
    assert client.get(f"{POSITIONS}/missing", headers=KEY).status_code == 404
    text = client.get("/metrics").text
    operation = (
        "GET /gpd/debt-positions-service/v1/organizations/{organizationfiscalcode}"
        "/debtpositions/{iupd}"
    )
    assert (
        f'simulator_requests_total{{operation="{operation}",simulator="gpd",status="200"}} 3.0'
        in text
    )
    assert (
        f'simulator_requests_total{{operation="{operation}",simulator="gpd",status="404"}} 1.0'
        in text
    )


def test_an_allowlist_in_403_mode_still_refuses_on_the_hot_path() -> None:
    app = create_app(Settings())
    with TestClient(app) as client:
        body = position_body(f"{ORG}-allow-1")
        created = client.post(POSITIONS, params={"toPublish": "true"}, json=body, headers=KEY)
        assert created.status_code == 201
        url = f"{POSITIONS}/{ORG}-allow-1"
        assert client.get(url, headers=KEY).status_code == 200
        changed = client.put("/_admin/allowlist", json={"networks": ["10.0.0.0/8"]})
        assert changed.status_code == 200, changed.text
        assert client.get(url, headers=KEY).status_code == 403


def _post(
    app: Starlette,
    path: str,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    *,
    query: bytes = b"",
    starlette_only: bool = False,
) -> Messages:
    scope = _scope(path, headers, query)
    scope["method"] = "POST"
    sent: Messages = []
    chunks = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.request", "body": body[10:], "more_body": False},
    ]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    handler = Starlette.__call__ if starlette_only else type(app).__call__
    asyncio.run(handler(app, scope, receive, send))
    return sent


def test_creation_skips_the_middleware_but_answers_as_the_route_does(app: Starlette) -> None:
    headers = [KEY_HEADER, REQUEST_ID, (b"content-type", b"application/json")]
    publish = b"toPublish=true"
    made = []
    for starlette_only in (False, True):
        body = json.dumps(position_body(f"{ORG}-hot-{starlette_only}")).encode()
        made.append(
            _post(app, POSITIONS, body, headers, query=publish, starlette_only=starlette_only)
        )
    hot, routed = made
    assert hot[0]["status"] == routed[0]["status"] == 201
    assert [n for n, _ in hot[0]["headers"]] == [n for n, _ in routed[0]["headers"]]
    assert json.loads(hot[1]["body"]).keys() == json.loads(routed[1]["body"]).keys()
    assert json.loads(hot[1]["body"])["status"] in ("PUBLISHED", "VALID")
    duplicate = json.dumps(position_body(f"{ORG}-hot-False")).encode()
    refusals = [
        (b"{not json", headers, 400),
        (duplicate, headers, 409),
        (duplicate, [REQUEST_ID], 401),
    ]
    for body, given, status in refusals:
        hot = _post(app, POSITIONS, body, given, query=publish)
        routed = _post(app, POSITIONS, body, given, query=publish, starlette_only=True)
        assert hot == routed and hot[0]["status"] == status, (status, hot[0]["status"])
    other = POSITIONS.replace(ORG, "99999999999")
    assert _post(app, other, duplicate, headers) == _post(
        app, other, duplicate, headers, starlette_only=True
    )


def test_metrics_count_hot_creations_under_the_route_template(
    client: TestClient, create: Callable[..., dict[str, Any]]
) -> None:
    create()
    create()
    text = client.get("/metrics").text
    operation = (
        "POST /gpd/debt-positions-service/v1/organizations/{organizationfiscalcode}/debtpositions"
    )
    assert (
        f'simulator_requests_total{{operation="{operation}",simulator="gpd",status="201"}} 2.0'
        in text
    )
