"""What several step modules do: submit an application, pay, come back, wait for a person.

Steps stay thin: they parse the sentence, call one of these, and check the result.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import select
import sys
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from adapters.core.positions import iud_for
from collaudo.bdd.fixtures import Application, Citizen
from collaudo.bdd.world import CollaudoEnv, eventually
from collaudo.citizen import CheckoutResult
from collaudo.citizen import Citizen as CheckoutCitizen
from collaudo.stack import DEMO_TENANT_ID, SUOLO_PUBBLICO_ID

SUOLO_PUBBLICO_REASON = "Diritti di segreteria - occupazione suolo pubblico"
PAID_STATES = {"PAGATO", "PAID", "ESEGUITA", "INCASSATA"}  # MyPay, GPD, GovPay


def euro(text: str) -> Decimal:
    """``"20,00"`` or ``"20.00"`` → Decimal."""
    return Decimal(text.strip().replace(".", "").replace(",", ".") if "," in text else text)


def submit_application(
    env: CollaudoEnv,
    citizen: Citizen,
    *,
    service_id: uuid.UUID = SUOLO_PUBBLICO_ID,
    tenant_id: uuid.UUID = DEMO_TENANT_ID,
    amount: Decimal = Decimal("20.00"),
    reason: str | None = SUOLO_PUBBLICO_REASON,
    document: bytes | None = None,
) -> Application:
    """The citizen submits an application on the platform, which publishes CREATION_PENDING."""
    body: dict[str, Any] = {
        "tenant_id": str(tenant_id),
        "service_id": str(service_id),
        "amount": str(amount),
        "payer": citizen.payer(),
    }
    if reason:
        body["reason"] = reason
    if document is not None:
        body["document_hash"] = "sha256:" + hashlib.sha256(document).hexdigest()
    response = env.citizen.post(env.url("platform", "/applications"), json=body)
    if response.status_code != 201:
        raise AssertionError(f"the platform refused the application: {response.text}")
    data = response.json()
    return Application(
        application_id=uuid.UUID(data["application_id"]),
        payment_id=uuid.UUID(data["payment_id"]),
        service_id=service_id,
        amount=amount,
        event=data["event"],
    )


def pending_application(env: CollaudoEnv, citizen: Citizen) -> Application:
    application = submit_application(env, citizen)
    application.event = env.wait_status(application.payment_id, "PAYMENT_PENDING")
    return application


def residence_document() -> bytes:
    """A fresh document to stamp (its hash is what the digital stamp is bound to)."""
    return f"Istanza di residenza n. {secrets.token_hex(6)}".encode()


def iud(application: Application) -> str:
    return str(application.payment.get("iud") or iud_for(application.payment_id))


def positions_of(env: CollaudoEnv, application: Application) -> list[dict[str, Any]]:
    """The intermediary simulator's debt positions for this payment (by IUD)."""
    wanted = iud(application)
    return [position for position in env.positions() if wanted in position_iuds(position)]


def position_iuds(position: dict[str, Any]) -> list[str]:
    """The proxy's IUDs a simulator's debt position carries: MyPay's IUD, GPD's IUPD,
    GovPay's idPendenza; the contract simulator keeps what the driver sent, so there the
    IUD is found inside it by name."""
    iuds = position.get("iud") or position.get("iupd") or position.get("idPendenza")
    if iuds is None and ("resource" in position or "record" in position):
        iuds = _members(position, {"iud", "iupd", "idpendenza", "identificativounivocodovuto"})
    if iuds is None:
        return []
    return [str(i) for i in iuds] if isinstance(iuds, list) else [str(iuds)]


def is_paid(position: dict[str, Any]) -> bool:
    """Whether the intermediary simulator counts this debt position as paid."""
    states = (position.get("state"), position.get("status"), position.get("stato"))
    return any(state in PAID_STATES for state in states)


