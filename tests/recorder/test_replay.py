"""Replay of the committed samples: server mode with the real drivers, client mode against
fresh simulators, and strict matching that fails loudly."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from mitmproxy import http

from adapters.core.intermediary import IntermediaryFault, PositionContext, PositionState
from collaudo.recorder.matching import Matcher, NoMatch
from collaudo.recorder.replay_client import render, resend
from collaudo.recorder.replay_server import ReplayApp
from collaudo.recorder.sample import (
    FAILED_PAYMENT_IDS,
    GPD_KEY,
    MYPAY_PASSWORD,
    PAYER,
    PAYMENT_IDS,
    RETURN,
    World,
    creditor,
    debt_request,
    driver,
)
from simulators.common.server import serving


@pytest.mark.parametrize("name", ["mypay", "gpd", "govpay"])
def test_the_driver_reproduces_the_recorded_exchange_offline(
    name: str,
    mypay_flows: list[http.HTTPFlow],
    gpd_flows: list[http.HTTPFlow],
    govpay_flows: list[http.HTTPFlow],
) -> None:
    flows = {"mypay": mypay_flows, "gpd": gpd_flows, "govpay": govpay_flows}[name]
    app = ReplayApp(flows)
    with serving(app) as server:
        config = creditor(name, {name: server.url, "checkout": server.url})  # type: ignore[arg-type]

        async def journey() -> tuple[PositionState, PositionState, str]:
            drv = driver(name)  # type: ignore[arg-type]
            request = debt_request(config, PAYMENT_IDS[name])
            position = await drv.create_debt_position(request)
            ctx = PositionContext(request.payment_id, config, position, PAYER, request.reason)
            first = (await drv.status(ctx)).state
            await drv.checkout_url(ctx, RETURN)
            second = (await drv.status(ctx)).state
            assert (await drv.receipt(ctx)).content
            with pytest.raises(IntermediaryFault) as failed:
                await drv.create_debt_position(debt_request(config, FAILED_PAYMENT_IDS[name]))
            return first, second, str(failed.value)

        first, second, failure = asyncio.run(journey())
    # The recorded story, replayed in order: unpaid, then paid, then the production failure.
    assert (first, second) == (PositionState.UNPAID, PositionState.PAID)
    expected = {"mypay": "PAA_SYSTEM_ERROR", "gpd": "HTTP 500", "govpay": "HTTP 500 INTERNO"}
    assert expected[name] in failure, failure
    assert app.unmatched == []


def test_an_unmatched_request_fails_loudly_naming_the_nearest(
    mypay_flows: list[http.HTTPFlow],
) -> None:
    app = ReplayApp(mypay_flows)
    with serving(app) as server:
        config = creditor("mypay", {"mypay": server.url, "checkout": server.url})
        other = uuid.UUID("00000000-0000-4000-8000-000000000001")

        async def create() -> str:
            with pytest.raises(IntermediaryFault) as failed:
                await driver("mypay").create_debt_position(debt_request(config, other))
            return str(failed.value)

        message = asyncio.run(create())
    assert len(app.unmatched) == 1
    explained = app.unmatched[0].explain()
    assert "no recorded answer" in message and "paaSILImportaDovuto" in explained
    # The nearest recording is the same operation, and the reason is the IUD.
    first_near = app.unmatched[0].nearest[0]
    assert first_near.operation.endswith("paaSILImportaDovuto")
    assert any("identificativoUnivocoDovuto" in r and other.hex in r for r in first_near.reasons), (
        first_near.reasons
    )


def test_volatile_and_personal_fields_do_not_prevent_a_match(
    gpd_flows: list[http.HTTPFlow],
) -> None:
    create = gpd_flows[0]
    body = (create.request.raw_content or b"").decode()
    # Another due date (volatile) and the real debtor (personal): still the same request.
    changed = body.replace('"dueDate": "', '"dueDate": "2031-').replace(
        create.request.json()["fiscalCode"], "RSSMRA80A01H501U"
    )
    matched = Matcher(gpd_flows).match(
        "POST", create.request.path, "application/json", changed.encode()
    )
    assert matched is create
    with pytest.raises(NoMatch) as missed:
        Matcher(gpd_flows).match(
            "POST",
            create.request.path,
            "application/json",
            body.replace('"amount": 2000', '"amount": 2100', 1).encode(),
        )
    assert any("amount" in r for r in missed.value.nearest[0].reasons)


def test_client_mode_reports_differences_against_a_fresh_simulator(
    world: World, gpd_flows: list[http.HTTPFlow]
) -> None:
    results = resend(gpd_flows, world.gpd.url, {"Ocp-Apim-Subscription-Key": GPD_KEY})
    assert len(results) == len(gpd_flows)
    by_op = {r.index: r for r in results}
    # The creation is accepted again by a fresh simulator: same status, same identifiers.
    assert by_op[0].status == 201 and by_op[0].same, render(results, world.gpd.url)
    # The recorded failure (HTTP 500) does not happen on a healthy simulator: reported.
    last = results[-1]
    assert last.recorded_status == 500 and last.status == 201
    assert any(d.field == "HTTP status" for d in last.differences)
    text = render(results, world.gpd.url)
    assert "DIFFERS" in text and "as recorded" in text


def test_client_mode_without_credentials_is_refused_by_the_target(
    world: World, mypay_flows: list[http.HTTPFlow]
) -> None:
    with_password = resend(mypay_flows[:3], world.mypay.url, {"password": MYPAY_PASSWORD})
    without = resend(mypay_flows[:3], world.mypay.url, {})
    assert with_password[2].differences != without[2].differences
    assert any("fault" in d.field for d in without[2].differences)


def test_the_replay_server_answers_with_recorded_headers(mypay_flows: list[http.HTTPFlow]) -> None:
    with serving(ReplayApp(mypay_flows)) as server:
        wsdl = httpx.get(f"{server.url}/ws/pa?wsdl", timeout=5)
    assert wsdl.status_code == 200 and wsdl.headers["x-collaudo-replay"] == "recorded"
    assert b"paaSILImportaDovuto" in wsdl.content


def test_keys_remembered_by_bytes_give_the_same_answers_in_the_same_order(
    gpd_flows: list[http.HTTPFlow], monkeypatch: pytest.MonkeyPatch
) -> None:
    from collaudo.recorder import matching

    monkeypatch.setattr(matching, "KEY_CACHE_SIZE", 2)
    parsed: list[bytes] = []
    real = matching.request_key

    def counting(method: str, path: str, content_type: str, body: bytes) -> object:
        parsed.append(body)
        return real(method, path, content_type, body)

    matcher = Matcher(gpd_flows)
    monkeypatch.setattr(matching, "request_key", counting)
    create = gpd_flows[0]
    raw = ("POST", create.request.path, "application/json", create.request.raw_content or b"")
    assert matcher.match(*raw) is create and matcher.match(*raw) is create
    assert parsed == []  # a recorded request's bytes: never parsed again
    # A live variant (another due date) is parsed once, then remembered; the cache stays
    # bounded, and an evicted key is simply parsed again, with the same answer.
    body = raw[3].decode().replace('"dueDate": "', '"dueDate": "2031-').encode()
    # The cache holds the 9 recorded keys and 2 more: 12 variants cycled twice evict each
    # other, so each is parsed on both passes.
    variants = [body + b" " * n for n in range(12)]
    for variant in variants + variants:
        assert matcher.match("POST", raw[1], raw[2], variant) is create
    assert len(parsed) == 24
    assert matcher.match("POST", raw[1], raw[2], variants[-1]) is create
    assert len(parsed) == 24  # the most recent one is still remembered
