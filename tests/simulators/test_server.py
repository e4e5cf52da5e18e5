"""Serving on a socket bound up front: no port race, and a failed start fails only itself."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from simulators.common.server import (
    FREE_PORT_RANGE,
    BackgroundServer,
    PortUnavailable,
    PromptServer,
    bind_socket,
    bound_port,
    free_port,
    make_config,
    serve,
)


def hello() -> Starlette:
    return Starlette(routes=[Route("/", lambda request: PlainTextResponse("ciao"))])


def test_a_bound_port_is_never_handed_out_again_until_it_is_closed() -> None:
    held = [bind_socket() for _ in range(50)]
    try:
        ports = {bound_port(sock) for sock in held}
        with socket.socket() as other:
            other.bind(("127.0.0.1", 0))  # what a free-port picker elsewhere does
            assert bound_port(other) not in ports
        assert len(ports) == 50
    finally:
        for sock in held:
            sock.close()


def test_a_taken_port_says_why_and_what_to_do() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = bound_port(taken)
        with pytest.raises(PortUnavailable) as caught:
            bind_socket("127.0.0.1", port)
    assert caught.value.reason.lower() == "address already in use"
    assert f"cannot listen on 127.0.0.1:{port}" in str(caught.value)
    assert "choose another port (0 picks a free one) or stop what uses it" in str(caught.value)


def test_the_background_server_serves_on_the_port_it_held_from_the_start() -> None:
    server = BackgroundServer(hello())
    with socket.socket() as intruder, pytest.raises(OSError):
        intruder.bind(("127.0.0.1", server.port))  # held before start: nobody can take it
    server.start()
    try:
        assert httpx.get(server.url + "/").text == "ciao"
    finally:
        server.stop()
    server.stop()  # twice is harmless


async def test_a_server_that_cannot_start_raises_and_the_event_loop_lives_on() -> None:
    @contextlib.asynccontextmanager
    async def broken(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("the database is not there")
        yield  # pragma: no cover

    sock = bind_socket()
    app = Starlette(lifespan=broken)
    server = uvicorn.Server(make_config(app, "127.0.0.1", bound_port(sock)))
    with pytest.raises(PortUnavailable, match="could not start"):
        await serve(server, sock)  # uvicorn's sys.exit would have ended the loop here
    sock.close()
    assert await asyncio.sleep(0, result="alive") == "alive"


def test_free_ports_stay_out_of_the_range_the_system_hands_to_port_zero() -> None:
    low, high = FREE_PORT_RANGE
    ports = [free_port() for _ in range(20)]
    assert all(low <= port <= high for port in ports)
    assert len(set(ports)) > 1  # drawn, not one fixed port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[-1]))  # and free indeed


async def test_connections_accepted_on_a_bound_socket_do_not_wait_for_nagle() -> None:
    # Without TCP_NODELAY every small answer waits ~40 ms for the client's delayed ACK:
    # the suite ran at half speed until bind_socket said IPPROTO_TCP.
    sock = bind_socket()
    nodelay: list[int] = []

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = writer.get_extra_info("socket")
        nodelay.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(accepted, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection("127.0.0.1", bound_port(sock))
        while not nodelay:
            await asyncio.sleep(0.01)
        writer.close()
    assert nodelay == [1]


async def test_a_prompt_server_stops_when_asked_and_finishes_the_answer_in_hand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An hour between ticks: only exit() can end the serving loop within the test's time.
    monkeypatch.setattr(PromptServer, "TICK", 3600.0)
    answering = asyncio.Event()
    release = asyncio.Event()
    shut_down: list[str] = []

    async def slow(request: Request) -> PlainTextResponse:
        answering.set()
        await release.wait()
        return PlainTextResponse("finito")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        shut_down.append("lifespan")

    sock = bind_socket()
    app = Starlette(routes=[Route("/", slow)], lifespan=lifespan)
    server = PromptServer(make_config(app, "127.0.0.1", bound_port(sock)))
    serving = asyncio.create_task(serve(server, sock))
    while not server.started:
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient() as client:
        request = asyncio.create_task(client.get(f"http://127.0.0.1:{bound_port(sock)}/"))
        await answering.wait()
        server.exit()
        await asyncio.sleep(0.05)
        assert not serving.done(), "it stopped before the answer in hand went out"
        release.set()
        response = await asyncio.wait_for(request, 10)
    assert response.text == "finito"
    await asyncio.wait_for(serving, 10)  # the tick of an hour did not hold it
    assert shut_down == ["lifespan"]