def _members(value: Any, names: set[str], depth: int = 0) -> list[Any]:
    """Every value of a key in ``names`` (lower case) inside ``value``."""
    found: list[Any] = []
    if depth > 6:
        return found
    if isinstance(value, dict):
        for key, member in value.items():
            if str(key).lower() in names and isinstance(member, str):
                found.append(member)
            found += _members(member, names, depth + 1)
    elif isinstance(value, list):
        for member in value:
            found += _members(member, names, depth + 1)
    return found


def manual(
    env: CollaudoEnv, request: pytest.FixtureRequest, what: str, done: Callable[[], bool]
) -> None:
    """A person must act on a live target: say what to do, then wait for ``done`` or skip.

    Waits only when stdin is a terminal (up to the target's ``manual_timeout``; Enter
    gives up early); otherwise the scenario is skipped, naming the step.
    """
    stdin = sys.__stdin__
    interactive = (
        stdin is not None and stdin.isatty() and not hasattr(request.config, "workerinput")
    )
    if not interactive or stdin is None:
        pytest.skip(f"needs a person on live target {env.target.name}: {what}")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f">>> collaudo, target {env.target.name}: {what}", bold=True)
        reporter.write_line(
            f">>> waiting up to {env.target.manual_timeout:.0f} s (Enter to give up) …"
        )
        deadline = time.monotonic() + env.target.manual_timeout
        while time.monotonic() < deadline:
            if done():
                reporter.write_line(">>> done, thank you.")
                return
            ready, _, _ = select.select([stdin], [], [], 1.0)
            if ready:
                stdin.readline()
                break
    pytest.fail(f"nobody completed the manual step in time: {what}", pytrace=False)


def pay_online(
    env: CollaudoEnv,
    request: pytest.FixtureRequest,
    application: Application,
    card: str,
    *,
    cancel: bool = False,
) -> CheckoutResult:
    """The citizen opens the proxy's online-payment link and walks the checkout."""
    begin = env.url("proxy", f"/online-payment/{application.payment_id}")
    if not env.target.simulated:
        action = "cancel" if cancel else f"pay with the test card {card}"
        manual(
            env,
            request,
            f"open {begin} in a browser and {action} on pagoPA's test checkout, "
            "then follow 'Torna al sito'",
            lambda: _status(env, application) not in ("PAYMENT_PENDING", None),
        )
        return CheckoutResult("OK" if not cancel else "CANCELED", None, [begin])
    return env.run(CheckoutCitizen().pay_online(begin, card, cancel=cancel))


def _status(env: CollaudoEnv, application: Application) -> str | None:
    event = env.latest_event(application.payment_id)
    return str(event["status"]) if event else None


def come_back(env: CollaudoEnv, result: CheckoutResult, application: Application) -> str | None:
    """The citizen follows the checkout's way back (the proxy's landing link)."""
    url = result.return_url or env.url("proxy", f"/landing/{application.payment_id}")
    response = env.citizen.get(url, follow_redirects=True)
    if response.status_code >= 400:
        raise AssertionError(f"coming back through {url}: {response.status_code} {response.text}")
    return str(response.url)


def paid_application(
    env: CollaudoEnv, request: pytest.FixtureRequest, citizen: Citizen
) -> Application:
    application = pending_application(env, citizen)
    result = pay_online(env, request, application, "4242 4242 4242 4242")
    if result.outcome != "OK":
        raise AssertionError(f"the test card did not pay: {result}")
    if env.target.simulated:
        come_back(env, result, application)
    application.event = env.wait_status(application.payment_id, "COMPLETE")
    return application


def topic_events(env: CollaudoEnv, payment_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every event about ``payment_id`` on the payments topic, in order."""
    found = []
    for raw in env.stack.bus.messages("payments"):
        try:
            event = json.loads(raw)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("id") == str(payment_id):
            found.append(event)
    return found


def wait_positions(env: CollaudoEnv, application: Application, count: int) -> list[dict[str, Any]]:
    return eventually(
        lambda: found if len(found := positions_of(env, application)) == count else None,
        f"{count} debt position(s) for IUD {iud(application)}",
    )
