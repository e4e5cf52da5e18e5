"""API Pendenze v2 behaviour: state, idempotent upsert, GovPay's rules and error codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from simulators.govpay.app import Settings, create_app
from tests.simulators.govpay.conftest import (
    A2A,
    APIKEY_BASE,
    AUTH,
    BASE,
    DOMINIO,
    JSON,
    bollo_voce,
    new_id,
    nuova_pendenza,
)

Put = Callable[..., dict[str, Any]]
ANNULLA = [
    {"op": "REPLACE", "path": "/stato", "value": "ANNULLATA"},
    {"op": "REPLACE", "path": "/descrizioneStato", "value": "Pratica ritirata"},
]


def url(id_pendenza: str) -> str:
    return f"{BASE}/pendenze/{A2A}/{id_pendenza}"


def test_put_get_patch_annullata_get(client: TestClient) -> None:
    created = client.put(url("p-state"), json=nuova_pendenza(), auth=AUTH)
    assert created.status_code == 201
    numero = created.json()["numeroAvviso"]
    read = client.get(url("p-state"), auth=AUTH).json()
    assert read["stato"] == "NON_ESEGUITA"
    assert read["numeroAvviso"] == numero and read["iuvAvviso"] == numero[1:]
    assert read["voci"][0]["indice"] == 1 and read["voci"][0]["stato"] == "Non eseguito"
    assert read["rpp"] == []

    patched = client.patch(url("p-state"), json=ANNULLA, auth=AUTH)
    assert patched.status_code == 200
    assert patched.json()["stato"] == "ANNULLATA"
    again = client.get(url("p-state"), auth=AUTH).json()
    assert again["stato"] == "ANNULLATA"
    assert again["descrizioneStato"] == "Pratica ritirata"
    # annulling twice is fine; back to NON_ESEGUITA only from ANNULLATA
    assert client.patch(url("p-state"), json=ANNULLA[:1], auth=AUTH).status_code == 200
    back = [{"op": "REPLACE", "path": "/stato", "value": "NON_ESEGUITA"}]
    assert client.patch(url("p-state"), json=back, auth=AUTH).json()["stato"] == "NON_ESEGUITA"
    refused = client.patch(url("p-state"), json=back, auth=AUTH)
    assert refused.status_code == 400
    assert refused.json()["codice"] == "SINTASSI"


def test_put_is_an_idempotent_upsert_201_then_200(app: Starlette, client: TestClient) -> None:
    first = client.put(url("p-idem"), json=nuova_pendenza(), auth=AUTH)
    second = client.put(url("p-idem"), json=nuova_pendenza(causale="Nuova causale"), auth=AUTH)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["numeroAvviso"] == second.json()["numeroAvviso"]
    assert len(first.json()["UUID"]) == 32 and first.json()["UUID"] == second.json()["UUID"]
    assert len(app.state.simulator.store.pendenze) == 1
    assert client.get(url("p-idem"), auth=AUTH).json()["causale"] == "Nuova causale"


def test_patch_accepts_json_patch_media_and_method_override(client: TestClient, put: Put) -> None:
    pendenza = put()
    answer = client.patch(
        url(pendenza["idPendenza"]),
        content=b'[{"op":"REPLACE","path":"/stato","value":"ANNULLATA"}]',
        headers={"Content-Type": "application/json-patch+json"},
        auth=AUTH,
    )
    assert answer.status_code == 200
    other = put()
    override = client.post(
        url(other["idPendenza"]),
        json=ANNULLA,
        headers={"X-HTTP-Method-Override": "PATCH"},
        auth=AUTH,
    )
    assert override.json()["stato"] == "ANNULLATA"
    for bad, expected in (
        ([{"op": "replace", "path": "/stato", "value": "ANNULLATA"}], "ADD, DELETE o REPLACE"),
        ([{"op": "REPLACE", "path": "/importo", "value": 10}], "Path '/importo' non valido"),
        ([{"op": "REPLACE", "path": "/stato", "value": "ESEGUITA"}], "ESEGUITA"),
        ({"op": "REPLACE"}, "lista"),
    ):
        refused = client.patch(url(pendenza["idPendenza"]), json=bad, auth=AUTH)
        assert refused.status_code == 400, bad
        assert expected in refused.json()["dettaglio"]


@pytest.mark.parametrize(
    ("change", "codice", "status"),
    [
        ({"importo": 25.0}, "VER_002", 422),
        ({"idTipoPendenza": "SCONOSCIUTO"}, "TVD_000", 422),
        ({"idDominio": "12345678901"}, "DOM_000", 422),
        ({"idUnitaOperativa": "UO-IGNOTA"}, "UOP_000", 422),
        ({"numeroAvviso": "302000000000000012"}, "VER_027", 422),
        ({"numeroAvviso": "201000000000000012"}, "VER_039", 422),
        ({"numeroAvviso": "901000000000000012"}, "VER_017", 422),
        ({"causale": "x" * 141}, "SINTASSI", 400),
        ({"voci": []}, "SINTASSI", 400),
        (
            {"soggettoPagatore": {"tipo": "X", "identificativo": "RSSMRA80A01H501U"}},
            "SINTASSI",
            400,
        ),
    ],
)
def test_business_rules_answer_govpay_codes(
    client: TestClient, change: dict[str, Any], codice: str, status: int
) -> None:
    body = nuova_pendenza()
    body.update(change)
    answer = client.put(url(new_id()), json=body, auth=AUTH)
    assert answer.status_code == status, answer.text
    fault = answer.json()
    assert fault["codice"] == codice
    assert fault["categoria"] == "RICHIESTA"
    assert fault["descrizione"] == "Richiesta non valida"
    assert fault["dettaglio"]
    assert "x-govpay-idtransazione" in answer.headers


def test_voci_rules(client: TestClient) -> None:
    iban_ignoto = nuova_pendenza()
    iban_ignoto["voci"][0]["ibanAccredito"] = "IT02A0301503200000003517230"
    assert client.put(url(new_id()), json=iban_ignoto, auth=AUTH).json()["codice"] == "VER_020"
    entrata = nuova_pendenza(
        voci=[
            {
                "idVocePendenza": "v",
                "importo": 20.0,
                "descrizione": "x",
                "codEntrata": "NON_CENSITA",
            }
        ]
    )
    assert client.put(url(new_id()), json=entrata, auth=AUTH).json()["codice"] == "TRB_000"
    doppia = nuova_pendenza("40.00")
    doppia["voci"] = doppia["voci"] * 2
    doppia["voci"][1] = {**doppia["voci"][1], "importo": 20.0}
    doppia["voci"][0] = {**doppia["voci"][0], "importo": 20.0}
    assert client.put(url(new_id()), json=doppia, auth=AUTH).json()["codice"] == "VER_001"
    due_forme = nuova_pendenza()
    due_forme["voci"][0]["codEntrata"] = "DIRITTI_SEGRETERIA"
    answer = client.put(url(new_id()), json=due_forme, auth=AUTH)
    assert answer.status_code == 400 and "esattamente uno" in answer.json()["dettaglio"]


def test_update_rules(client: TestClient, put: Put, pay: Callable[..., list[bytes]]) -> None:
    pendenza = put()
    id_p = pendenza["idPendenza"]
    changed_numero = nuova_pendenza(numeroAvviso="301000000000099901")
    assert client.put(url(id_p), json=changed_numero, auth=AUTH).json()["codice"] == "VER_024"
    renamed = nuova_pendenza()
    renamed["voci"][0]["idVocePendenza"] = "altro"
    assert client.put(url(id_p), json=renamed, auth=AUTH).json()["codice"] == "VER_006"
    taken = nuova_pendenza(numeroAvviso=pendenza["numeroAvviso"])
    assert client.put(url(new_id()), json=taken, auth=AUTH).json()["codice"] == "VER_025"
    pay(pendenza)
    paid = client.put(url(id_p), json=nuova_pendenza(), auth=AUTH)
    assert paid.status_code == 422
    assert paid.json()["codice"] == "VER_003"
    annulla = client.patch(url(id_p), json=ANNULLA, auth=AUTH)
    assert annulla.status_code == 400


def test_fewer_voci_is_ver_005(client: TestClient) -> None:
    two = nuova_pendenza(
        "36.00", voci=[nuova_pendenza()["voci"][0] | {"importo": 20.0}, bollo_voce()]
    )
    id_p = new_id()
    assert client.put(url(id_p), json=two, auth=AUTH).status_code == 201
    assert client.put(url(id_p), json=nuova_pendenza(), auth=AUTH).json()["codice"] == "VER_005"


def test_numero_avviso_given_by_the_client_is_kept_and_checked(client: TestClient) -> None:
    answer = client.put(
        url(new_id()), json=nuova_pendenza(numeroAvviso="301000000000777716"), auth=AUTH
    )
    assert answer.status_code == 201
    assert answer.json()["numeroAvviso"] == "301000000000777716"


def test_ente_mode_requires_the_numero_avviso() -> None:
    with TestClient(create_app(Settings(iuv_mode="ente"))) as client:
        missing = client.put(url(new_id()), json=nuova_pendenza(), auth=AUTH)
        assert missing.status_code == 500
        assert missing.json()["codice"] == "DOM_002"
        given = client.put(
            url(new_id()), json=nuova_pendenza(numeroAvviso="301000000000123420"), auth=AUTH
        )
        assert given.status_code == 201


def test_authentication_basic_apikey_and_application(client: TestClient, put: Put) -> None:
    pendenza = put()
    path = f"/pendenze/{A2A}/{pendenza['idPendenza']}"
    unauthenticated = client.get(BASE + path)
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"].startswith("Basic")
    assert unauthenticated.json()["categoria"] == "AUTORIZZAZIONE"
    assert client.get(BASE + path, auth=(A2A, "wrong")).status_code == 401
    keys = {"X-APP-ID": A2A, "X-API-KEY": "sim-api-key"}
    assert client.get(APIKEY_BASE + path, headers=keys).status_code == 200
    assert client.get(APIKEY_BASE + path, headers={**keys, "X-API-KEY": "x"}).status_code == 401
    assert client.get(APIKEY_BASE + path, auth=AUTH).status_code == 401  # Basic is not apikey
    other = client.put(f"{BASE}/pendenze/ALTRA-APP/x1", json=nuova_pendenza(), auth=AUTH)
    assert other.status_code == 400 and other.json()["codice"] == "APP_002"
    assert client.get(f"{BASE.replace('basic', 'ssl')}{path}", auth=AUTH).status_code == 404


def test_every_answer_has_a_transaction_id(client: TestClient, put: Put) -> None:
    pendenza = put()
    answers = [
        client.get(url(pendenza["idPendenza"]), auth=AUTH),
        client.get(url("missing"), auth=AUTH),
        client.get(url("missing")),
        client.get(f"{BASE}/avvisi/{DOMINIO}/{pendenza['numeroAvviso']}", auth=AUTH),
        client.put(url("bad"), content=b"{", auth=AUTH),
    ]
    ids = [a.headers["x-govpay-idtransazione"] for a in answers]
    assert len(set(ids)) == len(ids)


def test_avviso_by_accept(client: TestClient, put: Put) -> None:
    pendenza = put()
    numero = pendenza["numeroAvviso"]
    avvisi = f"{BASE}/avvisi/{DOMINIO}/{numero}"
    pdf = client.get(avvisi, headers={"Accept": "application/pdf"}, auth=AUTH)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f'filename="{DOMINIO}_{numero}.pdf"' in pdf.headers["content-disposition"]
    avviso = client.get(avvisi, headers=JSON, auth=AUTH).json()
    assert avviso["stato"] == "NON_ESEGUITA"
    assert avviso["qrcode"] == f"PAGOPA|002|{numero}|{DOMINIO}|2000"
    for accept in ("*/*", "text/html", None):
        headers = {"Accept": accept} if accept else {"Accept": ""}
        refused = client.get(avvisi, headers=headers, auth=AUTH)
        assert refused.status_code == 406, accept
        assert refused.json()["codice"] == "406000"
    # only the first Accept header counts
    first = client.get(
        avvisi, headers=[("Accept", "text/html"), ("Accept", "application/pdf")], auth=AUTH
    )
    assert first.status_code == 406
    bilingual = client.get(avvisi, params={"linguaSecondaria": "de"}, headers=JSON, auth=AUTH)
    assert bilingual.status_code == 200
    wrong = client.get(avvisi, params={"linguaSecondaria": "es"}, headers=JSON, auth=AUTH)
    assert wrong.status_code == 400 and "linguaSecondaria" in wrong.json()["dettaglio"]
    unknown = f"{BASE}/avvisi/{DOMINIO}/301000000000999999"
    assert client.get(unknown, headers=JSON, auth=AUTH).json()["stato"] == "SCONOSCIUTA"
    assert client.get(unknown, headers={"Accept": "application/pdf"}, auth=AUTH).status_code == 404


def test_stampa_avviso_adds_the_pdf_but_not_for_a_bollo(client: TestClient) -> None:
    printed = client.put(
        url(new_id()), params={"stampaAvviso": "true"}, json=nuova_pendenza(), auth=AUTH
    ).json()
    assert printed["pdf"].startswith("JVBER")  # base64 of %PDF
    bollo = nuova_pendenza("16.00", voci=[bollo_voce()])
    answer = client.put(url(new_id()), params={"stampaAvviso": "true"}, json=bollo, auth=AUTH)
    assert answer.status_code == 201 and "pdf" not in answer.json()


def test_scaduta_is_computed_at_read_time(app: Starlette, client: TestClient, put: Put) -> None:
    today = date.today()
    pendenza = put(dataScadenza=today.isoformat())
    path = url(pendenza["idPendenza"])
    assert pendenza["stato"] == "NON_ESEGUITA"  # the due date itself is still payable
    app.state.simulator.clock.offset = timedelta(days=1)
    assert client.get(path, auth=AUTH).json()["stato"] == "SCADUTA"
    avviso = client.get(
        f"{BASE}/avvisi/{DOMINIO}/{pendenza['numeroAvviso']}", headers=JSON, auth=AUTH
    )
    assert avviso.json()["stato"] == "SCADUTA"
    found = client.get(f"{BASE}/pendenze", params={"stato": "SCADUTA"}, auth=AUTH).json()
    assert [p["idPendenza"] for p in found["risultati"]] == [pendenza["idPendenza"]]
    # an update that moves the due date makes it payable again: nothing was stored as SCADUTA
    later = (today + timedelta(days=10)).isoformat()
    client.put(path, json=nuova_pendenza(dataScadenza=later), auth=AUTH)
    assert client.get(path, auth=AUTH).json()["stato"] == "NON_ESEGUITA"
    # the admin clock moves the same way
    assert client.put("/_admin/clock", json={"offset_days": 11}).json()["offset_days"] == 11
    assert client.get(path, auth=AUTH).json()["stato"] == "SCADUTA"


def test_list_filters_and_pages(client: TestClient, put: Put) -> None:
    made = [put()["idPendenza"] for _ in range(3)]
    page = client.get(f"{BASE}/pendenze", params={"risultatiPerPagina": 2}, auth=AUTH).json()
    assert page["numRisultati"] == 3 and page["numPagine"] == 2
    assert len(page["risultati"]) == 2 and "pagina=2" in page["prossimiRisultati"]
    one = client.get(f"{BASE}/pendenze", params={"idPendenza": made[1]}, auth=AUTH).json()
    assert [p["idPendenza"] for p in one["risultati"]] == [made[1]]
    assert client.get(f"{BASE}/pendenze", params={"stato": "PAGATA"}, auth=AUTH).status_code == 400
    by = client.get(
        f"{BASE}/pendenze/byAvviso/{DOMINIO}/{one['risultati'][0]['numeroAvviso']}", auth=AUTH
    )
    assert by.json()["idPendenza"] == made[1]
