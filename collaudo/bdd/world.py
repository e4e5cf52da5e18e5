"""The world a scenario acts on: one running target and typed handles on its parts.

:class:`StackPool` starts each target's stack once per test session (per xdist
worker) and stops them all at the end. :class:`CollaudoEnv` is what steps receive:
the target, HTTP clients for the operator (proxy API), the citizen/platform, and
the simulators' admin APIs, plus :func:`eventually` for waiting on the stack without
fixed sleeps (it re-checks when the stack signals a change, see :mod:`collaudo.bdd.changes`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest

from adapters.core.tls import default_tls
from collaudo.bdd.changes import CHANGES, SignallingBus, SignalOnExchange, wait_for_change
from collaudo.exchanges import CITIZEN_AGENT, SUITE_AGENT, ExchangeRecorder, recording_wrapper
from collaudo.targets import Target

if TYPE_CHECKING:
    # collaudo.stack imports the proxy and every simulator (~1 CPU-s): imported where a
    # stack starts, so the xdist controller, which loads this module for PROFILES, never does.
    from adapters.core.service import PaymentService
    from collaudo.stack import Stack, StackOptions, StackThread

T = TypeVar("T")
log = logging.getLogger(__name__)

#: The fallback poll, for changes nothing signals (a store write after a driver's own
#: timeout, a network link going down): what every wait used before the signals.
POLL_INTERVAL = 0.02
#: The least time between two checks of one wait: a burst of changes (an import of a
#: hundred rows) costs a check per 5 ms, not one per change, in the thread the stack
#: shares the interpreter with.
MIN_CHECK_GAP = 0.005
#: Seconds an idle keep-alive connection of the suite's clients is kept (servers: 5 s).
KEEPALIVE_EXPIRY = 2.0
DEFAULT_WAIT = 15.0
INTERMEDIARY_TITLES = {"mypay": "MyPay", "gpd": "GPD", "govpay": "GovPay"}


#: The target profiles the plugin loaded at collection (name → Target).
PROFILES = pytest.StashKey[dict[str, Target]]()


class NotYet(AssertionError):
    """A condition polled by :func:`eventually` did not hold in time."""


def eventually(probe: Callable[[], T | None], what: str, timeout: float = DEFAULT_WAIT) -> T:
    """Call ``probe`` until it returns something truthy: again as soon as the stack signals
    a change (an exchange ended, a bus message handled), at the latest every
    :data:`POLL_INTERVAL`; :class:`NotYet` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        seen = CHANGES.count  # before the check: a change during it wakes the next wait
        checked = time.monotonic()
        last = probe()
        if last:
            return last
        left = deadline - time.monotonic()
        if left <= 0:
            raise NotYet(f"waited {timeout:g} s for {what}; last seen: {last!r}")
        wait_for_change(seen, min(POLL_INTERVAL, left), checked, MIN_CHECK_GAP)


