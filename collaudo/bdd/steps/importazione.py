"""Steps: the operator importing pending payments ("dovuti") from a CSV file.

The proxy imports a file as a background job (``POST /imports`` → 202 and
``Location``); the steps that want the result at once ask to wait for it
(``?wait=``), then read the rows from ``GET /imports/{id}/rows``.
"""

from __future__ import annotations

import csv
import io
import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pytest_bdd import given, parsers, then, when

from adapters.core.positions import iud_for
from adapters.pagopa import generate_notice
from collaudo.bdd import actions
from collaudo.bdd.fixtures import Answer, Application
from collaudo.bdd.world import CollaudoEnv, eventually
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


WAIT = 60  # seconds the steps let the proxy take for a small file


def _upload(env: CollaudoEnv, file_csv: CsvFile, service_id: uuid.UUID, wait: float) -> Answer:
    return Answer(
        env.operator.post(
            "/imports",
            params={"wait": str(wait)},
            data={"tenant_id": str(DEMO_TENANT_ID), "service_id": str(service_id)},
            files={"file": ("canone-cup.csv", file_csv.content, "text/csv")},
            timeout=wait + 20,
        )
    )


def _report(env: CollaudoEnv, job: dict[str, Any]) -> ImportReport:
    """The finished job, with its imported rows (every page) as ``rows``."""
    assert job["state"] == "done", job
    rows: list[dict[str, Any]] = []
    after: int | None = -1
    while after is not None:
        page = env.operator.get(f"/imports/{job['id']}/rows", params={"after": after}).json()
        rows += page["rows"]
        after = page["next_after"]
    return ImportReport({**job, "rows": [r for r in rows if r["outcome"] != "error"]})


def _import(env: CollaudoEnv, file_csv: CsvFile, service_id: uuid.UUID) -> ImportReport:
    answer = _upload(env, file_csv, service_id, WAIT)
    assert answer.status == 201, answer  # finished within the wait
    return _report(env, answer.json())


@given(
    "l'operatore ha già importato il file per il servizio Canone CUP",
    target_fixture="prima_importazione",
)
def imported_before(env: CollaudoEnv, file_csv: CsvFile) -> ImportReport:
    return _import(env, file_csv, CANONE_CUP_ID)


@when("l'operatore importa il file per il servizio Canone CUP", target_fixture="resoconto")
def import_file(env: CollaudoEnv, file_csv: CsvFile) -> ImportReport:
    return _import(env, file_csv, CANONE_CUP_ID)


@when(
    "l'operatore importa il file per un servizio che il proxy non conosce",
    target_fixture="risposta",
)
def import_unknown_service(env: CollaudoEnv, file_csv: CsvFile) -> Answer:
    return _upload(env, file_csv, uuid.uuid4(), WAIT)


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
        actions.wait_positions(env, _application(row), 1)  # the simulator may lag the answer


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
            actions.wait_positions(env, _application(row), 1)


# -- a job that outlives the proxy -------------------------------------------------------


@given(
    parsers.re(r"un file CSV di (?P<righe>\d+) canoni CUP senza numero avviso"),
    target_fixture="file_csv",
)
def many_rows(righe: str) -> CsvFile:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["amount", "reason", "expire_at", "payer_type",
                     "payer_tax_identification_number", "payer_name", "payer_family_name",
                     "payer_email", "remote_id"])  # fmt: skip
    for n in range(1, int(righe) + 1):
        reason = f"Canone CUP 2025 - posizione {n}"
        writer.writerow([f"{n % 90 + 10},00", reason, "2030-12-31", "human",
                         "RSSMRA80A01H501U", "Mario", "Rossi", "", str(uuid.uuid4())])  # fmt: skip
    return CsvFile(out.getvalue().encode("utf-8"))


@when(
    "l'operatore carica il file per il servizio Canone CUP senza attendere",
    target_fixture="lavoro",
)
def upload_without_waiting(env: CollaudoEnv, file_csv: CsvFile) -> dict[str, Any]:
    answer = _upload(env, file_csv, CANONE_CUP_ID, 0)
    assert answer.status == 202, answer
    assert answer.response.headers["location"] == f"/imports/{answer.json()['id']}"
    job: dict[str, Any] = answer.json()
    return job


@when("il proxy si riavvia mentre l'importazione è a metà")
def restart_mid_file(env: CollaudoEnv, lavoro: dict[str, Any]) -> None:
    deadline = time.monotonic() + WAIT
    while True:
        job = env.operator.get(f"/imports/{lavoro['id']}").json()
        if job["read"] > 0:
            break
        assert time.monotonic() < deadline, f"the import did not start: {job}"
        time.sleep(0.01)
    assert job["read"] < job["total"], f"the import ended before the restart: {job}"
    env.call(env.stack.restart_proxy())
    lavoro["read_at_restart"] = job["read"]


@then(
    "l'importazione si completa da sola, senza un nuovo caricamento",
    target_fixture="resoconto",
)
def completes_by_itself(env: CollaudoEnv, lavoro: dict[str, Any]) -> ImportReport:
    answer = env.operator.get(
        f"/imports/{lavoro['id']}", params={"wait": str(WAIT)}, timeout=WAIT + 20
    )
    assert answer.status_code == 200, answer.text
    job: dict[str, Any] = answer.json()
    assert job["state"] == "done" and job["read"] == job["total"], job
    listed = env.operator.get(
        "/imports", params={"tenant_id": str(DEMO_TENANT_ID), "service_id": str(CANONE_CUP_ID)}
    ).json()["imports"]
    assert sum(1 for j in listed if j["created_at"] >= lavoro["created_at"]) == 1, listed
    return _report(env, job)


def _iud_of(env: CollaudoEnv, payment_id: uuid.UUID) -> str:
    """The IUD the intermediary holds for a payment: the one the proxy recorded, since a
    driver may adapt the derived one (MyPay refuses an IUD starting "000": its driver
    puts an "I" first, for one payment id in 4,096), else the derived one."""
    stored = env.service.store.get_payment(payment_id)
    recorded = stored.event.payment.iud if stored is not None else None
    return recorded or iud_for(payment_id)


@then("l'intermediario ha una sola posizione debitoria per ogni riga del file")
def one_position_per_row(env: CollaudoEnv, resoconto: ImportReport) -> None:
    rows = resoconto.body["rows"]
    assert len({r["payment_id"] for r in rows}) == len(rows) == resoconto.body["total"]
    if not env.target.simulated:
        return  # the payment ids are checked above; the vendor's back office is not ours
    wanted = [_iud_of(env, uuid.UUID(r["payment_id"])) for r in rows]

    def each_once() -> bool:
        counts: Counter[str] = Counter()
        for position in env.positions():
            counts.update(actions.position_iuds(position))
        doubled = [i for i in wanted if counts[i] > 1]
        assert not doubled, f"rows with more than one debt position: {doubled[:5]}"
        return all(counts[i] == 1 for i in wanted)  # a creation retried may still be due

    eventually(each_once, "one debt position per row", timeout=WAIT)
