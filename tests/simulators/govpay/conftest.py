"""Shared fixtures for the GovPay simulator: the app, a valid NuovaPendenza, the Nodo's calls,
and a creditor's API Ente v2 receiver on a loopback port that answers as scripted."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from simulators.common.server import serving
from simulators.common.station import (
    StationReceipt,
    StationTransfer,
    get_payment_request,
    send_rt_request,
    verify_request,
)
from simulators.govpay.app import Settings, create_app

DOMINIO = "80000000002"
A2A = "A2A-COLLAUDO"
AUTH = (A2A, "sim-password")
BASE = "/govpay/backend/api/pendenze/rs/basic/v2"
APIKEY_BASE = "/govpay/backend/api/pendenze/rs/apikey/v2"
RAGIONERIA = "/govpay/backend/api/ragioneria/rs/basic/v3"
PAGAMENTO = "/govpay/frontend/api/pagamento/rs/basic/v2"
IBAN = "IT60X0542811101000000123456"
JSON = {"Accept": "application/json"}
_ids = itertools.count(1)


def new_id(prefix: str = "pnd") -> str:
    return f"{prefix}-{next(_ids):04d}"


def nuova_pendenza(importo: str = "20.00", **extra: Any) -> dict[str, Any]:
    """A valid NuovaPendenza: one IBAN voce (pass ``voci=`` for others)."""
    body: dict[str, Any] = {
        "idTipoPendenza": "DIRITTI_SEGRETERIA",
        "idDominio": DOMINIO,
        "causale": "Occupazione suolo pubblico",
        "soggettoPagatore": {
            "tipo": "F",
            "identificativo": "RSSMRA80A01H501U",
            "anagrafica": "Mario Rossi",
            "email": "mario.rossi@example.org",
        },
        "importo": float(importo),
        "dataScadenza": (date.today() + timedelta(days=30)).isoformat(),
        "tassonomiaAvviso": "Servizi erogati dal comune",
        "voci": [
            {
                "idVocePendenza": "diritti",
                "importo": float(importo),
                "descrizione": "Diritti di segreteria",
                "ibanAccredito": IBAN,
                "tipoContabilita": "ALTRO",
                "codiceContabilita": "0101108TS/",
            }
        ],
    }
    body.update(extra)
    return body


def bollo_voce(voce_id: str = "bollo") -> dict[str, Any]:
    return {
        "idVocePendenza": voce_id,
        "importo": 16.0,
        "descrizione": "Marca da bollo",
        "tipoBollo": "01",
        "hashDocumento": "wHpFSLCGZjIvNSXxqtGbxg7275t446DRTk5ZrsdUQ6E=",
        "provinciaResidenza": "PI",
    }


@pytest.fixture
def settings() -> Settings:
    return Settings(notification_retry_unit=0.05, notification_timeout=2.0)


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def put(client: TestClient) -> Callable[..., dict[str, Any]]:
    """PUT a new pendenza (201 expected); the pendenza as GET returns it."""

    def make(id_pendenza: str | None = None, **body: Any) -> dict[str, Any]:
        id_pendenza = id_pendenza or new_id()
        answer = client.put(
            f"{BASE}/pendenze/{A2A}/{id_pendenza}", json=nuova_pendenza(**body), auth=AUTH
        )
        assert answer.status_code == 201, answer.text
        read = client.get(f"{BASE}/pendenze/{A2A}/{id_pendenza}", auth=AUTH)
        pendenza: dict[str, Any] = read.json()
        return pendenza

    return make


def soap(client: TestClient, operation: str, envelope: bytes) -> bytes:
    answer = client.post(
        "/pagopa/paForNode",
        content=envelope,
        headers={"SOAPAction": operation, "Content-Type": "text/xml; charset=utf-8"},
    )
    assert answer.status_code == 200, answer.text
    content: bytes = answer.content
    return content


def receipt_for(
    pendenza: dict[str, Any], receipt_id: str, amount: Decimal | None = None
) -> StationReceipt:
    """The receipt the Nodo sends once ``pendenza`` is paid."""
    numero = pendenza["numeroAvviso"]
    transfers = [
        StationTransfer(
            id_transfer=i,
            amount=Decimal(str(v["importo"])),
            fiscal_code_pa=DOMINIO,
            iban=v.get("ibanAccredito"),
            remittance_information=v["descrizione"],
            transfer_category="9/0101108TS/",
        )
        for i, v in enumerate(pendenza["voci"], start=1)
    ]
    total = Decimal(str(pendenza["importo"])).quantize(Decimal("0.01"))
    return StationReceipt(
        receipt_id=receipt_id,
        notice_number=numero,
        fiscal_code=DOMINIO,
        creditor_reference_id=numero[1:],
        amount=amount if amount is not None else total,
        description=pendenza["causale"],
        psp_id="70000000001",
        psp_name="PSP di prova",
        channel_id="70000000001_01",
        payment_method="creditCard",
        fee=Decimal("1.00"),
        payment_datetime=datetime(2026, 3, 1, 10, 0, 0),
        outcome="OK",
        debtor_fiscal_code=pendenza["soggettoPagatore"]["identificativo"],
        payer_fiscal_code=None,
        transfers=transfers,
        mbd_attachments={},
        raw_xml=b"",
    )


def pay_with(
    client: TestClient,
    pendenza: dict[str, Any],
    receipt_id: str = "rcpt-0001",
    amount: Decimal | None = None,
) -> list[bytes]:
    """The Nodo's three calls for ``pendenza`` over ``client``; the SOAP answers."""
    numero = pendenza["numeroAvviso"]
    total = Decimal(str(pendenza["importo"])).quantize(Decimal("0.01"))
    verify = soap(client, "paVerifyPaymentNotice", verify_request(DOMINIO, numero))
    get = soap(client, "paGetPaymentV2", get_payment_request(DOMINIO, numero, amount=total))
    sent = send_rt_request(
        receipt_for(pendenza, receipt_id, amount),
        company_name="Comune di Bugliano",
        debtor_name=pendenza["soggettoPagatore"]["anagrafica"],
    )
    answers = [verify, get, soap(client, "paSendRTV2", sent)]
    for answer in answers:
        assert b"<outcome>OK</outcome>" in answer, answer
    return answers