@dataclass
class CollaudoEnv:
    """One target's running stack, as the steps see it."""

    target: Target
    stack: Stack
    runner: StackThread
    recorder: ExchangeRecorder
    operator: httpx.Client  # the proxy's configuration API, with the bearer token
    citizen: httpx.Client  # a browser-like client (no token), for links and the platform
    suite: httpx.Client  # the suite's own calls (simulators' admin, platform reads)
    _closers: list[Callable[[], None]] = field(default_factory=list)
    _undo: list[Callable[[], None]] = field(default_factory=list)  # after each scenario
    _driver_timeout: float | None = None  # the driver's own, while a scenario shortens it
    #: Where the suite changed a simulator's admin state since the last clear ("host:port";
    #: "*" for everywhere: nothing is known before the first clear).
    _touched: set[str] = field(default_factory=lambda: {"*"})

    @property
    def intermediary(self) -> str:
        return self.target.intermediary

    @property
    def intermediary_title(self) -> str:
        return INTERMEDIARY_TITLES.get(self.target.intermediary, self.target.intermediary)

    def url(self, component: str, path: str = "") -> str:
        return self.stack.urls[component] + path

    @property
    def service(self) -> PaymentService:
        """The proxy's core (same process): for the diagnosis an integrator reads."""
        service: PaymentService = self.stack.apps["proxy"].state.service  # type: ignore[attr-defined]
        return service

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coro`` on the stack's event loop."""
        return self.runner.call(coro, timeout)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on a fresh loop in this thread (client-side work, e.g. a citizen)."""
        return asyncio.run(coro)

    # -- the platform's view -------------------------------------------------------------

    def latest_event(self, payment_id: uuid.UUID) -> dict[str, Any] | None:
        response = self.suite.get(self.url("platform", f"/payments/{payment_id}"))
        if response.status_code == 404:
            return None
        response.raise_for_status()
        event: dict[str, Any] = response.json()
        return event

    def wait_status(
        self, payment_id: uuid.UUID, status: str, timeout: float = DEFAULT_WAIT
    ) -> dict[str, Any]:
        def seen() -> dict[str, Any] | None:
            event = self.latest_event(payment_id)
            if event and event["status"] == "CREATION_FAILED" and status != "CREATION_FAILED":
                raise AssertionError(f"creation failed: {event.get('status_reason')}")
            return event if event and event["status"] == status else None

        return eventually(seen, f"payment {payment_id} in status {status}", timeout)

    def proxy_idle(self, timeout: float = DEFAULT_WAIT) -> None:
        """Wait until the proxy consumed every message on the topic and published its outbox."""
        from adapters.core.settings import APP_NAME  # the proxy's, imported with the stack

        bus = self.stack.bus

        def idle() -> bool:
            consumed = bus.lag("payments", APP_NAME) == 0
            return consumed and self.service.store.outbox_backlog() == 0

        eventually(idle, "the proxy to consume the payments topic", timeout)

    # -- the simulators ------------------------------------------------------------------

    def require_simulators(self, why: str) -> None:
        if not self.target.simulated:
            pytest.skip(f"target {self.target.name} is live: {why} needs the simulators")

    def fault(self, simulator: str, name: str, **params: Any) -> None:
        self.require_simulators(f"switching on the fault profile {name}")
        response = self.suite.put(self.url(simulator, f"/_admin/faults/{name}"), json=params)
        if response.status_code != 200:
            raise AssertionError(f"{simulator} refused fault {name}: {response.text}")

    def shorten_driver_timeout(self, seconds: float) -> None:
        """Make the proxy's driver give up after ``seconds`` until
        :meth:`restore_driver_timeout` (at the latest when the scenario ends), so a scenario
        shows pagoPA's time limit striking in a fraction of a second instead of 7."""
        driver = self.stack.intermediary
        if self._driver_timeout is None:
            self._driver_timeout = driver.timeout  # type: ignore[union-attr]
            self._undo.append(self.restore_driver_timeout)
        driver.timeout = seconds  # type: ignore[union-attr]

    def restore_driver_timeout(self) -> None:
        """The driver's own limit again: the fault that had to strike is over, and what
        follows (the retry) must not fail on a busy machine for a limit cut short."""
        if self._driver_timeout is not None:
            self.stack.intermediary.timeout = self._driver_timeout  # type: ignore[union-attr]
            self._driver_timeout = None

    def reset(self) -> None:
        """Back to normal between scenarios: no faults, the driver's own settings."""
        self.clear_faults()
        while self._undo:
            self._undo.pop()()

    def clear_faults(self) -> None:
        """Clear the faults of every simulator the suite changed since the last clear (two
        clears per scenario, five simulators: most scenarios switch on none)."""
        if not self.target.simulated:
            return
        touched = set(self._touched)
        for simulator in ("mypay", "gpd", "govpay", "contract", "checkout"):
            if simulator in self.stack.urls:
                url = self.url(simulator, "/_admin/faults")
                if "*" in touched or httpx.URL(url).netloc.decode() in touched:
                    self.suite.delete(url)
        self._touched.clear()

    def note_admin_change(self, request: httpx.Request) -> None:
        """An httpx request hook: a call that may change a simulator's admin state."""
        if request.method != "GET" and "/_admin/" in request.url.path:
            self._touched.add(request.url.netloc.decode())

    def close(self) -> None:
        """Stop the stack and close the clients (quietly: this runs at teardown)."""
        for close in self._closers:
            with contextlib.suppress(Exception):
                close()
        self._closers.clear()

    def positions(self) -> list[dict[str, Any]]:
        self.require_simulators("reading the intermediary's debt positions")
        response = self.suite.get(self.url(self.intermediary, "/_admin/positions"))
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found


