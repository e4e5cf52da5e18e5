"""``collaudo record``: mitmproxy in reverse-proxy mode in front of an intermediary.

    collaudo record --upstream https://mypay.example.it --listen 8081 --out recordings/pilot.flow
    collaudo record --upstream URL --listen 8081 --also https://checkout.example@8082 --out F
    collaudo record --sample mypay          # regenerate recordings/sample-mypay.flow

Point the adapter at the listening port (for MyPay set both the WSDL URL and the SOAP
endpoint URL: the WSDL names the real host). Every exchange is redacted — credentials,
codici fiscali, names, e-mails, IBANs, also inside base64 documents — before it is written.
Ctrl-C stops recording.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "record",
        help="record an intermediary's traffic through mitmproxy, redacted",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--upstream", help="the intermediary's base URL")
    parser.add_argument("--listen", type=int, help="local port the adapter calls instead")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="URL@PORT",
        help="another upstream recorded into the same file (e.g. the checkout)",
    )
    parser.add_argument("--out", help="the flow file to write (e.g. recordings/pilot.flow)")
    parser.add_argument(
        "--sample",
        choices=("mypay", "gpd"),
        help="regenerate a committed sample recording against the simulators",
    )
    parser.set_defaults(func=run)


def _routes(args: argparse.Namespace) -> list[tuple[str, int]] | str:
    if not args.upstream or args.listen is None:
        return "give --upstream URL and --listen PORT (or --sample mypay|gpd)"
    routes = [(args.upstream, args.listen)]
    for extra in args.also:
        url, _, port = extra.rpartition("@")
        if not url or not port.isdigit():
            return f"--also {extra}: write it as URL@PORT, e.g. https://checkout.example@8082"
        routes.append((url, int(port)))
    for _, port in routes:
        if not 0 < port < 65536:
            return f"port {port}: choose a port between 1 and 65535"
    return routes


def run(args: argparse.Namespace) -> int:
    from collaudo.recorder.addon import RecordingAddon
    from collaudo.recorder.flows import RecordingError
    from collaudo.recorder.proxy import ProxyError, ReverseProxy

    if args.sample:
        from collaudo.recorder.sample import fixed_key, record_sample, sample_path

        out = args.out or sample_path(args.sample)
        count = record_sample(args.sample, out, key=fixed_key())
        print(f"sample recording {out}: {count} flows, redacted")
        return 0
    routes = _routes(args)
    if isinstance(routes, str):
        print(f"collaudo record: {routes}", file=sys.stderr)
        return 2
    if not args.out:
        print("collaudo record: give --out recordings/NAME.flow", file=sys.stderr)
        return 2
    addon = RecordingAddon(args.out)
    try:
        proxy = ReverseProxy(routes, [addon], host=args.host).start()
    except (ProxyError, RecordingError) as exc:
        print(f"collaudo record: {exc}", file=sys.stderr)
        return 1
    for upstream, local in proxy.urls.items():
        print(f"recording {upstream} — mitmproxy listening on {local}")
    print(f"writing redacted flows to {args.out}; press Ctrl-C to stop.", flush=True)
    stopped = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        proxy.stop()
    print(f"recorded {addon.recorded} flows to {args.out}")
    return 0
