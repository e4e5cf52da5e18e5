"""The proxy's side of GovPay's API Ente v2: notifications confirmed by reading the pendenza
back, idempotent, forged ones refused; the verify operations; authentication. Requests
and answers are checked against the official API Ente v2 files (split files, cross-file
``$ref``s, the TAB defect coped with by :mod:`tests.govpay_contracts`)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adapters.api.app import create_app
from adapters.api.govpay_ente import BASE
from adapters.api.settings import ApiSettings
from adapters.core.bus import MemoryBus
from adapters.core.models import PaymentStatus
from adapters.core.service import PaymentService
from adapters.core.store import Store
from adapters.drivers import driver_spec
from adapters.drivers.govpay import GovPayDriver
from adapters.pagopa import generate_notice
from tests import govpay_contracts as contract
from tests.api.conftest import AUTH, CREDITOR_CF, PUBLIC_URL, TENANT_ID, TOKEN, service_body
from tests.api.test_citizen_links import creation_event

GOVPAY = "http://govpay.test/govpay/backend/api/pendenze/rs/basic/v2"
ID_A2A = "COLLAUDO"
ENTE_PASSWORD = "ente-secret-password"
ENTE_KEY = "ente-secret-key"
NOTIFY = "/ricevute/{idDominio}/{iuv}/{idRicevuta}"
VERIFY = "/pendenze/{idA2A}/{idPendenza}"
AVVISO = "/avvisi/{idDominio}/{numeroAvviso}"


@dataclass
class FakeGovPay:
    """Just enough of API Pendenze v2 for the driver: PUT and GET of one tenant's pendenze."""

    stato: str = "NON_ESEGUITA"
    reachable: bool = True
    pendenze: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.reachable:
            raise httpx.ConnectError("connection refused", request=request)
        id_pendenza = request.url.path.rsplit("/", 1)[-1]
        if request.method == "PUT":
            numero = str(generate_notice(3, len(self.pendenze) + 1, segregation_code="01"))
            self.pendenze[id_pendenza] = {**json.loads(request.content), "numeroAvviso": numero}
            return httpx.Response(201, json={"idDominio": CREDITOR_CF, "numeroAvviso": numero})
        self.reads += 1
        sent = self.pendenze[id_pendenza]
        body = {
            "idA2A": ID_A2A,
            "idPendenza": id_pendenza,
            "dominio": {"idDominio": CREDITOR_CF},
            "stato": self.stato,
            "numeroAvviso": sent["numeroAvviso"],
            "importo": sent["importo"],
            "soggettoPagatore": sent["soggettoPagatore"],
            "dataCaricamento": "2026-12-01",
            "tipo": "dovuto",
            "voci": sent["voci"],
            "rpp": [],
        }
        if self.stato == "ESEGUITA":
            body["rpp"] = [{"stato": "RT_ACCETTATA_PA", "rpt": {}, "rt": receipt(sent)}]
        return httpx.Response(200, json=body)


def receipt(sent: dict[str, Any]) -> dict[str, Any]:
    return {
        "receiptId": "rcpt-" + sent["numeroAvviso"][-6:],
        "creditorReferenceId": sent["numeroAvviso"][1:],
        "paymentAmount": "20.00",
        "paymentDateTime": "2026-12-01T10:15:00",
        "outcome": "OK",
    }


@pytest.fixture
def govpay() -> FakeGovPay:
    return FakeGovPay()


@pytest.fixture
def app(govpay: FakeGovPay, monkeypatch: pytest.MonkeyPatch) -> Starlette:
    monkeypatch.setenv("GP_ENTE_PASSWORD", ENTE_PASSWORD)
    monkeypatch.setenv("GP_ENTE_KEY", ENTE_KEY)
    driver = GovPayDriver(
        transport=httpx.MockTransport(govpay), environ={"GP_PASSWORD": "proxy-to-govpay"}
    )
    return create_app(
        ApiSettings(api_token=TOKEN, public_url=PUBLIC_URL),
        driver=driver_spec("govpay"),
        intermediary=driver,
        store=Store.open(":memory:"),
        bus=MemoryBus(),
        run_background=False,
    )


@pytest.fixture
def service(app: Starlette) -> PaymentService:
    found: PaymentService = app.state.service
    return found


