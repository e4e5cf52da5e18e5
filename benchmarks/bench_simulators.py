"""Simulators under concurrent load (a script, not a test): req/s, p50 and p99.

    .venv/bin/python benchmarks/bench_simulators.py [--duration 10] [--connections 64]
        [--client auto|wrk|python] [--positions 300] [--quick]

1. starts the MyPay and the GPD simulator, each in its own ``uvicorn`` subprocess
   (httptools, one worker, log level warning) on a free loopback port;
2. seeds them through their public interfaces, as a SIL and the pagoPA Nodo would:
   MyPay gets ``paaSILInviaDovuti`` dovuti, GPD gets published debt positions, and every
   second one is paid through the creditor's station (``paGetPaymentV2`` + ``paSendRTV2``);
3. checks a sample of the benchmarked answers (a real ``Pagati`` document, the right debt
   position), so a fast error page can never pass for throughput;
4. drives each endpoint for ``--duration`` seconds with ``--connections`` keep-alive
   connections, cycling through the seeded keys: ``paaSILChiediPagati`` (SOAP POST
   ``/ws/pa``), ``paaSILImportaDovuto`` creations (azione I, flagGeneraIuv; every request
   a new IUD, encoded by the load generator) and GET of a GPD debt position;
5. starts the peer tools that are installed (nginx, Starlette + uvicorn, WireMock,
   mountebank, Prism: :mod:`peers`), each serving the very answer the simulator gave, and
   loads each with the same client, connections and duration, one after the other;
6. prints one line per server (requests, req/s, p50/p99 ms, errors), then each
   simulator's ratio to every peer measured in this run (never to a figure from another
   day: a missing peer gets no ratio, only the line that installs it), and the share of a
   core each simulator used with its requests per CPU-second, which tell a slow simulator
   from a busy machine.

The load generator is ``wrk`` when installed (``apt-get install wrk``), the fair
comparison with WireMock's figure. Without it the script falls back to a Python client
(several processes, raw asyncio sockets with keep-alive); Python clients share the 2 cores
with the server and saturate first, so those figures are a floor, labelled client-bound.
Errors: any answer that is not HTTP 200, a SOAP answer carrying a ``fault``, a socket
error or a timeout. Exit status 1 when there was any error. Loopback only; every loop
is bounded in time and count and the subprocesses are stopped on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import peers  # noqa: E402  (benchmarks/peers.py, beside this script)

from simulators.common.station import (  # noqa: E402
    StationError,
    StationReceipt,
    StationTransfer,
    get_payment_request,
    parse_get_payment_response,
    parse_send_rt_response,
    send_rt_request,
)
from simulators.gpd.iuv import make_iuv  # noqa: E402

HOST = "127.0.0.1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PPT = "http://www.regione.veneto.it/pagamenti/ente/"
PPTHEAD = "http://www.regione.veneto.it/pagamenti/ente/ppthead"
PAY_I = "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"
COD_IPA, PASSWORD, CF_ENTE = "c_bugliano", "sim-password", "80000000002"
DEBTOR_CF = "RSSMRA80A01H501U"
IBAN = "IT60X0542811101000000123456"
GPD_KEY = {"Ocp-Apim-Subscription-Key": "sim-subscription-key"}
GPD_POSITIONS = f"/gpd/debt-positions-service/v1/organizations/{CF_ENTE}/debtpositions"
STATION = "/pagopa/paForNode"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class BenchError(Exception):
    """The benchmark cannot go on; the message says why and what to do."""


# --- the simulators in subprocesses ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


SIMULATORS = {
    "MyPay": "simulators.mypay.app:create_app",
    "GPD": "simulators.gpd.app:create_app",
}


def _launch(name: str, factory: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", factory, "--factory",
        "--host", HOST, "--port", str(port), "--http", "httptools",
        "--workers", "1", "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with (workdir / f"{name.lower()}.log").open("wb") as log:
        # Own session: a terminal's Ctrl-C reaches only this script, which stops it.
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    return process, f"http://{HOST}:{port}"


@contextmanager
def simulators(specs: dict[str, str], workdir: Path) -> Iterator[dict[str, tuple[str, int]]]:
    """Each ``name: factory`` served by ``uvicorn --factory`` on a free loopback port, all
    started at once; yields (base URL, pid) by name and stops them all on the way out."""
    running = {name: _launch(name, factory, workdir) for name, factory in specs.items()}
    try:
        for name, factory in specs.items():
            for attempt in range(3):
                process, url = running[name]
                if _wait_ready(process, url, timeout=30):
                    print(f"{name} simulator: pid {process.pid} listening on {url}")
                    break
                _stop(process)
                if attempt == 2:
                    tail = (workdir / f"{name.lower()}.log").read_text(errors="replace")
                    raise BenchError(f"the {name} simulator did not start ({factory}):\n{tail}")
                # Most likely the free port was taken before uvicorn bound it: another one.
                running[name] = _launch(name, factory, workdir)
        yield {name: (url, process.pid) for name, (process, url) in running.items()}
    finally:
        for process, _ in running.values():
            _stop(process)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process and the rest of its process group used so far
    (Linux ``/proc``; None elsewhere). Every server here leads its own session, so the
    group is the server: WireMock's JVM under its Node launcher, nginx's workers."""
    total = None
    try:
        stats = [Path(f"/proc/{pid}/stat")] + [
            p / "stat" for p in Path("/proc").iterdir() if p.name.isdigit() and p.name != str(pid)
        ]
    except OSError:
        return None
    for stat in stats:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if stat.parent.name != str(pid) and fields[2] != str(pid):  # not in the group
            continue
        total = (total or 0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/status", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- seeding through the public interfaces --------------------------------------------------


def _el(parent: etree._Element | None, tag: str, text: str | None = None) -> etree._Element:
    element = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _soap(body_element: etree._Element, header: etree._Element | None = None) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    if header is not None:
        _el(env, f"{{{SOAP_ENV}}}Header").append(header)
    _el(env, f"{{{SOAP_ENV}}}Body").append(body_element)
    data: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return data


def dovuti_document(iud: str, amount: Decimal) -> bytes:
    """A one-item ``Dovuti`` document (PagInf_Dovuti_Pagati 6.2), children qualified."""
    q = f"{{{PAY_I}}}"
    root = etree.Element(q + "Dovuti", nsmap={"pay_i": PAY_I})
    _el(root, q + "versioneOggetto", "6.2")
    soggetto = _el(root, q + "soggettoPagatore")
    ident = _el(soggetto, q + "identificativoUnivocoPagatore")
    _el(ident, q + "tipoIdentificativoUnivoco", "F")
    _el(ident, q + "codiceIdentificativoUnivoco", DEBTOR_CF)
    _el(soggetto, q + "anagraficaPagatore", "Mario Rossi")
    dati = _el(root, q + "datiVersamento")
    _el(dati, q + "tipoVersamento", "ALL")
    single = _el(dati, q + "datiSingoloVersamento")
    _el(single, q + "identificativoUnivocoDovuto", iud)
    _el(single, q + "importoSingoloVersamento", f"{amount:.2f}")
    _el(single, q + "identificativoTipoDovuto", "DIRITTI_SEGRETERIA")
    _el(single, q + "causaleVersamento", "Diritti di segreteria")
    _el(single, q + "datiSpecificiRiscossione", "9/0101108TS/")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def invia_dovuti_envelope(iud: str, amount: Decimal) -> bytes:
    """``paaSILInviaDovuti`` as pa-per-ente.wsdl has it: the ppt wrapper's children are
    unqualified, and so is ``codIpaEnte`` inside the ``ppthead:intestazionePPT`` header."""
    header = etree.Element(f"{{{PPTHEAD}}}intestazionePPT", nsmap={"ppthead": PPTHEAD})
    _el(header, "codIpaEnte", COD_IPA)
    body = etree.Element(f"{{{PPT}}}paaSILInviaDovuti", nsmap={"ppt": PPT})
    _el(body, "password", PASSWORD)
    _el(body, "dovuti", base64.b64encode(dovuti_document(iud, amount)).decode())
    return _soap(body, header)


def versamento_document(iud: str, amount: Decimal, pad: int = 0) -> bytes:
    """A ``Versamento`` (azione I) for ``paaSILImportaDovuto``; ``pad`` spaces (between
    elements: no meaning in XML) go before the IUD's element, to align it in base64."""
    q = f"{{{PAY_I}}}"
    root = etree.Element(q + "Versamento", nsmap={"pay_i": PAY_I})
    _el(root, q + "versioneOggetto", "6.2")
    soggetto = _el(root, q + "soggettoPagatore")
    ident = _el(soggetto, q + "identificativoUnivocoPagatore")
    _el(ident, q + "tipoIdentificativoUnivoco", "F")
    _el(ident, q + "codiceIdentificativoUnivoco", DEBTOR_CF)
    _el(soggetto, q + "anagraficaPagatore", "Mario Rossi")
    dati = _el(root, q + "datiVersamento")
    due = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
    _el(dati, q + "dataEsecuzionePagamento", due)
    tipo = _el(dati, q + "tipoVersamento", "ALL")
    tipo.tail = " " * pad if pad else None
    _el(dati, q + "identificativoUnivocoDovuto", iud)
    _el(dati, q + "importoSingoloVersamento", f"{amount:.2f}")
    _el(dati, q + "identificativoTipoDovuto", "DIRITTI_SEGRETERIA")
    _el(dati, q + "causaleVersamento", "Diritti di segreteria")
    _el(dati, q + "datiSpecificiRiscossione", "9/0101108TS/")
    _el(root, q + "azione", "I")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def importa_dovuto_envelope(iud: str, amount: Decimal, pad: int = 0) -> bytes:
    """``paaSILImportaDovuto`` azione I with ``flagGeneraIuv``: MyPay gives the IUV."""
    header = etree.Element(f"{{{PPTHEAD}}}intestazionePPT", nsmap={"ppthead": PPTHEAD})
    _el(header, "codIpaEnte", COD_IPA)
    body = etree.Element(f"{{{PPT}}}paaSILImportaDovuto", nsmap={"ppt": PPT})
    _el(body, "password", PASSWORD)
    _el(body, "dovuto", base64.b64encode(versamento_document(iud, amount, pad)).decode())
    _el(body, "flagGeneraIuv", "true")
    return _soap(body, header)


IUD_LENGTH = 12  # a multiple of 3: its base64 is a piece of the document's base64


def fresh_iud_template(amount: Decimal) -> tuple[bytes, bytes]:
    """The ``paaSILImportaDovuto`` body split around the base64 of its IUD, so a load
    generator can give every request a new IUD by encoding only those 12 characters."""
    placeholder = "Z" * IUD_LENGTH
    for pad in range(3):
        document = versamento_document(placeholder, amount, pad)
        at = document.index(placeholder.encode())
        if at % 3 == 0:
            break
    envelope = importa_dovuto_envelope(placeholder, amount, pad)
    encoded = base64.b64encode(document)
    start = envelope.index(encoded) + at // 3 * 4
    end = start + IUD_LENGTH // 3 * 4
    assert envelope[start:end] == base64.b64encode(placeholder.encode())
    return envelope[:start], envelope[end:]


def chiedi_pagati_envelope(id_session: str) -> bytes:
    """``paaSILChiediPagati``: no header; codIpaEnte, password, idSession unqualified."""
    body = etree.Element(f"{{{PPT}}}paaSILChiediPagati", nsmap={"ppt": PPT})
    _el(body, "codIpaEnte", COD_IPA)
    _el(body, "password", PASSWORD)
    _el(body, "idSession", id_session)
    return _soap(body)


def _answer(data: bytes) -> etree._Element:
    root = etree.fromstring(data, _PARSER)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) != 1:
        raise BenchError(f"not a SOAP answer: {data[:300]!r}")
    return body[0]


