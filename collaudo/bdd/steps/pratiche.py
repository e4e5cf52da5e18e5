"""Steps: a citizen's application on the platform and the payment the proxy creates for it."""

from __future__ import annotations

import uuid

import pytest
from pytest_bdd import given, parsers, then, when

from collaudo.bdd import actions
from collaudo.bdd.fixtures import Application, Citizen, ConfigDraft
from collaudo.bdd.world import CollaudoEnv
from collaudo.stack import DEMO_TENANT_ID


@given(
    parsers.re(r'il cittadino "(?P<nome>\S+) (?P<cognome>[^"]+)" con codice fiscale "(?P<cf>\w+)"'),
    target_fixture="cittadino",
)
def a_citizen(nome: str, cognome: str, cf: str) -> Citizen:
    return Citizen(nome, cognome, cf)


@when("il cittadino presenta la domanda di occupazione suolo pubblico", target_fixture="pratica")
def submit_suolo_pubblico(env: CollaudoEnv, cittadino: Citizen) -> Application:
    return actions.submit_application(env, cittadino)


@given("una pratica di occupazione suolo pubblico in attesa di pagamento", target_fixture="pratica")
def pending_suolo_pubblico(env: CollaudoEnv, cittadino: Citizen) -> Application:
    return actions.pending_application(env, cittadino)


@given("una pratica di occupazione suolo pubblico pagata online", target_fixture="pratica")
def paid_suolo_pubblico(
    env: CollaudoEnv, cittadino: Citizen, request: pytest.FixtureRequest
) -> Application:
    return actions.paid_application(env, request, cittadino)


@when(
    "il cittadino presenta una domanda per un servizio che il proxy non conosce",
    target_fixture="pratica",
)
def submit_unknown_service(env: CollaudoEnv, cittadino: Citizen) -> Application:
    return actions.submit_application(env, cittadino, service_id=uuid.uuid4())


@when("un cittadino presenta una domanda per quel servizio", target_fixture="pratica")
def submit_for_configured_service(
    env: CollaudoEnv, cittadino: Citizen, configurazione: ConfigDraft
) -> Application:
    body = configurazione.body
    return actions.submit_application(
        env,
        cittadino,
        service_id=uuid.UUID(body["id"]),
        tenant_id=uuid.UUID(body.get("tenant_id", str(DEMO_TENANT_ID))),
    )


@then("la piattaforma pubblica il pagamento in stato CREATION_PENDING")
def creation_pending_published(env: CollaudoEnv, pratica: Application) -> None:
    published = actions.topic_events(env, pratica.payment_id)
    assert published, "nothing about this payment on the payments topic"
    first = published[0]
    assert first["status"] == "CREATION_PENDING", first
    assert first["app_id"].startswith("collaudo-platform-sim"), first["app_id"]
    assert first["event_version"] == "2.0"


@then(parsers.re(r"il pagamento passa in stato (?P<stato>[A-Z_]+)"))
def payment_reaches(env: CollaudoEnv, pratica: Application, stato: str) -> None:
    pratica.event = env.wait_status(pratica.payment_id, stato)


@then("il pagamento riporta codice avviso, IUV e i link per pagare")
def payment_has_notice_and_links(pratica: Application) -> None:
    payment = pratica.payment
    assert len(payment.get("notice_code") or "") == 18, payment
    assert payment.get("iuv") and payment["notice_code"].endswith(payment["iuv"][-15:]), payment
    for link in ("online_payment_begin", "offline_payment", "update"):
        assert f"/{pratica.payment_id}" in pratica.link(link), link


@then(parsers.re(r"l'importo del pagamento è (?P<importo>[\d.,]+) euro"))
def payment_amount(pratica: Application, importo: str) -> None:
    assert actions.euro(str(pratica.payment["amount"])) == actions.euro(importo), pratica.payment


@then("l'intermediario conosce la posizione debitoria di quel pagamento")
def intermediary_knows(env: CollaudoEnv, pratica: Application) -> None:
    if env.target.simulated:
        positions = actions.positions_of(env, pratica)
        assert len(positions) == 1, positions
        assert pratica.payment["iuv"] in str(positions[0])
    else:  # the vendor's environment: ask through the proxy
        answer = env.citizen.get(pratica.link("update"))
        assert answer.status_code == 200, answer.text


@then("l'avviso di pagamento si scarica in PDF")
def notice_pdf(env: CollaudoEnv, pratica: Application) -> None:
    response = env.citizen.get(env.url("proxy", f"/offline-payment/{pratica.payment_id}"))
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.content.startswith(b"%PDF")


@then("il pagamento resta in stato PAYMENT_PENDING con lo stesso IUV")
def still_pending_same_iuv(env: CollaudoEnv, pratica: Application) -> None:
    env.proxy_idle()
    latest = env.latest_event(pratica.payment_id)
    assert latest is not None
    assert latest["status"] == "PAYMENT_PENDING", latest["status"]
    assert latest["payment"]["iuv"] == pratica.payment["iuv"]
    if env.target.simulated:
        assert len(actions.positions_of(env, pratica)) == 1


@then("il proxy non crea alcuna posizione debitoria per quella pratica")
def nothing_created(env: CollaudoEnv, pratica: Application) -> None:
    env.proxy_idle()
    assert env.service.store.get_payment(pratica.payment_id) is None
    latest = env.latest_event(pratica.payment_id)
    assert latest is not None and latest["status"] == "CREATION_PENDING", latest


@then(
    parsers.re(r"il pagamento (?:non risulta pagato|non risulta ancora pagato per la piattaforma)")
)
def not_paid(env: CollaudoEnv, pratica: Application) -> None:
    env.proxy_idle()
    latest = env.latest_event(pratica.payment_id)
    assert latest is not None
    assert latest["status"] in ("PAYMENT_PENDING", "PAYMENT_STARTED"), latest["status"]
    stored = env.service.store.get_payment(pratica.payment_id)
    assert stored is not None and stored.status.value == latest["status"]


@then("l'intermediario ha una sola posizione debitoria per quel pagamento")
def one_position(env: CollaudoEnv, pratica: Application) -> None:
    positions = actions.wait_positions(env, pratica, 1)
    assert len(positions) == 1
