"""Steps: the simulators' fault profiles (the seed's "criticità comuni") and what the
proxy shows an integrator when they strike."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from adapters.core.store_rows import StoredPayment
from collaudo.bdd import actions
from collaudo.bdd.fixtures import Application
from collaudo.bdd.world import CollaudoEnv, eventually
from collaudo.stack import SIM_SECRETS

SIMULATORS = {"MyPay": "mypay", "GPD": "gpd", "GovPay": "govpay"}
#: (intermediary, what the feature says it answers) → fault profile.
CREATION_FAULTS = {
    ("mypay", "PAA_SYSTEM_ERROR"): "creation-error",
    ("mypay", "XML malformato"): "malformed-xml",
    ("mypay", "namespace errato"): "wrong-namespace",
    ("mypay", "elemento mancante"): "missing-element",
    ("mypay", "risposta oltre il timeout"): "timeout",
    ("gpd", "HTTP 500"): "creation-error",
    ("gpd", "JSON malformato"): "malformed-json",
    ("gpd", "risposta oltre il timeout"): "timeout",
    ("govpay", "HTTP 500"): "creation-error",
    ("govpay", "JSON malformato"): "malformed-json",
    ("govpay", "risposta oltre il timeout"): "timeout",
}
CREATION_OPERATIONS = {
    "mypay": "paaSILImportaDovuto",
    "gpd": "POST /debtpositions",
    "govpay": "PUT /pendenze",
}


#: The driver's limit while a timeout fault is on (pagoPA's 7 s scaled down: the driver
#: gives up on an answer that has not come the same way after 0.2 s as after 7), and how
#: much later than that limit the simulator answers (it starts waiting only once the
#: request has arrived, after the driver started its clock: the answer cannot beat the
#: limit). The limit holds only for the call that must time out: the driver gets its own
#: back when the simulator works again, so the retry cannot fail on a busy machine. The
#: late answer still lands before the retry (the scenario waits for it), which is what
#: shows the retry creating no second position.
SHORT_TIMEOUT = 0.2
LATE_BY = 0.2
#: A slow answer: 15-30 times an answer of the simulators in process, and far within the
#: driver's own limit (pagoPA's 7 s, not shortened here), as pagoPA's "slow but in time".
SLOW_BY = 0.15
#: How late the Nodo sends paSendRTV2: the citizen's return to the Area Personale, which
#: must come first, takes about 10 ms in process.
NOTIFICATION_LATE_BY = 0.15


def _params(env: CollaudoEnv, fault: str) -> dict[str, Any]:
    if fault == "timeout":  # past the (shortened) limit, so the scenario stays short
        env.shorten_driver_timeout(SHORT_TIMEOUT)
        return {"delay": SHORT_TIMEOUT + LATE_BY}
    if fault == "slow-response":
        return {"delay": SLOW_BY}
    if fault == "late-notification":
        return {"delay": NOTIFICATION_LATE_BY}
    return {}


def _fault(env: CollaudoEnv, simulator: str, fault: str) -> None:
    env.fault(simulator, fault, **_params(env, fault))


@given(
    parsers.re(
        r"il simulatore (?P<nome>MyPay|GPD|GovPay) risponde a (?P<operazione>\S+(?: /\w+)?) con "
        r"(?P<errore>.+)"
    )
)
def intermediary_answers_with(env: CollaudoEnv, nome: str, operazione: str, errore: str) -> None:
    simulator = SIMULATORS[nome]
    if simulator != env.intermediary:
        pytest.skip(f"this example is for {nome}; the target drives {env.intermediary_title}")
    assert operazione == CREATION_OPERATIONS[simulator], (
        f"{nome} creates debt positions with {CREATION_OPERATIONS[simulator]}, not {operazione}"
    )
    _fault(env, simulator, CREATION_FAULTS[(simulator, errore)])


@given("il simulatore dell'intermediario risponde lentamente ma entro i tempi")
def slow_but_in_time(env: CollaudoEnv) -> None:
    _fault(env, env.intermediary, "slow-response")


@given(parsers.re(r"il simulatore (?P<nome>MyPay|GovPay) non restituisce l'avviso di pagamento"))
def no_notice(env: CollaudoEnv, nome: str) -> None:
    simulator = SIMULATORS[nome]
    if simulator != env.intermediary:
        pytest.skip(f"this example is for {nome}; the target drives {env.intermediary_title}")
    _fault(env, simulator, "notice-download-failure")


@given("il simulatore dell'intermediario risponde con errore alle richieste di stato")
def status_errors(env: CollaudoEnv) -> None:
    _fault(env, env.intermediary, "status-error")


@given("il simulatore dell'intermediario non restituisce la ricevuta")
def no_receipt(env: CollaudoEnv) -> None:
    _fault(env, env.intermediary, "receipt-download-failure")


@given("il link di pagamento consegnato al cittadino non porta al portale")
def broken_redirect(env: CollaudoEnv) -> None:
    # MyPay hands out its own payment URL; with GPD and GovPay it comes from pagoPA Checkout.
    _fault(env, "mypay" if env.intermediary == "mypay" else "checkout", "broken-redirect")


@given(
    parsers.re(
        r"il simulatore dell'intermediario accetta solo IP autorizzati e "
        r"(?P<come>chiude la connessione|risponde 403) agli altri"
    )
)
def allowlist(env: CollaudoEnv, come: str) -> None:
    fault = "ip-not-allowed-refuse" if come.startswith("chiude") else "ip-not-allowed-403"
    _fault(env, env.intermediary, fault)


@given("il simulatore dell'intermediario rifiuta le credenziali come scadute")
def expired_credentials(env: CollaudoEnv) -> None:
    _fault(env, env.intermediary, "expired-credentials")


@given("il checkout pagoPA fallisce sulla schermata della carta")
def card_screen_error(env: CollaudoEnv) -> None:
    _fault(env, "checkout", "card-screen-error")


@given("il checkout pagoPA perde l'esito dopo la conferma")
def lost_outcome(env: CollaudoEnv) -> None:
    _fault(env, "checkout", "lost-outcome")


@given(
    parsers.re(
        r"il nodo pagoPA (?P<come>invia paSendRTV2 due volte|non invia mai paSendRTV2|"
        r"invia paSendRTV2 in ritardo)"
    )
)
def nodo_notification(env: CollaudoEnv, come: str) -> None:
    fault = {
        "invia paSendRTV2 due volte": "duplicate-notification",
        "non invia mai paSendRTV2": "lost-notification",
        "invia paSendRTV2 in ritardo": "late-notification",
    }[come]
    _fault(env, "checkout", fault)


@when(
    parsers.re(
        r"(?:il simulatore (?:MyPay|GPD|GovPay|dell'intermediario) torna a funzionare|"
        r"il checkout pagoPA torna a funzionare|il fornitore autorizza l'indirizzo del proxy)"
    )
)
def back_to_normal(env: CollaudoEnv) -> None:
    env.clear_faults()
    env.restore_driver_timeout()
    # Answers still held back by a slow fault finish first (the recorder sees them end).
    eventually(lambda: env.recorder.in_flight() == 0 or None, "late answers to complete")


def _stored(env: CollaudoEnv, application: Application) -> StoredPayment:
    stored = env.service.store.get_payment(application.payment_id)
    assert stored is not None, f"the proxy has no payment {application.payment_id}"
    return stored


@then(parsers.re(r'il proxy registra il motivo "(?P<motivo>[^"]+)" e riproverà la creazione'))
def reason_and_retry(env: CollaudoEnv, pratica: Application, motivo: str) -> None:
    stored = eventually(
        lambda: (
            s if (s := env.service.store.get_payment(pratica.payment_id)) and s.last_error else None
        ),
        "the proxy to record the failed creation",
    )
    assert stored.status.value == "CREATION_PENDING", stored.status
    assert motivo.lower() in (stored.last_error or "").lower(), stored.last_error
    assert stored.next_attempt_at is not None, "no retry scheduled"


@then("il pagamento resta in stato CREATION_PENDING per la piattaforma")
def platform_still_creation_pending(env: CollaudoEnv, pratica: Application) -> None:
    env.proxy_idle()
    latest = env.latest_event(pratica.payment_id)
    assert latest is not None and latest["status"] == "CREATION_PENDING", latest


@then("il proxy conserva gli scambi con l'intermediario, senza credenziali, per il fornitore")
def exchanges_kept(env: CollaudoEnv, pratica: Application) -> None:
    kept = eventually(
        lambda: env.service.store.exchanges_for(pratica.payment_id),
        "the failed exchanges in the proxy's store",
    )
    text = str(kept)
    for secret in (*SIM_SECRETS.values(), env.stack.api_token):
        assert secret not in text, "a credential reached the stored exchanges"


@when("arriva il momento del nuovo tentativo")
def retry_falls_due(env: CollaudoEnv, pratica: Application) -> None:
    stored = _stored(env, pratica)
    if stored.status.value != "CREATION_PENDING":
        return  # the proxy's own poller got there first
    assert stored.next_attempt_at is not None
    env.call(env.service.poll_due(now=stored.next_attempt_at))


@when("arriva il momento del controllo periodico dello stato")
def status_check_falls_due(env: CollaudoEnv, pratica: Application) -> None:
    """The proxy's poller reaches this payment's next status check (no waiting for it)."""
    stored = _stored(env, pratica)
    assert stored.next_check_at is not None, (
        f"the proxy schedules no status check for a payment in {stored.status.value}"
    )
    due = stored.next_check_at
    # The poller takes the due checks in batches, earliest first: payments an earlier
    # scenario left on this stack (an import of 120 rows) may fill the first batches.
    for _ in range(100):
        env.call(env.service.poll_due(now=due))
        if _stored(env, pratica).next_check_at != due:
            return  # checked: rescheduled, or no more checks (a final state)
    raise AssertionError(f"the poller never reached the status check due at {due}")


@then("la diagnosi indica host, porta e indirizzo sorgente da autorizzare")
def allowlist_diagnosis(env: CollaudoEnv, pratica: Application) -> None:
    reason = _stored(env, pratica).last_error or ""
    port = env.stack.ports[env.intermediary]
    assert f"127.0.0.1:{port}" in reason, reason
    assert "source address 127.0.0.1" in reason, reason


@then(parsers.re(r'la piattaforma vede il motivo "(?P<motivo>[^"]+)"'))
def platform_sees_reason(env: CollaudoEnv, pratica: Application, motivo: str) -> None:
    latest = env.latest_event(pratica.payment_id)
    assert latest is not None
    assert motivo.lower() in (latest.get("status_reason") or "").lower(), latest


@then("il motivo indica la variabile d'ambiente della credenziale da rinnovare")
def reason_names_secret_variable(env: CollaudoEnv, pratica: Application) -> None:
    latest = env.latest_event(pratica.payment_id)
    assert latest is not None
    reason = latest.get("status_reason") or ""
    tenant = env.stack.tenant_body()
    # The driver's fields naming a secret's variable (``..._env``): one of them is the culprit.
    variables = [str(value) for key, value in tenant.items() if key.endswith("_env") and value]
    assert variables and any(variable in reason for variable in variables), (variables, reason)
    for secret in SIM_SECRETS.values():
        assert secret not in reason, "the secret itself reached the payment's reason"


@when("la ricevuta arriva all'intermediario")
def receipt_reaches_intermediary(env: CollaudoEnv, pratica: Application) -> None:
    eventually(
        lambda: any(actions.is_paid(p) for p in actions.positions_of(env, pratica)),
        "the late paSendRTV2 to reach the intermediary",
    )


@then("il proxy non considera pagato ciò che l'intermediario non ha incassato")
def not_paid_without_receipt(env: CollaudoEnv, pratica: Application) -> None:
    positions = actions.positions_of(env, pratica)
    assert positions and not any(actions.is_paid(p) for p in positions), positions
    answer = env.suite.get(env.url("proxy", f"/update/{pratica.payment_id}"))
    assert answer.status_code == 200 and answer.json()["status"] != "COMPLETE", answer.text
