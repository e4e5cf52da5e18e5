"""``collaudo doctor``: can this host reach a target's every endpoint, and if not, why?

    collaudo doctor --target mypay-collaudo            # a live target of collaudo.toml
    collaudo doctor --target sim-gpd                   # the simulators, started for the check
    collaudo doctor --target mypay-collaudo --out doctor.txt

For each URL the target configures: DNS, the route and source address, TCP, TLS (with
the client certificate when configured), the HTTP status and the WSDL or OpenAPI
document. The report is one page, ready to paste into a message to the vendor; the exit
code is 1 when any endpoint has a problem.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from collaudo.net.doctor import Endpoint, endpoints, examine, report
from collaudo.targets import Target, TargetError, load_targets, select


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "doctor",
        help="check DNS, route, TCP, TLS, HTTP and documents of a target's endpoints",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--target", required=True, help="target profile (see collaudo.toml)")
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="target profiles (default: collaudo.toml)"
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="also write the report here")
    parser.set_defaults(func=run)


def _examine_all(tenant: dict[str, Any]) -> list[Endpoint]:
    found = endpoints(tenant)
    for number, endpoint in enumerate(found, 1):
        print(f"  [{number}/{len(found)}] {endpoint.url}", flush=True)
        examine(endpoint, tenant)
    return found


def _simulated(target: Target) -> list[Endpoint]:
    with tempfile.TemporaryDirectory(prefix="collaudo-doctor-") as data:
        from collaudo.stack import StackThread  # every simulator: only for a simulated target

        runner = StackThread(target.stack_options(Path(data)))
        stack = runner.start()
        try:
            return _examine_all(stack.tenant_body())
        finally:
            runner.stop()


def run(args: argparse.Namespace) -> int:
    try:
        (target,) = select(load_targets(args.config), [args.target])
    except TargetError as exc:
        print(f"collaudo doctor: {exc}")
        return 2
    print(f"collaudo doctor: checking the endpoints of {target.name} from this host", flush=True)
    examined = _simulated(target) if target.simulated else _examine_all(dict(target.tenant))
    if not examined:
        print(f"collaudo doctor: target {target.name} configures no *_url field to check")
        return 2
    text = "\n".join(report(target.name, examined))
    print()
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
        print(f"\nreport written to {args.out}")
    return 0 if all(e.ok for e in examined) else 1
