"""The contract simulator against the hand-written ones, same run (a script, not a test).

    .venv/bin/python benchmarks/bench_contractsim.py [--duration 10] [--connections 64]
        [--client auto|wrk|python] [--positions 300] [--quick]

Four simulators, each in its own ``uvicorn`` subprocess (httptools, one worker), started
together on free loopback ports: the hand-written MyPay and GPD simulators, and
``collaudo sim contract`` serving the official ``pa-per-ente.wsdl`` and ``gpd.json``.
Each pair is seeded through its public interface with the same requests
(``paaSILInviaDovuti`` dovuti, ``POST`` of debt positions; the hand-written ones also get
half of them paid through their station, as :mod:`bench_simulators` does) and its answers
checked before any load; then each serves, for ``--duration`` seconds, the comparable
operation cycling through the seeded keys:

- ``paaSILChiediPagati`` (SOAP ``POST /ws/pa``): the contract simulator validates the
  request against the WSDL's schemas and answers from the record its ``paaSILInviaDovuti``
  created; the MyPay simulator builds a real Pagati document;
- ``GET`` of a debt position (REST): the contract simulator validates the path against
  gpd.json and answers the stored position shaped by the response schema (built once per
  state: a later write rebuilds it).

The machine is shared, so each pair runs in alternating rounds (``--rounds``) and the
ratio is also given in requests per CPU-second of the simulator, which load does not skew.

It prints a line per endpoint (req/s, p50/p99, errors) and the ratio contract / hand-written
for each pair: the goal is at most 1.5x slower (ratio >= 0.67). The load generator is
``wrk`` when installed (``apt-get install wrk``), else a Python client whose figures are
labelled CLIENT-BOUND. Exit status 1 when any request failed, 2 when it could not run.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx
from lxml import etree

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent))

import bench_simulators as bs  # noqa: E402

from simulators.common.contracts import GPD_JSON, MYPAY_WSDL, available, contract_file  # noqa: E402

PPT = bs.PPT
TARGET_RATIO = 1 / 1.5


def contract_mypay() -> object:
    """``uvicorn --factory`` entry: the contract simulator serving pa-per-ente.wsdl."""
    from simulators.contractsim.app import Settings, create_app

    return create_app(Settings(contract=str(contract_file(MYPAY_WSDL))))


def contract_gpd() -> object:
    """``uvicorn --factory`` entry: the contract simulator serving gpd.json."""
    from simulators.contractsim.app import Settings, create_app

    return create_app(Settings(contract=str(contract_file(GPD_JSON))))


SIMULATORS = {
    **bs.SIMULATORS,
    "Contract-MyPay": "benchmarks.bench_contractsim:contract_mypay",
    "Contract-GPD": "benchmarks.bench_contractsim:contract_gpd",
}


def seed_contract_mypay(client: httpx.Client, count: int) -> list[str]:
    """``count`` paaSILInviaDovuti: the idSessions the contract simulator answered."""
    sessions = []
    for n in range(count):
        answer = client.post(
            "/ws/pa",
            content=bs.invia_dovuti_envelope(
                f"BENCH-{n:06d}", Decimal(10 + n % 90) + Decimal("0.50")
            ),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "paaSILInviaDovuti"},
        )
        session = bs._answer(answer.content).findtext("idSession")
        if answer.status_code != 200 or not session:
            raise bs.BenchError(f"paaSILInviaDovuti refused: {answer.content[:600]!r}")
        sessions.append(session)
    return sessions


def _contract_pagati_check(answer: httpx.Response) -> str | None:
    if answer.status_code != 200:
        return f"HTTP {answer.status_code}: {answer.text[:300]}"
    element = bs._answer(answer.content)
    if element.tag != f"{{{PPT}}}paaSILChiediPagatiRisposta" or element.find("fault") is not None:
        return f"not a paaSILChiediPagatiRisposta: {answer.content[:300]!r}"
    return None


def contract_mypay_endpoint(url: str, sessions: list[str], pid: int) -> bs.Endpoint:
    headers = {"content-type": "text/xml; charset=utf-8", "soapaction": '"paaSILChiediPagati"'}
    calls = [
        bs.Call("POST", "/ws/pa", headers, bs.chiedi_pagati_envelope(s), _contract_pagati_check)
        for s in sessions
    ]
    return bs.Endpoint("Contract sim paaSILChiediPagati", url, calls, b"<fault>", pid)


def seed_contract_gpd(client: httpx.Client, count: int) -> list[str]:
    """The same debt positions bench_simulators gives the GPD simulator, POSTed."""
    iupds = []
    recorder: list[dict[str, object]] = []

    class Capture:  # seed_gpd's requests, captured instead of sent to a GPD simulator
        def post(
            self,
            path: str,
            params: object = None,
            json: dict[str, object] | None = None,
            headers: object = None,
        ) -> httpx.Response:
            assert json is not None
            recorder.append(json)
            option = dict(json["paymentOption"][0])  # type: ignore[index]
            option["nav"] = "3" + str(option["iuv"])
            return httpx.Response(201, json={**json, "paymentOption": [option]})

    original_pay = bs._pay
    bs._pay = lambda *args, **kwargs: None  # type: ignore[assignment]  # no station here
    try:
        bs.seed_gpd(Capture(), count)  # type: ignore[arg-type]
    finally:
        bs._pay = original_pay
    for body in recorder:
        answer = client.post(bs.GPD_POSITIONS, json=body, headers=bs.GPD_KEY)
        if answer.status_code != 201:
            raise bs.BenchError(
                f"the contract simulator refused {body['iupd']}: {answer.text[:400]}"
            )
        iupds.append(str(body["iupd"]))
    return iupds


def _contract_position_check(iupd: str) -> Callable[[httpx.Response], str | None]:
    def check(answer: httpx.Response) -> str | None:
        if answer.status_code != 200:
            return f"HTTP {answer.status_code}: {answer.text[:300]}"
        got = answer.json()
        return None if got.get("iupd") == iupd else f"got {got.get('iupd')}, expected {iupd}"

    return check


def contract_gpd_endpoint(url: str, iupds: list[str], pid: int) -> bs.Endpoint:
    calls = [
        bs.Call(
            "GET", f"{bs.GPD_POSITIONS}/{iupd}", bs.GPD_KEY, b"", _contract_position_check(iupd)
        )
        for iupd in iupds
    ]
    return bs.Endpoint("Contract sim GET debt position", url, calls, None, pid)


def measure(
    endpoint: bs.Endpoint, client: str, duration: float, args: argparse.Namespace, workdir: Path
) -> bs.Result:
    """One run of ``endpoint`` with the server's CPU time."""
    cpu_before = bs.cpu_seconds(endpoint.server_pid)
    if client == "wrk":
        result = bs.run_wrk(endpoint, duration, args.connections, args.threads, workdir)
    else:
        result = bs.run_python(endpoint, duration, args.connections, args.processes)
    cpu_after = bs.cpu_seconds(endpoint.server_pid)
    if cpu_before is not None and cpu_after is not None:
        result = replace(result, server_cpu=cpu_after - cpu_before)
    if result.requests == 0:
        raise bs.BenchError(f"{endpoint.label}: no request completed")
    return result


