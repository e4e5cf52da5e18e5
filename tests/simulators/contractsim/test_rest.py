"""The contract simulator serving a synthetic OpenAPI 3.0 contract split over two YAML
files: paths, state, validation with the contract's own errors, generated answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from simulators.contractsim import pagopa
from tests.simulators.contractsim import synthetic_rest
from tests.simulators.contractsim.conftest import client_for

BASE = "/tributi/api/v2"
ITEMS = f"{BASE}/enti/c_prova/pratiche"


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    return synthetic_rest.write(tmp_path)


@pytest.fixture
def client(contract: Path) -> TestClient:
    return client_for(contract)


def new_pratica(ident: str = "PR-001", **extra: Any) -> dict[str, Any]:
    return {
        "idPratica": ident,
        "descrizione": "Occupazione suolo pubblico",
        "importo": 2000,
        **extra,
    }


def test_served_at_the_servers_path_and_document_bundled(client: TestClient) -> None:
    assert client.get(f"{ITEMS}/PR-404").status_code == 404
    outside = client.get("/enti/c_prova/pratiche")
    assert outside.status_code == 404
    assert BASE in outside.json()["detail"]
    document = client.get("/openapi.json").json()
    refs = [v for v in _walk(document) if isinstance(v, str) and v.startswith(("#", "model"))]
    assert refs and all(ref.startswith("#/components/") for ref in refs)
    assert {"Pratica", "NuovaPratica", "Problema", "Avviso"} <= set(
        document["components"]["schemas"]
    )


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_created_resource_is_read_changed_and_deleted(client: TestClient) -> None:
    created = client.post(ITEMS, json=new_pratica(note=None))
    assert created.status_code == 201
    assert created.json()["idPratica"] == "PR-001"
    assert created.json()["stato"] in ("APERTA", "PAGATA", "ANNULLATA")

    read = client.get(f"{ITEMS}/PR-001")
    assert read.status_code == 200
    assert read.json()["descrizione"] == "Occupazione suolo pubblico"
    assert read.json()["importo"] == 2000

    listed = client.get(ITEMS).json()
    assert [p["idPratica"] for p in listed["pratiche"]] == ["PR-001"]

    changed = client.patch(f"{ITEMS}/PR-001", json={"importo": 3500})
    assert changed.status_code == 200 and changed.json()["importo"] == 3500
    assert client.get(f"{ITEMS}/PR-001").json()["importo"] == 3500

    assert client.delete(f"{ITEMS}/PR-001").status_code == 204
    assert client.get(f"{ITEMS}/PR-001").status_code == 404
    assert client.get(ITEMS).json()["pratiche"] == []


def test_creating_twice_is_the_declared_conflict(client: TestClient) -> None:
    assert client.post(ITEMS, json=new_pratica()).status_code == 201
    again = client.post(ITEMS, json=new_pratica())
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


def test_invalid_body_gets_the_declared_400_and_is_listed(client: TestClient) -> None:
    answer = client.post(ITEMS, json={"idPratica": "PR-002", "importo": 0})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == 400 and "title" in problem
    violations = client.get("/_admin/violations").json()
    assert violations[-1]["operation"] == "creaPratica"
    assert violations[-1]["rule"] == "request body schema"
    assert "descrizione" in violations[-1]["detail"] or "minimum" in violations[-1]["detail"]
    assert client.get(f"{ITEMS}/PR-002").status_code == 404  # nothing was created


def test_invalid_patch_gets_the_declared_422(client: TestClient) -> None:
    client.post(ITEMS, json=new_pratica())
    answer = client.patch(f"{ITEMS}/PR-001", json={"importo": "tanto"})
    assert answer.status_code == 422
    assert answer.json()["status"] == 422


def test_nullable_is_read_as_openapi_30_means_it(client: TestClient) -> None:
    client.post(ITEMS, json=new_pratica())
    assert client.patch(f"{ITEMS}/PR-001", json={"descrizione": None}).status_code == 200
    refused = client.post(ITEMS, json=new_pratica("PR-003", descrizione=None))
    assert refused.status_code == 400


def test_path_and_query_parameters_are_checked(client: TestClient) -> None:
    assert client.get(f"{BASE}/enti/c_prova/pratiche", params={"limite": 10}).status_code == 200
    too_many = client.get(f"{BASE}/enti/c_prova/pratiche", params={"limite": 99})
    not_a_number = client.get(f"{BASE}/enti/c_prova/pratiche", params={"limite": "tutti"})
    assert too_many.status_code == 400 == not_a_number.status_code
    rules = [v["rule"] for v in client.get("/_admin/violations").json()]
    assert rules == ["query parameter limite", "query parameter 'limite' type integer"]
    missing = client.get(f"{BASE}/avvisi/anteprima")
    assert missing.status_code == 400
    assert "causale" in missing.json()["detail"]


def test_non_ecma_pattern_is_translated_and_reported(client: TestClient) -> None:
    # \h (horizontal space) is PCRE/Java, not ECMA-262: read as space or tab.
    assert client.get(f"{BASE}/enti/c%20prova/pratiche").status_code == 200
    assert client.get(f"{BASE}/enti/c-prova/pratiche").status_code == 400
    workarounds = client.get("/status").json()["workarounds"]
    assert len(workarounds) == 1
    assert "\\h" in workarounds[0]["problem"] and workarounds[0]["file"] == "api.yaml"


def test_generated_answers_carry_valid_pagopa_values(client: TestClient) -> None:
    answer = client.get(f"{BASE}/avvisi/anteprima", params={"causale": "TARI 2026"})
    assert answer.status_code == 200
    avviso = answer.json()
    assert pagopa.is_notice_number(avviso["noticeNumber"])
    assert pagopa.is_notice_number("3" + avviso["iuv"])
    assert pagopa.is_organization_fiscal_code(avviso["codiceFiscaleEnte"])
    assert pagopa.is_personal_fiscal_code(avviso["codiceFiscalePagatore"])
    assert pagopa.is_iban(avviso["iban"])  # the contract's own example is not a valid IBAN
    assert avviso["amount"] >= 0.01
    assert avviso["causale"] == "TARI 2026"  # the request's value where it fits


def test_same_request_same_answer_across_restarts(contract: Path) -> None:
    first, second = client_for(contract), client_for(contract)
    path = f"{BASE}/avvisi/anteprima"
    one = first.get(path, params={"causale": "A"}).json()
    assert first.get(path, params={"causale": "A"}).json() == one
    assert second.get(path, params={"causale": "A"}).json() == one
    assert second.get(path, params={"causale": "B"}).json()["noticeNumber"] != one["noticeNumber"]


def test_admin_seeds_lists_and_resets_state(client: TestClient) -> None:
    seeded = client.post(
        "/_admin/state",
        json={"path": "/enti/c_prova/pratiche/PR-900", "resource": new_pratica("PR-900")},
    )
    assert seeded.status_code == 201
    assert client.get(f"{ITEMS}/PR-900").json()["idPratica"] == "PR-900"
    listing = client.get("/_admin/state").json()
    assert [r["path"] for r in listing["resources"]] == ["/enti/c_prova/pratiche/PR-900"]
    assert client.post("/_admin/state", json={"nonsense": 1}).status_code == 422
    assert client.post("/_admin/reset").status_code == 204
    assert client.get(f"{ITEMS}/PR-900").status_code == 404


def test_an_answer_set_by_hand_is_served(client: TestClient) -> None:
    body = {"title": "Servizio non disponibile", "status": 503}
    put = client.put("/_admin/answers/leggiPratica", json={"status": 503, "body": body, "times": 1})
    assert put.status_code == 200
    answer = client.get(f"{ITEMS}/PR-001")
    assert answer.status_code == 503 and answer.json() == body
    assert client.get(f"{ITEMS}/PR-001").status_code == 404  # only once
    unknown = client.put("/_admin/answers/nonEsiste", json={"status": 200})
    assert unknown.status_code == 404 and "leggiPratica" in unknown.json()["detail"]


def test_fault_profiles_strike_the_contracts_operations(client: TestClient) -> None:
    assert client.put("/_admin/faults/creation-error", json={"rate": 1}).status_code == 200
    assert client.post(ITEMS, json=new_pratica()).status_code == 500
    assert client.get(ITEMS).status_code == 200  # a read is not a creation
    client.delete("/_admin/faults")
    client.put("/_admin/faults/malformed-json", json={"rate": 1})
    broken = client.get(ITEMS)
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    client.delete("/_admin/faults")
    client.put("/_admin/faults/ip-not-allowed-403", json={})
    assert client.get(ITEMS).status_code == 403
    assert client.get("/_admin/faults").status_code == 200  # the admin API stays reachable


def test_allowlist_from_the_admin_api(client: TestClient) -> None:
    assert client.put("/_admin/allowlist", json={"networks": ["nope"]}).status_code == 422
    assert client.put("/_admin/allowlist", json={"networks": ["10.9.0.0/16"]}).status_code == 200
    refused = client.get(ITEMS)
    assert refused.status_code == 403
    assert "not allow-listed" in refused.json()["detail"]


def test_unknown_method_and_path_are_listed(client: TestClient) -> None:
    assert client.put(ITEMS, json={}).status_code == 405
    assert client.get(f"{BASE}/nowhere").status_code == 404
    rules = [v["rule"] for v in client.get("/_admin/violations").json()]
    assert rules == ["method not declared for this path", "path not in the contract"]
