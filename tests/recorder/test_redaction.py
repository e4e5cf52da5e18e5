"""Nothing secret reaches a recording: through the real proxy, on traffic full of secrets."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.pagopa.fiscal_code import is_valid_personal_fiscal_code
from adapters.pagopa.iban import is_valid_iban
from collaudo.recorder.addon import RecordingAddon
from collaudo.recorder.flows import read_flows
from collaudo.recorder.messages import parse_body
from collaudo.recorder.proxy import ReverseProxy
from collaudo.recorder.redaction import Redactor
from collaudo.recorder.xmltools import decode_base64
from simulators.common.server import free_port, serving

CF = "RSSMRA80A01H501U"
CF2 = "VRDLGU75C45F205X"
EMAIL = "mario.rossi@example.org"
IBAN = "IT60X0542811101000000123456"
PASSWORD = "s3cr3t-Pa55"
KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYXJpbyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
NAME = "ROSSI MARIO"
ADDRESS = "Via Garibaldi 7"
PHONE = "3331234567"
ALL = (CF, CF2, EMAIL, IBAN, PASSWORD, KEY, TOKEN, NAME, ADDRESS, PHONE, "Garibaldi")
PAY_I = "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _dovuto() -> bytes:
    root = etree.Element(f"{{{PAY_I}}}Versamento", nsmap={"pay_i": PAY_I})
    sogg = etree.SubElement(root, f"{{{PAY_I}}}soggettoPagatore")
    ident = etree.SubElement(sogg, f"{{{PAY_I}}}identificativoUnivocoPagatore")
    etree.SubElement(ident, f"{{{PAY_I}}}codiceIdentificativoUnivoco").text = CF
    etree.SubElement(sogg, f"{{{PAY_I}}}anagraficaPagatore").text = NAME
    etree.SubElement(sogg, f"{{{PAY_I}}}indirizzoPagatore").text = ADDRESS
    etree.SubElement(sogg, f"{{{PAY_I}}}e-mailPagatore").text = EMAIL
    dati = etree.SubElement(root, f"{{{PAY_I}}}datiVersamento")
    etree.SubElement(dati, f"{{{PAY_I}}}identificativoUnivocoDovuto").text = "IUD-0001"
    etree.SubElement(dati, f"{{{PAY_I}}}causaleVersamento").text = f"pratica di {CF2} {EMAIL}"
    etree.SubElement(dati, f"{{{PAY_I}}}ibanAccredito").text = IBAN
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def _soap() -> bytes:
    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
    body = etree.SubElement(env, f"{{{SOAP}}}Body")
    op = etree.SubElement(body, "{http://www.regione.veneto.it/pagamenti/ente/}paaSILImportaDovuto")
    etree.SubElement(op, "codIpaEnte").text = "c_bugliano"
    etree.SubElement(op, "password").text = PASSWORD
    etree.SubElement(op, "dovuto").text = base64.b64encode(_dovuto()).decode()
    etree.SubElement(op, "codiceFiscale").text = CF
    data: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return data


async def echo(request: Request) -> Response:
    """The upstream answers with what it got, plus personal data of its own."""
    body = await request.body()
    if body.startswith(b"<"):
        return Response(body, media_type="text/xml", headers={"set-cookie": f"sid={TOKEN}"})
    answer = {
        "received": json.loads(body or b"{}"),
        "debtor": {"fiscalCode": CF2, "fullName": NAME, "email": EMAIL, "phone": PHONE},
        "iban": IBAN,
        "note": f"token {TOKEN}",
    }
    return Response(json.dumps(answer), media_type="application/json")


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[bytes]]]:
    out = tmp_path_factory.mktemp("rec") / "secrets.flow"
    app = Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST"])])
    live: list[bytes] = []
    with serving(app) as upstream:
        proxy = ReverseProxy([(upstream.url, free_port())], [RecordingAddon(out)]).start()
        try:
            with httpx.Client(base_url=proxy.url, timeout=10) as client:
                soap = client.post(
                    "/ws/pa",
                    content=_soap(),
                    headers={"content-type": "text/xml", "authorization": f"Basic {KEY}"},
                )
                live.append(soap.content)
                rest = client.post(
                    f"/gpd/organizations/80000000002/debtpositions?token={TOKEN}&email={EMAIL}",
                    json={"fiscalCode": CF, "fullName": NAME, "email": EMAIL, "iban": IBAN},
                    headers={"Ocp-Apim-Subscription-Key": KEY, "Cookie": f"session={TOKEN}"},
                )
                live.append(rest.content)
        finally:
            proxy.stop()
    yield out, live


def _all_text(data: bytes) -> str:
    """The file's bytes, plus every base64 chunk in it decoded (documents hide there)."""
    text = data.decode("latin-1")
    decoded = []
    for chunk in re.findall(r"[A-Za-z0-9+/=]{40,}", text):
        raw = decode_base64(chunk)
        if raw:
            decoded.append(raw.decode("latin-1"))
    return "\n".join([text, *decoded])


