"""``collaudo replay``: serve a recording to the adapter, or resend it to a target.

    collaudo replay recordings/pilot.flow --mode server --listen 8099
    collaudo replay recordings/pilot.flow --mode client --target https://test.vendor.example \\
        --credential password=MYPAY_PASSWORD --credential Ocp-Apim-Subscription-Key=GPD_KEY

Server mode answers each request with the recorded answer matched by SOAP operation or REST
route and identifying fields; a request with no match gets HTTP 500 naming the nearest
recorded requests and why they differ, and the exit code is 1. Client mode resends every
recorded request (credentials, redacted at recording, are read from the environment
variables named by --credential NAME=ENV) and reports what differs from the recording;
exit code 1 when an answer differs.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "replay",
        help="replay a recording: serve its answers, or resend its requests",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", help="the flow file (from `collaudo record`)")
    parser.add_argument("--mode", choices=("server", "client"), required=True)
    parser.add_argument("--listen", type=int, default=8099, help="server mode: port")
    parser.add_argument("--host", default="127.0.0.1", help="server mode: address")
    parser.add_argument("--target", help="client mode: base URL to resend to")
    parser.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="NAME=ENV",
        help="client mode: put back a redacted credential (header or element NAME) "
        "from environment variable ENV",
    )
    parser.add_argument("--timeout", type=float, default=15.0, help="client mode: seconds")
    parser.set_defaults(func=run)


def credentials(specs: list[str]) -> dict[str, str] | str:
    out = {}
    for spec in specs:
        name, sep, env = spec.partition("=")
        if not sep or not name or not env:
            return f"--credential {spec}: write it as NAME=ENVIRONMENT_VARIABLE"
        if env not in os.environ:
            return f"--credential {spec}: the environment variable {env} is not set"
        out[name] = os.environ[env]
    return out


def serve(args: argparse.Namespace, flows: list[Any]) -> int:
    import asyncio

    import uvicorn

    from collaudo.recorder.replay_server import ReplayApp

    app = ReplayApp(flows)
    config = uvicorn.Config(app, host=args.host, port=args.listen, log_level="warning")
    server = uvicorn.Server(config)
    print(f"replaying {len(flows)} recorded exchanges from {args.file}")
    print(f"replay server listening on http://{args.host}:{args.listen}; Ctrl-C stops it.")
    sys.stdout.flush()
    try:
        asyncio.run(server.serve())
    except KeyboardInterrupt:
        pass
    print(f"served {app.served} recorded answers; {len(app.unmatched)} requests matched nothing")
    for miss in app.unmatched:
        print(miss.explain(), file=sys.stderr)
    unused = app.matcher.unused()
    if unused:
        print(f"recorded exchanges never asked for: {', '.join(f'#{i}' for i in unused)}")
    return 1 if app.unmatched else 0


def run(args: argparse.Namespace) -> int:
    from collaudo.recorder.flows import RecordingError, read_flows

    try:
        flows = read_flows(args.file)
    except RecordingError as exc:
        print(f"collaudo replay: {exc}", file=sys.stderr)
        return 2
    if args.mode == "server":
        return serve(args, flows)
    if not args.target:
        print("collaudo replay: client mode needs --target URL", file=sys.stderr)
        return 2
    creds = credentials(args.credential)
    if isinstance(creds, str):
        print(f"collaudo replay: {creds}", file=sys.stderr)
        return 2
    from collaudo.recorder.replay_client import render, resend

    results = resend(flows, args.target, creds, timeout=args.timeout)
    print(render(results, args.target))
    return 0 if all(r.same for r in results) else 1
