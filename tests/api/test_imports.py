"""CSV import: mixed files, idempotency, BOM + ';' + decimal comma, upload forms.

The proxy's importer loop runs here (the app's lifespan is entered), and each upload
asks to wait for its job (``?wait=``), so a small file answers 201 with the finished
job, as a synchronous import would; the rows come from ``GET /imports/{id}/rows``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adapters.api.app import create_app
from adapters.api.settings import ApiSettings
from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.models import PaymentStatus
from adapters.core.service import PaymentService
from adapters.core.store import Store
from adapters.pagopa import generate_notice
from tests.api.conftest import AUTH, PAYER_CF, PUBLIC_URL, SERVICE_ID, TENANT_ID, TOKEN

IDS = {"tenant_id": str(TENANT_ID), "service_id": str(SERVICE_ID)}
HEADER = (
    "notice_number,amount,reason,expire_at,payer_type,payer_tax_identification_number,"
    "payer_name,payer_family_name,payer_email,remote_id"
)
NOTICE = generate_notice(3, 1234567890123, segregation_code="01").notice_number
BAD_CHECK = NOTICE[:-2] + f"{(int(NOTICE[-2:]) + 1) % 93:02d}"


def mixed_csv() -> str:
    return "\n".join(
        [
            HEADER,
            f"{NOTICE},20.00,Canone CUP 2025,2099-12-31,human,{PAYER_CF},Mario,Rossi,m@ex.it,",
            f",35.50,TARI 2025,31/12/2099,human,{PAYER_CF},Mario,Rossi,,",
            f"{BAD_CHECK},10.00,Canone,2099-12-31,human,{PAYER_CF},Mario,Rossi,,",
            f",dieci,Canone,2099-12-31,human,{PAYER_CF},Mario,Rossi,,",
            f',"1,234.56",Multa,2099-06-30T12:00:00+02:00,,{PAYER_CF},Mario,Rossi,,',
        ]
    )


@pytest.fixture
def app(fake: FakeIntermediary, store: Store, bus: MemoryBus) -> Starlette:
    """The proxy with its runtime (the importer loop among them)."""
    return create_app(
        ApiSettings(api_token=TOKEN, public_url=PUBLIC_URL), intermediary=fake, store=store, bus=bus
    )


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            yield http


async def _upload(
    client: httpx.AsyncClient, text: str | bytes, wait: float = 20, name: str = "dovuti.csv"
) -> httpx.Response:
    data = text.encode() if isinstance(text, str) else text
    return await client.post(
        "/imports",
        params={"wait": str(wait)},
        files={"file": (name, data, "text/csv")},
        data=IDS,
        headers=AUTH,
    )


async def report_of(client: httpx.AsyncClient, text: str | bytes) -> dict[str, Any]:
    """The finished job, with its rows as the synchronous import used to list them."""
    response = await _upload(client, text)
    assert response.status_code == 201, response.text
    job: dict[str, Any] = response.json()
    rows = (await client.get(job["links"]["rows"], headers=AUTH)).json()["rows"]
    job["rows"] = [r for r in rows if r["outcome"] != "error"]
    return job


async def test_mixed_file_reports_bad_rows_and_stores_the_good_ones(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    report = await report_of(configured, mixed_csv())
    assert (report["total"], report["registered"], report["created"]) == (5, 1, 2)
    assert (report["state"], report["read"], report["encoding"]) == ("done", 5, "UTF-8")
    assert report["failed"] == 2
    errors = {e["line"]: e for e in report["errors"]}
    assert set(errors) == {4, 5}
    assert errors[4]["field"] == "notice_number" and "cifre di controllo" in errors[4]["reason"]
    assert errors[5]["field"] == "amount" and "dieci" in errors[5]["reason"]

    registered = service.store.find_by_notice(TENANT_ID, NOTICE)
    assert registered is not None and registered.status is PaymentStatus.PAYMENT_PENDING
    assert registered.origin == "imported"
    created = [r for r in report["rows"] if r["outcome"] == "created"]
    assert {r["line"] for r in created} == {3, 6}
    for row in created:
        stored = service.store.get_payment(row["payment_id"])
        assert stored is not None and stored.status is PaymentStatus.PAYMENT_PENDING
        assert row["notice_number"] and len(row["notice_number"]) == 18
    amounts = {service.store.get_payment(r["payment_id"]).event.payment.amount for r in created}  # type: ignore[union-attr]
    assert {str(a) for a in amounts} == {"35.50", "1234.56"}


async def test_importing_the_same_file_twice_creates_nothing_new(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    first = await report_of(configured, mixed_csv())
    count = service.store.count_payments()

    def events() -> int:
        return sum(len(service.store.published_events(r["payment_id"])) for r in first["rows"])

    published = events()
    second = await report_of(configured, mixed_csv())
    assert (second["created"], second["registered"], second["unchanged"]) == (0, 0, 3)
    assert service.store.count_payments() == count == 3
    assert events() == published == 3
    first_ids = sorted(r["payment_id"] for r in first["rows"])
    assert sorted(r["payment_id"] for r in second["rows"]) == first_ids


async def test_bom_semicolons_and_decimal_comma_as_text_csv_body(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    text = "\n".join(
        [
            HEADER.replace(",", ";"),
            f"{NOTICE};20,00;Canone CUP 2025;31/12/2099;human;{PAYER_CF};Mario;Rossi;;",
            ";1.234,56;Sanzione, con virgola;2099-12-31;legal;80000000002;ACME srl;;;",
        ]
    )
    response = await configured.post(
        "/imports",
        content=b"\xef\xbb\xbf" + text.encode(),
        params=IDS,
        headers={**AUTH, "content-type": "text/csv; charset=utf-8", "prefer": "wait=20"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["preference-applied"] == "wait=20"
    report = response.json()
    assert (report["delimiter"], report["encoding"]) == (";", "UTF-8 with BOM")
    assert report["errors"] == []
    assert (report["registered"], report["created"]) == (1, 1)
    rows = (await configured.get(report["links"]["rows"], headers=AUTH)).json()["rows"]
    created = next(r for r in rows if r["outcome"] == "created")
    stored = service.store.get_payment(created["payment_id"])
    assert stored is not None
    assert str(stored.event.payment.amount) == "1234.56"
    assert stored.event.reason == "Sanzione, con virgola"
    assert stored.event.payer.type == "legal"
    registered = service.store.find_by_notice(TENANT_ID, NOTICE)
    assert registered is not None and str(registered.event.payment.amount) == "20.00"


async def test_unreadable_files_and_bad_targets_are_422(configured: httpx.AsyncClient) -> None:
    no_header = await _upload(configured, "amount,reason\n20,x\n")
    assert no_header.status_code == 422
    assert "payer_tax_identification_number" in no_header.json()["detail"]
    # 0x81 is undefined in Windows-1252: neither reading is possible, both are named.
    other = await _upload(configured, (HEADER + "\n,20,Caffè,,,,,,,").encode("latin-1") + b"\x81")
    assert other.status_code == 422, other.text
    detail = other.json()["detail"]
    assert "non è UTF-8 (byte 0xe8 alla riga 2)" in detail, detail
    assert "né Windows-1252 (il byte 0x81 alla riga 2" in detail, detail
    utf16 = await _upload(configured, HEADER.encode("utf-16-le"))
    assert utf16.status_code == 422
    assert "carattere di controllo 0x00 alla riga 1" in utf16.json()["detail"]
    assert (await configured.get("/imports", headers=AUTH)).json()["imports"] == []
    no_ids = await configured.post(
        "/imports", files={"file": ("x.csv", b"a", "text/csv")}, headers=AUTH
    )
    assert {e["field"] for e in no_ids.json()["errors"]} == {"tenant_id", "service_id"}
    await configured.delete(f"/services/{SERVICE_ID}", headers=AUTH)
    inactive = await _upload(configured, mixed_csv())
    assert inactive.status_code == 422 and inactive.json()["errors"][0]["field"] == "service_id"
    wrong_type = await configured.post("/imports", json={"rows": []}, params=IDS, headers=AUTH)
    assert wrong_type.status_code == 415


async def test_ragged_rows_are_reported_with_their_physical_line(
    configured: httpx.AsyncClient,
) -> None:
    text = "\n".join(
        [
            HEADER,
            f',20.00,"Causale su\ndue righe",2099-12-31,human,{PAYER_CF},Mario,Rossi,,',
            f",20.00,Troppe,celle,2099-12-31,human,{PAYER_CF},Mario,Rossi,,",
            "",
            f",20.00,Scaduto,2001-01-01,human,{PAYER_CF},Mario,Rossi,,",
            f",20.00,Email,2099-01-01,human,{PAYER_CF},Mario,Rossi,non-una-mail,",
            ",20.00,CF,2099-01-01,human,RSSMRA80A01H501X,Mario,Rossi,,",
        ]
    )
    report = await report_of(configured, text)
    assert report["created"] == 1
    assert {e["line"]: e["field"] for e in report["errors"]} == {
        4: None,
        6: "expire_at",
        7: "payer_email",
        8: "payer_tax_identification_number",
    }


async def test_created_at_column_dates_the_imported_payment(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    text = "\n".join(
        [
            f"{HEADER},created_at",
            f",12.00,Canone CUP 2024,2099-12-31,human,{PAYER_CF},Mario,Rossi,,,"
            "2024-03-01T09:30:00+01:00",
        ]
    )
    report = await report_of(configured, text)
    assert report["created"] == 1, report
    stored = service.store.get_payment(report["rows"][0]["payment_id"])
    assert stored is not None
    assert stored.event.created_at.isoformat() == "2024-03-01T09:30:00+01:00"
    assert stored.event.updated_at > stored.event.created_at