def tenant(**changes: str) -> dict[str, Any]:
    return {
        "id": str(TENANT_ID),
        "name": "Comune di Bugliano",
        "tax_identification_number": CREDITOR_CF,
        "govpay_base_url": GOVPAY,
        "govpay_id_a2a": ID_A2A,
        "govpay_password_env": "GP_PASSWORD",
        "govpay_ente_username": "govpay",
        "govpay_ente_password_env": "GP_ENTE_PASSWORD",
        "govpay_ente_app_id": "govpay-app",
        "govpay_ente_api_key_env": "GP_ENTE_KEY",
        **changes,
    }


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        response = await http.post("/tenants", json=tenant(), headers=AUTH)
        assert response.status_code == 201, response.text
        body = service_body(govpay_id_tipo_pendenza="DIRITTI_SEGRETERIA")
        body["govpay_cod_entrata"] = "DIRITTI"
        del body["codice_tipo_dovuto"]  # the fake driver's field
        response = await http.post("/services", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        yield http


def basic(user: str = "govpay", password: str = ENTE_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def created(service: PaymentService) -> tuple[uuid.UUID, str]:
    payment_id = uuid.uuid4()
    outcome = await service.handle_event(creation_event(payment_id))
    assert outcome.action.value == "created", outcome
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.position is not None
    return payment_id, stored.position.notice_number


def ricevuta(payment_id: uuid.UUID, numero: str) -> dict[str, Any]:
    """What GovPay PUTs (its ``esito``, no ``stato``), checked against the Ricevuta schema."""
    body = {
        "dominio": {"idDominio": CREDITOR_CF, "ragioneSociale": "Comune di Bugliano"},
        "iuv": numero[1:],
        "idRicevuta": "rcpt-" + numero[-6:],
        "importo": 20.0,
        "esito": "ESEGUITO",
        "istitutoAttestante": {"idPSP": "BCITITMM", "denominazione": "Banca Simulata"},
        "pendenza": {
            "idA2A": ID_A2A,
            "idPendenza": payment_id.hex,
            "idTipoPendenza": "DIRITTI_SEGRETERIA",
            "dominio": {"idDominio": CREDITOR_CF},
            "causale": "Diritti di segreteria",
            "soggettoPagatore": {"tipo": "F", "identificativo": "RSSMRA80A01H501U"},
            "importo": 20.0,
            "numeroAvviso": numero,
            "dataCaricamento": "2026-12-01",
            "voci": [
                {
                    "idVocePendenza": "1",
                    "descrizione": "Diritti di segreteria",
                    "codEntrata": "DIRITTI",
                    "riscossione": {
                        "iuv": numero[1:],
                        "iur": "rcpt-" + numero[-6:],
                        "indice": 1,
                        "tipo": "ENTRATA",
                        "importo": 20.0,
                        "data": "2026-12-01",  # a date: GovPay writes yyyy-MM-dd (listed defect)
                    },
                }
            ],
        },
        "dataPagamento": "2026-12-01T10:15:00+01:00",
        "modello": "Pagamento ad iniziativa PSP",
    }
    assert contract.errors(body, contract.schema(contract.ENTE_SCHEMAS, "Ricevuta")) == []
    return body


def path_of(template: str, method: str, **params: str) -> str:
    """The proxy's URL for an official operation, its parameters checked against the file."""
    operation = contract.operation(contract.ENTE, template, method)
    for parameter in operation["parameters"]:
        if parameter["in"] == "path":
            value = params[parameter["name"]]
            assert contract.errors(value, parameter["schema"]) == [], parameter["name"]
    return BASE + template.format(**params)


def conforms(template: str, method: str, response: httpx.Response) -> None:
    """The answer is one the official file declares, with a body of the declared schema
    (FaultBean for the errors that declare no body)."""
    declared = contract.operation(contract.ENTE, template, method)["responses"]
    assert str(response.status_code) in declared, response.status_code
    content = declared[str(response.status_code)].get("content")
    if content:
        schema = content["application/json"]["schema"]
    elif response.status_code >= 400:
        schema = contract.schema("govpay/api-ente-v2/govpay-api-responses.yaml", "FaultBean")
    else:
        assert response.content == b""
        return
    assert contract.errors(response.json(), schema) == []


async def notify(
    client: httpx.AsyncClient,
    payment_id: uuid.UUID,
    numero: str,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = ricevuta(payment_id, numero)
    url = path_of(
        NOTIFY, "put", idDominio=CREDITOR_CF, iuv=numero[1:], idRicevuta=body["idRicevuta"]
    )
    response = await client.put(url, json=body, headers=basic() if headers is None else headers)
    conforms(NOTIFY, "put", response)
    return response


# -- the routes -------------------------------------------------------------------------------


async def test_the_routes_are_the_official_operations_and_documented(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    official = contract.paths(contract.ENTE)
    for template, method in ((NOTIFY, "put"), (VERIFY, "get"), (AVVISO, "get")):
        assert method in official[template]
        served = [r for r in app.routes if getattr(r, "path", None) == BASE + template]
        assert served and method.upper() in (served[0].methods or set())  # type: ignore[attr-defined]
    docs = (await client.get("/docs", headers={"Accept": "application/json"})).text
    assert f"{BASE}/ricevute/{{idDominio}}/{{iuv}}/{{idRicevuta}}" in docs


# -- notifications ------------------------------------------------------------------------------


async def test_a_notification_govpay_confirms_completes_the_payment_once(
    client: httpx.AsyncClient, service: PaymentService, govpay: FakeGovPay
) -> None:
    payment_id, numero = await created(service)
    govpay.stato = "ESEGUITA"
    response = await notify(client, payment_id, numero)
    assert response.status_code == 201
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.COMPLETE
    assert stored.event.payment.transaction_id == "rcpt-" + numero[-6:]
    assert govpay.reads == 1
    published = len(service.store.published_events(payment_id)) + service.store.outbox_backlog()
    again = await notify(client, payment_id, numero)
    assert again.status_code == 201  # GovPay stops resending; nothing changes
    assert govpay.reads == 1
    after = len(service.store.published_events(payment_id)) + service.store.outbox_backlog()
    assert after == published


async def test_a_forged_notification_never_makes_a_payment_complete(
    client: httpx.AsyncClient, service: PaymentService, govpay: FakeGovPay
) -> None:
    payment_id, numero = await created(service)
    response = await notify(client, payment_id, numero)  # GovPay still says NON_ESEGUITA
    assert response.status_code == 400
    assert response.json()["codice"] == "RICEVUTA_NON_CONFERMATA"
    assert govpay.reads == 1  # the proxy asked GovPay before deciding
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.PAYMENT_PENDING
    govpay.stato = "ESEGUITA"  # the genuine receipt, resent by GovPay, is then accepted
    assert (await notify(client, payment_id, numero)).status_code == 201


async def test_an_anomalous_or_unconfirmable_notification_is_kept_for_the_operator(
    client: httpx.AsyncClient, service: PaymentService, govpay: FakeGovPay
) -> None:
    payment_id, numero = await created(service)
    govpay.reachable = False
    response = await notify(client, payment_id, numero)
    assert response.status_code == 500 and response.json()["categoria"] == "INTERNO"
    govpay.reachable, govpay.stato = True, "ANOMALA"
    response = await notify(client, payment_id, numero)
    assert response.status_code == 400 and response.json()["codice"] == "ANOMALA"
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.PAYMENT_PENDING
    assert stored.last_error is not None and "ANOMALA" in stored.last_error
    detail = (await client.get(f"/payments/{payment_id}", headers=AUTH)).text
    assert "ANOMALA" in detail
    update = await client.get(f"/update/{payment_id}")  # the platform's check says it too
    assert update.status_code == 502 and "not treated as paid" in update.json()["detail"]


async def test_notifications_for_unknown_payments_or_bad_bodies(
    client: httpx.AsyncClient, service: PaymentService
) -> None:
    response = await notify(client, uuid.uuid4(), "301000000000099999")
    assert response.status_code == 404 and response.json()["categoria"] == "OPERAZIONE"
    url = path_of(NOTIFY, "put", idDominio=CREDITOR_CF, iuv="01000000000099999", idRicevuta="x")
    response = await client.put(url, content=b"not json", headers=basic())
    conforms(NOTIFY, "put", response)
    assert response.status_code == 400 and response.json()["codice"] == "SINTASSI"


# -- authentication --------------------------------------------------------------------------------


async def test_notifications_need_the_credentials_the_tenant_expects(
    client: httpx.AsyncClient, service: PaymentService, monkeypatch: pytest.MonkeyPatch
) -> None:
    payment_id, numero = await created(service)
    for headers in ({}, basic(password="wrong"), basic(user="other")):
        response = await notify(client, payment_id, numero, headers)
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers
        assert ENTE_PASSWORD not in response.text
    response = await client.put(
        "/tenants/" + str(TENANT_ID), json=tenant(govpay_ente_auth="apikey"), headers=AUTH
    )
    assert response.status_code == 200, response.text
    keyed = {"X-APP-ID": "govpay-app", "X-API-KEY": ENTE_KEY}
    assert (await notify(client, payment_id, numero, basic())).status_code == 401
    assert (await notify(client, payment_id, numero, keyed)).status_code == 400  # not paid yet
    monkeypatch.delenv("GP_ENTE_KEY")
    assert (await notify(client, payment_id, numero, keyed)).status_code == 401


# -- verify ------------------------------------------------------------------------------------


async def test_verify_answers_the_stored_pendenza_as_govpay_expects(
    client: httpx.AsyncClient, service: PaymentService, govpay: FakeGovPay
) -> None:
    payment_id, numero = await created(service)
    by_id = await client.get(
        path_of(VERIFY, "get", idA2A=ID_A2A, idPendenza=payment_id.hex), headers=basic()
    )
    conforms(VERIFY, "get", by_id)
    body = by_id.json()
    assert body["stato"] == "NON_ESEGUITA"
    pendenza = body["pendenza"]
    assert (pendenza["idA2A"], pendenza["idPendenza"]) == (ID_A2A, payment_id.hex)
    assert pendenza["numeroAvviso"] == numero and pendenza["idDominio"] == CREDITOR_CF
    assert pendenza["importo"] == 20.0 and pendenza["voci"][0]["codEntrata"] == "DIRITTI"
    for number in (numero, numero[1:]):  # GovPay may send the IUV in place of the numero
        by_notice = await client.get(
            BASE + AVVISO.format(idDominio=CREDITOR_CF, numeroAvviso=number), headers=basic()
        )
        conforms(AVVISO, "get", by_notice)
        assert by_notice.json() == body
    unknown = await client.get(
        path_of(AVVISO, "get", idDominio=CREDITOR_CF, numeroAvviso="301000000000099999"),
        headers=basic(),
    )
    conforms(AVVISO, "get", unknown)
    assert unknown.json()["stato"] == "SCONOSCIUTA"
    govpay.stato = "ESEGUITA"
    assert (await notify(client, payment_id, numero)).status_code == 201
    paid = await client.get(
        path_of(VERIFY, "get", idA2A=ID_A2A, idPendenza=payment_id.hex), headers=basic()
    )
    conforms(VERIFY, "get", paid)
    assert paid.json()["stato"] == "ANNULLATA"  # not payable again
    refused = await client.get(
        path_of(VERIFY, "get", idA2A=ID_A2A, idPendenza=payment_id.hex), headers={}
    )
    conforms(VERIFY, "get", refused)
    assert refused.status_code == 401


async def test_a_receipt_for_a_closed_payment_is_refused_and_logged(
    client: httpx.AsyncClient,
    service: PaymentService,
    govpay: FakeGovPay,
    caplog: pytest.LogCaptureFixture,
) -> None:
    payment_id, numero = await created(service)
    assert (await client.patch(f"/cancel/{payment_id}", headers=AUTH)).status_code == 200
    govpay.stato = "ESEGUITA"
    response = await notify(client, payment_id, numero)
    assert response.status_code == 400 and response.json()["codice"] == "PAGAMENTO_CHIUSO"
    assert "reconcile" in caplog.text
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.CANCELED


def test_the_driver_names_where_the_api_ente_is_served() -> None:
    assert driver_spec("govpay").extra["api_ente"] == BASE


async def test_a_notification_finds_its_payment_whichever_tenant_of_the_ente_holds_it(
    client: httpx.AsyncClient, service: PaymentService, govpay: FakeGovPay
) -> None:
    # Another tenant of the same ente (same idDominio, same credentials), configured first in
    # the list (e.g. a test tenant): the payment belongs to the demo tenant all the same.
    other = tenant(id=str(uuid.UUID(int=1)), name="Comune di Bugliano (prova)")
    answer = await client.post("/tenants", json=other, headers=AUTH)
    assert answer.status_code == 201, answer.text
    payment_id, numero = await created(service)
    govpay.stato = "ESEGUITA"
    response = await notify(client, payment_id, numero)
    assert response.status_code == 201, response.text
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.COMPLETE