class StackPool:
    """The running stacks of this session, one per target, started on first use."""

    def __init__(self, base_dir: Path | None = None) -> None:
        self._owned_dir = None if base_dir else tempfile.TemporaryDirectory(prefix="collaudo-")
        self.base_dir = base_dir or Path(self._owned_dir.name)  # type: ignore[union-attr]
        self._envs: dict[str, CollaudoEnv] = {}
        self._failed: dict[str, str] = {}

    def get(self, target: Target) -> CollaudoEnv:
        if target.name in self._failed:
            pytest.fail(f"target {target.name}: {self._failed[target.name]}", pytrace=False)
        if target.name not in self._envs:
            from collaudo.stack import StackError

            try:
                self._envs[target.name] = self._start(target)
            except StackError as exc:
                self._failed[target.name] = f"the stack did not start: {exc}"
                raise
        return self._envs[target.name]

    def _start(self, target: Target) -> CollaudoEnv:
        missing = target.missing_secrets()
        if missing:
            message = f"set the environment variables {', '.join(missing)} first"
            self._failed[target.name] = message
            pytest.fail(f"target {target.name}: {message}", pytrace=False)
        return start_env(target, self.base_dir / target.name)

    def close(self) -> None:
        for env in self._envs.values():
            env.close()
        self._envs.clear()
        if self._owned_dir is not None:
            self._owned_dir.cleanup()


def start_env(
    target: Target,
    data_dir: Path,
    *,
    configure: Callable[[StackOptions], None] | None = None,
    suite_mounts: dict[str, httpx.BaseTransport] | None = None,
) -> CollaudoEnv:
    """Start ``target``'s stack and the clients steps use; ``configure`` adjusts the stack's
    options first, ``suite_mounts`` routes some of the suite's own calls (e.g. a vendor's
    admin API reached from the vendor's host)."""
    from collaudo.stack import SIM_SECRETS, StackThread

    recorder = ExchangeRecorder(SIM_SECRETS.values() if target.simulated else ())
    options = target.stack_options(data_dir)
    record = recording_wrapper(recorder)
    options.wrap = lambda component, app: SignalOnExchange(record(component, app))
    options.bus = SignallingBus(recorder)
    if configure is not None:
        configure(options)
    runner = StackThread(options)
    stack = runner.start()
    recorder.redact.add(stack.api_token)
    recorder.redact.add(*(os.environ.get(name) for name in target.secret_variables()))
    # uvicorn closes a keep-alive connection idle for 5 s; a client reusing it just then gets
    # "Server disconnected without sending a response". Clients drop idle ones sooner.
    limits = httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY)
    # One TLS context for the three (httpx would load the CA bundle for each: ~40 ms apiece,
    # for every stack a worker starts, the network scenarios' included).
    tls = default_tls()
    operator = httpx.Client(
        limits=limits,
        base_url=stack.urls["proxy"],
        headers={"Authorization": f"Bearer {stack.api_token}", "User-Agent": SUITE_AGENT},
        timeout=20,
        verify=tls,
    )
    citizen = httpx.Client(
        headers={"User-Agent": CITIZEN_AGENT}, timeout=20, limits=limits, verify=tls
    )
    suite = httpx.Client(
        headers={"User-Agent": SUITE_AGENT},
        timeout=20,
        mounts=suite_mounts,
        limits=limits,
        verify=tls,
    )
    env = CollaudoEnv(target, stack, runner, recorder, operator, citizen, suite)
    for client in (operator, citizen, suite):
        hooks = client.event_hooks
        hooks["request"].append(env.note_admin_change)
        client.event_hooks = hooks
    env._closers += [operator.close, citizen.close, suite.close, runner.stop]
    return env
