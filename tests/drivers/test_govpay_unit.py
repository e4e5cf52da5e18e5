"""The GovPay driver against httpx.MockTransport answers that follow the official API
Pendenze v2 file: what it sends (validated against the file), every ``stato``, every error
category, the Accept formats and their 406, the authentication variants, the bollo voce,
both IUV modes, and secrets kept out of exchanges and logs."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.api.forms import field_keys
from adapters.core.intermediary import (
    AccessDenied,
    CreditorConfig,
    DebtPosition,
    IntermediaryError,
    IntermediaryFault,
    IntermediaryUnavailable,
    NotPaidYet,
    PermanentError,
    PositionNotFound,
    PositionState,
    RequestRejected,
    Transfer,
)
from adapters.drivers import driver_spec
from adapters.drivers.govpay import GovPayAnomaly, GovPayDriver
from adapters.pagopa import NoticeNumber
from tests import govpay_contracts as contract
from tests.drivers.stack import CREDITOR_CF, context
from tests.drivers.stack import request as make_request
from tests.drivers.test_conformance import RETURN

BASE = "http://govpay.test/govpay/backend/api/pendenze/rs/basic/v2"
PASSWORD = "unit-govpay-password"
API_KEY = "unit-govpay-api-key"
ENV = {"GP_PASSWORD": PASSWORD, "GP_KEY": API_KEY}
ID_A2A = "COLLAUDO"
NUMERO = "301000000000012345"
Handler = Callable[[httpx.Request], httpx.Response]


def config(**overrides: str | None) -> CreditorConfig:
    settings: dict[str, Any] = {
        "govpay_base_url": BASE,
        "govpay_id_a2a": ID_A2A,
        "govpay_password_env": "GP_PASSWORD",
        "govpay_api_key_env": "GP_KEY",
        "govpay_id_tipo_pendenza": "DIRITTI_SEGRETERIA",
        "govpay_cod_entrata": "DIRITTI",
        "checkout_base_url": "http://checkout.test/checkout/ec/v1",
    }
    settings.update(overrides)
    settings = {k: v for k, v in settings.items() if v is not None}
    return CreditorConfig(uuid.uuid4(), uuid.uuid4(), CREDITOR_CF, "Comune di Bugliano", settings)


def driver(handler: Handler, environ: dict[str, str] | None = None) -> GovPayDriver:
    return GovPayDriver(
        transport=httpx.MockTransport(handler), environ=ENV if environ is None else environ
    )


def valid(instance: Any, name: str) -> Any:
    """``instance`` after checking it against schema ``name`` of API Pendenze v2 (when the
    official file is here: the behaviour is tested without it, the conformance with it)."""
    if contract.available(contract.PENDENZE):
        assert contract.errors(instance, contract.schema(contract.PENDENZE, name)) == []
    return instance


def test_requests_and_answers_here_are_checked_against_the_official_file() -> None:
    contract.require(contract.PENDENZE)  # skips, naming `collaudo contracts fetch`
    assert contract.errors({"stato": "ESEGUITA"}, contract.schema(contract.PENDENZE, "Pendenza"))


def created(numero: str = NUMERO, status: int = 201) -> httpx.Response:
    body = valid({"idDominio": CREDITOR_CF, "numeroAvviso": numero}, "PendenzaCreata")
    return httpx.Response(status, json=body, headers={"X-Govpay-IdTransazione": "tx-1"})


def fault(status: int, categoria: str, codice: str, descrizione: str = "errore") -> httpx.Response:
    body = valid(
        {"categoria": categoria, "codice": codice, "descrizione": descrizione, "dettaglio": "d"},
        "FaultBean",
    )
    return httpx.Response(status, json=body)


RT = {
    "receiptId": "c110729d258c4ab1b765fe902aae41d6",
    "noticeNumber": NUMERO,
    "fiscalCode": CREDITOR_CF,
    "outcome": "OK",
    "creditorReferenceId": NUMERO[1:],
    "paymentAmount": "20.00",
    "PSPCompanyName": "Banca Simulata",
    "paymentDateTime": "2026-12-01T10:15:00",
    "payer": {"uniqueIdentifier": {"entityUniqueIdentifierValue": "RSSMRA80A01H501U"}},
}


def pendenza(stato: str, *, paid: bool = False) -> dict[str, Any]:
    """A Pendenza as getPendenza answers it (checked against the file)."""
    body: dict[str, Any] = {
        "idA2A": ID_A2A,
        "idPendenza": "p1",
        "idTipoPendenza": "DIRITTI_SEGRETERIA",
        "dominio": {"idDominio": CREDITOR_CF, "ragioneSociale": "Comune di Bugliano"},
        "stato": stato,
        "descrizioneStato": f"pendenza {stato}",
        "numeroAvviso": NUMERO,
        "importo": 20.0,
        "causale": "Diritti di segreteria",
        "soggettoPagatore": {"tipo": "F", "identificativo": "RSSMRA80A01H501U"},
        "dataCaricamento": "2026-12-01",
        "tipo": "dovuto",
        "voci": [
            {
                "indice": 1,
                "idVocePendenza": "1",
                "importo": 20.0,
                "descrizione": "Diritti",
                "stato": "Eseguito" if paid else "Non eseguito",
                "codEntrata": "DIRITTI",
            }
        ],
        "rpp": [],
    }
    if paid:
        body["dataPagamento"] = "2026-12-01"
        body["iuvPagamento"] = NUMERO[1:]
        index = {k: v for k, v in body.items() if k not in ("voci", "rpp")}
        body["rpp"] = [
            {
                "stato": "RT_ACCETTATA_PA",
                "rpt": {"noticeNumber": NUMERO},
                "rt": RT,
                "pendenza": {**index, "rpp": "/rpp", "pagamenti": "/pagamenti"},
            }
        ]
    return body


def answering(body: dict[str, Any]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=valid(body, "Pendenza"))

    return handler


def position(req: Any, *, kind: str | None = None) -> DebtPosition:
    handle = {"idPendenza": req.payment_id.hex}
    if kind:
        handle["kind"] = kind
    return DebtPosition(req.iud, NUMERO[1:], NUMERO, CREDITOR_CF, req.amount, handle)


# -- create ---------------------------------------------------------------------------------


async def test_create_puts_a_valid_pendenza_at_a_stable_id_and_is_idempotent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return created(status=201 if len(seen) == 1 else 200)

    req = make_request(config())
    gp = driver(handler)
    first = await gp.create_debt_position(req)
    again = await gp.create_debt_position(req)
    assert first == again
    assert first.notice_number == NUMERO and first.iuv == NUMERO[1:]
    assert first.handle["idPendenza"] == req.payment_id.hex
    one, two = seen
    assert one.method == "PUT" and one.url.path.endswith(f"/pendenze/{ID_A2A}/{req.payment_id.hex}")
    assert (one.url, one.content) == (two.url, two.content)
    body = valid(json.loads(one.content), "NuovaPendenza")
    assert body["idDominio"] == CREDITOR_CF and body["importo"] == 20.0
    assert body["voci"] == [
        {"idVocePendenza": "1", "importo": 20.0, "descrizione": req.reason, "codEntrata": "DIRITTI"}
    ]
    assert "numeroAvviso" not in body  # GovPay assigns it (default IUV mode)
    assert body["dataScadenza"] == req.expire_at.date().isoformat()
    expected = base64.b64encode(f"{ID_A2A}:{PASSWORD}".encode()).decode()
    assert one.headers["Authorization"] == f"Basic {expected}"


async def test_voci_by_iban_and_contabilita_follow_the_split() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return created()

    creditor = config(
        govpay_cod_entrata=None,
        govpay_iban="IT60X0542811101000000123456",
        govpay_tipo_contabilita="SIOPE",
        govpay_codice_contabilita="1234",
    )
    base = make_request(creditor, amount="30.00")
    split = [
        Transfer("c_1", Decimal("20.00"), {"split_budget_chapter": "0101"}),
        Transfer("c 2", Decimal("10.00"), {"cod_entrata": "TEFA", "fiscal_code": "80000000101"}),
    ]
    await driver(handler).create_debt_position(type(base)(**{**base.__dict__, "transfers": split}))
    body = valid(seen[0], "NuovaPendenza")
    first, second = body["voci"]
    assert first["ibanAccredito"] == "IT60X0542811101000000123456"
    assert (first["tipoContabilita"], first["codiceContabilita"]) == ("CAPITOLO", "0101")
    assert second == {
        "idVocePendenza": "c-2",
        "importo": 10.0,
        "descrizione": base.reason,
        "codEntrata": "TEFA",
        "idDominio": "80000000101",
    }


async def test_a_voce_with_no_funding_is_a_configuration_error_before_any_call() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with pytest.raises(RequestRejected) as caught:
        await driver(handler).create_debt_position(make_request(config(govpay_cod_entrata=None)))
    assert caught.value.code == "CONFIGURATION" and "govpay_cod_entrata" in caught.value.message


async def test_the_marca_da_bollo_is_a_bollo_voce_and_has_no_paper_notice() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return created()

    req = make_request(config(), amount="16.00", stamp_document=b"istanza")
    gp = driver(handler)
    made = await gp.create_debt_position(req)
    [voce] = valid(seen[0], "NuovaPendenza")["voci"]
    assert req.stamp is not None
    assert voce["tipoBollo"] == "01" and voce["importo"] == 16.0
    assert voce["hashDocumento"] == req.stamp.document_hash
    assert voce["provinciaResidenza"] == "PI"
    assert "codEntrata" not in voce and "ibanAccredito" not in voce
    with pytest.raises(RequestRejected) as caught:
        await gp.notice_pdf(context(req, made))
    assert caught.value.code == "NO_NOTICE" and len(seen) == 1


async def test_proxy_iuv_mode_sends_a_derived_numero_and_skips_one_already_used() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        numero = json.loads(request.content)["numeroAvviso"]
        seen.append(numero)
        if len(seen) == 1:
            return fault(422, "RICHIESTA", "VER_025", "numero avviso già utilizzato")
        return created(numero)

    req = make_request(config(govpay_iuv_mode="proxy", govpay_segregation_code="01"))
    made = await driver(handler).create_debt_position(req)
    first, second = seen
    assert first != second and made.notice_number == second
    for numero in seen:
        parsed = NoticeNumber.parse(numero)  # check digit verified
        assert numero.startswith("301") and parsed.iuv == numero[1:]
    seen.clear()

    def again(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["numeroAvviso"])
        return created(seen[-1])

    await driver(again).create_debt_position(req)
    assert seen == [first]  # a retry sends the same derived number first


async def test_proxy_iuv_mode_reads_back_a_pendenza_numbered_by_an_earlier_attempt() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return fault(422, "RICHIESTA", "VER_024", "numero avviso modificato")
        return httpx.Response(200, json=valid(pendenza("NON_ESEGUITA"), "Pendenza"))

    req = make_request(config(govpay_iuv_mode="proxy", govpay_segregation_code="01"))
    made = await driver(handler).create_debt_position(req)
    assert made.notice_number == NUMERO


async def test_proxy_iuv_mode_needs_the_segregation_code() -> None:
    with pytest.raises(RequestRejected, match="govpay_segregation_code"):
        await driver(lambda r: created()).create_debt_position(
            make_request(config(govpay_iuv_mode="proxy"))
        )


# -- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stato", "state"),
    [
        ("NON_ESEGUITA", PositionState.UNPAID),
        ("SCADUTA", PositionState.EXPIRED),
        ("ANNULLATA", PositionState.CANCELED),
        ("ESEGUITA", PositionState.PAID),
        ("INCASSATA", PositionState.PAID),
    ],
)
async def test_every_plain_stato_maps_to_a_position_state(stato: str, state: PositionState) -> None:
    paid = state is PositionState.PAID
    req = make_request(config())
    status = await driver(answering(pendenza(stato, paid=paid))).status(context(req, position(req)))
    assert status.state is state
    if paid:
        assert status.transaction_id == RT["receiptId"]
        assert status.amount_paid == Decimal("20.00") and status.psp == "Banca Simulata"
        assert status.paid_at is not None and status.paid_at.hour == 10


@pytest.mark.parametrize("stato", ["ANOMALA", "ESEGUITA_PARZIALE"])
async def test_anomalous_states_are_errors_for_the_operator_never_paid(stato: str) -> None:
    req = make_request(config())
    gp = driver(answering(pendenza(stato, paid=True)))
    with pytest.raises(GovPayAnomaly) as caught:
        await gp.status(context(req, position(req)))
    error = caught.value
    assert isinstance(error, PermanentError) and error.code == stato
    assert "not treated as paid" in error.describe() and "GovPay console" in error.describe()
    with pytest.raises(GovPayAnomaly):
        await gp.receipt(context(req, position(req)))


async def test_an_unknown_stato_is_a_malformed_answer() -> None:
    req = make_request(config())
    body = {**pendenza("NON_ESEGUITA"), "stato": "BOH"}
    with pytest.raises(IntermediaryFault) as caught:
        await driver(lambda r: httpx.Response(200, json=body)).status(context(req, position(req)))
    assert caught.value.code == "MALFORMED_ANSWER"


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "categoria", "codice", "kind", "words"),
    [
        (422, "RICHIESTA", "VER_002", RequestRejected, "somma delle voci"),
        (422, "RICHIESTA", "VER_003", RequestRejected, "already paid"),
        (422, "RICHIESTA", "TVD_000", RequestRejected, "govpay_id_tipo_pendenza"),
        (400, "RICHIESTA", "SINTASSI", RequestRejected, "schema"),
        (401, "AUTORIZZAZIONE", "401", AccessDenied, "GP_PASSWORD"),
        (403, "AUTORIZZAZIONE", "403000", AccessDenied, "authorised"),
        (404, "OPERAZIONE", "404000", PositionNotFound, "not found"),
        (500, "INTERNO", "INTERNAL", IntermediaryFault, "retried"),
        (502, "PAGOPA", "PAA_NODO_INDISPONIBILE", IntermediaryFault, "retried"),
        (500, "INTERNO", "DOM_002", RequestRejected, "govpay_iuv_mode"),
    ],
)
async def test_faultbean_categories_map_into_the_error_tree(
    status: int, categoria: str, codice: str, kind: type[IntermediaryError], words: str
) -> None:
    req = make_request(config())
    with pytest.raises(IntermediaryError) as caught:
        await driver(lambda r: fault(status, categoria, codice)).create_debt_position(req)
    error = caught.value
    assert type(error) is kind and words in error.describe()
    assert error.retriable is (kind is IntermediaryFault)
    assert error.exchanges and error.exchanges[0].status_code == status
    if status == 403:
        assert error.diagnosis and "govpay.test" in error.diagnosis


async def test_an_error_without_faultbean_and_a_refused_connection() -> None:
    req = make_request(config())
    with pytest.raises(IntermediaryFault, match="HTTP 503"):
        await driver(lambda r: httpx.Response(503, text="down")).status(context(req, position(req)))

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(IntermediaryUnavailable) as caught:
        await driver(refuse).status(context(req, position(req)))
    assert caught.value.diagnosis and "govpay.test:80" in caught.value.diagnosis


# -- notice ---------------------------------------------------------------------------------


async def test_the_notice_is_asked_as_pdf_and_a_406_is_explained() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, content=b"%PDF-1.4 avviso", headers={"content-type": "application/pdf"}
        )

    req = make_request(config())
    pdf = await driver(handler).notice_pdf(context(req, position(req)))
    assert pdf.startswith(b"%PDF")
    assert seen[0].headers["Accept"] == "application/pdf"
    assert seen[0].url.path.endswith(f"/avvisi/{CREDITOR_CF}/{NUMERO}")
    with pytest.raises(RequestRejected) as caught:
        await driver(lambda r: fault(406, "RICHIESTA", "406000")).notice_pdf(
            context(req, position(req))
        )
    assert "Accept" in caught.value.describe()
    with pytest.raises(IntermediaryFault, match="asked for a PDF"):
        await driver(lambda r: httpx.Response(200, json={"stato": "NON_ESEGUITA"})).notice_pdf(
            context(req, position(req))
        )


# -- receipt --------------------------------------------------------------------------------

RECEIPT_XML = f"""<pafn:paSendRTV2Req xmlns:pafn="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">
<receipt><receiptId>{RT["receiptId"]}</receiptId><noticeNumber>{NUMERO}</noticeNumber>
<fiscalCode>{CREDITOR_CF}</fiscalCode><outcome>OK</outcome>
<creditorReferenceId>{NUMERO[1:]}</creditorReferenceId><paymentAmount>20.00</paymentAmount>
<paymentDateTime>2026-12-01T10:15:00</paymentDateTime></receipt></pafn:paSendRTV2Req>""".encode()


def receipts(body: bytes, seen: list[httpx.Request]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/rt") or "/ricevute/" in request.url.path:
            return httpx.Response(200, content=body)
        return httpx.Response(200, json=valid(pendenza("ESEGUITA", paid=True), "Pendenza"))

    return handler


@pytest.mark.parametrize(
    ("fmt", "accept", "body"),
    [
        ("xml", "application/xml", RECEIPT_XML),
        ("pdf", "application/pdf", b"%PDF-1.4 ricevuta"),
        ("json", "application/json", json.dumps(RT).encode()),
    ],
)
async def test_the_receipt_is_fetched_by_accept_from_the_accepted_rpp(
    fmt: str, accept: str, body: bytes
) -> None:
    seen: list[httpx.Request] = []
    req = make_request(config(govpay_receipt_format=fmt))
    receipt = await driver(receipts(body, seen)).receipt(context(req, position(req)))
    rt_call = seen[-1]
    assert rt_call.url.path.endswith(f"/rpp/{CREDITOR_CF}/{NUMERO[1:]}/{RT['receiptId']}/rt")
    assert rt_call.headers["Accept"] == accept
    assert receipt.content == body and receipt.media_type == accept
    assert receipt.receipt_id == RT["receiptId"] and receipt.amount == Decimal("20.00")
    assert receipt.iuv == NUMERO[1:]


async def test_the_receipt_from_ragioneria_and_before_payment() -> None:
    seen: list[httpx.Request] = []
    ricevuta = {"rt": {"tipo": "ctReceipt", "xml": base64.b64encode(RECEIPT_XML).decode()}}
    req = make_request(
        config(
            govpay_receipt_source="ragioneria",
            govpay_ragioneria_url="http://govpay.test/govpay/backend/api/ragioneria/rs/basic/v3",
        )
    )
    receipt = await driver(receipts(json.dumps(ricevuta).encode(), seen)).receipt(
        context(req, position(req))
    )
    assert receipt.content == RECEIPT_XML
    assert seen[-1].url.path.endswith(f"/v3/ricevute/{CREDITOR_CF}/{NUMERO[1:]}/{RT['receiptId']}")
    assert seen[-1].headers["Accept"] == "application/json"
    with pytest.raises(NotPaidYet):
        await driver(answering(pendenza("NON_ESEGUITA"))).receipt(context(req, position(req)))


# -- payment, cancel ------------------------------------------------------------------------


async def test_checkout_cart_by_default_and_post_pagamenti_when_configured() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/carts"):
            return httpx.Response(302, headers={"Location": "https://checkout.test/c/1"})
        return httpx.Response(
            201, json={"id": "0", "location": "", "redirect": "https://checkout.test/c/2"}
        )

    req = make_request(config())
    ctx = context(req, position(req))
    assert await driver(handler).checkout_url(ctx, RETURN) == "https://checkout.test/c/1"
    cart = json.loads(seen[0].content)
    assert cart["paymentNotices"][0]["noticeNumber"] == NUMERO
    assert "Authorization" not in seen[0].headers  # GovPay's password stays with GovPay
    req = make_request(
        config(govpay_payment_mode="pagamenti", govpay_pagamento_url="http://govpay.test/pag/v2")
    )
    ctx = context(req, position(req))
    assert await driver(handler).checkout_url(ctx, RETURN) == "https://checkout.test/c/2"
    sent = json.loads(seen[-1].content)
    assert seen[-1].url.path == "/pag/v2/pagamenti"
    assert sent == {
        "pendenze": [{"idA2A": ID_A2A, "idPendenza": req.payment_id.hex}],
        "urlRitorno": RETURN.ok,
    }


async def test_cancel_patches_the_stato_to_annullata() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=valid(pendenza("ANNULLATA"), "Pendenza"))

    req = make_request(config())
    await driver(handler).cancel_position(context(req, position(req)), "annullata dall'ente")
    [patch] = seen
    assert patch.method == "PATCH" and patch.headers["Content-Type"] == "application/json"
    ops = json.loads(patch.content)
    if contract.available(contract.PENDENZE):
        # PatchOp types ``value`` as an object, yet GovPay reads a string for /stato (its own
        # example is {'Annullata'}): a documentation defect; the rest of PatchOp must hold.
        patch_op = contract.schema(contract.PENDENZE, "PatchOp")
        patch_op["properties"]["value"] = {"type": "string"}
        assert [contract.errors(op, patch_op) for op in ops] == [[], []]
    assert ops[0] == {"op": "REPLACE", "path": "/stato", "value": "ANNULLATA"}
    assert ops[1]["path"] == "/descrizioneStato"
    with pytest.raises(RequestRejected):
        await driver(
            lambda r: fault(400, "RICHIESTA", "SINTASSI", "transizione non ammessa")
        ).cancel_position(context(req, position(req)), "x")


# -- authentication and secrets -------------------------------------------------------------


async def test_apikey_and_client_certificate_authentication() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pendenza("NON_ESEGUITA"))

    req = make_request(config(govpay_auth="apikey"))
    await driver(handler).status(context(req, position(req)))
    assert seen[-1].headers["X-APP-ID"] == ID_A2A and seen[-1].headers["X-API-KEY"] == API_KEY
    assert "Authorization" not in seen[-1].headers
    req = make_request(config(govpay_auth="ssl", govpay_client_cert="/etc/proxy/govpay.pem"))
    await driver(handler).status(context(req, position(req)))
    assert "Authorization" not in seen[-1].headers and "X-API-KEY" not in seen[-1].headers
    with pytest.raises(RequestRejected, match="govpay_client_cert"):
        req = make_request(config(govpay_auth="ssl"))
        await driver(handler).status(context(req, position(req)))
    with pytest.raises(RequestRejected, match="cannot load certificate"):
        req = make_request(config(govpay_auth="ssl", govpay_client_cert="/nonexistent.pem"))
        await GovPayDriver(environ=ENV).status(context(req, position(req)))


async def test_a_missing_secret_names_its_variable() -> None:
    req = make_request(config())
    with pytest.raises(RequestRejected, match="GP_PASSWORD"):
        await driver(lambda r: created(), environ={}).create_debt_position(req)


@pytest.mark.parametrize("auth", ["basic", "apikey"])
async def test_secrets_never_reach_exchanges_or_logs(
    auth: str, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        echoed = request.headers.get("authorization", "") + request.headers.get("x-api-key", "")
        return httpx.Response(
            401,
            json={
                "categoria": "AUTORIZZAZIONE",
                "codice": "401",
                "descrizione": "no",
                "dettaglio": echoed + PASSWORD,
            },
        )

    caplog.set_level(logging.DEBUG)
    req = make_request(config(govpay_auth=auth))
    with pytest.raises(AccessDenied) as caught:
        await driver(handler).create_debt_position(req)
    text = json.dumps([e.to_dict() for e in caught.value.exchanges]) + caught.value.describe()
    token = base64.b64encode(f"{ID_A2A}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, API_KEY, token):
        assert secret not in text and secret not in caplog.text
    assert "GP_" in caught.value.describe()  # the variable's name, never its value
    assert f"/pendenze/{ID_A2A}/" in text  # identifiers stay readable evidence


# -- published configuration ----------------------------------------------------------------


def test_the_driver_and_its_fields_are_published() -> None:
    spec = driver_spec("govpay")
    tenant = field_keys("tenant", spec)
    service = field_keys("service", spec)
    for key in (
        "govpay_base_url",
        "govpay_id_a2a",
        "govpay_auth",
        "govpay_password_env",
        "govpay_iuv_mode",
        "govpay_payment_mode",
        "govpay_ente_auth",
    ):
        assert key in tenant
    for key in (
        "govpay_id_tipo_pendenza",
        "govpay_cod_entrata",
        "govpay_iban",
        "govpay_tipo_contabilita",
        "govpay_codice_contabilita",
    ):
        assert key in service
    assert isinstance(spec.factory(), GovPayDriver)


async def test_an_imported_position_is_read_and_cancelled_by_numero_avviso() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {**pendenza("NON_ESEGUITA"), "idA2A": "GESTIONALE", "idPendenza": "TARI-42"}
        return httpx.Response(200, json=valid(body, "Pendenza"))

    req = make_request(config())
    imported = DebtPosition(req.iud, NUMERO[1:], NUMERO, CREDITOR_CF, req.amount)  # no handle
    ctx = context(req, imported)
    assert (await driver(handler).status(ctx)).state is PositionState.UNPAID
    assert seen[-1].url.path.endswith(f"/pendenze/byAvviso/{CREDITOR_CF}/{NUMERO}")
    await driver(handler).cancel_position(ctx, "annullata")
    assert seen[-1].method == "PATCH" and seen[-1].url.path.endswith("/pendenze/GESTIONALE/TARI-42")
    pay = make_request(
        config(govpay_payment_mode="pagamenti", govpay_pagamento_url="http://govpay.test/p/v2")
    )

    def pagamenti(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "0", "location": "", "redirect": "https://c.test/x"})

    await driver(pagamenti).checkout_url(context(pay, imported), RETURN)
    sent = json.loads(seen[-1].content)["pendenze"]
    assert sent == [{"idDominio": CREDITOR_CF, "numeroAvviso": NUMERO}]
