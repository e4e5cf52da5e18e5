"""``collaudo contract``: work from an intermediary's contract (WSDL, OpenAPI, Postman).

    collaudo contract check pa-per-ente.wsdl
    collaudo contract check gpd.json gpd_payments.json --lang en --markdown report.md
    collaudo contract check https://vendor.example/api/openapi.yaml --out reports/contract

``check`` reports, in Italian (default) or English, whether each document loads with strict
validators and every defect found (with file, line and JSON pointer or XPath), then which
operations serve the payment proxy's five verbs (create, notice, checkout, status,
receipt), with confidence and reasons; several files of one intermediary are mapped
together. ``--json``/``--markdown`` (or ``--out DIR``) write reports a person can send to
the vendor.

Exit code: 0 when every document loads with strict validators (warnings and notes do not
count), 1 when a document has errors (it does not load strictly: a syntax error, an
unresolvable $ref, a pattern that is not ECMA-262, a namespace used without import…), 2
when an input cannot be read or is not a contract.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.i18n import ENV_VAR, LANGUAGES
from collaudo.i18n import use_language

if TYPE_CHECKING:
    from collaudo.contractcheck.check import CheckReport


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "contract",
        help="check an intermediary's contract (WSDL / OpenAPI / Postman) and map its operations",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="contract_command", metavar="SUBCOMMAND")
    check = verbs.add_parser(
        "check",
        help="check the documentation and map the five operations",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "sources",
        nargs="+",
        metavar="FILE|URL",
        help="the contract's main file(s) or http(s) URL(s)",
    )
    # No default here: it would override `collaudo --lang en contract check` and
    # COLLAUDO_LANG. The value goes to the environment (collaudo.cli), as for every verb.
    check.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=f"report language: {' or '.join(LANGUAGES)}; default ${ENV_VAR}, else it",
    )
    check.add_argument("--json", metavar="FILE", help="write the JSON report here")
    check.add_argument("--markdown", metavar="FILE", help="write the Markdown report here")
    check.add_argument(
        "--out", metavar="DIR", help="write contract-check.json and contract-check.md into DIR"
    )
    check.set_defaults(func=run_check)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def run_check(args: argparse.Namespace) -> int:
    from collaudo.contractcheck.check import check_contracts
    from collaudo.contractcheck.findings import ContractInputError

    for source in args.sources:
        print(f"collaudo contract check: reading {source}", file=sys.stderr)
    try:
        report = check_contracts(args.sources, keep_going=True)
    except ContractInputError as exc:  # pragma: no cover - keep_going reports instead
        print(f"collaudo contract check: {exc}", file=sys.stderr)
        return 2
    for reason in report.unreadable:
        print(f"collaudo contract check: {reason}", file=sys.stderr)
    if not report.documents:
        return 2
    lang = getattr(args, "lang", None)  # set by collaudo.cli too; here when called directly
    with use_language(lang):
        _write_reports(args, report)
    return report.exit_code


def _write_reports(args: argparse.Namespace, report: CheckReport) -> None:
    """The terminal report, then the files asked for, in the current language."""
    from collaudo.contractcheck.report import to_json, to_markdown, to_text

    print(to_text(report))
    targets: list[tuple[Path, str]] = []
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        targets += [(out / "contract-check.json", "json"), (out / "contract-check.md", "md")]
    if args.json:
        targets.append((Path(args.json), "json"))
    if args.markdown:
        targets.append((Path(args.markdown), "md"))
    for path, kind in targets:
        text = to_json(report) if kind == "json" else to_markdown(report)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
