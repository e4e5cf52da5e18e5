"""Steps: the operator importing pending payments ("dovuti") from a CSV file."""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from pytest_bdd import given, parsers, then, when

from adapters.pagopa import generate_notice
from collaudo.bdd import actions
from collaudo.bdd.fixtures import Answer, Application
from collaudo.bdd.world import CollaudoEnv
from collaudo.stack import CANONE_CUP_ID, DEMO_TENANT_ID

#: The operator's column names (the tables in the features) → the proxy's CSV columns.
COLUMNS = {
    "numero avviso": "notice_number",
    "importo": "amount",
    "causale": "reason",
    "scadenza": "expire_at",
    "codice fiscale": "payer_tax_identification_number",
    "nome": "payer_name",
    "cognome": "payer_family_name",
}
FIELDS = {
    "il numero avviso": "notice_number",
    "l'importo": "amount",
    "il codice fiscale": "payer_tax_identification_number",
    "la causale": "reason",
    "la scadenza": "expire_at",
}


def fresh_notice_number() -> str:
    """A valid numero avviso (aux digit 3, segregation code 01) never used before."""
    base = secrets.randbelow(10**13)
    return generate_notice(3, base, segregation_code="01").notice_number


@dataclass
class CsvFile:
    """The file the operator uploads, with what each line (header = line 1) carries."""

    content: bytes
    notices: dict[int, str] = field(default_factory=dict)  # line → notice number in the file


@dataclass
class ImportReport:
    """The proxy's answer to an import, rows by line."""

    body: dict[str, Any]

    def row(self, line: int) -> dict[str, Any]:
        for row in self.body["rows"]:
            if row["line"] == line:
                return dict(row)
        raise AssertionError(f"no imported row at line {line}: {self.body}")

    def error(self, line: int) -> dict[str, Any]:
        for error in self.body["errors"]:
            if error["line"] == line:
                return dict(error)
        raise AssertionError(f"no error at line {line}: {self.body['errors']}")


@given("un file CSV di canoni CUP con queste righe:", target_fixture="file_csv")
def csv_file(datatable: list[list[str]]) -> CsvFile:
    header, *rows = datatable
    unknown = [h for h in header if h not in COLUMNS]
    assert not unknown, f"unknown columns {unknown}; known: {sorted(COLUMNS)}"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([COLUMNS[h] for h in header] + ["payer_type", "payer_email", "remote_id"])
    notices: dict[int, str] = {}
    for line, row in enumerate(rows, start=2):
        values = dict(zip(header, row, strict=True))
        if values.get("numero avviso") == "nuovo":
            values["numero avviso"] = fresh_notice_number()
        if values.get("numero avviso"):
            notices[line] = values["numero avviso"]
        # A fresh id in the source system keeps every scenario's rows its own.
        writer.writerow([values[h] for h in header] + ["human", "", str(uuid.uuid4())])
    return CsvFile(out.getvalue().encode("utf-8"), notices)


def _import(env: CollaudoEnv, file_csv: CsvFile, service_id: uuid.UUID) -> Answer:
    return Answer(
        env.operator.post(
            "/imports",
            data={"tenant_id": str(DEMO_TENANT_ID), "service_id": str(service_id)},
            files={"file": ("canone-cup.csv", file_csv.content, "text/csv")},
        )
    )


@given(
    "l'operatore ha già importato il file per il servizio Canone CUP",
    target_fixture="prima_importazione",
)
def imported_before(env: CollaudoEnv, file_csv: CsvFile) -> ImportReport:
    answer = _import(env, file_csv, CANONE_CUP_ID)
    assert answer.status == 200, answer
    return ImportReport(answer.json())


@when("l'operatore importa il file per il servizio Canone CUP", target_fixture="resoconto")
def import_file(env: CollaudoEnv, file_csv: CsvFile) -> ImportReport:
    answer = _import(env, file_csv, CANONE_CUP_ID)
    assert answer.status == 200, answer
    return ImportReport(answer.json())


@when(
    "l'operatore importa il file per un servizio che il proxy non conosce",
    target_fixture="risposta",
)
def import_unknown_service(env: CollaudoEnv, file_csv: CsvFile) -> Answer:
    return _import(env, file_csv, uuid.uuid4())


@then(
    parsers.re(
        r"il resoconto riporta (?P<registrati>\d+) pagamenti registrati, (?P<creati>\d+) creati "
        r"e (?P<errori>\d+) errori"
    )
)
def report_counts(resoconto: ImportReport, registrati: str, creati: str, errori: str) -> None:
    body = resoconto.body
    counts = (body["registered"], body["created"], body["failed"])
    assert counts == (int(registrati), int(creati), int(errori)), body


@then(parsers.re(r"la riga (?P<riga>\d+) è in stato PAYMENT_PENDING con il numero avviso del file"))
def row_registered(resoconto: ImportReport, file_csv: CsvFile, riga: str) -> None:
    row = resoconto.row(int(riga))
    assert row["status"] == "PAYMENT_PENDING", row
    assert row["notice_number"] == file_csv.notices[int(riga)], row


@then(
    parsers.re(
        r"la riga (?P<riga>\d+) è in stato PAYMENT_PENDING con un numero avviso dato "
        r"dall'intermediario"
    )
)
def row_created(env: CollaudoEnv, resoconto: ImportReport, riga: str) -> None:
    row = resoconto.row(int(riga))
    assert row["status"] == "PAYMENT_PENDING" and row["outcome"] == "created", row
    assert len(row["notice_number"] or "") == 18, row
    if env.target.simulated:
        application = _application(row)
        assert len(actions.positions_of(env, application)) == 1


def _application(row: dict[str, Any]) -> Application:
    return Application(uuid.uuid4(), uuid.UUID(row["payment_id"]), CANONE_CUP_ID, amount=0)  # type: ignore[arg-type]


@then("la piattaforma vede i pagamenti importati in stato PAYMENT_PENDING")
def platform_sees_imports(env: CollaudoEnv, resoconto: ImportReport) -> None:
    for row in resoconto.body["rows"]:
        event = env.wait_status(uuid.UUID(row["payment_id"]), "PAYMENT_PENDING")
        assert event["payment"]["notice_code"] == row["notice_number"], event


@then(parsers.re(r"l'errore alla riga (?P<riga>\d+) riguarda (?P<campo>.+)"))
def error_about(resoconto: ImportReport, riga: str, campo: str) -> None:
    error = resoconto.error(int(riga))
    column = FIELDS[campo]
    assert error.get("field") == column or column in error["reason"], error
    assert error["reason"], error


@then("tutte le righe risultano invariate, con gli stessi pagamenti della prima importazione")
def all_unchanged(resoconto: ImportReport, prima_importazione: ImportReport) -> None:
    rows = resoconto.body["rows"]
    assert rows and all(r["outcome"] == "unchanged" for r in rows), rows
    first = {r["line"]: r["payment_id"] for r in prima_importazione.body["rows"]}
    assert {r["line"]: r["payment_id"] for r in rows} == first


@then("l'intermediario ha una sola posizione debitoria per la riga senza numero avviso")
def one_position_per_created_row(
    env: CollaudoEnv, resoconto: ImportReport, file_csv: CsvFile
) -> None:
    if not env.target.simulated:
        return  # the rows' payment ids were compared above; the vendor's back office is not ours
    for row in resoconto.body["rows"]:
        if row["line"] not in file_csv.notices:
            assert len(actions.positions_of(env, _application(row))) == 1, row
