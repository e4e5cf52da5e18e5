"""Running a server in the foreground for a CLI verb (``proxy``, ``sim``).

The socket is bound first (``simulators.common.server.bind_socket``), so a taken port
gets a plain answer instead of uvicorn's traceback; where the server listens is printed
once it accepts connections; Ctrl-C (and, where asked, SIGTERM) stops it cleanly.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from types import FrameType
from typing import Any

from simulators.common.server import PortUnavailable


def cannot_listen(verb: str, host: str, port: int, exc: PortUnavailable) -> None:
    """Say on stderr that ``collaudo VERB`` cannot listen there, and what to do."""
    print(
        f"collaudo {verb}: cannot listen on {host}:{port} ({exc.reason}); "
        "choose another port with --port",
        file=sys.stderr,
    )


async def _serve(server: Any, sock: socket.socket, announce: list[str]) -> None:
    """Serve until stopped; print ``announce`` once the server accepts connections."""

    async def announce_when_started() -> None:
        while not server.started:
            await asyncio.sleep(0.02)
        print("\n".join(announce), flush=True)

    watcher = asyncio.create_task(announce_when_started())
    try:
        await server.serve(sockets=[sock])
    finally:
        watcher.cancel()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve_foreground(
    server: Any,
    sock: socket.socket,
    announce: list[str],
    *,
    verb: str,
    what: str,
    stopped: str,
    sigterm_stops: bool = False,
) -> int:
    """Run uvicorn ``server`` on ``sock`` until Ctrl-C; 1 when it did not start, else 0.

    ``what`` names the server in the failure message, ``stopped`` is printed at the end;
    ``sigterm_stops`` makes SIGTERM (``docker stop``) stop it like Ctrl-C.
    """
    previous = signal.signal(signal.SIGTERM, _interrupt) if sigterm_stops else None
    try:
        asyncio.run(_serve(server, sock, announce))
    except KeyboardInterrupt:
        pass
    except SystemExit:  # uvicorn gives up when the application fails to start
        print(f"collaudo {verb}: {what} did not start (see the error above)", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        sock.close()
    print(stopped, flush=True)
    return 0
