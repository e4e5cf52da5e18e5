"""``collaudo intermediary new NAME --contract FILE [--contract FILE ...]``: a driver skeleton.

Writes ``adapters/drivers/NAME/`` (config, payloads, answers, driver; over httpx from OpenAPI
documents, over zeep from a WSDL, whose URL, endpoint and SOAP headers become configuration
fields) implementing the proxy's ``Intermediary`` protocol: each verb calls the operation
``collaudo contract check`` maps to it, with the request built from the payment where the
contract's field names match (the mapping is written in each function's docstring; what could
not be matched is marked ``TODO(integrator)``); a verb without a clear operation raises
``VerbNotImplemented`` naming the candidates. Also writes
``tests/drivers/NAME/test_conformance.py`` (the driver against the contract simulator) and a
``sim-NAME`` target in ``collaudo.toml``. Then::

    .venv/bin/python -m pytest -n 0 tests/drivers/NAME
    collaudo run --target sim-NAME

Exit code: 0 written, 2 refused (bad or taken name, unreadable contract).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "intermediary",
        help="scaffold a new intermediary's driver from its contract",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="intermediary_command", metavar="SUBCOMMAND")
    new = verbs.add_parser(
        "new",
        help="write adapters/drivers/NAME from the contract",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("name", metavar="NAME", help="the driver's name (a Python identifier)")
    new.add_argument(
        "--contract",
        action="append",
        required=True,
        metavar="FILE",
        help="a document of the contract (repeatable: one per OpenAPI file; a WSDL alone)",
    )
    new.add_argument(
        "--force", action="store_true", help="overwrite a driver generated earlier with NAME"
    )
    new.add_argument(
        "--root", type=Path, default=REPO, help=argparse.SUPPRESS
    )  # the checkout to write into
    new.set_defaults(func=run_new)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def run_new(args: argparse.Namespace) -> int:
    from collaudo.contractcheck import ContractInputError
    from collaudo.scaffold import ScaffoldError, generate
    from collaudo.scaffold.plan import VERB_METHODS
    from simulators.contractsim.source import ContractUnreadable

    def progress(line: str) -> None:
        print(f"collaudo intermediary new: {line}", flush=True)

    try:
        done = generate(
            args.name, args.contract, root=args.root, force=args.force, progress=progress
        )
    except (ScaffoldError, ContractInputError, ContractUnreadable) as exc:
        print(f"collaudo intermediary new: {exc}", file=sys.stderr)
        return 2
    plan = done.plan
    print(f"\n{args.name}: verb → operation")
    for verb, method in VERB_METHODS.items():
        label = plan.label(verb)
        if label is not None:
            print(f"  {method:<22} {label}")
        else:
            missing = plan.missing[verb]
            named = ", ".join(missing.candidates) or "no candidate"
            print(f"  {method:<22} non implementato ({missing.status}: {named})")
    print(
        f"\nwritten: {done.package.relative_to(args.root)}/, {done.tests.relative_to(args.root)}/"
    )
    print("next:")
    print(f"  .venv/bin/python -m pytest -n 0 tests/drivers/{args.name}")
    print(f"  collaudo run --target sim-{args.name}")
    print("  then complete the TODO(integrator) marks and the verbs not implemented")
    return 0
