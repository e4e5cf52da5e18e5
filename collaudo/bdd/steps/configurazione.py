"""Steps: the operator configuring tenants and services through the proxy's API."""

from __future__ import annotations

import uuid
from typing import Any

from pytest_bdd import given, parsers, then, when

from collaudo.bdd import actions
from collaudo.bdd.fixtures import Answer, ConfigDraft
from collaudo.bdd.world import CollaudoEnv
from collaudo.stack import DEMO_SERVICES, DemoService

_SUOLO: DemoService = DEMO_SERVICES[0]


@when("l'operatore apre il modulo di configurazione dell'ente", target_fixture="risposta")
def tenant_form(env: CollaudoEnv) -> Answer:
    return Answer(env.operator.get("/tenants/schema"))


@when("l'operatore apre il modulo di configurazione del servizio", target_fixture="risposta")
def service_form(env: CollaudoEnv) -> Answer:
    return Answer(env.operator.get("/services/schema"))


@then("il modulo è uno schema form.io con i campi richiesti dall'intermediario")
def formio_schema(env: CollaudoEnv, risposta: Answer) -> None:
    assert risposta.status == 200, risposta
    schema = risposta.json()
    assert schema["display"] == "form", schema
    keys = {c["key"] for c in schema["components"]}
    assert "id" in keys
    prefix = f"{env.intermediary}_"
    assert any(k.startswith(prefix) for k in keys), f"no {prefix}* field in {sorted(keys)}"
    assert any(c["type"] == "button" for c in schema["components"]), "no submit button"


@given(
    parsers.re(r'un nuovo ente "(?P<nome>[^"]+)" configurato per l\'intermediario'),
    target_fixture="configurazione",
)
def new_tenant(env: CollaudoEnv, nome: str) -> ConfigDraft:
    body = env.stack.tenant_body() | {"id": str(uuid.uuid4()), "name": nome}
    return ConfigDraft("tenants", body)


@given(
    parsers.re(r'un nuovo servizio "(?P<nome>[^"]+)" da (?P<importo>[\d,.]+) euro per quell\'ente'),
    target_fixture="configurazione",
)
def new_service(
    env: CollaudoEnv, configurazione: ConfigDraft, nome: str, importo: str
) -> ConfigDraft:
    assert configurazione.kind == "tenants"
    return ConfigDraft("services", _service_body(env, configurazione.id, nome, importo))


@given(
    parsers.re(
        r'un nuovo servizio "(?P<nome>[^"]+)" da (?P<importo>[\d,.]+) euro per un ente mai '
        r"configurato"
    ),
    target_fixture="configurazione",
)
def service_of_unknown_tenant(env: CollaudoEnv, nome: str, importo: str) -> ConfigDraft:
    return ConfigDraft("services", _service_body(env, str(uuid.uuid4()), nome, importo))


def _service_body(env: CollaudoEnv, tenant_id: str, nome: str, importo: str) -> dict[str, Any]:
    service_id = str(uuid.uuid4())
    return env.stack.service_body(_SUOLO) | {
        "id": service_id,
        "tenant_id": tenant_id,
        "reason": f"Diritti di segreteria - {nome.lower()}",
        "amount": float(actions.euro(importo)),
        "remote_collection": {"id": service_id, "type": "service"},
    }


@given("l'operatore salva la configurazione", target_fixture="risposta")
@when("l'operatore salva la configurazione", target_fixture="risposta")
def save(env: CollaudoEnv, configurazione: ConfigDraft) -> Answer:
    return Answer(env.operator.post(f"/{configurazione.kind}", json=configurazione.body))


@when(
    parsers.re(
        r'l\'operatore salva la configurazione con (?P<campo>\w+) uguale a "(?P<valore>[^"]*)"'
    ),
    target_fixture="risposta",
)
def save_with(env: CollaudoEnv, configurazione: ConfigDraft, campo: str, valore: str) -> Answer:
    configurazione.body[campo] = valore
    return Answer(env.operator.post(f"/{configurazione.kind}", json=configurazione.body))


@when(parsers.re(r'l\'operatore cambia il nome in "(?P<nome>[^"]+)"'), target_fixture="risposta")
def rename(env: CollaudoEnv, configurazione: ConfigDraft, nome: str) -> Answer:
    path = f"/{configurazione.kind}/{configurazione.id}"
    answer = Answer(env.operator.patch(path, json={"name": nome}))
    assert answer.status == 200, answer
    return answer


@when(
    parsers.re(r"l'operatore porta l'importo del servizio a (?P<importo>[\d,.]+) euro"),
    target_fixture="risposta",
)
def change_amount(env: CollaudoEnv, configurazione: ConfigDraft, importo: str) -> Answer:
    body = configurazione.body | {"amount": float(actions.euro(importo))}
    answer = Answer(env.operator.put(f"/services/{configurazione.id}", json=body))
    assert answer.status == 200, answer
    return answer


@when("l'operatore disattiva la configurazione", target_fixture="risposta")
def deactivate(env: CollaudoEnv, configurazione: ConfigDraft) -> Answer:
    answer = Answer(env.operator.delete(f"/{configurazione.kind}/{configurazione.id}"))
    assert answer.status in (200, 204), answer
    return answer


def _stored(env: CollaudoEnv, draft: ConfigDraft) -> dict[str, Any]:
    response = env.operator.get(f"/{draft.kind}/{draft.id}")
    assert response.status_code == 200, response.text
    stored: dict[str, Any] = response.json()
    return stored


@then(parsers.re(r'la configurazione risulta attiva con nome "(?P<nome>[^"]+)"'))
def active_with_name(env: CollaudoEnv, configurazione: ConfigDraft, nome: str) -> None:
    stored = _stored(env, configurazione)
    assert stored["active"] is True and stored["name"] == nome, stored


@then(parsers.re(r"il servizio risulta attivo con importo (?P<importo>[\d,.]+) euro"))
def active_with_amount(env: CollaudoEnv, configurazione: ConfigDraft, importo: str) -> None:
    stored = _stored(env, configurazione)
    assert stored["active"] is True, stored
    assert actions.euro(str(stored["amount"])) == actions.euro(importo), stored


@then("la configurazione risulta disattivata ma ancora consultabile")
def deactivated(env: CollaudoEnv, configurazione: ConfigDraft) -> None:
    assert _stored(env, configurazione)["active"] is False


@then("il proxy non ha salvato la configurazione")
def not_saved(env: CollaudoEnv, configurazione: ConfigDraft) -> None:
    listed = env.operator.get(f"/{configurazione.kind}").json()
    assert all(str(item["id"]) != str(configurazione.body.get("id")) for item in listed)


@when("una chiamata senza token chiede l'elenco degli enti", target_fixture="risposta")
def without_token(env: CollaudoEnv) -> Answer:
    return Answer(env.citizen.get(env.url("proxy", "/tenants")))