@pytest.fixture
def pay(client: TestClient) -> Callable[..., list[bytes]]:
    """:func:`pay_with` on the ``client`` fixture."""
    return lambda pendenza, *args, **kwargs: pay_with(client, pendenza, *args, **kwargs)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """A creditor's API Ente v2 endpoint: records every request, answers ``script`` in turn
    (then 201)."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (idA2A, idPendenza) -> (status, PendenzaVerificata) for GovPay's verifyPendenza
    verifications: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)

    def app(self) -> Starlette:
        async def ricevuta(request: Request) -> Response:
            body = json.loads(await request.body())
            with self.lock:
                self.received.append(
                    Received(request.method, request.url.path, dict(request.headers), body)
                )
                status = self.script.pop(0) if self.script else 201
            return Response(status_code=status)

        async def verifica(request: Request) -> Response:
            key = (request.path_params["idA2A"], request.path_params["idPendenza"])
            with self.lock:
                self.received.append(Received("GET", request.url.path, dict(request.headers), None))
                status, body = self.verifications.get(key, (404, None))
            return Response(
                json.dumps(body).encode(), status_code=status, media_type="application/json"
            )

        return Starlette(
            routes=[
                Route(
                    "/ente/v2/ricevute/{idDominio}/{iuv}/{idRicevuta}", ricevuta, methods=["PUT"]
                ),
                Route("/ente/v2/pendenze/{idA2A}/{idPendenza}", verifica, methods=["GET"]),
            ]
        )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    with serving(found.app()) as server:
        found.url = f"{server.url}/ente/v2"
        yield found


@pytest.fixture
def notifying_settings(receiver: Receiver) -> Settings:
    return Settings(
        notification_retry_unit=0.05,
        notification_timeout=2.0,
        creditor_urls={DOMINIO: receiver.url},
        creditor_username="govpay",
        creditor_password="ente-secret",
    )
