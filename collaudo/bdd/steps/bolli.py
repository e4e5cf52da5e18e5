"""Steps: the marca da bollo, paper (registered) and digital (paid through pagoPA)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field

from pytest_bdd import given, parsers, then, when

from collaudo.bdd import actions
from collaudo.bdd.fixtures import Answer, Application, Citizen
from collaudo.bdd.world import CollaudoEnv
from collaudo.stack import DEMO_TENANT_ID, RESIDENZA_ID


def fresh_identifier() -> str:
    """A 14-digit stamp identifier nobody used (each scenario stands alone)."""
    return f"{secrets.randbelow(10**14):014d}"


@dataclass
class PaperStamp:
    identifier: str
    issued_on: str
    applications: list[uuid.UUID] = field(default_factory=list)  # where it was registered


def _register(env: CollaudoEnv, stamp: PaperStamp) -> Answer:
    application_id = uuid.uuid4()  # a new istanza di residenza on the platform
    stamp.applications.append(application_id)
    body = {
        "tenant_id": str(DEMO_TENANT_ID),
        "application_id": str(application_id),
        "identifier": stamp.identifier,
        "issued_on": stamp.issued_on,
    }
    return Answer(env.operator.post("/stamps", json=body))


@given(
    parsers.re(r'una marca da bollo cartacea da 16 euro mai usata, emessa il "(?P<data>[^"]+)"'),
    target_fixture="marca",
)
def unused_stamp(data: str) -> PaperStamp:
    return PaperStamp(fresh_identifier(), data)


@given("il cittadino la registra sull'istanza di residenza", target_fixture="risposta")
@when("il cittadino la registra sull'istanza di residenza", target_fixture="risposta")
def register(env: CollaudoEnv, marca: PaperStamp) -> Answer:
    return _register(env, marca)


@when("il cittadino la registra su un'altra istanza di residenza", target_fixture="risposta")
def register_again(env: CollaudoEnv, marca: PaperStamp) -> Answer:
    return _register(env, marca)


@when(
    parsers.re(
        r'il cittadino registra la marca "(?P<identificativo>[^"]*)" emessa il "(?P<data>[^"]*)" '
        r"sull'istanza di residenza"
    ),
    target_fixture="risposta",
)
def register_given(env: CollaudoEnv, identificativo: str, data: str) -> Answer:
    identifier = fresh_identifier() if identificativo == "nuovo" else identificativo
    return _register(env, PaperStamp(identifier, data))


@then("la marca risulta registrata per quella istanza")
def registered(risposta: Answer, marca: PaperStamp) -> None:
    record = risposta.json()
    assert record["identifier"] == marca.identifier, record
    assert record["application_id"] == str(marca.applications[-1]), record


@then("la risposta spiega che la marca è già stata usata")
def already_used(risposta: Answer, marca: PaperStamp) -> None:
    problem = risposta.json()
    assert marca.identifier in problem["detail"], problem
    assert str(marca.applications[0]) in problem["detail"], problem


@when(
    "il cittadino presenta l'istanza di residenza con il documento da bollare",
    target_fixture="pratica",
)
def submit_residence(env: CollaudoEnv, cittadino: Citizen) -> Application:
    document = actions.residence_document()
    application = actions.submit_application(
        env,
        cittadino,
        service_id=RESIDENZA_ID,
        amount=actions.euro("16,00"),
        reason="Marca da bollo - istanza di residenza",
        document=document,
    )
    application.document_hash = "sha256:" + hashlib.sha256(document).hexdigest()
    return application


@then("il pagamento è una marca da bollo per l'impronta del documento")
def is_stamp(pratica: Application) -> None:
    payment = pratica.payment
    assert payment.get("type") == "STAMP", payment
    document = payment.get("document") or {}
    assert document.get("hash") == pratica.document_hash, payment


@then("la ricevuta riporta la marca da bollo digitale")
def receipt_has_stamp(env: CollaudoEnv, pratica: Application) -> None:
    response = env.citizen.get(env.url("proxy", f"/receipt/{pratica.payment_id}"))
    assert response.status_code == 200, response.text[:500]
    body = response.content
    assert b"MarcaDaBollo" in body or b"marcaDaBollo" in body or b"MBD" in body, body[:800]
