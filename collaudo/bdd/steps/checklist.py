"""Steps: the release checklist's bus cases (republished, foreign and adopted events)."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pytest_bdd import given, parsers, then, when

from adapters.core.models import PaymentEvent
from adapters.core.positions import position_request
from adapters.core.settings import APP_NAME
from collaudo.bdd import actions
from collaudo.bdd.fixtures import Application, Citizen
from collaudo.bdd.world import CollaudoEnv
from collaudo.stack import CANONE_CUP_ID, DEMO_TENANT_ID

FOREIGN_APP = "gestionale-tributi:4.2.0"


def _publish(env: CollaudoEnv, event: dict[str, Any]) -> None:
    env.stack.bus.publish_nowait(
        "payments", event["service_id"].encode(), json.dumps(event).encode()
    )


def _republished(event: dict[str, Any], app_id: str) -> dict[str, Any]:
    again = copy.deepcopy(event)
    now = datetime.now(UTC).isoformat()
    again |= {"event_id": str(uuid.uuid4()), "event_created_at": now, "app_id": app_id}
    return again


def _outcome_count(env: CollaudoEnv, outcome: str) -> float:
    metric = env.service.metrics.events_consumed.labels(outcome=outcome)
    return float(metric._value.get())


@when("la piattaforma ripubblica lo stesso evento CREATION_PENDING", target_fixture="ignorati")
def republish_creation_pending(env: CollaudoEnv, pratica: Application) -> float:
    first = actions.topic_events(env, pratica.payment_id)[0]
    assert first["status"] == "CREATION_PENDING"
    env.proxy_idle()
    before = _outcome_count(env, "ignored")
    _publish(env, first)  # the very same message, redelivered
    return before


@when("la piattaforma ripubblica il pagamento in stato PAYMENT_PENDING", target_fixture="ignorati")
def republish_payment_pending(env: CollaudoEnv, pratica: Application) -> float:
    env.proxy_idle()
    before = _outcome_count(env, "ignored")
    _publish(env, _republished(pratica.event, "collaudo-platform-sim:republished"))
    return before


@then("il proxy ignora l'evento ripubblicato")
def ignored(env: CollaudoEnv, ignorati: float) -> None:
    env.proxy_idle()
    assert _outcome_count(env, "ignored") == ignorati + 1


@given(
    parsers.re(
        r"una posizione debitoria da (?P<importo>[\d,.]+) euro creata sull'intermediario da un "
        r"gestionale esterno"
    ),
    target_fixture="pratica",
)
def foreign_position(env: CollaudoEnv, cittadino: Citizen, importo: str) -> Application:
    """Another system (the tax office's software) created the position with the intermediary."""
    payment_id = uuid.uuid4()
    now = datetime.now(UTC)
    event = _event(payment_id, cittadino, actions.euro(importo), "CREATION_PENDING", now)
    # The citizen comes back to the platform's page after paying.
    event["links"]["online_payment_landing"] = {"url": env.url("platform", "/")}
    store = env.service.store
    tenant, service = store.get_tenant(DEMO_TENANT_ID), store.get_service(CANONE_CUP_ID)
    assert tenant is not None and service is not None
    request = position_request(PaymentEvent.model_validate(event), tenant, service)
    assert env.stack.intermediary is not None
    position = env.call(env.stack.intermediary.create_debt_position(request))
    event["status"] = "PAYMENT_PENDING"
    event["payment"] |= {
        "notice_code": position.notice_number,
        "iuv": position.iuv,
        "iud": position.iud,
    }
    return Application(uuid.uuid4(), payment_id, CANONE_CUP_ID, actions.euro(importo), event)


def _event(
    payment_id: uuid.UUID, citizen: Citizen, amount: Decimal, status: str, now: datetime
) -> dict[str, Any]:
    stamp = now.isoformat()
    return {
        "id": str(payment_id),
        "user_id": None,
        "type": "PAGOPA",
        "tenant_id": str(DEMO_TENANT_ID),
        "service_id": str(CANONE_CUP_ID),
        "created_at": stamp,
        "updated_at": stamp,
        "status": status,
        "reason": "Canone CUP 2025 - posizione del gestionale tributi",
        "remote_id": str(uuid.uuid4()),
        "payment": {
            "amount": float(amount),
            "currency": "EUR",
            "expire_at": (now + timedelta(days=60)).isoformat(),
        },
        "links": {},
        "payer": citizen.payer(),
        "event_id": str(uuid.uuid4()),
        "event_version": "2.0",
        "event_created_at": stamp,
        "app_id": FOREIGN_APP,
    }


@when("il gestionale pubblica il pagamento in stato PAYMENT_PENDING sul topic payments")
def foreign_publishes(env: CollaudoEnv, pratica: Application) -> None:
    _publish(env, pratica.event)


@then("il proxy adotta il pagamento")
def adopted(env: CollaudoEnv, pratica: Application) -> None:
    env.proxy_idle()
    stored = env.service.store.get_payment(pratica.payment_id)
    assert stored is not None, "the proxy did not store the foreign payment"
    assert stored.origin == "adopted" and stored.status.value == "PAYMENT_PENDING", stored


@then("il link update risponde con il pagamento verificato presso l'intermediario")
def update_link_checks(env: CollaudoEnv, pratica: Application) -> None:
    response = env.suite.get(env.url("proxy", f"/update/{pratica.payment_id}"))
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["status"] in ("PAYMENT_PENDING", "PAYMENT_STARTED"), event["status"]
    assert event["links"]["update"]["last_check_at"], "the proxy did not ask the intermediary"


@then("il link offline-payment scarica l'avviso in PDF")
def offline_link(env: CollaudoEnv, pratica: Application) -> None:
    response = env.citizen.get(env.url("proxy", f"/offline-payment/{pratica.payment_id}"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF"), response.text


@then("il link online-payment porta al portale di pagamento")
def online_link(env: CollaudoEnv, pratica: Application) -> None:
    response = env.citizen.get(pratica.link("online_payment_begin"))
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    if env.target.simulated:
        assert location.startswith(env.url("checkout")) or location.startswith(
            env.url(env.intermediary)
        ), location


@then(
    parsers.re(r"il proxy pubblica sul topic payments un solo evento COMPLETE per quel pagamento")
)
def one_complete_event(env: CollaudoEnv, pratica: Application) -> None:
    env.wait_status(pratica.payment_id, "COMPLETE")
    env.proxy_idle()
    complete = [
        e
        for e in actions.topic_events(env, pratica.payment_id)
        if e["status"] == "COMPLETE" and e["app_id"].startswith(APP_NAME)
    ]
    assert len(complete) == 1, complete


@when(
    "un gestionale pubblica un pagamento PAYMENT_PENDING per un servizio che il proxy non conosce",
    target_fixture="pratica",
)
def foreign_unknown_service(env: CollaudoEnv, cittadino: Citizen) -> Application:
    payment_id = uuid.uuid4()
    event = _event(payment_id, cittadino, Decimal("12.00"), "PAYMENT_PENDING", datetime.now(UTC))
    event["service_id"] = str(uuid.uuid4())
    event["payment"] |= {"notice_code": "301000000000000000", "iuv": "01000000000000000"}
    _publish(env, event)
    return Application(
        uuid.uuid4(), payment_id, uuid.UUID(event["service_id"]), Decimal("12"), event
    )


@then("il proxy ignora l'evento estraneo")
def foreign_ignored(env: CollaudoEnv, pratica: Application) -> None:
    env.proxy_idle()
    assert env.service.store.get_payment(pratica.payment_id) is None
