"""``collaudo drift``: check every recorded message against the official contract.

    collaudo drift recordings/sample-mypay.flow --contract mypay
    collaudo drift recordings/sample-gpd.flow --contract all
    collaudo drift recordings/sample-govpay.flow --contract govpay

Violations are listed by operation and element; defects of the official files themselves
(e.g. gpd.json's ``\\h`` pattern, GovPay's undeclared 201/422 answers) are listed apart.
Exit code 1 when a message violates the contract, 2 when no contract could be checked
because its official files are missing
(``collaudo contracts status`` says where they are looked for; ``collaudo contracts fetch``
gets them).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

CHOICES = ("mypay", "gpd", "paForNode", "checkout", "govpay", "all")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "drift",
        help="check a recording against the official contracts (XSD / OpenAPI)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", help="the flow file")
    parser.add_argument("--contract", choices=CHOICES, default="all")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collaudo.recorder import contracts
    from collaudo.recorder.drift import check
    from collaudo.recorder.flows import RecordingError, read_flows

    try:
        flows = read_flows(args.file)
    except RecordingError as exc:
        print(f"collaudo drift: {exc}", file=sys.stderr)
        return 2
    names = contracts.CONTRACTS if args.contract == "all" else (args.contract,)
    violations = 0
    checked = 0
    for name in names:
        missing = contracts.missing(name)
        if missing:
            print(
                f"skipped the {name} contract: official {', '.join(missing)} not found; "
                "run collaudo contracts fetch (collaudo contracts status says where they "
                "are looked for)",
                file=sys.stderr,
            )
            continue
        report = check(flows, name)
        if args.contract == "all" and not report.checked:
            continue
        print(report.render())
        violations += len(report.violations)
        checked += 1
    if not checked:
        print("collaudo drift: no contract could be checked", file=sys.stderr)
        return 2
    return 1 if violations else 0
