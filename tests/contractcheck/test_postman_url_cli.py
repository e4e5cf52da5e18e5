"""Postman collections, contracts read from a URL (a local server), and the CLI verb."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from adapters.i18n import ENV_VAR
from collaudo.cli import main
from collaudo.contractcheck.check import check_contracts
from collaudo.contractcheck.findings import ContractInputError

SCHEMA_SCRIPT = [
    "var schema = {",
    "  type: 'object',",
    "  required: ['stato'],",
    "  properties: { stato: { type: 'string', enum: ['PAGATO', 'DA_PAGARE'] }, },",
    "};",
    "pm.test('risposta conforme', function () { pm.response.to.have.jsonSchema(schema); });",
]


def collection() -> dict[str, object]:
    json_header = [{"key": "Content-Type", "value": "application/json"}]
    return {
        "info": {
            "_postman_id": "1f0c",
            "name": "Demo intermediario",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            {
                "name": "Debiti",
                "item": [
                    {
                        "name": "Crea posizione debitoria",
                        "request": {
                            "method": "POST",
                            "url": "{{base}}/debiti",
                            "body": {
                                "mode": "raw",
                                "raw": '{"importo": 10.5, "codiceFiscale": "X"}',
                            },
                        },
                        "response": [
                            {
                                "name": "creata",
                                "code": 201,
                                "header": json_header,
                                "body": '{"iuv": "01000000000000123", "numeroAvviso": "3010"}',
                            },
                            {
                                "name": "rifiutata",
                                "code": 400,
                                "header": json_header,
                                "body": '{"errore": "importo"}',
                            },
                        ],
                    },
                    {
                        "name": "Stato pagamento",
                        "event": [{"listen": "test", "script": {"exec": SCHEMA_SCRIPT}}],
                        "request": {"method": "GET", "url": "{{base}}/debiti/:iuv/stato"},
                        "response": [
                            {
                                "name": "pagato",
                                "code": 200,
                                "header": json_header,
                                "body": '{"status": "PAID"}',
                            },
                            {
                                "name": "rotto",
                                "code": 200,
                                "header": json_header,
                                "body": "{stato: PAGATO",
                            },
                        ],
                    },
                ],
            }
        ],
    }


def test_a_postman_example_that_violates_its_test_script_schema(tmp_path: Path) -> None:
    (tmp_path / "demo.postman_collection.json").write_text(json.dumps(collection(), indent=1))
    report = check_contracts([str(tmp_path / "demo.postman_collection.json")], base_dir=tmp_path)
    findings = report.documents[0].findings
    (invalid,) = [f for f in findings if f.code == "example-invalid"]
    assert "'stato' is a required property" in invalid.params["message"]
    assert invalid.location.line is not None
    assert [f.params["example"] for f in findings if f.code == "example-not-json"] == ["rotto"]
    assert [f.params["operation"] for f in findings if f.code == "no-error-answer"] == [
        "Stato pagamento"
    ]
    assert report.mapping["create"].operation.name == "Crea posizione debitoria"
    assert report.mapping["status"].operation.name == "Stato pagamento"
    assert report.exit_code == 0  # warnings only: it loads


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_split_contract_read_from_a_url_and_its_same_host_imports(rest_dir: Path) -> None:
    main_yaml = rest_dir / "main.yaml"
    main_yaml.write_text(
        main_yaml.read_text().replace(
            "    Manca: {$ref: 'components/missing.yaml#/Nulla'}",
            "    Manca: {$ref: 'components/missing.yaml#/Nulla'}\n"
            "    Remoto: {$ref: 'http://other-host.invalid/x.yaml#/X'}",
        )
    )
    with serve(rest_dir) as base:
        report = check_contracts([f"{base}/main.yaml"])
    codes = [f.code for f in report.documents[0].findings]
    assert "ref-other-file" in codes and "pattern-unknown-escape" in codes
    assert "required-undefined" in codes  # found in the companion file, read from the server
    not_followed = [f for f in report.documents[0].findings if f.code == "ref-not-followed"]
    assert [f.params["ref"] for f in not_followed] == ["http://other-host.invalid/x.yaml#/X"]
    assert report.mapping["notice"].operation.name == "scaricaAvviso"


def test_unreadable_or_unknown_inputs_say_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# not a contract\n")
    with pytest.raises(ContractInputError, match="not a contract collaudo can check"):
        check_contracts([str(tmp_path / "notes.md")])
    (tmp_path / "parts.yaml").write_text("components:\n  schemas: {}\n")
    with pytest.raises(ContractInputError, match="give the main file"):
        check_contracts([str(tmp_path / "parts.yaml")])
    (tmp_path / "w2.wsdl").write_text('<description xmlns="http://www.w3.org/ns/wsdl"/>')
    with pytest.raises(ContractInputError, match="WSDL 2.0"):
        check_contracts([str(tmp_path / "w2.wsdl")])
    (tmp_path / "v1.json").write_text(
        '{"id": "x", "name": "c", "requests": [], "_postman_id": "x", "order": []}'
    )
    with pytest.raises(ContractInputError, match="Collection v2.1"):
        check_contracts([str(tmp_path / "v1.json")])
    with pytest.raises(ContractInputError, match="file not found"):
        check_contracts([str(tmp_path / "absent.wsdl")])


def test_cli_reports_in_both_languages_and_sets_the_exit_code(
    rest_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `--lang` goes to the environment (for what a verb starts): restored after the test
    # (setenv first, so that monkeypatch remembers the value before the test).
    monkeypatch.setenv(ENV_VAR, "it")
    monkeypatch.delenv(ENV_VAR)
    out = tmp_path / "out"
    code = main(["contract", "check", str(rest_dir / "main.yaml"), "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 1
    assert "NON si carica con i validatori rigorosi" in text
    assert "Le cinque operazioni del proxy di pagamento" in text
    data = json.loads((out / "contract-check.json").read_text())
    assert data["exit_code"] == 1
    assert data["mapping"]["notice"]["operation"]["path"] == "/posizioni/{iuv}/avviso"
    assert any(
        f["code"] == "ref-other-file" and f["line"] == 53 for f in data["documents"][0]["findings"]
    )
    markdown = (out / "contract-check.md").read_text()
    assert markdown.startswith("# Documentazione errata o incompleta")
    assert "`main.yaml:53" in markdown

    english = tmp_path / "en.md"
    main(
        [
            "contract",
            "check",
            str(rest_dir / "main.yaml"),
            "--lang",
            "en",
            "--markdown",
            str(english),
        ]
    )
    assert "does NOT load with strict validators" in capsys.readouterr().out
    assert english.read_text().startswith("# Incorrect or incomplete documentation")
    # The global flag and COLLAUDO_LANG choose too (the verb's own flag has no default).
    monkeypatch.setenv(ENV_VAR, "it")
    main(["--lang", "en", "contract", "check", str(rest_dir / "main.yaml")])
    assert "does NOT load with strict validators" in capsys.readouterr().out
    monkeypatch.setenv(ENV_VAR, "en")
    main(["contract", "check", str(rest_dir / "main.yaml")])
    assert "The payment proxy's five operations" in capsys.readouterr().out
    monkeypatch.delenv(ENV_VAR)

    (tmp_path / "ok.json").write_text(
        json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}})
    )
    assert main(["contract", "check", str(tmp_path / "ok.json")]) == 0
    assert main(["contract", "check", str(tmp_path / "missing.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err
    # one unreadable input among others: the others are still checked and reported
    code = main(["contract", "check", str(tmp_path / "missing.yaml"), str(tmp_path / "ok.json")])
    captured = capsys.readouterr()
    assert code == 2 and "file not found" in captured.err
    assert "ok.json (openapi): loads with strict validators" not in captured.out  # Italian
    assert "ok.json (openapi): si carica con i validatori rigorosi" in captured.out
