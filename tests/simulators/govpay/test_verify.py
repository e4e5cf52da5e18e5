"""GovPay asks the creditor (API Ente v2 verifyPendenza) for a pendenza past its dataValidita."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from simulators.common.station import get_payment_request, verify_request
from simulators.govpay.app import Settings, create_app
from tests.simulators.govpay.conftest import (
    A2A,
    AUTH,
    BASE,
    DOMINIO,
    Receiver,
    nuova_pendenza,
    soap,
)

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def _create(client: TestClient, id_pendenza: str, **extra: Any) -> str:
    url = f"{BASE}/pendenze/{A2A}/{id_pendenza}"
    answer = client.put(url, json=nuova_pendenza(**extra), auth=AUTH)
    assert answer.status_code == 201, answer.text
    numero: str = answer.json()["numeroAvviso"]
    return numero


def test_past_validity_refreshes_the_pendenza_from_the_creditor(
    notifying_settings: Settings, receiver: Receiver
) -> None:
    fresh = nuova_pendenza("25.00", causale="Importo aggiornato con la mora")
    receiver.verifications[(A2A, "v-1")] = (200, {"stato": "NON_ESEGUITA", "pendenza": fresh})
    with TestClient(create_app(notifying_settings)) as client:
        numero = _create(client, "v-1", dataValidita=YESTERDAY)
        answer = soap(client, "paVerifyPaymentNotice", verify_request(DOMINIO, numero))
        assert b"<amount>25.00</amount>" in answer
        assert receiver.received[0].path == f"/ente/v2/pendenze/{A2A}/v-1"
        assert receiver.received[0].headers["accept"] == "application/json"
        read = client.get(f"{BASE}/pendenze/{A2A}/v-1", auth=AUTH).json()
        assert read["importo"] == 25.0 and read["numeroAvviso"] == numero
        assert read["causale"] == "Importo aggiornato con la mora"


def test_validity_not_passed_asks_nothing(notifying_settings: Settings, receiver: Receiver) -> None:
    with TestClient(create_app(notifying_settings)) as client:
        numero = _create(client, "v-2", dataValidita=(date.today() + timedelta(days=3)).isoformat())
        answer = soap(client, "paVerifyPaymentNotice", verify_request(DOMINIO, numero))
        assert b"<outcome>OK</outcome>" in answer
        assert receiver.received == []


@pytest.mark.parametrize(
    ("stato", "fault"),
    [("ANNULLATA", b"PAA_PAGAMENTO_ANNULLATO"), ("SCADUTA", b"PAA_PAGAMENTO_SCADUTO")],
)
def test_creditor_refusal_refuses_the_payment(
    notifying_settings: Settings, receiver: Receiver, stato: str, fault: bytes
) -> None:
    receiver.verifications[(A2A, "v-3")] = (200, {"stato": stato, "descrizioneStato": "no"})
    with TestClient(create_app(notifying_settings)) as client:
        numero = _create(client, "v-3", dataValidita=YESTERDAY)
        request = get_payment_request(DOMINIO, numero, amount=Decimal("20.00"))
        assert fault in soap(client, "paGetPaymentV2", request)


@pytest.mark.parametrize(
    ("mandatory", "expected"), [(False, b"<outcome>OK</outcome>"), (True, b"PAA_SYSTEM_ERROR")]
)
def test_a_failing_creditor_is_ignored_unless_the_update_is_mandatory(
    notifying_settings: Settings, receiver: Receiver, mandatory: bool, expected: bytes
) -> None:
    receiver.verifications[(A2A, "v-4")] = (503, {"categoria": "INTERNO"})
    settings = replace(notifying_settings, verify_mandatory=mandatory)
    with TestClient(create_app(settings)) as client:
        numero = _create(client, "v-4", dataValidita=YESTERDAY)
        answer = soap(client, "paVerifyPaymentNotice", verify_request(DOMINIO, numero))
        assert expected in answer
        exchanges = client.get("/_admin/positions").json()[0]["exchanges"]
        assert any("HTTP 503" in x["outcome"] for x in exchanges)


def test_a_malformed_refresh_is_not_applied(
    notifying_settings: Settings, receiver: Receiver
) -> None:
    bad = nuova_pendenza("25.00")
    bad["voci"][0]["importo"] = 20.0  # VER_002: total differs from the voci
    receiver.verifications[(A2A, "v-5")] = (200, {"stato": "NON_ESEGUITA", "pendenza": bad})
    with TestClient(create_app(notifying_settings)) as client:
        numero = _create(client, "v-5", dataValidita=YESTERDAY)
        answer = soap(client, "paVerifyPaymentNotice", verify_request(DOMINIO, numero))
        assert b"<amount>20.00</amount>" in answer  # what GovPay had
