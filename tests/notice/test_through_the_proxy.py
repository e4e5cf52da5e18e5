"""The notice a citizen downloads from the proxy (GPD), printed from the tenant's
configuration: the profile set through the configuration API reaches the paper."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from collaudo.stack import DEMO_TENANT_ID, StackOptions, running_stack
from tests.journey import Journey
from tests.notice.reading import flat, pages, pages_text, read_datamatrix, read_qr
from tests.notice_samples import LOGO_DATA_URL


def test_the_gpd_proxy_prints_the_configured_notice(tmp_path: Path) -> None:
    options = StackOptions(intermediary="gpd", data_dir=tmp_path)
    with running_stack(options) as stack:
        auth = {"Authorization": f"Bearer {stack.api_token}"}
        patch = {
            "office": "Ufficio Entrate",
            "cbill_code": "BGL01",
            "postal_account": "87654321",
            "logo": LOGO_DATA_URL,
        }
        answer = httpx.patch(
            f"{stack.urls['proxy']}/tenants/{DEMO_TENANT_ID}", json=patch, headers=auth
        )
        assert answer.status_code == 200, answer.text

        async def download() -> tuple[bytes, dict[str, object]]:
            async with httpx.AsyncClient(timeout=30) as http:
                journey = Journey(stack, http)
                await journey.create_application()
                event = await journey.wait_status("PAYMENT_PENDING")
                response = await http.get(event["links"]["offline_payment"]["url"])
                assert response.status_code == 200, response.text[:300]
                return response.content, event

        pdf, event = asyncio.run(download())
    payment = event["payment"]
    assert isinstance(payment, dict)
    notice = payment["notice_code"]
    [page] = pages(pdf)
    assert read_qr(page) == f"PAGOPA|002|{notice}|80000000002|2000"
    matrix = read_datamatrix(page)
    assert matrix[15:33] == notice and matrix[35:47] == "000087654321"
    assert matrix[49:59] == "0000002000" and matrix[77:93] == "RSSMRA80A01H501U"
    text = flat(pages_text(pdf)[0])
    for shown in ("Ufficio Entrate", "Codice CBILL BGL01", "sul C/C n. 87654321", "Mario Rossi"):
        assert shown in text, shown
    assert b"/Subtype /Image" in pdf  # the logo
