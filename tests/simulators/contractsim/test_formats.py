# ruff: noqa: E501  (contract text, kept as a vendor writes it)
"""Every kind of contract the simulator reads: Swagger 2.0, OpenAPI 3.1, a Postman
collection v2.1 with saved examples, a split contract fetched by URL, and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from simulators.common.server import serving
from simulators.contractsim.load import load
from simulators.contractsim.source import ContractUnreadable
from tests.simulators.contractsim import synthetic_rest
from tests.simulators.contractsim.conftest import client_for

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Anagrafe", "version": "1"},
    "host": "vendor.example.it",
    "basePath": "/anagrafe/v1",
    "consumes": ["application/json"],
    "produces": ["application/json"],
    "paths": {
        "/cittadini": {
            "post": {
                "operationId": "inserisciCittadino",
                "parameters": [
                    {"name": "body", "in": "body", "required": True,
                     "schema": {"$ref": "#/definitions/Cittadino"}},
                ],
                "responses": {"201": {"description": "ok", "schema": {"$ref": "#/definitions/Cittadino"}},
                              "400": {"description": "ko", "schema": {"$ref": "#/definitions/Errore"}}},
            }
        },
        "/cittadini/{codiceFiscale}": {
            "get": {
                "operationId": "leggiCittadino",
                "parameters": [{"name": "codiceFiscale", "in": "path", "required": True,
                                "type": "string", "minLength": 16, "maxLength": 16}],
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Cittadino"}},
                              "404": {"description": "no"}},
            }
        },
    },
    "definitions": {
        "Cittadino": {
            "type": "object",
            "required": ["codiceFiscale", "nome"],
            "properties": {"codiceFiscale": {"type": "string"}, "nome": {"type": "string"},
                           "email": {"type": "string", "x-nullable": True}},
        },
        "Errore": {"type": "object", "properties": {"messaggio": {"type": "string"}}},
    },
}  # fmt: skip

OPENAPI_31 = {
    "openapi": "3.1.0",
    "info": {"title": "Ricevute", "version": "3"},
    "servers": [{"url": "/ricevute"}],
    "paths": {
        "/ricevute/{iuv}": {
            "get": {
                "parameters": [{"name": "iuv", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[0-9]{17}$"}}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {
                        "schema": {"type": "object", "required": ["iuv", "pagatore"],
                                   "properties": {"iuv": {"type": "string"},
                                                  "pagatore": {"type": ["string", "null"]}}},
                        "examples": {"pagata": {"value": {"iuv": "01000000000000001",
                                                          "pagatore": "Ada Lovelace"}}}}}},
                    "400": {"description": "bad"},
                },
            }
        }
    },
}  # fmt: skip

POSTMAN = {
    "info": {"name": "Vendor SIL", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "item": [
        {"name": "Debiti", "item": [
            {"name": "Leggi debito", "request": {
                "method": "GET",
                "url": {"raw": "{{baseUrl}}/debiti/:iud", "host": ["{{baseUrl}}"], "path": ["debiti", ":iud"]}},
             "response": [{"name": "trovato", "code": 200,
                           "header": [{"key": "Content-Type", "value": "application/json"}],
                           "body": "{\"iud\": \"D-7\", \"importo\": 16.0, \"pagato\": false}"}]},
            {"name": "Crea debito", "request": {
                "method": "POST",
                "body": {"mode": "raw", "raw": "{\"iud\": \"D-8\", \"importo\": 20.5}"},
                "url": {"raw": "{{baseUrl}}/debiti", "path": ["debiti"]}},
             "response": [{"name": "creato", "code": 201, "body": "{\"iud\": \"D-8\", \"importo\": 20.5}"}]},
            {"name": "Stato servizio", "request": {"method": "GET", "url": "{{baseUrl}}/ping"}},
        ]},
    ],
}  # fmt: skip


def write_json(folder: Path, name: str, document: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def test_swagger_2_is_served_with_its_base_path_and_state(tmp_path: Path) -> None:
    client = client_for(write_json(tmp_path, "anagrafe.json", SWAGGER))
    person = {"codiceFiscale": "RSSMRA85T10A562S", "nome": "Mario", "email": None}
    assert client.post("/anagrafe/v1/cittadini", json=person).status_code == 201
    read = client.get("/anagrafe/v1/cittadini/RSSMRA85T10A562S")
    assert read.status_code == 200 and read.json()["nome"] == "Mario"
    assert client.get("/anagrafe/v1/cittadini/SHORT").status_code == 404  # minLength: a path
    bad = client.post("/anagrafe/v1/cittadini", json={"nome": 3})
    assert bad.status_code == 400
    assert client.get("/openapi.json").json()["openapi"].startswith("3.0")


def test_openapi_31_examples_and_type_lists(tmp_path: Path) -> None:
    client = client_for(write_json(tmp_path, "ricevute.json", OPENAPI_31))
    answer = client.get("/ricevute/ricevute/01000000000000001")
    assert answer.status_code == 200
    assert answer.json() == {"iuv": "01000000000000001", "pagatore": "Ada Lovelace"}
    assert client.get("/ricevute/ricevute/123").status_code == 400


def test_postman_collection_with_saved_examples(tmp_path: Path) -> None:
    client = client_for(write_json(tmp_path, "sil.postman_collection.json", POSTMAN))
    read = client.get("/debiti/D-7")
    assert read.status_code == 200
    assert read.json() == {"iud": "D-7", "importo": 16.0, "pagato": False}
    created = client.post("/debiti", json={"iud": "D-9", "importo": 3.5})
    assert created.status_code == 201 and created.json()["iud"] == "D-9"
    assert client.get("/debiti/D-9").json()["importo"] == 3.5  # created, then read back
    assert client.post("/debiti", json={"iud": 9}).status_code == 400  # shape checked
    assert client.get("/ping").status_code == 200
    workarounds = client.get("/status").json()["workarounds"]
    assert [w["where"] for w in workarounds] == ["request 'Debiti/Stato servizio'"]


def test_a_split_contract_is_read_from_a_url(tmp_path: Path) -> None:
    synthetic_rest.write(tmp_path)
    files = Starlette(routes=[Mount("/contracts", StaticFiles(directory=tmp_path))])
    with serving(files) as server:
        contract = load(f"{server.url}/contracts/api.yaml")
    assert contract.base_path == "/tributi/api/v2"
    assert {op.name for op in contract.operations} >= {"creaPratica", "leggiPratica"}
    assert len(contract.files) == 2 and contract.files[1].endswith("/contracts/model.yaml")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "neither valid JSON nor YAML"),
        ('{"openapi": "3.0.0", "info": {}, "paths": {}}', "declares no paths"),
        ('{"hello": "world"}', "neither 'openapi: 3.x'"),
        ("<html><body>login</body></html>", "not a WSDL 1.1 definitions element"),
        ('{"openapi": "3.0.0", "paths": {"/a": {"$ref": "missing.yaml#/x"}}}', "missing.yaml"),
    ],
)
def test_bad_contracts_are_refused_with_the_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "contract.json"
    path.write_text(content)
    with pytest.raises(ContractUnreadable, match=message.replace("(", r"\(")):
        load(str(path))


def test_missing_file_says_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(ContractUnreadable, match="no such file"):
        load(str(tmp_path / "nowhere.wsdl"))
    assert isinstance(client_for, object) and TestClient is not None


COMBINED = {
    "openapi": "3.0.3",
    "info": {"title": "Pendenze", "version": "2"},
    "paths": {
        "/pendenze/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "dataAvvisatura", "in": "query", "schema": {"oneOf": [
                        {"type": "string", "format": "date"},
                        {"type": "string", "enum": ["MAI"]}]}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Documento"}}}}},
            }
        },
        "/allegati/{id}": {
            "get": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "a file", "content": {
                    "*/*": {"schema": {"type": "string", "format": "binary"}}}}},
            }
        },
    },
    "components": {"schemas": {
        "Documento": {"allOf": [
            {"type": "object", "required": ["identificativo"],
             "properties": {"identificativo": {"type": "string", "minLength": 1}}},
            {"$ref": "#/components/schemas/Riferimento"}]},
        "Riferimento": {"type": "object", "oneOf": [
            {"type": "object", "required": ["rata"], "properties": {"rata": {"type": "integer", "minimum": 1}}},
            {"type": "object", "required": ["soglia"], "properties": {"soglia": {"type": "string"}}}]},
    }},
}  # fmt: skip


def test_formats_all_of_with_one_of_and_wildcard_media(tmp_path: Path) -> None:
    client = client_for(write_json(tmp_path, "pendenze.json", COMBINED))
    assert client.get("/pendenze/P1", params={"dataAvvisatura": "MAI"}).status_code == 200
    assert client.get("/pendenze/P1", params={"dataAvvisatura": "2026-12-31"}).status_code == 200
    assert client.get("/pendenze/P1", params={"dataAvvisatura": "domani"}).status_code == 400
    documento = client.get("/pendenze/P1").json()
    assert documento["identificativo"] and documento["rata"] >= 1  # both parts of the allOf
    attachment = client.get("/allegati/A1")
    assert attachment.status_code == 200
    assert attachment.headers["content-type"] == "application/octet-stream"


DEFECTIVE_YAML = (
    "openapi: 3.0.3\n"
    "info: {title: Ragioneria, version: '3'}\n"
    "paths:\n"
    "  /ricevute/{id}:\n"
    "    get:\n"
    "      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n"
    "      responses:\n"
    "        '200':\n"
    "          description: >\n"
    "            the receipt\n"
    "\t     * stato: as recorded\n"
    "          content:\n"
    "            application/json:\n"
    "              schema:\n"
    "                type: object\n"
    "                required: [iuv, stato]\n"
    "                properties: {iuv: {type: string}}\n"
)


def test_defects_of_a_yaml_contract_are_worked_around_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "ragioneria.yaml"
    path.write_text(DEFECTIVE_YAML)
    client = client_for(path)
    receipt = client.get("/ricevute/R1")
    assert receipt.status_code == 200 and {"iuv", "stato"} <= set(receipt.json())
    problems = [w["problem"] for w in client.get("/status").json()["workarounds"]]
    assert problems == [
        "indented with tabs, which YAML does not allow",
        "property 'stato' is required but not described in properties",
    ]