def _pay(client: httpx.Client, notice: str, iuv: str, amount: Decimal, receipt_id: str) -> None:
    """The Nodo's side of a payment: ``paGetPaymentV2`` then ``paSendRTV2`` to the station."""

    def call(operation: str, envelope: bytes) -> bytes:
        answer = client.post(
            STATION, content=envelope, headers={"SOAPAction": operation, "Content-Type": "text/xml"}
        )
        if answer.status_code != 200:
            raise BenchError(f"{operation} for {notice}: HTTP {answer.status_code} {answer.text}")
        return answer.content

    got = call("paGetPaymentV2", get_payment_request(CF_ENTE, notice, amount=amount))
    parse_get_payment_response(got, CF_ENTE, notice)
    receipt = StationReceipt(
        receipt_id=receipt_id,
        notice_number=notice,
        fiscal_code=CF_ENTE,
        creditor_reference_id=iuv,
        amount=amount,
        description="Diritti di segreteria",
        psp_id="70000000001",
        psp_name="PSP di prova",
        channel_id="70000000001_01",
        payment_method="creditCard",
        fee=Decimal("1.00"),
        payment_datetime=datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        outcome="OK",
        debtor_fiscal_code=DEBTOR_CF,
        payer_fiscal_code=None,
        transfers=[StationTransfer(1, amount, CF_ENTE, IBAN, "Diritti di segreteria", "0101108TS")],
        mbd_attachments={},
        raw_xml=b"",
    )
    sent = send_rt_request(receipt, company_name="Comune di Bugliano", debtor_name="Mario Rossi")
    parse_send_rt_response(call("paSendRTV2", sent))


