"""Steps: GovPay's own criticità — the API Ente v2 notifications it pushes to the proxy
(lost, duplicated), ANOMALA pendenze and its Accept-driven 406."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from pytest_bdd import given, parsers, then, when

from adapters.drivers._http import CallRecord
from adapters.drivers.govpay.faults import fault_error
from collaudo.bdd import actions
from collaudo.bdd.fixtures import Application
from collaudo.bdd.world import CollaudoEnv, eventually

#: How long the suite lets the GovPay simulator's notifier finish what is due.
SETTLE_SECONDS = 10


def _require_govpay(env: CollaudoEnv) -> None:
    if env.intermediary != "govpay":
        pytest.skip(f"a GovPay scenario; the target drives {env.intermediary_title}")


def _notifications(
    env: CollaudoEnv, pratica: Application, *, settled: bool = True
) -> list[dict[str, Any]]:
    """The simulator's API Ente notifications for this payment's pendenza, once settled
    (or as they are now, with ``settled=False``: a notification refused again and again
    keeps a retry due, so settling it always waits the whole ``SETTLE_SECONDS``)."""
    if settled:
        answer = env.suite.post(
            env.url("govpay", "/_admin/notifications/settle"), params={"timeout": SETTLE_SECONDS}
        )
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()["notifications"]
    else:
        now = env.suite.get(env.url("govpay", "/_admin/notifications"))
        now.raise_for_status()
        found = now.json()
    iuvs = {p["numeroAvviso"][1:] for p in actions.positions_of(env, pratica)}
    return [n for n in found if n["iuv"] in iuvs]


def _pendenza(env: CollaudoEnv, pratica: Application) -> dict[str, Any]:
    positions = actions.positions_of(env, pratica)
    assert len(positions) == 1, positions
    return positions[0]


@given("GovPay perde la notifica della ricevuta al proxy")
def notification_lost(env: CollaudoEnv) -> None:
    _require_govpay(env)
    env.fault("govpay", "lost-notification")


@given("GovPay notifica ogni ricevuta al proxy due volte")
def notification_twice(env: CollaudoEnv) -> None:
    _require_govpay(env)
    env.fault("govpay", "duplicate-notification")


@given("GovPay registra il prossimo pagamento come anomalo")
def anomalous_payment(env: CollaudoEnv) -> None:
    _require_govpay(env)
    env.fault("govpay", "anomalous-payment")


@then("GovPay ha la pendenza ESEGUITA senza averla notificata al proxy")
def paid_but_not_notified(env: CollaudoEnv, pratica: Application) -> None:
    pendenza = eventually(
        lambda: p if (p := _pendenza(env, pratica))["stato"] == "ESEGUITA" else None,
        "the pendenza to be ESEGUITA at GovPay",
    )
    sent = _notifications(env, pratica)
    assert sent and all(n["state"] == "PERSA" and not n["attempts"] for n in sent), sent
    assert pendenza["rpp"], pendenza


@then("il proxy ha risposto 201 a entrambe le notifiche di GovPay")
def both_notifications_answered(env: CollaudoEnv, pratica: Application) -> None:
    sent = _notifications(env, pratica)
    assert len(sent) == 1, sent
    statuses = [attempt.get("status") for attempt in sent[0]["attempts"]]
    assert statuses == [201, 201], sent[0]["attempts"]
    assert sent[0]["state"] == "SPEDITO", sent[0]


@then("GovPay ha la pendenza ANOMALA e l'ha notificata al proxy")
def anomalous_and_notified(env: CollaudoEnv, pratica: Application) -> None:
    pendenza = eventually(
        lambda: p if (p := _pendenza(env, pratica))["stato"] == "ANOMALA" else None,
        "the pendenza to be ANOMALA at GovPay",
    )
    assert pendenza["rpp"], pendenza
    sent = eventually(
        # Polled as they are: the proxy refuses each attempt, so they never settle.
        lambda: [n for n in _notifications(env, pratica, settled=False) if n["attempts"]],
        "GovPay's notification of the ANOMALA receipt",
    )
    # The proxy refuses to close an ANOMALA payment: not 2xx, so GovPay resends it.
    first = sent[0]["attempts"][0]
    assert first.get("status") not in (200, 201, 204), first


@then(parsers.re(r'l\'operatore vede sul pagamento il motivo "(?P<motivo>[^"]+)"'))
def operator_sees_reason(env: CollaudoEnv, pratica: Application, motivo: str) -> None:
    def reason() -> str | None:
        view = env.operator.get(f"/payments/{pratica.payment_id}")
        assert view.status_code == 200, view.text
        error = view.json()["processing"]["last_error"] or ""
        return error if motivo in error else None

    eventually(reason, f"the proxy to show {motivo!r} to the operator")


@when(
    parsers.re(r'si chiede a GovPay l\'avviso di quel pagamento con Accept "(?P<accept>[^"]+)"'),
    target_fixture="risposta_govpay",
)
def ask_notice_with_accept(env: CollaudoEnv, pratica: Application, accept: str) -> httpx.Response:
    _require_govpay(env)
    pendenza = _pendenza(env, pratica)
    tenant = env.stack.tenant_body()  # the Applicazione and the variable of its password
    secret = os.environ[str(tenant["govpay_password_env"])]
    url = f"{tenant['govpay_base_url']}/avvisi/{pendenza['idDominio']}/{pendenza['numeroAvviso']}"
    return env.suite.get(
        url, headers={"Accept": accept}, auth=(str(tenant["govpay_id_a2a"]), secret)
    )


@then(parsers.re(r"GovPay risponde 406 con l'errore (?P<categoria>\w+) (?P<codice>\w+)"))
def answered_406(risposta_govpay: httpx.Response, categoria: str, codice: str) -> None:
    assert risposta_govpay.status_code == 406, risposta_govpay.text
    fault = risposta_govpay.json()
    assert (fault["categoria"], fault["codice"]) == (categoria, codice), fault
    assert risposta_govpay.headers.get("X-Govpay-IdTransazione"), risposta_govpay.headers


@then(parsers.re(r'il driver GovPay ne fa il motivo "(?P<motivo>[^"]+)"'))
def driver_reason(risposta_govpay: httpx.Response, motivo: str) -> None:
    error = fault_error(
        risposta_govpay, CallRecord("getAvviso"), "GovPay getAvviso", credential="-"
    )
    assert motivo in str(error), str(error)
    assert "406" in str(error) and "Accept" in str(error), str(error)