def test_nothing_secret_in_the_file(recording: tuple[Path, list[bytes]]) -> None:
    path, _ = recording
    text = _all_text(path.read_bytes())
    assert len(read_flows(path)) == 2
    leaked = [value for value in ALL if value in text]
    assert not leaked, f"secrets in the recording: {leaked}"
    assert "REDACTED" in text  # credentials were there, and were replaced


def test_live_traffic_is_not_redacted(recording: tuple[Path, list[bytes]]) -> None:
    _, live = recording
    assert PASSWORD.encode() in live[0] and CF2.encode() in live[1]


def test_pseudonyms_are_consistent_and_valid_inside_base64(
    recording: tuple[Path, list[bytes]],
) -> None:
    soap = read_flows(recording[0])[0]
    fields = parse_body(soap.request.raw_content or b"", "text/xml").fields
    outer = fields[("paaSILImportaDovuto", "codiceFiscale")]
    inner = fields[
        (
            "paaSILImportaDovuto",
            "dovuto",
            "Versamento",
            "soggettoPagatore",
            "identificativoUnivocoPagatore",
            "codiceIdentificativoUnivoco",
        )
    ]
    assert outer == inner != CF and is_valid_personal_fiscal_code(inner)
    iban = fields[
        ("paaSILImportaDovuto", "dovuto", "Versamento", "datiVersamento", "ibanAccredito")
    ]
    assert iban != IBAN and is_valid_iban(iban) and iban.startswith("IT") and len(iban) == 27
    assert fields[("paaSILImportaDovuto", "password")] == "REDACTED"
    # Identifying values survive, so a replay still matches.
    assert fields[("paaSILImportaDovuto", "codIpaEnte")] == "c_bugliano"
    iud = ("paaSILImportaDovuto", "dovuto", "Versamento", "datiVersamento")
    assert fields[(*iud, "identificativoUnivocoDovuto")] == "IUD-0001"


def test_json_headers_and_query_are_redacted(recording: tuple[Path, list[bytes]]) -> None:
    rest = read_flows(recording[0])[1]
    assert rest.request.headers["Ocp-Apim-Subscription-Key"] == "REDACTED"
    assert rest.request.headers["Cookie"] == "REDACTED"
    assert rest.request.query["token"] == "REDACTED"
    body = json.loads(rest.request.raw_content or b"")
    assert body["fullName"].startswith("PERSONA ") and body["email"].endswith("@example.invalid")
    answer = json.loads(rest.response.raw_content or b"")  # type: ignore[union-attr]
    # The same person gets the same pseudonym in the request and in the answer.
    assert answer["received"]["fiscalCode"] == body["fiscalCode"]
    assert answer["debtor"]["fullName"] == body["fullName"]
    assert rest.metadata["collaudo"]["creditor_fiscal_code"] == "80000000002"


def test_pdf_and_zip_documents_become_a_placeholder() -> None:
    redactor = Redactor()
    pdf = b"%PDF-1.4 ROSSI MARIO RSSMRA80A01H501U"
    assert redactor.body(pdf, "application/pdf").startswith(b"%PDF")
    assert b"ROSSI" not in redactor.body(pdf, "application/pdf")
