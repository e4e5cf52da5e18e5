"""Import jobs: Windows-1252 and tab-separated files, errors.csv round trip, waiting, listing,
and a job stored before a restart finished by the next runtime without duplicates."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid

import httpx
from starlette.applications import Starlette

from adapters.api.app import create_app
from adapters.api.settings import ApiSettings
from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.import_runner import ImportRunner
from adapters.core.intermediary import DebtPosition, DebtPositionRequest
from adapters.core.service import PaymentService
from adapters.core.store import Store
from tests.api.conftest import (
    AUTH,
    PAYER_CF,
    PUBLIC_URL,
    SERVICE_ID,
    TENANT_ID,
    TOKEN,
    service_body,
    tenant_body,
)
from tests.api.test_imports import (  # noqa: F401  (fixtures: the app with its runtime)
    HEADER,
    IDS,
    _upload,
    app,
    client,
    report_of,
)

ACCENTED = [("Niccolò", "Carità"), ("Agnès", "Pellé"), ("Zoë", "D’Àngelo")]


def accented_rows(delimiter: str = ";") -> str:
    lines = [HEADER.replace(",", delimiter)]
    for n, (name, family) in enumerate(ACCENTED):
        cells = ["", f"1{n},50", f"TARI 2025 – rata {n}", "31/12/2099", "human", PAYER_CF,
                 name, family, "", ""]  # fmt: skip
        lines.append(delimiter.join(cells))
    return "\r\n".join(lines) + "\r\n"


async def test_a_windows_1252_file_keeps_its_accents(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    data = accented_rows().encode("cp1252")  # what Excel on Windows saves
    data.decode("cp1252")
    assert b"\x96" in data and b"\x92" in data  # the en dash and the curly apostrophe
    report = await report_of(configured, data)
    assert report["encoding"] == "Windows-1252", report
    assert (report["created"], report["failed"]) == (3, 0), report["errors"]
    payers = set()
    for row in report["rows"]:
        stored = service.store.get_payment(uuid.UUID(row["payment_id"]))
        assert stored is not None
        payers.add((stored.event.payer.name, stored.event.payer.family_name))
        assert stored.event.reason.startswith("TARI 2025 – rata ")
    assert payers == set(ACCENTED)


async def test_a_tab_separated_file_is_read(configured: httpx.AsyncClient) -> None:
    report = await report_of(configured, accented_rows("\t").encode())
    assert (report["delimiter"], report["encoding"]) == ("\t", "UTF-8")
    assert (report["created"], report["failed"]) == (3, 0), report["errors"]


async def test_errors_csv_round_trip_in_the_files_own_encoding(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    text = "\r\n".join(
        [
            HEADER.replace(",", ";"),
            f";20,00;Canone è giusto;2099-12-31;human;{PAYER_CF};Mario;Rossi;;",
            f";venti;Canone però sbagliato;2099-12-31;human;{PAYER_CF};Niccolò;Rossi;;",
            ";30,00;Canone CF sbagliato;2099-12-31;human;RSSMRA80A01H501X;Mario;Rossi;;",
        ]
    )
    first = await report_of(configured, text.encode("cp1252"))
    assert (first["created"], first["failed"]) == (1, 2)
    answer = await configured.get(f"/imports/{first['id']}/errors.csv", headers=AUTH)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=windows-1252"
    assert 'filename="dovuti-errors.csv"' in answer.headers["content-disposition"]
    errors_file = answer.content.decode("cp1252")  # same encoding as sent
    rows = list(csv.reader(io.StringIO(errors_file), delimiter=";"))
    assert rows[0] == ["line", "error_reason", *HEADER.split(",")]
    assert [r[0] for r in rows[1:]] == ["3", "4"]
    assert "venti" in rows[1][1] and rows[1][2:] == text.split("\r\n")[2].split(";")
    assert rows[2][7] == "RSSMRA80A01H501X"

    # The office fixes one row only and imports the errors file as it is.
    rows[1][3] = "20,00"
    fixed = io.StringIO()
    csv.writer(fixed, delimiter=";", lineterminator="\r\n").writerows(rows)
    second = await report_of(configured, fixed.getvalue().encode("cp1252"))
    assert (second["created"], second["failed"], second["ignored_columns"]) == (1, 1, [])
    created = service.store.get_payment(uuid.UUID(second["rows"][0]["payment_id"]))
    assert created is not None and created.event.payer.name == "Niccolò"
    assert second["errors"][0]["line"] == 3  # its line in the errors file
    again = await configured.get(f"/imports/{second['id']}/errors.csv", headers=AUTH)
    again_rows = list(csv.reader(io.StringIO(again.content.decode("cp1252")), delimiter=";"))
    assert again_rows[0] == rows[0]  # same shape: the old line/error_reason replaced
    assert again_rows[1][0] == "3" and again_rows[1][2:] == rows[2][2:]
    assert service.store.count_payments() == 2


class SlowIntermediary(FakeIntermediary):
    """Creations take a while: a job of a few rows outlasts a short wait."""

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        await asyncio.sleep(0.2)
        return await super().create_debt_position(request)


async def test_wait_semantics(configured: httpx.AsyncClient, service: PaymentService) -> None:
    service.intermediary = SlowIntermediary()
    rows = [f",{n},Canone {n},2099-12-31,human,{PAYER_CF},Mario,Rossi,," for n in range(1, 11)]
    body = "\n".join([HEADER, *rows]).encode()
    started = asyncio.get_running_loop().time()
    answer = await _upload(configured, body, wait=0.3)
    waited = asyncio.get_running_loop().time() - started
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert answer.headers["location"] == f"/imports/{job['id']}"
    assert answer.headers["retry-after"] == "1"
    assert job["state"] in ("queued", "running") and job["total"] == 10
    assert 0.3 <= waited < 3
    no_wait = await configured.post(
        "/imports", files={"file": ("b.csv", body, "text/csv")}, data=IDS, headers=AUTH
    )
    assert no_wait.status_code == 202 and no_wait.json()["read"] == 0
    done = await configured.get(answer.headers["location"], params={"wait": 30}, headers=AUTH)
    assert done.status_code == 200
    job = done.json()
    assert (job["state"], job["read"], job["created"]) == ("done", 10, 10)
    assert job["started_at"] <= job["finished_at"]
    bad = await configured.get(answer.headers["location"], params={"wait": 9999}, headers=AUTH)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "wait"
    missing = await configured.get(f"/imports/{uuid.uuid4()}", headers=AUTH)
    assert missing.status_code == 404


async def test_listing_by_tenant_service_and_state(configured: httpx.AsyncClient) -> None:
    first = await report_of(configured, accented_rows().encode())
    second = await report_of(configured, accented_rows().encode())

    async def listed(**params: str) -> list[str]:
        answer = await configured.get("/imports", params=params, headers=AUTH)
        assert answer.status_code == 200, answer.text
        return [j["id"] for j in answer.json()["imports"]]

    assert await listed() == [second["id"], first["id"]]  # newest first
    assert await listed(tenant_id=str(TENANT_ID), service_id=str(SERVICE_ID), state="done") == [
        second["id"],
        first["id"],
    ]
    assert await listed(limit="1") == [second["id"]]
    assert await listed(service_id=str(uuid.uuid4())) == []
    assert await listed(state="failed") == []
    bad = await configured.get("/imports", params={"state": "finito"}, headers=AUTH)
    assert bad.status_code == 422
    assert (await configured.get("/imports")).status_code == 401


async def quiet_proxy_with_job(
    store: Store, fake: FakeIntermediary, bus: MemoryBus, csv_text: str
) -> tuple[Starlette, uuid.UUID]:
    """A proxy whose runtime does not run (the test drives its importer), with the test
    tenant and service saved, and the job made by uploading ``csv_text``."""
    settings = ApiSettings(api_token=TOKEN, public_url=PUBLIC_URL)
    proxy = create_app(settings, intermediary=fake, store=store, bus=bus, run_background=False)
    transport = httpx.ASGITransport(app=proxy)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        for kind, doc in (("tenants", tenant_body()), ("services", service_body())):
            assert (await http.post(f"/{kind}", json=doc, headers=AUTH)).status_code == 201
        answer = await http.post(
            "/imports",
            files={"file": ("x.csv", csv_text.encode(), "text/csv")},
            data=IDS,
            headers=AUTH,
        )
    assert answer.status_code == 202, answer.text
    return proxy, uuid.UUID(answer.json()["id"])


async def test_a_job_stored_before_a_restart_is_finished_by_the_next_runtime(
    store: Store, fake: FakeIntermediary, bus: MemoryBus
) -> None:
    """The part of a job done before the proxy stopped is not done again."""
    rows = [f",{n},Canone {n},2099-12-31,human,{PAYER_CF},Mario,Rossi,," for n in range(1, 41)]
    before, job_id = await quiet_proxy_with_job(store, fake, bus, "\n".join([HEADER, *rows]))
    # One row per batch, as far as row 15: then that "process" is gone.
    partial = ImportRunner(before.state.service, batch_seconds=0.0, concurrency=1)
    for _ in range(15):
        await partial.run_batch()
    half = store.get_import(job_id)
    assert half is not None and (half.state, half.read) == ("running", 15)
    assert fake.count("create_debt_position") == 15

    settings = ApiSettings(api_token=TOKEN, public_url=PUBLIC_URL)
    after = create_app(settings, intermediary=fake, store=store, bus=bus)
    async with after.router.lifespan_context(after):
        transport = httpx.ASGITransport(app=after)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            done = await http.get(f"/imports/{job_id}", params={"wait": 30}, headers=AUTH)
    job = done.json()
    assert (job["state"], job["read"], job["created"], job["unchanged"]) == ("done", 40, 40, 0)
    assert fake.count("create_debt_position") == 40  # the first 15 were not sent again
    assert len(fake.positions) == 40 and store.count_payments() == 40


async def test_the_operators_view_of_an_imported_payment_names_its_job_and_line(
    configured: httpx.AsyncClient,
) -> None:
    report = await report_of(configured, accented_rows().encode())
    row = report["rows"][1]
    detail = (await configured.get(f"/payments/{row['payment_id']}", headers=AUTH)).json()
    assert detail["import"] == {
        "id": report["id"],
        "line": row["line"],
        "url": f"/imports/{report['id']}",
    }
    assert detail["processing"]["origin"] == "imported"
    docs = (await configured.get("/docs")).json()
    assert {"/imports", "/imports/{import_id}", "/imports/{import_id}/errors.csv"} <= set(
        docs["paths"]
    )
    assert "import" in docs["components"]["schemas"]["PaymentDetail"]["properties"]


async def test_a_finished_job_drops_its_file_and_the_pruner_drops_old_jobs(
    configured: httpx.AsyncClient, store: Store
) -> None:
    from datetime import UTC, datetime, timedelta

    report = await report_of(configured, accented_rows().encode())
    job_id = uuid.UUID(report["id"])
    assert store.import_file(job_id) == b""  # errors.csv and the rows come from the ledger
    assert len(store.import_rows(job_id)) == 3
    assert store.prune(datetime.now(UTC) - timedelta(days=1))["imports"] == 0
    later = datetime.now(UTC) + timedelta(seconds=1)
    deleted = store.prune(later)
    assert (deleted["import_rows"], deleted["imports"]) == (3, 1)
    assert store.get_import(job_id) is None and store.count_payments() == 3


async def test_a_job_whose_service_is_deactivated_stops_failed_saying_why(
    store: Store, fake: FakeIntermediary, bus: MemoryBus
) -> None:
    settings = ApiSettings(api_token=TOKEN, public_url=PUBLIC_URL)
    quiet = create_app(settings, intermediary=fake, store=store, bus=bus, run_background=False)
    transport = httpx.ASGITransport(app=quiet)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        for kind, doc in (("tenants", tenant_body()), ("services", service_body())):
            assert (await http.post(f"/{kind}", json=doc, headers=AUTH)).status_code == 201
        answer = await http.post(
            "/imports",
            files={"file": ("x.csv", accented_rows().encode(), "text/csv")},
            data=IDS,
            headers=AUTH,
        )
        assert answer.status_code == 202
        assert (await http.delete(f"/services/{SERVICE_ID}", headers=AUTH)).status_code == 204
        runner = ImportRunner(quiet.state.service)
        while await runner.run_batch():
            pass
        job = (await http.get(answer.headers["location"], headers=AUTH)).json()
    assert (job["state"], job["read"]) == ("failed", 0), job
    assert job["problem"].startswith("interrotta alla riga 2: nessuna configurazione attiva"), job
    assert "caricare di nuovo il file quando il servizio è attivo" in job["problem"]
    assert job["finished_at"] is not None and store.count_payments() == 0


async def test_the_importer_wakes_a_client_waiting_for_its_job_when_a_batch_ends(
    store: Store, fake: FakeIntermediary, bus: MemoryBus
) -> None:
    """``Prefer: wait`` looks again when the batch that finished the job ends, not at its
    next poll (up to 0.5 s later)."""
    rows = [f",{n},Canone {n},2099-12-31,human,{PAYER_CF},Mario,Rossi,," for n in range(1, 4)]
    proxy, job_id = await quiet_proxy_with_job(store, fake, bus, "\n".join([HEADER, *rows]))
    runner = ImportRunner(proxy.state.service)
    waiting = asyncio.create_task(runner.batch_end(3600))  # an hour: only the batch ends it
    await asyncio.sleep(0)
    assert not waiting.done()
    assert await runner.run_batch() == 3
    await asyncio.wait_for(waiting, 10)
    job = store.get_import(job_id)
    assert job is not None and job.state == "done"
