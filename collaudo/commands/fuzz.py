"""``collaudo fuzz``: fuzz every API in-process and report what broke.

REST (schemathesis 4): the proxy's own OpenAPI (``/docs``, FakeIntermediary behind it), the
GPD simulator and the checkout mock's ``/carts`` against the official pagoPA specs, with
stateful sequences along the specs' links. SOAP (hypothesis, strategies from the official
XSDs): the MyPay simulator's ``/ws/pa`` and the paForNode station side; the drivers fed
generated and mutated answers. Prints progress, then per API the cases run and the
failures found; writes reports/fuzz-junit.xml and reports/allure-results/. Exit code 1 if
any failure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from collaudo.fuzz import DEFAULT_BUDGET, TARGETS, run_fuzz
from collaudo.fuzz.reports import finding_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "fuzz",
        help="fuzz the proxy, the simulators and the drivers (schemathesis + hypothesis)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--target",
        choices=[*TARGETS, "all"],
        action="append",
        help="what to fuzz (repeatable; default: all)",
    )
    parser.add_argument(
        "--budget",
        type=int,
        default=DEFAULT_BUDGET,
        help=f"max examples per operation (default {DEFAULT_BUDGET}; CI "
        "uses a small one, run a larger one by hand)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed, to repeat a run")
    parser.add_argument(
        "--reports",
        type=Path,
        default=Path("reports"),
        help="where fuzz-junit.xml and allure-results/ go (default reports/)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.budget < 1:
        print("--budget must be at least 1 (examples per operation)", file=sys.stderr)
        return 2
    chosen = args.target or ["all"]
    targets = list(TARGETS) if "all" in chosen else list(dict.fromkeys(chosen))
    started = time.monotonic()

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"  {line}", flush=True)

    print(f"collaudo fuzz: {', '.join(targets)} — budget {args.budget} examples per operation")
    result = run_fuzz(
        targets, args.budget, reports_dir=args.reports, seed=args.seed, progress=progress
    )
    for report in result.reports:
        for finding in report.findings:
            print("\n" + "=" * 78 + "\nFAILURE " + finding_text(finding))
    print("\nper API")
    for report in result.reports:
        verdict = "ok" if report.ok else "FAILED"
        print(
            f"  {report.api:<10} {verdict:<7} {report.cases:>7} cases  "
            f"{len(report.findings):>3} failures  {report.operations:>3} operations  "
            f"{report.seconds:6.1f} s"
        )
        for note in report.notes:
            print(f"  {'':<10} note: {note}")
    for target, why in result.skipped.items():
        print(f"  {target:<10} SKIPPED {why}")
    if result.defects:
        print("\ncontract defects patched in memory (report them upstream):")
        for defect in result.defects:
            print(f"  - {defect}")
    print(f"\nreports: {result.junit} and {result.allure}")
    total = sum(r.cases for r in result.reports)
    verdict = "no failures" if result.ok else f"{result.failures} failure(s)"
    print(f"{verdict} in {total} cases, {time.monotonic() - started:.1f} s")
    return 0 if result.ok else 1
