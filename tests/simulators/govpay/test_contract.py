"""Every answer of the GovPay simulator, and the notification it sends, checked against the
official GovPay 3.9.1 files: API Pendenze v2, API Ente v2, API Ragioneria v3, API Pagamento v2.

0 violations, except the documentation defects the simulator lists (``/status``,
``simulators.govpay.defects``): the checker relaxes exactly those, and the test asserts that
each relaxation it used is one the list names.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from starlette.testclient import TestClient

from simulators.checkout.app import Settings as CheckoutSettings
from simulators.checkout.app import create_app as create_checkout
from simulators.common.server import serving
from simulators.govpay.app import Settings, create_app
from simulators.govpay.defects import DEFECTS
from tests.simulators.govpay.conftest import (
    A2A,
    AUTH,
    BASE,
    DOMINIO,
    JSON,
    PAGAMENTO,
    RAGIONERIA,
    Receiver,
    bollo_voce,
    nuova_pendenza,
    pay_with,
)
from tests.simulators.govpay.spec import (
    ENTE,
    PENDENZE,
    Conformance,
    api,
    require,
)
from tests.simulators.govpay.spec import (
    PAGAMENTO as PAGAMENTO_SPEC,
)
from tests.simulators.govpay.spec import (
    RAGIONERIA as RAGIONERIA_SPEC,
)

pytestmark = pytest.mark.contracts

ONE = f"{BASE}/pendenze/{{idA2A}}/{{idPendenza}}"
LIST = f"{BASE}/pendenze"
BY_AVVISO = f"{BASE}/pendenze/byAvviso/{{idDominio}}/{{numeroAvviso}}"
AVVISO = f"{BASE}/avvisi/{{idDominio}}/{{numeroAvviso}}"
RPP = f"{BASE}/rpp"
RT = f"{BASE}/rpp/{{idDominio}}/{{iuv}}/{{ccp}}/rt"
RICEVUTE = f"{RAGIONERIA}/ricevute"
RICEVUTA = f"{RAGIONERIA}/ricevute/{{idDominio}}/{{iuv}}/{{idRicevuta}}"
NOTIFICA = "/ricevute/{idDominio}/{iuv}/{idRicevuta}"
PDF = {"Accept": "application/pdf"}


@pytest.fixture
def pendenze() -> Conformance:
    api(PENDENZE)  # skips early, naming `collaudo contracts fetch`, when the file is absent
    return Conformance(PENDENZE, BASE)


def test_every_api_pendenze_answer_conforms(
    pendenze: Conformance,
    notifying_settings: Settings,
    receiver: Receiver,
) -> None:
    app = create_app(notifying_settings)
    ente = Conformance(ENTE, "")
    ragioneria = Conformance(RAGIONERIA_SPEC, RAGIONERIA)
    with TestClient(app) as client:
        check = pendenze
        one = f"{BASE}/pendenze/{A2A}/c-1"
        bollo = nuova_pendenza("36.00", voci=[nuova_pendenza()["voci"][0], bollo_voce()])
        bollo["voci"][0] = {**bollo["voci"][0], "importo": 20.0}
        bollo["documento"] = {"identificativo": "DOC-1", "descrizione": "Istanza", "rata": 1}
        check(ONE, "PUT", client.put(one, json=bollo, auth=AUTH))  # 201
        check(ONE, "PUT", client.put(one, json=bollo, params={"stampaAvviso": "true"}, auth=AUTH))
        plain = f"{BASE}/pendenze/{A2A}/c-2"
        check(
            ONE,
            "PUT",
            client.put(plain, json=nuova_pendenza(), params={"stampaAvviso": "true"}, auth=AUTH),
        )
        check(
            ONE,
            "PUT",
            client.put(plain, json={**nuova_pendenza(), "importo": 99.0}, auth=AUTH),
        )  # 422 VER_002
        check(ONE, "PUT", client.put(plain, content=b"{", auth=AUTH))  # 400
        check(ONE, "PUT", client.put(plain, json=nuova_pendenza()))  # 401
        read = client.get(one, auth=AUTH)
        check(ONE, "GET", read)
        numero = read.json()["numeroAvviso"]
        check(ONE, "GET", client.get(f"{BASE}/pendenze/{A2A}/nessuna", auth=AUTH))  # 404
        check(ONE, "GET", client.get(one))  # 401
        check(
            BY_AVVISO, "GET", client.get(f"{BASE}/pendenze/byAvviso/{DOMINIO}/{numero}", auth=AUTH)
        )
        check(
            BY_AVVISO,
            "GET",
            client.get(f"{BASE}/pendenze/byAvviso/{DOMINIO}/301000000000999999", auth=AUTH),
        )  # 404
        check(LIST, "GET", client.get(LIST, params={"risultatiPerPagina": 1}, auth=AUTH))
        avvisi = f"{BASE}/avvisi/{DOMINIO}/{client.get(plain, auth=AUTH).json()['numeroAvviso']}"
        check(AVVISO, "GET", client.get(avvisi, headers=JSON, auth=AUTH))
        check(AVVISO, "GET", client.get(avvisi, headers=PDF, auth=AUTH))
        check(AVVISO, "GET", client.get(avvisi, headers={"Accept": "text/html"}, auth=AUTH))  # 406
        unknown = f"{BASE}/avvisi/{DOMINIO}/301000000000999999"
        check(AVVISO, "GET", client.get(unknown, headers=JSON, auth=AUTH))  # SCONOSCIUTA
        check(AVVISO, "GET", client.get(unknown, headers=PDF, auth=AUTH))  # 404

        # pay the plain pendenza through the station, then read it in every form
        paid = client.get(plain, auth=AUTH).json()
        pay_with(client, paid, "rcpt-c2")
        eseguita = client.get(plain, auth=AUTH)
        assert eseguita.json()["stato"] == "ESEGUITA" and len(eseguita.json()["rpp"]) == 1
        check(ONE, "GET", eseguita)
        check(LIST, "GET", client.get(LIST, params={"stato": "ESEGUITA"}, auth=AUTH))
        check(AVVISO, "GET", client.get(avvisi, headers=JSON, auth=AUTH))  # DUPLICATA
        check(RPP, "GET", client.get(RPP, params={"idPendenza": "c-2"}, auth=AUTH))
        iuv = paid["numeroAvviso"][1:]
        rt = f"{BASE}/rpp/{DOMINIO}/{iuv}/rcpt-c2/rt"
        for accept in (
            {},
            JSON,
            PDF,
            {"Accept": "application/xml"},
            {"Accept": "application/octet-stream"},
        ):
            check(RT, "GET", client.get(rt, headers=accept or {"Accept": ""}, auth=AUTH))
        check(RT, "GET", client.get(f"{BASE}/rpp/{DOMINIO}/{iuv}/nessuna/rt", auth=AUTH))  # 404
        check(ONE, "PUT", client.put(plain, json=nuova_pendenza(), auth=AUTH))  # 422 VER_003

        # annul the bollo pendenza; PATCH errors
        patch = [{"op": "REPLACE", "path": "/stato", "value": "ANNULLATA"}]
        check(ONE, "PATCH", client.patch(one, json=patch, auth=AUTH))
        check(ONE, "PATCH", client.patch(one, json=[{"op": "ADD", "path": "/x"}], auth=AUTH))
        check(ONE, "PATCH", client.patch(f"{BASE}/pendenze/{A2A}/nessuna", json=patch, auth=AUTH))
        check(ONE, "PATCH", client.patch(plain, json=patch, auth=AUTH))  # paid: 400
        check(ONE, "GET", client.get(one, auth=AUTH))  # ANNULLATA

        # SCADUTA at read time
        app.state.simulator.clock.offset = timedelta(days=365)
        check(ONE, "GET", client.get(f"{BASE}/pendenze/{A2A}/c-3", auth=AUTH))  # 404
        client.put(f"{BASE}/pendenze/{A2A}/c-3", json=nuova_pendenza(), auth=AUTH)
        app.state.simulator.clock.offset = timedelta(days=400)
        check(ONE, "GET", client.get(f"{BASE}/pendenze/{A2A}/c-3", auth=AUTH))
        app.state.simulator.clock.offset = timedelta()

        # faults: 500 as GovPay writes it
        for fault in (
            "creation-error",
            "status-error",
            "notice-download-failure",
            "receipt-download-failure",
        ):
            client.put(f"/_admin/faults/{fault}", json={})
        check(ONE, "PUT", client.put(plain, json=nuova_pendenza(), auth=AUTH))
        check(ONE, "GET", client.get(plain, auth=AUTH))
        check(LIST, "GET", client.get(LIST, auth=AUTH))
        check(AVVISO, "GET", client.get(avvisi, headers=JSON, auth=AUTH))
        ragioneria(RICEVUTE, "GET", client.get(RICEVUTE, auth=AUTH))
        client.delete("/_admin/faults")

        # API Ragioneria v3 receipts
        ragioneria(RICEVUTE, "GET", client.get(RICEVUTE, params={"idDominio": DOMINIO}, auth=AUTH))
        ricevuta = f"{RAGIONERIA}/ricevute/{DOMINIO}/{iuv}/rcpt-c2"
        ragioneria(RICEVUTA, "GET", client.get(ricevuta, headers=JSON, auth=AUTH))
        ragioneria(RICEVUTA, "GET", client.get(ricevuta, headers=PDF, auth=AUTH))
        ragioneria(
            RICEVUTA, "GET", client.get(ricevuta, headers={"Accept": "text/csv"}, auth=AUTH)
        )  # 406
        ragioneria(
            RICEVUTA,
            "GET",
            client.get(f"{RAGIONERIA}/ricevute/{DOMINIO}/{iuv}/x", headers=JSON, auth=AUTH),
        )  # 404
        ragioneria(RICEVUTA, "GET", client.get(ricevuta, headers=JSON))  # 401

        # the notification GovPay pushed, against API Ente v2's requestBody
        assert app.state.simulator.notifier.settle(timeout=5)
        [sent] = receiver.received
        ente.request(NOTIFICA, "PUT", sent.body)

    statuses = {status for _, _, status in pendenze.checked}
    assert {200, 201, 400, 401, 404, 406, 422, 500} <= statuses
    operations = {(t, m) for t, m, _ in pendenze.checked}
    assert len(operations) == 8  # every API Pendenze operation the simulator serves
    used = pendenze.deviations | ragioneria.deviations
    listed = {d.id for d in DEFECTS}
    assert {"put-201", "business-422", "avvisi-406", "rt-media"} <= listed
    assert any("status PUT /pendenze/{idA2A}/{idPendenza} 201" in u for u in used)
    assert any("media GET /rpp/{idDominio}/{iuv}/{ccp}/rt 200 text/xml" in u for u in used)
    print("relaxed, as listed:", *sorted(used), sep="\n  ")


def test_post_pagamenti_conforms_to_api_pagamento_v2() -> None:
    api(PAGAMENTO_SPEC)
    check = Conformance(PAGAMENTO_SPEC, PAGAMENTO)
    checkout = create_checkout(CheckoutSettings(stations={DOMINIO: "http://127.0.0.1:9/x"}))
    with (
        serving(checkout) as cart_server,
        TestClient(create_app(Settings(checkout_url=cart_server.url))) as client,
    ):
        numero = client.put(f"{BASE}/pendenze/{A2A}/pg-1", json=nuova_pendenza(), auth=AUTH).json()[
            "numeroAvviso"
        ]
        body = {
            "pendenze": [{"idDominio": DOMINIO, "numeroAvviso": numero}],
            "urlRitorno": "https://ente.example/ritorno",
        }
        check("/pagamenti", "POST", client.post(f"{PAGAMENTO}/pagamenti", json=body, auth=AUTH))
        body["pendenze"] = [{"idA2A": A2A, "idPendenza": "nessuna"}]
        check("/pagamenti", "POST", client.post(f"{PAGAMENTO}/pagamenti", json=body, auth=AUTH))
        check("/pagamenti", "POST", client.post(f"{PAGAMENTO}/pagamenti", json={}, auth=AUTH))
        check("/pagamenti", "POST", client.post(f"{PAGAMENTO}/pagamenti", json=body))
    assert {s for _, _, s in check.checked} == {201, 422, 400, 401}


def test_the_checker_catches_what_the_file_forbids(pendenze: Conformance) -> None:
    ok = {"x-govpay-idtransazione": "t"}
    bad_stato = httpx.Response(200, json={"idDominio": "1"}, headers=ok)
    with pytest.raises(AssertionError, match="breaks the spec"):
        pendenze(ONE, "GET", bad_stato)
    with pytest.raises(AssertionError, match="not declared"):
        pendenze(ONE, "GET", httpx.Response(418, json={}, headers=ok))
    with pytest.raises(AssertionError, match="X-Govpay-IdTransazione"):
        pendenze(ONE, "GET", httpx.Response(404, json={}))
    with pytest.raises(AssertionError, match="breaks the spec"):  # 404 body must be a FaultBean
        pendenze(ONE, "GET", httpx.Response(404, json={"codice": "x"}, headers=ok))
    ente = Conformance(ENTE, "")
    with pytest.raises(AssertionError, match="breaks the spec"):
        ente.request(NOTIFICA, "PUT", {"dominio": {"idDominio": DOMINIO}, "iuv": "1"})


def test_status_lists_the_documentation_defects(client: TestClient) -> None:
    listed = client.get("/status").json()["documentationDefects"]
    ids = {d["id"] for d in listed}
    assert {
        "put-201",
        "business-422",
        "ricevuta-stato",
        "ente-schemas-tab",
        "ragioneria-local-refs",
    } <= ids
    for defect in listed:
        assert defect["documented"] and defect["govpay"] and defect["file"].startswith("govpay/")


def test_listed_defects_are_real_in_the_official_files() -> None:
    """Each listed defect still holds in the files as published (else the list is stale)."""
    _, pendenze_doc, _ = api(PENDENZE)
    put = pendenze_doc["paths"]["/pendenze/{idA2A}/{idPendenza}"]["put"]["responses"]
    assert "201" not in put and "422" not in put
    avvisi = pendenze_doc["paths"]["/avvisi/{idDominio}/{numeroAvviso}"]["get"]["responses"]
    assert "406" not in avvisi
    schemas = require("govpay/api-ente-v2/govpay-api-schemas.yaml")
    text = schemas.read_text(encoding="utf-8")
    assert "\n\t" in text  # the TAB strict YAML parsers reject
    import yaml

    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    raw = yaml.safe_load(text.expandtabs(8))
    assert "stato" in raw["components"]["schemas"]["Ricevuta"]["required"]
    assert "stato" not in raw["components"]["schemas"]["Ricevuta"]["properties"]
    assert raw["components"]["schemas"]["NumeroAvviso"]["pattern"] == "[0-9]18"
    main = require(RAGIONERIA_SPEC)
    ragioneria = yaml.safe_load(main.read_text(encoding="utf-8"))
    local = set(ragioneria["components"]["schemas"])
    assert "RiferimentoIdentificativoUnivocoVersamento" not in local
    assert "#/components/schemas/RiferimentoIdentificativoUnivocoVersamento" in main.read_text()
