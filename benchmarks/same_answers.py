"""Are the simulators' answers the same bytes as another tree's? (a script, not a test)

    .venv/bin/python benchmarks/same_answers.py                 # this tree: print digests
    .venv/bin/python benchmarks/same_answers.py --tree /tmp/main  # another checkout's code
    .venv/bin/python benchmarks/same_answers.py --setting notice_in_create=true  # a Settings field

Drives the MyPay simulator in process (through its ASGI app, so the raw ``/ws/pa`` path
is what answers) with one fixed sequence of requests: creations (``paaSILImportaDovuto``,
its zipped notice PDF inside, and a duplicate), carts (``paaSILInviaDovuti``), payments
through the station, ``paaSILChiediPagati`` (paid and not), and refusals (malformed XML,
SOAP 1.2, a wrong action, a schema violation, a body too large). The clock, the IUV counter,
the session ids, the zip timestamps and reportlab's dates are pinned, so two runs of the
same code print the same digests; run it on two trees and compare: one digest per answer
(status, headers, body) and one for all. ``--setting name=value`` sets a field of the
simulator's ``Settings`` (true/false for flags), for a behaviour a tree makes optional.
Exit status 0 always: the digests are the output.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pin_everything() -> None:
    """Freeze what varies between runs of the same code: time, random ids, PDF dates."""
    frozen = 1_780_000_000.0  # 2026-05-28: every due date the script sends is after it
    time.time = lambda: frozen  # IUV counter base, zip timestamps, datetime.now() below
    import datetime as dt

    class FrozenDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> FrozenDatetime:  # type: ignore[override]
            return cls.fromtimestamp(frozen, tz)

    dt.datetime = FrozenDatetime  # type: ignore[misc]
    import secrets

    counter = itertools.count(1)
    secrets.token_hex = lambda n=16: f"{next(counter):0{2 * (n or 16)}x}"
    from reportlab import rl_config

    rl_config.invariant = 1


async def call(app: object, method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    sent: list[dict[str, object]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, object]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    raw_headers = [(b"host", b"127.0.0.1:8000")] + [
        (k.lower().encode(), v.encode()) for k, v in headers.items()
    ]
    if body:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    path_part, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path_part, "raw_path": path_part.encode(),
        "query_string": query.encode(), "root_path": "", "headers": raw_headers,
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip
    await app(scope, receive, send)  # type: ignore[operator]
    start = next(m for m in sent if m["type"] == "http.response.start")
    body_out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
    head = f"{start['status']}\n".encode() + b"".join(
        k + b": " + v + b"\n"
        for k, v in start.get("headers", [])  # type: ignore[attr-defined]
    )
    return head + b"\n" + body_out


async def mypay_session(record: list[tuple[str, bytes]], settings: dict[str, object]) -> None:
    import bench_simulators as b

    from simulators.mypay.app import Settings, create_app

    app = create_app(Settings(**settings))
    soap = {"content-type": "text/xml; charset=utf-8"}

    async def post(label: str, action: str, body: bytes) -> bytes:
        got = await call(app, "POST", "/ws/pa", body, {**soap, "soapaction": f'"{action}"'})
        record.append((label, got))
        return got

    from decimal import Decimal

    for n in range(6):
        await post(f"importa {n}", "paaSILImportaDovuto",
                   b.importa_dovuto_envelope(f"SAME-IMP-{n:03d}", Decimal(10 + n)))  # fmt: skip
    await post("importa duplicate", "paaSILImportaDovuto",
               b.importa_dovuto_envelope("SAME-IMP-000", Decimal(10)))  # fmt: skip
    sessions: list[str] = []
    for n in range(6):
        got = await post(f"invia {n}", "paaSILInviaDovuti",
                         b.invia_dovuti_envelope(f"SAME-INV-{n:03d}", Decimal(20 + n)))  # fmt: skip
        sessions.append(got.split(b"<idSession>")[1].split(b"</idSession>")[0].decode())
    # pay half of them through the station, as the Nodo does
    from urllib.parse import parse_qs, urlsplit

    import httpx

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        for n in range(0, 6, 2):
            got = record[7 + n][1]
            url = got.split(b"<url>")[1].split(b"</url>")[0].decode().replace("&amp;", "&")
            notice = parse_qs(urlsplit(url).query)["noticeNumber"][0]
            await asyncio.to_thread(
                b._pay, _SyncBridge(http), notice, notice[1:], Decimal(20 + n), f"same-{n}"
            )
    for n, session in enumerate(sessions):
        await post(f"chiedi pagati {n}", "paaSILChiediPagati", b.chiedi_pagati_envelope(session))
    await post("malformed", "paaSILChiediPagati", b"<soap:Envelope")
    soap12 = b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>'
    await post("soap 1.2", "paaSILChiediPagati", soap12)
    await post("wrong action", "paaSILInviaDovuti", b.chiedi_pagati_envelope(sessions[0]))
    invalid = b.chiedi_pagati_envelope(sessions[0]).replace(b"idSession>", b"idSessione>")
    await post("schema violation", "paaSILChiediPagati", invalid)
    await post("too large", "paaSILChiediPagati", b"<x>" + b"a" * (1024 * 1024 + 10) + b"</x>")
    record.append(("status", await call(app, "GET", "/status", b"", {})))


class _SyncBridge:
    """bench_simulators._pay wants a sync httpx.Client: forward to the async one."""

    def __init__(self, client: object) -> None:
        self.client = client
        self.loop = asyncio.get_event_loop()

    def post(self, url: str, **kwargs: object) -> object:
        future = asyncio.run_coroutine_threadsafe(self.client.post(url, **kwargs), self.loop)  # type: ignore[attr-defined]
        return future.result(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tree", type=Path, help="import simulators from this checkout")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a field of the MyPay simulator's Settings (true/false for flags); repeatable",
    )
    args = parser.parse_args()
    settings: dict[str, object] = {}
    for given in args.setting:
        name, sep, value = given.partition("=")
        if not sep:
            parser.error(f"--setting {given!r}: expected NAME=VALUE, e.g. notice_in_create=true")
        flags = {"true": True, "false": False}
        settings[name] = flags.get(value.lower(), value)
    sys.path.insert(0, str(REPO / "benchmarks"))
    sys.path.insert(0, str(args.tree or REPO))
    pin_everything()
    # Bound first, from the tree asked for: bench_simulators puts this repository ahead.
    import simulators

    record: list[tuple[str, bytes]] = []
    try:
        asyncio.run(mypay_session(record, settings))
    except TypeError as exc:  # a field this tree's Settings does not have
        print(f"--setting refused by the simulators of this tree: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc

    print(f"simulators from {Path(simulators.__file__).parent}")
    total = hashlib.sha256()
    for label, answer in record:
        digest = hashlib.sha256(answer).hexdigest()
        total.update(answer)
        print(f"{digest[:16]}  {len(answer):7d} B  {label}")
    print(f"all {len(record)} answers: {total.hexdigest()}")


if __name__ == "__main__":
    main()
