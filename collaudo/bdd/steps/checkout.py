"""Steps: the citizen on the pagoPA checkout, coming back, and the status links."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, then, when

from collaudo.bdd import actions
from collaudo.bdd.fixtures import Answer, Application
from collaudo.bdd.world import CollaudoEnv
from collaudo.citizen import CheckoutResult, CheckoutWalkError


@when(
    parsers.re(r'il cittadino paga online con la carta "(?P<carta>[\d ]+)"'),
    target_fixture="esito_checkout",
)
def pay_with_card(
    env: CollaudoEnv, pratica: Application, carta: str, request: pytest.FixtureRequest
) -> CheckoutResult:
    return actions.pay_online(env, request, pratica, carta)


@given(
    "il cittadino ha pagato sul checkout senza tornare all'Area Personale",
    target_fixture="esito_checkout",
)
def paid_without_coming_back(
    env: CollaudoEnv, pratica: Application, request: pytest.FixtureRequest
) -> CheckoutResult:
    result = actions.pay_online(env, request, pratica, "4242 4242 4242 4242")
    assert result.outcome == "OK", result
    return result


@when("il cittadino apre il pagamento online e annulla", target_fixture="esito_checkout")
def open_and_cancel(
    env: CollaudoEnv, pratica: Application, request: pytest.FixtureRequest
) -> CheckoutResult:
    return actions.pay_online(env, request, pratica, "", cancel=True)


@then(parsers.re(r'il checkout mostra l\'esito "(?P<esito>[A-Z]+)"'))
def checkout_outcome(esito_checkout: CheckoutResult, esito: str) -> None:
    assert esito_checkout.outcome == esito, esito_checkout


@then("il checkout non mostra alcun esito al cittadino")
def no_outcome_shown(esito_checkout: CheckoutResult) -> None:
    assert esito_checkout.outcome == "ERROR" and esito_checkout.return_url is None, esito_checkout


@then("il proxy ha portato il pagamento in stato PAYMENT_STARTED")
def payment_started(env: CollaudoEnv, pratica: Application) -> None:
    env.wait_status(pratica.payment_id, "PAYMENT_STARTED")


@when("il cittadino torna all'Area Personale", target_fixture="pagina_di_ritorno")
def come_back(env: CollaudoEnv, pratica: Application, esito_checkout: CheckoutResult) -> str | None:
    if not env.target.simulated:
        return None  # the person followed the checkout's link back already
    return actions.come_back(env, esito_checkout, pratica)


@then("il cittadino arriva sulla pagina di ritorno della piattaforma")
def landed_on_platform(env: CollaudoEnv, pagina_di_ritorno: str | None) -> None:
    if pagina_di_ritorno is not None:
        assert pagina_di_ritorno.startswith(env.url("platform")), pagina_di_ritorno


@when("il cittadino chiude il browser senza tornare all'Area Personale")
def closes_browser() -> None:
    """Nothing happens: the point is what does not."""


@when("il cittadino prova a pagare online", target_fixture="esito_checkout")
def tries_to_pay(
    env: CollaudoEnv, pratica: Application, request: pytest.FixtureRequest
) -> CheckoutResult:
    try:
        return actions.pay_online(env, request, pratica, "4242 4242 4242 4242")
    except CheckoutWalkError as exc:
        return CheckoutResult("ERROR", None, [str(exc.response.url)])


@then("il cittadino non vede la pagina del carrello")
def no_cart_page(esito_checkout: CheckoutResult) -> None:
    assert esito_checkout.outcome == "ERROR", esito_checkout


@when("la piattaforma chiama il link di aggiornamento del pagamento", target_fixture="risposta")
def platform_calls_update(env: CollaudoEnv, pratica: Application) -> Answer:
    response = env.suite.get(env.url("proxy", f"/update/{pratica.payment_id}"))
    return Answer(response)


@then(parsers.re(r"l'aggiornamento risponde con il pagamento in stato (?P<stato>[A-Z_]+)"))
def update_answer_status(risposta: Answer, stato: str) -> None:
    assert risposta.status == 200, risposta
    assert risposta.json()["status"] == stato, risposta


@then("il pagamento riporta la data di pagamento e il link alla ricevuta")
def paid_at_and_receipt_link(pratica: Application) -> None:
    assert pratica.payment.get("paid_at"), pratica.payment
    assert pratica.link("receipt").endswith(f"/receipt/{pratica.payment_id}")
