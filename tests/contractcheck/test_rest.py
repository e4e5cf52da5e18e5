"""The OpenAPI checks and the mapping on a small split OpenAPI 3.0 contract written here,
plus Swagger 2.0 and strict reading."""

from __future__ import annotations

import json
from pathlib import Path

from collaudo.contractcheck.check import check_contracts
from collaudo.contractcheck.findings import Severity
from collaudo.contractcheck.textdoc import read_yaml


def _check(directory: Path, *names: str):  # type: ignore[no-untyped-def]
    return check_contracts([str(directory / n) for n in names], base_dir=directory)


def by_code(report, code: str) -> list:  # type: ignore[no-untyped-def]
    return [f for d in report.documents for f in d.findings if f.code == code]


def test_refs_across_files_resolve_and_the_broken_ones_are_named(rest_dir: Path) -> None:
    report = _check(rest_dir, "main.yaml")
    (other,) = by_code(report, "ref-other-file")
    assert other.params["ref"] == "#/components/schemas/Ricevuta"
    assert other.params["found_in"] == "components/schemas.yaml"
    assert other.location.file == "main.yaml" and other.location.line == 53
    (missing,) = by_code(report, "ref-file-missing")
    assert missing.params["ref"] == "components/missing.yaml#/Nulla"
    assert not by_code(report, "ref-unresolved")  # every other cross-file $ref resolves
    assert report.exit_code == 1


def test_the_h_pattern_is_found_in_any_file(rest_dir: Path) -> None:
    (pattern,) = by_code(_check(rest_dir, "main.yaml"), "pattern-unknown-escape")
    assert pattern.params["escapes"] == "\\h" and pattern.severity is Severity.ERROR
    assert pattern.location.pointer.endswith("/schema/pattern")


def test_required_undefined_examples_and_error_answers(rest_dir: Path) -> None:
    report = _check(rest_dir, "main.yaml")
    (required,) = by_code(report, "required-undefined")
    assert (required.params["schema"], required.params["missing"]) == ("NuovaPosizione", "causale")
    assert required.location.file == "components/schemas.yaml"
    examples = by_code(report, "example-invalid")
    assert [e.params["message"] for e in examples] == ["/importo: 'dieci' is not of type 'number'"]
    # the date example stays a string: no false alarm from YAML timestamps
    assert not [e for e in examples if "dataScadenza" in (e.location.pointer or "")]
    assert [f.params["operation"] for f in by_code(report, "no-error-answer")] == [
        "GET /posizioni/{iuv}/avviso (scaricaAvviso)"
    ]
    unused = {f.params["name"] for f in by_code(report, "component-unused")}
    assert "Orfano" in unused and "Posizione" not in unused


def test_a_tab_is_an_error_and_the_file_is_still_checked(rest_dir: Path) -> None:
    schemas = rest_dir / "components" / "schemas.yaml"
    text = schemas.read_text().replace("        rt: {type: string}", "\t\trt: {type: string}")
    schemas.write_text(text)
    report = _check(rest_dir, "main.yaml")
    (tab,) = by_code(report, "yaml-tab")
    assert (tab.location.file, tab.location.line) == ("components/schemas.yaml", 20)
    assert tab.params["lenient"] == "yes"
    assert by_code(report, "required-undefined")  # still read for the other checks
    assert by_code(report, "strict-stopped")  # the strict validator cannot read it


def test_the_five_operations_of_the_split_contract(rest_dir: Path) -> None:
    report = _check(rest_dir, "main.yaml")
    chosen = {verb: m.operation.name if m.operation else None for verb, m in report.mapping.items()}
    assert chosen == {
        "create": "creaPosizione",
        "notice": "scaricaAvviso",
        "checkout": "avviaCheckout",
        "status": "leggiPosizione",
        "receipt": "scaricaRicevuta",
    }
    create = report.mapping["create"].operation
    assert create is not None
    assert (create.method, create.path, create.server) == (
        "POST",
        "/posizioni",
        "https://demo.example/api/v1",
    )


def test_a_clean_document_loads_strictly(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_text(
        json.dumps(
            {
                "openapi": "3.1.0",
                "info": {"title": "t", "version": "1"},
                "paths": {
                    "/ping": {
                        "get": {
                            "responses": {
                                "200": {
                                    "description": "ok",
                                    "content": {
                                        "application/json": {
                                            "schema": {
                                                "type": "object",
                                                "properties": {"ok": {"type": "boolean"}},
                                            },
                                            "example": {"ok": True},
                                        }
                                    },
                                },
                                "default": {"description": "error"},
                            }
                        }
                    }
                },
            }
        )
    )
    report = _check(tmp_path, "api.json")
    assert report.exit_code == 0 and report.documents[0].findings == []
    assert all(m.status == "missing" for m in report.mapping.values())


def test_openapi_31_schema_examples_lists_are_checked(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.1.0\n"
        "info: {title: t, version: '1'}\n"
        "paths: {}\n"
        "components:\n"
        "  schemas:\n"
        "    NumeroAvviso:\n"
        "      type: string\n"
        "      pattern: '^[0-9]{18}$'\n"
        "      examples: ['301000000000012345', '3010']\n"
    )
    (example,) = by_code(_check(tmp_path, "api.yaml"), "example-invalid")
    assert example.location.pointer == "/components/schemas/NumeroAvviso/examples/1"
    assert example.location.line == 9


def test_swagger_2_examples_and_duplicate_keys(tmp_path: Path) -> None:
    (tmp_path / "swagger.json").write_text("""{
      "swagger": "2.0", "info": {"title": "t", "version": "1"},
      "paths": {"/stato/{iuv}": {"get": {
        "parameters": [{"name": "iuv", "in": "path", "required": true, "type": "string"}],
        "responses": {"200": {"description": "ok",
          "schema": {"$ref": "#/definitions/Stato"},
          "examples": {"application/json": {"stato": 3}}}}}}},
      "definitions": {"Stato": {"type": "object", "properties": {"stato": {"type": "string"}}},
                      "Stato": {"type": "object", "properties": {"stato": {"type": "string"}}}}
    }""")
    report = _check(tmp_path, "swagger.json")
    (example,) = by_code(report, "example-invalid")
    assert "is not of type 'string'" in example.params["message"]
    assert by_code(report, "duplicate-key")[0].params["key"] == "Stato"
    assert by_code(report, "no-error-answer")


def test_strict_yaml_keeps_lines_and_strings() -> None:
    doc = read_yaml("a:\n  b: 2026-01-01\n  200: x\n")
    assert doc.data == {"a": {"b": "2026-01-01", "200": "x"}}
    assert doc.line_of("/a/200") == 3


def test_a_read_that_answers_only_201_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_text(
        json.dumps(
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {
                    "/avvisi/{n}": {
                        "get": {
                            "parameters": [
                                {
                                    "name": "n",
                                    "in": "path",
                                    "required": True,
                                    "schema": {"type": "string"},
                                }
                            ],
                            "responses": {
                                "201": {"description": "l'avviso"},
                                "404": {"description": "no"},
                            },
                        }
                    }
                },
            }
        )
    )
    report = _check(tmp_path, "api.json")
    (finding,) = by_code(report, "read-success-code")
    assert finding.params["codes"] == "201" and finding.location.line == 1
    assert report.exit_code == 0
