"""Steps: the receipt (RT) and the paper notice (avviso) the citizen downloads."""

from __future__ import annotations

import uuid

from pytest_bdd import then, when

from collaudo.bdd.fixtures import Answer, Application
from collaudo.bdd.world import CollaudoEnv


@when("il cittadino chiede la ricevuta", target_fixture="risposta")
def asks_receipt(env: CollaudoEnv, pratica: Application) -> Answer:
    return Answer(env.citizen.get(env.url("proxy", f"/receipt/{pratica.payment_id}")))


@when(
    "il cittadino chiede la ricevuta di un pagamento che il proxy non conosce",
    target_fixture="risposta",
)
def asks_unknown_receipt(env: CollaudoEnv) -> Answer:
    return Answer(env.citizen.get(env.url("proxy", f"/receipt/{uuid.uuid4()}")))


@then("la ricevuta riporta lo IUV del pagamento")
def receipt_names_iuv(risposta: Answer, pratica: Application) -> None:
    assert risposta.status == 200, risposta
    assert pratica.payment["iuv"].encode() in risposta.response.content
    assert "attachment" in risposta.response.headers.get("content-disposition", "")


@when("il cittadino scarica l'avviso di pagamento", target_fixture="risposta")
def downloads_notice(env: CollaudoEnv, pratica: Application) -> Answer:
    return Answer(env.citizen.get(env.url("proxy", f"/offline-payment/{pratica.payment_id}")))
