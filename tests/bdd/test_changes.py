"""The suite's waits wake on what the stack does, and a shortened driver limit ends early."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from collaudo.bdd import world
from collaudo.bdd.changes import Changes, SignallingBus, SignalOnExchange
from collaudo.bdd.world import CollaudoEnv, NotYet, eventually
from collaudo.exchanges import CITIZEN_AGENT, SUITE_AGENT, ExchangeRecorder
from collaudo.targets import Target


def test_a_wait_wakes_on_a_signal_without_waiting_for_the_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An hour between polls: only the signal can end this wait within the test's time.
    monkeypatch.setattr(world, "POLL_INTERVAL", 3600.0)
    state: dict[str, Any] = {"ready": False, "checks": 0}

    def probe() -> bool:
        state["checks"] += 1
        return bool(state["ready"])

    result: list[bool] = []
    waiter = threading.Thread(
        target=lambda: result.append(eventually(probe, "ready", 3600)), daemon=True
    )
    waiter.start()
    while state["checks"] == 0:  # the waiter has checked once and is waiting now
        threading.Event().wait(0.001)
    state["ready"] = True
    world.CHANGES.signal()
    waiter.join(timeout=30)
    assert not waiter.is_alive(), "the signal did not wake the wait"
    assert result == [True]


def test_a_wait_that_never_holds_says_what_it_waited_for() -> None:
    with pytest.raises(NotYet, match=r"waited 0.05 s for the moon; last seen: None"):
        eventually(lambda: None, "the moon", timeout=0.05)


def test_a_burst_of_signals_checks_at_most_once_per_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(world, "POLL_INTERVAL", 3600.0)
    monkeypatch.setattr(world, "MIN_CHECK_GAP", 0.05)
    checks = 0
    stop = threading.Event()

    def storm() -> None:  # a change every millisecond, as an import of many rows makes
        while not stop.is_set():
            world.CHANGES.signal()
            stop.wait(0.001)

    def probe() -> None:
        nonlocal checks
        checks += 1

    storming = threading.Thread(target=storm)
    storming.start()
    try:
        with pytest.raises(NotYet):
            eventually(probe, "nothing", timeout=0.5)
    finally:
        stop.set()
        storming.join()
    # 0.5 s / 0.05 s: about ten checks, not the hundreds of signals.
    assert checks <= 12, checks


def _app() -> Starlette:
    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ciao")

    return Starlette(routes=[Route("/", hello)])


@pytest.mark.parametrize(
    ("agent", "signals"),
    [("python-httpx/0.27 (the proxy's driver)", 1), (SUITE_AGENT, 0), (CITIZEN_AGENT, 0)],
)
async def test_an_exchange_signals_unless_the_suite_made_it(agent: str, signals: int) -> None:
    changes = Changes()
    transport = httpx.ASGITransport(app=SignalOnExchange(_app(), changes))
    async with httpx.AsyncClient(transport=transport, base_url="http://gpd") as client:
        response = await client.get("/", headers={"User-Agent": agent})
    assert response.text == "ciao"
    assert changes.count == signals


async def test_the_bus_signals_a_publish_and_a_handled_message() -> None:
    changes = Changes()
    bus = SignallingBus(ExchangeRecorder(), changes)
    messages = bus.subscribe("payments", "platform")
    await bus.publish("payments", b"k", b'{"status": "PAYMENT_PENDING"}')
    assert changes.count == 1
    message = await anext(messages)
    assert changes.count == 1  # read, not handled yet
    await message.commit()
    assert changes.count == 2
    await messages.aclose()  # type: ignore[attr-defined]


def test_a_shortened_driver_limit_lasts_until_restored_or_the_scenario_ends() -> None:
    driver = SimpleNamespace(timeout=7.0)
    stack: Any = SimpleNamespace(intermediary=driver, urls={})
    target = Target("sim-gpd", "gpd", kind="simulator")
    env = CollaudoEnv(target, stack, None, None, None, None, None)  # type: ignore[arg-type]

    env.shorten_driver_timeout(0.25)
    env.shorten_driver_timeout(0.5)  # shortened again: the driver's own is still known
    assert driver.timeout == 0.5
    env.restore_driver_timeout()
    assert driver.timeout == 7.0
    env.restore_driver_timeout()  # twice: nothing more to do
    assert driver.timeout == 7.0

    env.shorten_driver_timeout(0.25)
    env.reset()  # the scenario ends without restoring: the reset does it
    assert driver.timeout == 7.0
