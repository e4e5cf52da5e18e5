"""The tenant fields the paper notice shows: in the form, validated, the logo by URL fetched
once at configuration time (never while printing)."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from adapters.core.config import creditor_profile
from adapters.core.logo import LOGO_MAX_BYTES
from tests.api.conftest import AUTH, TENANT_ID, tenant_body
from tests.notice_samples import demo_logo

LOGO = demo_logo()
LOGO_DATA_URL = "data:image/png;base64," + base64.b64encode(LOGO).decode()
NOTICE_FIELDS = {
    "office": "Ufficio Tributi",
    "contact_info": "tel. 050 000000",
    "website": "www.comune.bugliano.pi.it",
    "cbill_code": "a1b2c",
    "postal_account": "1234 5678",
    "postal_account_holder": "Comune di Bugliano - Tesoreria",
    "postal_authorization": "AUT/2026/1",
}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), "navy").save(out, format="JPEG")
    return out.getvalue()


async def test_the_form_has_the_notice_fields(client: httpx.AsyncClient) -> None:
    form = (await client.get("/tenants/schema")).json()
    components = {c["key"]: c for c in form["components"]}
    assert {*NOTICE_FIELDS, "logo", "logo_url"} <= set(components)
    logo = components["logo"]
    assert logo["type"] == "file" and logo["storage"] == "base64"
    assert logo["filePattern"] == "image/png,image/jpeg"
    assert components["cbill_code"]["validate"]["pattern"] == "^[A-Z0-9]{5}$"
    assert all(not components[k]["validate"]["required"] for k in NOTICE_FIELDS)


async def test_notice_fields_are_stored_normalised_and_reach_the_driver(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    body = tenant_body(**NOTICE_FIELDS, logo=LOGO_DATA_URL)
    response = await client.post("/tenants", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["cbill_code"] == "A1B2C" and stored["postal_account"] == "12345678"
    [logo] = stored["logo"]
    assert logo["type"] == "image/png" and logo["size"] == len(LOGO)
    assert logo["url"] == LOGO_DATA_URL
    profile = creditor_profile(app.state.store.get_tenant(TENANT_ID))
    assert profile.logo == LOGO and profile.cbill_code == "A1B2C"
    assert profile.postal_account == "12345678" and profile.office == "Ufficio Tributi"


async def test_the_form_io_file_value_is_accepted_and_empty_fields_are_no_fields(
    client: httpx.AsyncClient,
) -> None:
    upload = [
        {
            "storage": "base64",
            "name": "crest.png",
            "originalName": "crest.png",
            "url": LOGO_DATA_URL,
            "size": len(LOGO),
            "type": "image/png",
        }
    ]
    body = tenant_body(logo=upload, cbill_code="", postal_account="", logo_url="")
    response = await client.post("/tenants", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["logo"][0]["originalName"] == "crest.png"
    # Empty optional fields are no fields: absent from the answer, as the OpenAPI says.
    assert "cbill_code" not in stored and "postal_account" not in stored
    # An empty file field (what form.io submits when nothing is uploaded) removes the logo.
    response = await client.patch(f"/tenants/{TENANT_ID}", json={"logo": []}, headers=AUTH)
    assert response.status_code == 200 and response.json().get("logo") is None


async def test_bad_notice_fields_get_clear_errors_all_at_once(client: httpx.AsyncClient) -> None:
    body = tenant_body(
        cbill_code="AB",
        postal_account="12-34",
        postal_authorization="AUT/1",
        logo="data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        logo_url="ftp://example.org/logo.png",
        website="www.comune bugliano.it",
    )
    response = await client.post("/tenants", json=body, headers=AUTH)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "5 lettere o cifre" in errors["cbill_code"]
    assert "solo cifre" in errors["postal_account"]
    assert "PNG o JPEG" in errors["logo"]
    assert "http(s)" in errors["logo_url"]
    assert "non contiene spazi" in errors["website"]
    assert set(errors) == {"cbill_code", "postal_account", "logo", "logo_url", "website"}
    alone = tenant_body(postal_account_holder="Tesoreria")
    response = await client.post("/tenants", json=alone, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "postal_account_holder",
            "message": "indicare anche postal_account, oppure lasciare vuoto questo campo",
        }
    ]


class Served:
    """Counts the requests of a mock logo host."""

    def __init__(self, body: bytes, content_type: str = "image/png", status: int = 200):
        self.body, self.content_type, self.status = body, content_type, status
        self.calls = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(
            self.status, content=self.body, headers={"content-type": self.content_type}
        )


@pytest.fixture
def served(app: Starlette) -> Served:
    served = Served(LOGO)
    app.state.logo_transport = httpx.MockTransport(served.handler)
    return served


async def test_a_logo_url_is_fetched_once_when_configured(
    client: httpx.AsyncClient, served: Served
) -> None:
    url = "https://www.comune.bugliano.pi.it/logo.png"
    response = await client.post("/tenants", json=tenant_body(logo_url=url), headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["logo"][0]["url"] == LOGO_DATA_URL and served.calls == 1
    # Changing another field does not fetch again; the stored logo stays.
    response = await client.patch(f"/tenants/{TENANT_ID}", json={"office": "X"}, headers=AUTH)
    assert response.status_code == 200 and served.calls == 1
    assert response.json()["logo"][0]["url"] == LOGO_DATA_URL
    # A form.io edit resubmits both fields unchanged: still no fetch, no conflict.
    whole = response.json()
    response = await client.put(f"/tenants/{TENANT_ID}", json=whole, headers=AUTH)
    assert response.status_code == 200 and served.calls == 1
    # A new URL is fetched.
    served.body, served.content_type = jpeg(), "image/jpeg"
    response = await client.patch(
        f"/tenants/{TENANT_ID}", json={"logo_url": url + "?v=2"}, headers=AUTH
    )
    assert response.status_code == 200 and served.calls == 2
    assert response.json()["logo"][0]["type"] == "image/jpeg"
    # Uploading a logo replaces the fetched one and forgets its URL.
    response = await client.patch(
        f"/tenants/{TENANT_ID}", json={"logo": LOGO_DATA_URL}, headers=AUTH
    )
    assert response.status_code == 200 and "logo_url" not in response.json()
    assert response.json()["logo"][0]["url"] == LOGO_DATA_URL and served.calls == 2


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (LOGO, "image/png", 404, "HTTP 404"),
        (b"<html>", "text/html", 200, "text/html: il logo deve essere PNG o JPEG"),
        (b"not a png", "image/png", 200, "PNG o JPEG"),
        (jpeg(), "image/png", 200, "dichiara image/png ma il contenuto è image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * LOGO_MAX_BYTES, "image/png", 200, "512 KiB"),
    ],
)
async def test_a_bad_logo_url_is_a_field_error(
    client: httpx.AsyncClient,
    served: Served,
    body: bytes,
    content_type: str,
    status: int,
    message: str,
) -> None:
    served.body, served.content_type, served.status = body, content_type, status
    response = await client.post(
        "/tenants", json=tenant_body(logo_url="https://ente.example/logo"), headers=AUTH
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "logo_url" and message in error["message"]


async def test_a_logo_url_and_a_different_upload_together_are_refused(
    client: httpx.AsyncClient, served: Served
) -> None:
    body = tenant_body(logo_url="https://ente.example/logo.png", logo=LOGO_DATA_URL)
    response = await client.post("/tenants", json=body, headers=AUTH)
    assert response.status_code == 422 and served.calls == 0
    assert "non entrambi" in response.json()["errors"][0]["message"]


@pytest.fixture
def logo_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(LOGO)))
            self.end_headers()
            self.wfile.write(LOGO)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/logo.png"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_logo_url_over_a_real_socket(client: httpx.AsyncClient, logo_server: str) -> None:
    response = await client.post("/tenants", json=tenant_body(logo_url=logo_server), headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["logo"][0]["size"] == len(LOGO)


async def test_an_unreachable_logo_url_says_what_to_do(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/tenants", json=tenant_body(logo_url="http://127.0.0.1:9/logo.png"), headers=AUTH
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "logo_url" and "caricare direttamente l'immagine" in error["message"]


async def test_the_openapi_documents_the_notice_fields(client: httpx.AsyncClient) -> None:
    import jsonschema

    doc = (await client.get("/docs")).json()
    components = {"components": doc["components"]}
    body = tenant_body(**NOTICE_FIELDS, logo=LOGO_DATA_URL, logo_url=None)
    jsonschema.validate(body, {**doc["components"]["schemas"]["TenantInput"], **components})
    stored = {**doc["components"]["schemas"]["Tenant"], **components}
    response = await client.post("/tenants", json=body, headers=AUTH)
    jsonschema.validate(response.json(), stored)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            tenant_body(logo_url="ftp://x"), {**doc["components"]["schemas"]["TenantInput"]}
        )


@pytest.mark.parametrize(
    "url", ["https://*\ud8c9\uddde", "https://ente.example/\x1blogo.png", "https:///logo.png"]
)
async def test_a_malformed_logo_url_is_a_field_error_never_a_crash(
    client: httpx.AsyncClient, url: str
) -> None:
    # Found by collaudo fuzz --target proxy: httpx.InvalidURL escaped as a 500.
    body = json.dumps(tenant_body(logo_url=url)).encode()  # \u escapes, as the fuzzer sent
    headers = {**AUTH, "content-type": "application/json"}
    response = await client.post("/tenants", content=body, headers=headers)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "logo_url" and "indirizzo http(s)" in error["message"]
