"""LeanTransport against real sockets: keep-alive, body framings, failures, TLS."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from adapters.drivers._lean import LeanTransport
from adapters.drivers._rest import RestClient, child_url

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes] | None:
    """The request's head and body (Content-Length framing), None at EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, await reader.readexactly(length)


async def _serve(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> asyncio.Server:
    return await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ssl_context)


def _url(server: asyncio.Server, scheme: str = "http", host: str = "127.0.0.1") -> str:
    port = server.sockets[0].getsockname()[1]
    return f"{scheme}://{host}:{port}"


def _ok(body: bytes, *extra: bytes) -> bytes:
    head = [b"HTTP/1.1 200 OK", b"Content-Length: %d" % len(body), *extra]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def test_keep_alive_sends_every_request_on_one_connection() -> None:
    connections: list[int] = []
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while (request := await _read_request(reader)) is not None:
            head, body = request
            seen.append(head.split(b"\r\n")[0] + b" " + body)
            writer.write(_ok(b'{"n":%d}' % len(seen), b"Content-Type: application/json"))
            await writer.drain()
        writer.close()

    async def run() -> list[httpx.Response]:
        server = await _serve(handler)
        client = RestClient()
        answers = [
            await client.request("POST", f"{_url(server)}/a?x=1", json={"k": "è"}),
            await client.request("GET", f"{_url(server)}/b", headers={"X-Key": "s"}),
            await client.request("DELETE", f"{_url(server)}/c"),
        ]
        await client.aclose()
        await asyncio.sleep(0.05)  # the server's handler sees the close and returns
        server.close()
        return answers

    answers = asyncio.run(run())
    assert [a.json()["n"] for a in answers] == [1, 2, 3]
    assert len(connections) == 1
    assert seen[0] == 'POST /a?x=1 HTTP/1.1 {"k":"è"}'.encode()
    assert seen[1] == b"GET /b HTTP/1.1 "
    assert answers[0].request.url.path == "/a"
    assert answers[0].reason_phrase == "OK" and answers[0].http_version == "HTTP/1.1"


def test_chunked_gzip_and_close_delimited_answers_are_read_whole() -> None:
    payload = b"x" * 5000
    answers_to_give = [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        _ok(gzip.compress(payload), b"Content-Encoding: gzip"),
        b"HTTP/1.0 200 OK\r\n\r\nuntil the end",  # no length: the body runs to the close
    ]

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await _read_request(reader)) is not None:
            answer = answers_to_give.pop(0)
            writer.write(answer)
            await writer.drain()
            if b"HTTP/1.0" in answer:
                break
        writer.close()

    async def run() -> list[bytes]:
        server = await _serve(handler)
        client = RestClient()
        bodies = [(await client.request("GET", f"{_url(server)}/")).content for _ in range(3)]
        await client.aclose()
        await asyncio.sleep(0.05)
        server.close()
        return bodies

    assert asyncio.run(run()) == [b"hello world", payload, b"until the end"]


def test_an_idle_connection_the_server_closed_is_replaced() -> None:
    connections: list[int] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        if (await _read_request(reader)) is not None:
            writer.write(_ok(b"one answer per connection"))  # keep-alive, then gone
            await writer.drain()
        writer.close()

    async def run() -> list[int]:
        server = await _serve(handler)
        transport = LeanTransport()
        statuses = []
        for _ in range(3):
            answer = await transport.handle_async_request(httpx.Request("GET", _url(server)))
            statuses.append(answer.status_code)
            await asyncio.sleep(0.05)  # the close reaches us while idle, or races the send
        await transport.aclose()
        server.close()
        return statuses

    assert asyncio.run(run()) == [200, 200, 200]
    assert len(connections) == 3