def combined(results: list[bs.Result]) -> bs.Result:
    """Rounds as one run: totals, the mean p50, the worst p99."""
    cpu = [r.server_cpu for r in results]
    return bs.Result(
        sum(r.requests for r in results),
        sum(r.seconds for r in results),
        sum(r.p50_ms for r in results) / len(results),
        max(r.p99_ms for r in results),
        sum(r.errors for r in results),
        None if any(c is None for c in cpu) else sum(c for c in cpu if c is not None),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, help="seconds per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--positions", type=int, help="positions seeded in each (default 300)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 s, 40 positions")
    parser.add_argument("--rounds", type=int, default=2, help="alternations per pair")
    args = parser.parse_args(argv)
    duration = args.duration or (2.0 if args.quick else 10.0)
    count = args.positions or (40 if args.quick else 300)
    if not available(MYPAY_WSDL, GPD_JSON):
        print("benchmark failed: the official contracts are missing; run `collaudo contracts "
              "fetch` (or set COLLAUDO_CONTRACTS_DIR)", file=sys.stderr)  # fmt: skip
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        client = bs._choose_client(args.client)
        with ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-cs-")))
            served = stack.enter_context(bs.simulators(SIMULATORS, workdir))
            started = time.perf_counter()
            try:
                url, pid = served["MyPay"]
                with httpx.Client(base_url=url, timeout=10) as http:
                    mypay = bs.mypay_endpoint(url, bs.seed_mypay(http, count), pid)
                url, pid = served["GPD"]
                with httpx.Client(base_url=url, timeout=10) as http:
                    gpd = bs.gpd_endpoint(url, bs.seed_gpd(http, count), pid)
                url, pid = served["Contract-MyPay"]
                with httpx.Client(base_url=url, timeout=10) as http:
                    c_mypay = contract_mypay_endpoint(url, seed_contract_mypay(http, count), pid)
                url, pid = served["Contract-GPD"]
                with httpx.Client(base_url=url, timeout=10) as http:
                    c_gpd = contract_gpd_endpoint(url, seed_contract_gpd(http, count), pid)
                for endpoint in (mypay, c_mypay, gpd, c_gpd):
                    bs.verify(endpoint)
            except (httpx.HTTPError, bs.StationError, etree.XMLSyntaxError, KeyError) as exc:
                raise bs.BenchError(
                    f"seeding or checking failed ({type(exc).__name__}: {exc})"
                ) from exc
            print(f"seeded {count} positions in each simulator, answers checked, "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
            if client == "wrk":
                version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
                generator = f"{version.splitlines()[0].split(' [')[0]}, {args.threads} threads"
            else:
                generator = "Python asyncio — CLIENT-BOUND: the client shares the cores"
            print(f"machine: {os.cpu_count()} cores; load generator: {generator}")
            print(
                f"{args.connections} keep-alive connections, {duration:g} s per endpoint "
                f"in {args.rounds} alternating rounds"
            )
            # The machine is shared: load drifts over a run. Each pair alternates in rounds
            # (hand-written, contract, hand-written, ...) so a drift hits both alike.
            endpoints = (mypay, c_mypay, gpd, c_gpd)
            rounds: dict[str, list[bs.Result]] = {e.label: [] for e in endpoints}
            for _ in range(args.rounds):
                for endpoint in endpoints:
                    rounds[endpoint.label].append(
                        measure(endpoint, client, duration / args.rounds, args, workdir)
                    )
            results = [(e, combined(rounds[e.label])) for e in endpoints]
            bs.report(results)
            print()
            for (hand, hand_result), (ours, our_result) in (
                (results[0], results[1]), (results[2], results[3])
            ):  # fmt: skip
                ratio = our_result.rps / hand_result.rps
                verdict = "within" if ratio >= TARGET_RATIO else "NOT within"
                line = f"{ours.label} / {hand.label}: {ratio:.2f} req/s ({verdict} 1.5x)"
                if our_result.server_cpu and hand_result.server_cpu:
                    per_cpu = (our_result.requests / our_result.server_cpu) / (
                        hand_result.requests / hand_result.server_cpu
                    )
                    line += f"; {per_cpu:.2f} requests per CPU-second (load-independent)"
                print(line)
            return 1 if any(r.errors for _, r in results) else 0
    except bs.BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: simulators stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