def seed_mypay(client: httpx.Client, count: int) -> dict[str, str]:
    """``count`` dovuti sent to pay online, every second one paid: {paid idSession: IUV}."""
    paid: dict[str, str] = {}
    for n in range(count):
        amount = Decimal(10 + n % 90) + Decimal("0.50")
        answer = client.post(
            "/ws/pa",
            content=invia_dovuti_envelope(f"BENCH-{n:06d}", amount),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "paaSILInviaDovuti"},
        )
        element = _answer(answer.content)
        session, url = element.findtext("idSession"), element.findtext("url")
        if answer.status_code != 200 or element.findtext("esito") != "OK" or not session or not url:
            raise BenchError(f"paaSILInviaDovuti refused: {answer.content[:600]!r}")
        notice = parse_qs(urlsplit(url).query)["noticeNumber"][0]
        if n % 2 == 0:
            _pay(client, notice, notice[1:], amount, f"bench-rcpt-{n:06d}")
            paid[session] = notice[1:]
    return paid


def seed_gpd(client: httpx.Client, count: int) -> dict[str, str]:
    """``count`` published debt positions, every second one paid: {iupd: expected status}."""
    due = (datetime.now(UTC) + timedelta(days=60)).isoformat(timespec="seconds")
    keep = (datetime.now(UTC) + timedelta(days=120)).isoformat(timespec="seconds")
    positions: dict[str, str] = {}
    for n in range(count):
        cents = 1000 + 100 * (n % 90) + 50
        iupd = f"{CF_ENTE}-bench-{n:06d}"
        transfer = {
            "idTransfer": "1",
            "amount": cents,
            "remittanceInformation": "Diritti di segreteria",
            "category": "9/0101108TS/",
            "iban": IBAN,
        }
        option = {
            "iuv": make_iuv("01", f"{900_000_000 + n:013d}"),
            "amount": cents,
            "description": "Occupazione suolo pubblico",
            "isPartialPayment": False,
            "dueDate": due,
            "retentionDate": keep,
            "fee": 0,
            "transfer": [transfer],
        }
        body = {
            "iupd": iupd,
            "type": "F",
            "fiscalCode": DEBTOR_CF,
            "fullName": "Mario Rossi",
            "companyName": "Comune di Bugliano",
            "officeName": "Ufficio tributi",
            "switchToExpired": False,
            "paymentOption": [option],
        }
        answer = client.post(
            GPD_POSITIONS, params={"toPublish": "true"}, json=body, headers=GPD_KEY
        )
        if answer.status_code != 201:
            raise BenchError(f"GPD refused debt position {iupd}: {answer.text[:600]}")
        created = answer.json()["paymentOption"][0]
        if n % 2 == 0:
            amount = Decimal(cents) / 100
            _pay(client, created["nav"], created["iuv"], amount, f"bench-r-{n:06d}")
            positions[iupd] = "PAID"
        else:
            positions[iupd] = "VALID"
    return positions