def test_failures_raise_httpx_exceptions_the_drivers_translate() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(1)

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf")
        await writer.drain()
        writer.close()

    async def run() -> list[type[BaseException]]:
        transport = LeanTransport()
        raised: list[type[BaseException]] = []
        timeout = httpx.Timeout(0.3).as_dict()
        for handler in (silent, garbage, hang_up):
            server = await _serve(handler)
            request = httpx.Request("GET", _url(server), extensions={"timeout": timeout})
            with pytest.raises(httpx.TransportError) as caught:
                await transport.handle_async_request(request)
            assert caught.value.request is request
            raised.append(type(caught.value))
            server.close()
        closed = await _serve(silent)
        url = _url(closed)
        closed.close()
        await closed.wait_closed()
        with pytest.raises(httpx.ConnectError):
            await transport.handle_async_request(httpx.Request("GET", url))
        await transport.aclose()
        return raised

    assert asyncio.run(run()) == [
        httpx.ReadTimeout,
        httpx.RemoteProtocolError,
        httpx.RemoteProtocolError,
    ]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_is_verified_against_the_trusted_authorities(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await _read_request(reader)) is not None:
            writer.write(_ok(b"secret answer"))
            await writer.drain()
        writer.close()

    async def run() -> tuple[bytes, type[BaseException]]:
        server = await _serve(handler, server_side)
        url = _url(server, "https", "localhost")
        trusting = LeanTransport(verify=ssl.create_default_context(cafile=str(cert)))
        answer = await trusting.handle_async_request(httpx.Request("GET", url))
        await answer.aread()
        await trusting.aclose()
        await asyncio.sleep(0.05)
        with pytest.raises(httpx.ConnectError) as refused:  # not a known authority
            await LeanTransport().handle_async_request(httpx.Request("GET", url))
        server.close()
        return answer.content, type(refused.value)

    assert asyncio.run(run()) == (b"secret answer", httpx.ConnectError)


def test_a_proxy_in_the_environment_keeps_httpx_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    client = RestClient()
    assert client._client is not None
    monkeypatch.delenv("HTTPS_PROXY")
    for name in ("HTTP_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert RestClient()._client is None


@pytest.mark.parametrize(
    ("method", "headers", "body"),
    [
        ("GET", {"Ocp-Apim-Subscription-Key": "k"}, None),
        ("POST", {"Ocp-Apim-Subscription-Key": "k"}, {"iupd": "è", "n": [1, 2.5]}),
        ("POST", {}, None),
        ("PUT", {"accept": "application/json", "X-Other": "1"}, {"a": None}),
        ("POST", {"Content-Type": "application/merge-patch+json"}, {"a": 1}),
        ("DELETE", {"Host": "elsewhere.example"}, None),
    ],
)
def test_requests_are_built_as_httpx_client_builds_them(
    method: str, headers: dict[str, str], body: object
) -> None:
    url = httpx.URL("https://api.example:8443/gpd/v1/organizations/1/debtpositions?toPublish=true")
    ours = RestClient(httpx.MockTransport(lambda r: httpx.Response(200)))._build(
        method, url, headers, body
    )
    theirs = httpx.AsyncClient().build_request(method, url, headers=headers, json=body)
    assert ours.headers.raw == theirs.headers.raw
    assert ours.method == theirs.method and ours.url == theirs.url
    assert ours.read() == theirs.read()


@pytest.mark.parametrize(
    ("base", "segment", "derived"),
    [
        ("http://127.0.0.1:8020/gpd/v1/organizations/800/debtpositions", "800-ab_c.d~e", True),
        ("https://api.example/gpd/v1/payments/800/receipts", "01000000000000123", True),
        ("https://api.example/gpd/v1/positions", "a b", False),  # needs quoting
        ("https://api.example/gpd/v1/positions", "..", False),
        ("https://api.example/gpd/v1/positions", "%41", False),
        ("https://api.example/gpd/v1/positions?x=1", "a", False),
        ("https://api.example/gpd/v1/positions/", "a", False),
    ],
)
def test_child_urls_equal_what_httpx_parses(base: str, segment: str, derived: bool) -> None:
    child = child_url(httpx.URL(base), segment)
    assert (child is not None) == derived
    if child is not None:
        parsed = httpx.URL(f"{base}/{segment}")
        assert child == parsed and str(child) == str(parsed)
        assert (child.host, child.port, child.raw_path) == (
            parsed.host,
            parsed.port,
            parsed.raw_path,
        )


def test_an_answer_to_head_has_no_body_and_its_connection_is_not_reused() -> None:
    connections: list[int] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while (await _read_request(reader)) is not None:
            writer.write(_ok(b"body"))  # a wrong server: the body goes to HEAD too
            await writer.drain()
        writer.close()

    async def run() -> list[tuple[int, bytes]]:
        server = await _serve(handler)
        transport = LeanTransport()
        answers = []
        for method in ("HEAD", "GET"):
            answer = await transport.handle_async_request(httpx.Request(method, _url(server)))
            answers.append((answer.status_code, await answer.aread()))
        await transport.aclose()
        await asyncio.sleep(0.05)
        server.close()
        return answers

    assert asyncio.run(run()) == [(200, b""), (200, b"body")]
    assert len(connections) == 2
