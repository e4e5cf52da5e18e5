"""Replay throughput: collaudo's replay server beside mitmproxy's own server replay.

    .venv/bin/python benchmarks/bench_replay.py [--rounds 30] [--sample mypay|gpd]

Both serve the same committed sample recording over loopback HTTP; one httpx client with
keep-alive sends every recorded request, round after round, and checks each answer's status.
Printed: flows replayed per second for each, and the in-process matching rate (no network)
of collaudo's matcher beside mitmproxy's ``ServerPlayback.next_flow``: on the recorded
requests as they are (a key is parsed once per distinct request, then found by the
request's bytes, as mitmproxy hashes them), and on requests whose bodies are all new
(every one parsed: the price of matching that survives redaction and fresh timestamps).

collaudo matches on operation/route plus identifying fields (parsing SOAP bodies and
base64 documents, ignoring volatile and pseudonymised values); mitmproxy hashes method,
path and the raw body. The difference is the price of matching that survives redaction and
fresh timestamps.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mitmproxy import http  # noqa: E402
from mitmproxy.addons.serverplayback import ServerPlayback  # noqa: E402
from mitmproxy.test import taddons  # noqa: E402

from collaudo.recorder.flows import read_flows  # noqa: E402
from collaudo.recorder.matching import Matcher  # noqa: E402
from collaudo.recorder.proxy import ReverseProxy  # noqa: E402
from collaudo.recorder.replay_server import ReplayApp  # noqa: E402
from collaudo.recorder.sample import sample_path  # noqa: E402
from simulators.common.server import free_port, serving  # noqa: E402


def drive(base: str, flows: list[http.HTTPFlow], rounds: int) -> float:
    """Flows per second sent to ``base``; fails if an answer differs in status."""
    with httpx.Client(base_url=base, timeout=10) as client:
        for flow in flows:  # warm-up
            client.request(
                flow.request.method,
                flow.request.path,
                content=flow.request.raw_content,
                headers={"content-type": flow.request.headers.get("content-type", "")},
            )
        started = time.perf_counter()
        for _ in range(rounds):
            for flow in flows:
                answer = client.request(
                    flow.request.method,
                    flow.request.path,
                    content=flow.request.raw_content,
                    headers={"content-type": flow.request.headers.get("content-type", "")},
                )
                expected = flow.response.status_code if flow.response else 502
                if answer.status_code != expected:
                    raise SystemExit(
                        f"{base}: {flow.request.path} answered {answer.status_code}, "
                        f"recorded {expected}: {answer.text[:300]}"
                    )
        elapsed = time.perf_counter() - started
    return rounds * len(flows) / elapsed


def collaudo_http(flows: list[http.HTTPFlow], rounds: int) -> float:
    with serving(ReplayApp(flows)) as server:
        return drive(server.url, flows, rounds)


def mitmproxy_http(path: Path, flows: list[http.HTTPFlow], rounds: int) -> float:
    # Reverse mode towards a port nobody listens on: every answer must come from the replay.
    nowhere = f"http://127.0.0.1:{free_port()}"
    options = {
        "server_replay": [str(path)],
        "server_replay_reuse": True,
        "server_replay_ignore_host": True,
        "server_replay_ignore_port": True,
        "server_replay_extra": "kill",
        "connection_strategy": "lazy",
    }
    proxy = ReverseProxy([(nowhere, free_port())], [], extra_options=options).start()
    try:
        return drive(proxy.url, flows, rounds)
    finally:
        proxy.stop()


def matching_rates(flows: list[http.HTTPFlow], rounds: int) -> tuple[float, float, float]:
    """Lookups/s: collaudo on byte-identical requests, collaudo on requests it must parse
    (a new body each time: a fresh timestamp), and mitmproxy's ``next_flow``."""
    requests = [
        (
            f.request.method,
            f.request.path,
            f.request.headers.get("content-type", ""),
            f.request.raw_content or b"",
        )
        for f in flows
    ]
    matcher = Matcher(flows)
    started = time.perf_counter()
    for _ in range(rounds):
        for request in requests:
            matcher.match(*request)
    ours = rounds * len(flows) / (time.perf_counter() - started)
    # The same requests, each body made unique by trailing whitespace (ignored by the
    # parsers, so the match stays right): no cached key helps, every body is parsed.
    fresh = [
        (method, path, ctype, body + b" " * n if body else body)
        for n in range(1, max(2, rounds // 10) + 1)
        for method, path, ctype, body in requests
    ]
    cold = Matcher(flows)
    started = time.perf_counter()
    for request in fresh:
        cold.match(*request)
    parsed = len(fresh) / (time.perf_counter() - started)
    playback = ServerPlayback()  # type: ignore[no-untyped-call]
    with taddons.context(playback) as tctx:  # type: ignore[no-untyped-call]
        tctx.configure(playback, server_replay_reuse=True)
        playback.load_flows(flows)
        probes = [f.copy() for f in flows]  # type: ignore[no-untyped-call]
        started = time.perf_counter()
        for _ in range(rounds):
            for probe in probes:
                assert playback.next_flow(probe) is not None
        theirs = rounds * len(flows) / (time.perf_counter() - started)
    return ours, parsed, theirs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sample", choices=("mypay", "gpd"), default="gpd")
    args = parser.parse_args()
    path = sample_path(args.sample)
    flows = read_flows(path)
    print(f"recording {path.name}: {len(flows)} flows, {args.rounds} rounds")
    ours = collaudo_http(flows, args.rounds)
    theirs = mitmproxy_http(path, flows, args.rounds)
    print(f"  collaudo replay server (uvicorn + Matcher)  {ours:8.0f} flows/s over HTTP")
    print(f"  mitmproxy server replay (serverplayback)    {theirs:8.0f} flows/s over HTTP")
    match_ours, match_parsed, match_theirs = matching_rates(flows, args.rounds * 10)
    print(f"  collaudo Matcher.match, in process          {match_ours:8.0f} lookups/s")
    print(f"    (requests it has not seen: bodies parsed  {match_parsed:8.0f} lookups/s)")
    print(f"  mitmproxy ServerPlayback.next_flow          {match_theirs:8.0f} lookups/s")
    print(
        f"  ratios, this run: replay {ours / theirs:.1f} x mitmproxy's server replay; "
        f"Matcher.match {match_ours / match_theirs:.1f} x next_flow "
        f"({match_parsed / match_theirs:.2f} x when every body is new)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