# --- what is measured ------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One HTTP request of an endpoint's rotation and how to tell its answer is right."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    check: Callable[[httpx.Response], str | None]  # None when the answer is right

    def raw(self) -> bytes:
        """The request on the wire, for the Python client (HTTP/1.1, keep-alive)."""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"host: {HOST}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.body or self.method == "POST":
            lines.append(f"content-length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass(frozen=True)
class Endpoint:
    label: str
    base_url: str
    calls: list[Call]
    fault_marker: bytes | None  # a 200 answer containing it is an error (SOAP faultBean)
    server_pid: int = 0
    # Creations: the body around the base64 of an IUD the load generator makes new for
    # every request (a repeated IUD would not create anything).
    fresh: tuple[bytes, bytes] | None = None

    def fresh_call(self, iud: str) -> Call:
        """The rotation's first call with ``iud`` (12 characters) in place of its IUD."""
        assert self.fresh is not None and len(iud) == IUD_LENGTH
        body = self.fresh[0] + base64.b64encode(iud.encode()) + self.fresh[1]
        return replace(self.calls[0], body=body)


def _pagati_check(iuv: str) -> Callable[[httpx.Response], str | None]:
    def check(answer: httpx.Response) -> str | None:
        if answer.status_code != 200:
            return f"HTTP {answer.status_code}"
        element = _answer(answer.content)
        if (
            element.tag != f"{{{PPT}}}paaSILChiediPagatiRisposta"
            or element.find("fault") is not None
        ):
            return f"no Pagati: {answer.content[:400]!r}"
        pagati = etree.fromstring(base64.b64decode(element.findtext("pagati") or ""), _PARSER)
        found = pagati.findtext(f".//{{{PAY_I}}}identificativoUnivocoVersamento")
        if pagati.tag != f"{{{PAY_I}}}Pagati" or found != iuv:
            return f"Pagati of IUV {found}, expected {iuv}"
        return None

    return check


def _position_check(iupd: str, status: str) -> Callable[[httpx.Response], str | None]:
    def check(answer: httpx.Response) -> str | None:
        if answer.status_code != 200:
            return f"HTTP {answer.status_code}: {answer.text[:300]}"
        got = answer.json()
        if got.get("iupd") != iupd or got.get("status") != status:
            return f"got {got.get('iupd')} {got.get('status')}, expected {iupd} {status}"
        return None

    return check


def mypay_endpoint(url: str, paid: dict[str, str], pid: int = 0) -> Endpoint:
    headers = {"content-type": "text/xml; charset=utf-8", "soapaction": '"paaSILChiediPagati"'}
    calls = [
        Call("POST", "/ws/pa", headers, chiedi_pagati_envelope(session), _pagati_check(iuv))
        for session, iuv in paid.items()
    ]
    return Endpoint("MyPay SOAP paaSILChiediPagati", url, calls, b"<fault>", pid)


def _created_check(answer: httpx.Response) -> str | None:
    if answer.status_code != 200:
        return f"HTTP {answer.status_code}"
    element = _answer(answer.content)
    if element.findtext("esito") != "OK" or not element.findtext("urlFileAvviso"):
        return f"no dovuto created: {answer.content[:400]!r}"
    return None


def importa_endpoint(url: str, pid: int = 0) -> Endpoint:
    headers = {"content-type": "text/xml; charset=utf-8", "soapaction": '"paaSILImportaDovuto"'}
    amount = Decimal("25.50")
    before, after = fresh_iud_template(amount)
    calls = [
        Call("POST", "/ws/pa", headers, before + base64.b64encode(iud.encode()) + after,
             _created_check)
        for iud in (f"CHK{n:09d}" for n in range(20))
    ]  # fmt: skip
    label = "MyPay SOAP paaSILImportaDovuto"
    return Endpoint(label, url, calls, b"<fault>", pid, (before, after))


def gpd_endpoint(url: str, positions: dict[str, str], pid: int = 0) -> Endpoint:
    calls = [
        Call("GET", f"{GPD_POSITIONS}/{iupd}", GPD_KEY, b"", _position_check(iupd, status))
        for iupd, status in positions.items()
    ]
    return Endpoint("GPD REST GET debt position", url, calls, None, pid)


def verify(endpoint: Endpoint, sample: int = 200) -> None:
    """Check a spread sample of the rotation before any load: a wrong answer stops here."""
    step = max(1, len(endpoint.calls) // sample)
    with httpx.Client(base_url=endpoint.base_url, timeout=10) as client:
        for call in endpoint.calls[::step]:
            answer = client.request(call.method, call.path, headers=call.headers, content=call.body)
            problem = call.check(answer)
            if problem is not None:
                raise BenchError(
                    f"{endpoint.label}: {call.method} {call.path} is answered wrongly before "
                    f"any load ({problem}); fix the simulator or the seeding before measuring"
                )


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu: float | None = None  # CPU seconds the server used during the timed run

    @property
    def per_cpu_second(self) -> float | None:
        """Requests per CPU-second of the server: what a shared machine changes least."""
        return self.requests / self.server_cpu if self.server_cpu else None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- wrk -----------------------------------------------------------------------------------

_LUA = """
local calls = {%(calls)s}
local marker = %(marker)s
-- creations: {method, path, headers, body before, body after} around a new IUD's base64
local fresh = %(fresh)s
local run = %(run)s
local prepared, threads = {}, {}
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(text)  -- #text is a multiple of 3
  local out = {}
  for i = 1, #text, 3 do
    local a, b, c = text:byte(i, i + 2)
    local n = a * 65536 + b * 256 + c
    for shift = 3, 0, -1 do
      local d = math.floor(n / 64 ^ shift) %% 64
      out[#out + 1] = alphabet:sub(d + 1, d + 1)
    end
  end
  return table.concat(out)
end
-- globals, not locals: setup() and done() reach them through thread:set/get
counter, errors = 0, 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("counter", (#threads - 1) * 7)
  thread:set("tid", #threads - 1)
end

function init(args)
  for i, c in ipairs(calls) do
    local headers = {}
    for k, v in pairs(c[3]) do headers[k] = v end
    prepared[i] = wrk.format(c[1], c[2], headers, c[4])
  end
end

function request()
  if fresh then  -- every request a new IUD: run tag, thread, counter (12 characters)
    counter = counter + 1
    local iud = string.format("%%s%%d%%08d", run, tid, counter)
    return wrk.format(fresh[1], fresh[2], fresh[3], fresh[4] .. base64(iud) .. fresh[5])
  end
  counter = counter %% #prepared + 1
  return prepared[counter]
end

function response(status, headers, body)
  if status ~= 200 or (marker and body and body:find(marker, 1, true)) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("errors") or 0) end
  io.write(string.format("answer errors: %%d\\n", total))
end
"""


def _lua_string(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return (
        '"'
        + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\{b:03d}" for b in raw)
        + '"'
    )


def wrk_script(endpoint: Endpoint) -> str:
    entries = []
    for call in endpoint.calls:
        headers = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in call.headers.items()
        )
        body = _lua_string(call.body) if call.body else "nil"
        entries.append(
            f"{{{_lua_string(call.method)}, {_lua_string(call.path)}, {{{headers}}}, {body}}}"
        )
    marker = _lua_string(endpoint.fault_marker) if endpoint.fault_marker else "nil"
    fresh = "nil"
    if endpoint.fresh is not None:
        first = endpoint.calls[0]
        headers = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in first.headers.items()
        )
        fresh = (
            f"{{{_lua_string(first.method)}, {_lua_string(first.path)}, {{{headers}}}, "
            f"{_lua_string(endpoint.fresh[0])}, {_lua_string(endpoint.fresh[1])}}}"
        )
    return _LUA % {
        "calls": ",\n  ".join(entries),
        "marker": marker,
        "fresh": fresh,
        "run": _lua_string(f"W{next(_RUNS) % 100:02d}"),
    }


_RUNS = itertools.count(1)  # each load run tags its IUDs: warm-up and run never collide


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise BenchError(f"cannot read wrk's duration {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> Result:
    """Requests, duration, p50/p99 (``--latency``) and every kind of error from wrk's output."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (done and p50 and p99):
        raise BenchError(f"cannot read wrk's output:\n{output}")
    errors = 0
    sockets = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    answers = re.search(r"answer errors: (\d+)", output)  # every non-200 and every fault
    errors += int(answers.group(1)) if answers else 0
    seconds = _ms(done.group(2) + done.group(3)) / 1e3
    return Result(int(done.group(1)), seconds, _ms(p50.group(1)), _ms(p99.group(1)), errors)


def run_wrk(
    endpoint: Endpoint, duration: float, connections: int, threads: int, workdir: Path
) -> Result:
    script = workdir / "rotation.lua"
    script.write_text(wrk_script(endpoint))
    command = [
        "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s",
        "--timeout", "5s", "--latency", "-s", str(script), endpoint.base_url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# --- the Python fallback client ------------------------------------------------------------


async def _connection(
    payloads: list[bytes], offset: int, marker: bytes | None, port: int, stop_at: float,
    latencies: list[float], errors: list[int], fresh: tuple[bytes, bytes, str] | None = None,
) -> None:  # fmt: skip
    i, reconnects = offset, 0
    while time.time() < stop_at and reconnects < 50:
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            errors[0] += 1
            reconnects += 1
            await asyncio.sleep(0.05)
            continue
        try:
            while time.time() < stop_at:
                if fresh is None:
                    payload = payloads[i % len(payloads)]
                else:  # a new IUD: run tag, connection, counter (12 characters)
                    iud = f"{fresh[2]}{offset:04d}{i - offset:05d}".encode()
                    payload = fresh[0] + base64.b64encode(iud) + fresh[1]
                i += 1
                sent = time.perf_counter()
                writer.write(payload)
                head = await reader.readuntil(b"\r\n\r\n")
                at = head.lower().find(b"\r\ncontent-length:")
                length = int(head[at + 17 : head.index(b"\r\n", at + 2)]) if at >= 0 else -1
                if length < 0:
                    raise ValueError("answer without content-length")
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - sent)
                if head[9:12] != b"200" or (marker is not None and marker in body):
                    errors[0] += 1
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            errors[0] += 1
            reconnects += 1
        finally:
            writer.close()


async def _drive(
    payloads: list[bytes], offset: int, marker: bytes | None, port: int, connections: int,
    start_at: float, duration: float, fresh: tuple[bytes, bytes, str] | None = None,
) -> tuple[list[float], int, float, float]:  # fmt: skip
    """Latencies, errors and the wall-clock window this process measured."""
    latencies: list[float] = []
    errors = [0]
    await asyncio.sleep(max(0.0, start_at - time.time()))
    began, stop_at = time.time(), start_at + duration
    tasks = [
        _connection(payloads, offset + 13 * n, marker, port, stop_at, latencies, errors, fresh)
        for n in range(connections)
    ]
    try:  # a request stuck past the end is cut off and counted
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=duration + 10)
    except TimeoutError:
        errors[0] += 1
    return latencies, errors[0], began, time.time()


def _client_process(
    payloads: list[bytes], offset: int, marker: bytes | None, port: int, connections: int,
    duration: float, pipe: Connection, fresh: tuple[bytes, bytes, str] | None = None,
) -> None:  # fmt: skip
    # A terminal's Ctrl-C reaches the whole process group: the parent stops this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pipe.send("ready")  # imported: a loaded machine can take seconds to get here
    start_at = pipe.recv()
    driven = _drive(payloads, offset, marker, port, connections, start_at, duration, fresh)
    pipe.send(asyncio.run(driven))
    pipe.close()


def run_python(endpoint: Endpoint, duration: float, connections: int, processes: int) -> Result:
    payloads = [call.raw() for call in endpoint.calls]
    port = urlsplit(endpoint.base_url).port or 80
    fresh = None
    if endpoint.fresh is not None:  # the raw request around the IUD's base64
        raw = endpoint.calls[0].raw()
        start = len(raw) - len(endpoint.calls[0].body) + len(endpoint.fresh[0])
        fresh = (raw[:start], raw[start + IUD_LENGTH // 3 * 4 :], f"P{next(_RUNS) % 100:02d}")
    context = multiprocessing.get_context("spawn")
    shares = [connections // processes + (n < connections % processes) for n in range(processes)]
    children, pipes = [], []
    finished = False
    try:
        for n, share in enumerate(shares):
            ours, theirs = context.Pipe()
            marker = endpoint.fault_marker
            child = context.Process(
                target=_client_process,
                args=(payloads, 1000 * n, marker, port, share, duration, theirs, fresh),
            )
            child.start()
            theirs.close()
            children.append(child)
            pipes.append(ours)
        for pipe in pipes:
            if not pipe.poll(60) or pipe.recv() != "ready":
                raise BenchError("a Python load process did not start within 60 s")
        start_at = time.time() + 0.2  # one clock for all: they start together
        for pipe in pipes:
            pipe.send(start_at)
        latencies: list[float] = []
        errors, began, ended = 0, float("inf"), 0.0
        for pipe in pipes:
            if not pipe.poll(duration + 30):
                raise BenchError("a Python load process gave no result in time")
            try:
                got, failed, first, last = pipe.recv()
            except EOFError:
                raise BenchError("a Python load process died; see its traceback above") from None
            latencies += got
            errors += failed
            # A process that started late measured a shorter window: rate over the real one.
            began, ended = min(began, first), max(ended, last)
        finished = True
    finally:
        for child in children:
            child.join(timeout=5 if finished else 0)
            if child.is_alive():
                child.terminate()
                child.join(timeout=5)
    latencies.sort()

    def percentile(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1e3 if latencies else 0.0
        )

    seconds = max(ended - began, 1e-3)
    return Result(len(latencies), seconds, percentile(0.50), percentile(0.99), errors)


# --- main ----------------------------------------------------------------------------------


def _row(label: str, requests: str, rps: str, p50: str, p99: str, errors: str) -> str:
    return f"{label:<34} {requests:>10} {rps:>9} {p50:>8} {p99:>8} {errors:>7}"


def report(
    results: list[tuple[Endpoint, Result]], peer_results: dict[str, list[tuple[str, Result]]]
) -> None:
    print()
    print(_row("server", "requests", "req/s", "p50 ms", "p99 ms", "errors"))
    for endpoint, r in results:
        for label, result in [(endpoint.label, r), *peer_results.get(endpoint.label, [])]:
            print(
                _row(
                    label[:34],
                    f"{result.requests:,}",
                    f"{result.rps:,.0f}",
                    f"{result.p50_ms:.2f}",
                    f"{result.p99_ms:.2f}",
                    str(result.errors),
                )
            )
    print()
    for endpoint, r in results:
        print(f"{endpoint.label}, measured in this run:")
        for label, peer in peer_results.get(endpoint.label, []):
            if peer.rps:
                mine, theirs = r.per_cpu_second, peer.per_cpu_second
                per_cpu = (
                    f"; per CPU-second {mine:,.0f} vs {theirs:,.0f}: {mine / theirs:.2f} x"
                    if mine and theirs
                    else ""
                )
                print(
                    f"  {r.rps / peer.rps:.2f} x {label.strip()} req/s "
                    f"(p99 {r.p99_ms:.1f} ms vs {peer.p99_ms:.1f} ms){per_cpu}"
                )
        if r.server_cpu:
            # The server is one process: below ~90% of a core, something else had the CPU
            # (or the client saturated first) and req/s understates the simulator.
            print(
                f"  the simulator used {r.server_cpu / r.seconds:.0%} of a core, "
                f"{r.requests / r.server_cpu:,.0f} requests per CPU-second"
            )


#: Issue 11's goals: the least ratio to WireMock's static stub, in req/s, p99 at most its.
GOALS = {
    "MyPay SOAP paaSILChiediPagati": 1.5,
    "MyPay SOAP paaSILImportaDovuto": 1.0,
    "GPD REST GET debt position": 3.0,
}


def goals(
    results: list[tuple[Endpoint, Result]], peer_results: dict[str, list[tuple[str, Result]]]
) -> None:
    """One line per goal: met or MISSED against WireMock measured in this run (or why not)."""
    print()
    print("goals (issue 11), against WireMock's static stub measured in this run:")
    for endpoint, r in results:
        least = GOALS[endpoint.label]
        wiremock = [p for label, p in peer_results.get(endpoint.label, []) if "WireMock" in label]
        if not wiremock or not wiremock[0].rps:
            print(f"  {endpoint.label}: no WireMock figure in this run (--peers wiremock)")
            continue
        peer = wiremock[0]
        ratio = r.rps / peer.rps
        fast = "met   " if ratio >= least else "MISSED"
        tail = "met   " if r.p99_ms <= peer.p99_ms else "MISSED"
        print(f"  {endpoint.label}: {fast} {ratio:.2f} x >= {least:g} x req/s")
        print(f"  {endpoint.label}: {tail} p99 {r.p99_ms:.1f} ms <= {peer.p99_ms:.1f} ms")
        if r.server_cpu and peer.server_cpu:
            per_cpu = (r.requests / r.server_cpu) / (peer.requests / peer.server_cpu)
            print(f"  {endpoint.label}: {per_cpu:.2f} x WireMock in requests per CPU-second")


#: Per endpoint: the stub's path pattern, and the official contract Prism mocks (REST only)
#: with the prefix its paths lack.
STUBS = {
    "MyPay SOAP paaSILChiediPagati": ("/ws/pa", None, ""),
    "MyPay SOAP paaSILImportaDovuto": ("/ws/pa", None, ""),
    "GPD REST GET debt position": (
        "/gpd/debt-positions-service/v1/.*",
        "pagopa/openapi/gpd.json",
        "/gpd/debt-positions-service/v1",
    ),
}
PEERS = ("nginx", "python", "wiremock", "mountebank", "prism")
ENDPOINTS = ("mypay", "importa", "gpd")  # --endpoints: the three rows of the table


def answer_of(endpoint: Endpoint) -> peers.Answer:
    """The simulator's own answer to the rotation's first request: what every stub serves."""
    call = endpoint.calls[0]
    if endpoint.fresh is not None:  # a creation nobody made yet
        call = endpoint.fresh_call(f"STB{time.time_ns() % 10**9:09d}")
    with httpx.Client(base_url=endpoint.base_url, timeout=10) as client:
        got = client.request(call.method, call.path, headers=call.headers, content=call.body)
    return peers.Answer(
        call.method,
        STUBS[endpoint.label][0],
        got.status_code,
        got.headers.get("content-type", "application/octet-stream"),
        got.content,
    )


def _peer(name: str, endpoint: Endpoint, answer: peers.Answer, workdir: Path) -> Any:
    if name == "prism":
        relative = STUBS[endpoint.label][1]
        if relative is None:
            return None  # Prism mocks OpenAPI only
        from simulators.common.contracts import find

        contract = find(relative)
        if contract is None:
            raise peers.PeerMissing(
                f"Prism needs the official {relative}: collaudo contracts fetch"
            )
        return peers.prism(contract, workdir)
    launch = {
        "nginx": peers.nginx,
        "python": peers.python_floor,
        "wiremock": peers.wiremock,
        "mountebank": peers.mountebank,
    }[name]
    return launch(answer, workdir)


def measure_peers(
    endpoint: Endpoint, names: list[str], load: Callable[[Endpoint], Result], workdir: Path
) -> list[tuple[str, Result]]:
    """Each installed peer serving ``endpoint``'s answer, under the same load."""
    answer = answer_of(endpoint)
    measured: list[tuple[str, Result]] = []
    for name in names:
        folder = workdir / f"{name}-{len(endpoint.label)}-{time.monotonic_ns()}"
        folder.mkdir()
        try:
            launcher = _peer(name, endpoint, answer, folder)
            if launcher is None:
                continue
            with launcher as peer:
                prefix = STUBS[endpoint.label][2] if name == "prism" else ""
                calls = [replace(c, path=c.path.removeprefix(prefix)) for c in endpoint.calls]
                print(f"  {peer.name}: {peer.url}", flush=True)
                result = load(Endpoint(peer.name, peer.url, calls, endpoint.fault_marker, peer.pid))
        except peers.PeerMissing as exc:
            print(f"  {name}: not measured, no ratio — {exc}", flush=True)
            continue
        measured.append((f"  {peer.name}", result))
    return measured


def _choose_client(wanted: str) -> str:
    if wanted in ("auto", "wrk") and shutil.which("wrk"):
        return "wrk"
    if wanted == "wrk":
        raise BenchError("wrk is not installed: apt-get install -y wrk, or use --client python")
    if wanted == "auto":
        print("wrk not found (apt-get install -y wrk): falling back to the Python load generator")
    return "python"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, help="seconds per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2,
                        help="Python client processes")  # fmt: skip
    parser.add_argument("--positions", type=int, help="positions seeded in each (default 300)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 s, 40 positions")
    parser.add_argument(
        "--warmup", type=float, help="seconds of unmeasured load before each server (default 3)"
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"peer tools to measure in the same run (default {','.join(PEERS)}; 'none')",
    )
    parser.add_argument(
        "--endpoints",
        default=",".join(ENDPOINTS),
        help=f"endpoints to load (default {','.join(ENDPOINTS)})",
    )
    args = parser.parse_args(argv)
    wanted = [e for e in args.endpoints.split(",") if e]
    if not wanted or set(wanted) - set(ENDPOINTS):
        parser.error(f"--endpoints: choose among {', '.join(ENDPOINTS)}")
    wanted_peers = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
    if unknown := sorted(set(wanted_peers) - set(PEERS)):
        parser.error(f"unknown peers {', '.join(unknown)}; known: {', '.join(PEERS)}")
    duration = args.duration or (2.0 if args.quick else 10.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    count = args.positions or (40 if args.quick else 300)
    if not (0 < duration <= 600 and 1 <= args.connections <= 1000 and 2 <= count <= 20_000):
        parser.error("need 0 < --duration <= 600, 1 <= --connections <= 1000, 2 <= --positions")
    if not (1 <= args.threads <= args.connections and 1 <= args.processes <= args.connections):
        parser.error("--threads and --processes must be between 1 and --connections")
    # A SIGTERM unwinds like Ctrl-C, so the simulators and clients are stopped either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        client = _choose_client(args.client)
        with ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-sim-")))
            served = stack.enter_context(simulators(SIMULATORS, workdir))
            (mypay_url, mypay_pid), (gpd_url, gpd_pid) = served["MyPay"], served["GPD"]
            started = time.perf_counter()
            try:
                chosen: list[Endpoint] = []
                if "mypay" in wanted:
                    with httpx.Client(base_url=mypay_url, timeout=10) as http:
                        chosen.append(mypay_endpoint(mypay_url, seed_mypay(http, count), mypay_pid))
                if "importa" in wanted:
                    chosen.append(importa_endpoint(mypay_url, mypay_pid))
                if "gpd" in wanted:
                    with httpx.Client(base_url=gpd_url, timeout=10) as http:
                        chosen.append(gpd_endpoint(gpd_url, seed_gpd(http, count), gpd_pid))
                for endpoint in chosen:
                    verify(endpoint)
            except (httpx.HTTPError, StationError, etree.XMLSyntaxError, KeyError) as exc:
                raise BenchError(
                    f"seeding or checking the simulators failed ({type(exc).__name__}: {exc}); "
                    "run their tests (pytest tests/simulators) to see what broke"
                ) from exc
            print(
                f"seeded {count} positions in each simulator ({count - count // 2} paid) and "
                f"checked their answers in {time.perf_counter() - started:.1f} s"
            )
            if client == "wrk":
                version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
                generator = f"{version.splitlines()[0].split(' [')[0]}, {args.threads} threads"
            else:
                generator = (
                    f"Python asyncio, {args.processes} processes — CLIENT-BOUND: the client "
                    "shares the cores and saturates first, so these figures are a floor"
                )
            print(f"machine: {os.cpu_count()} cores; load generator: {generator}")
            print(
                f"{args.connections} keep-alive connections, {duration:g} s per server after "
                f"{warmup:g} s of warm-up"
            )

            def drive(endpoint: Endpoint, seconds: float) -> Result:
                if client == "wrk":
                    return run_wrk(endpoint, seconds, args.connections, args.threads, workdir)
                return run_python(endpoint, seconds, args.connections, args.processes)

            def load(endpoint: Endpoint) -> Result:
                # Every server, simulator or peer, gets the same warm-up first (a JVM's
                # JIT, Python's caches), not counted: neither its requests nor its CPU.
                if warmup:
                    drive(endpoint, warmup)
                cpu_before = cpu_seconds(endpoint.server_pid) if endpoint.server_pid else None
                result = drive(endpoint, duration)
                cpu_after = cpu_seconds(endpoint.server_pid) if endpoint.server_pid else None
                if cpu_before is not None and cpu_after is not None:
                    result = replace(result, server_cpu=cpu_after - cpu_before)
                return result

            results = []
            peer_results: dict[str, list[tuple[str, Result]]] = {}
            for endpoint in chosen:
                print(f"{endpoint.label}: {endpoint.base_url}", flush=True)
                result = load(endpoint)
                if result.requests == 0:
                    raise BenchError(f"{endpoint.label}: no request completed in {duration:g} s")
                results.append((endpoint, result))
                peer_results[endpoint.label] = measure_peers(endpoint, wanted_peers, load, workdir)
            report(results, peer_results)
            goals(results, peer_results)
            return 1 if any(r.errors for _, r in results) else 0
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: simulators stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
