"""``collaudo run``: the main job.

Until the Gherkin collaudo suite lands, it runs the stack's self-check: the
whole stack in-process on embedded defaults, and one citizen's payment walked
end to end against each intermediary simulator. Exit code 0 only if every
step passed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from collaudo.selfcheck import INTERMEDIARY_TITLES, JourneyResult, StepResult, run_journey
from collaudo.stack import INTERMEDIARIES, StackError, StackOptions, StackThread

TARGETS = {"sim-mypay": "mypay", "sim-gpd": "gpd"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "run",
        help="run the collaudo against the simulators (default: both intermediaries)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--target",
        choices=sorted(TARGETS),
        action="append",
        help="target profile (repeatable; default: sim-mypay and sim-gpd)",
    )
    parser.set_defaults(func=run)


def _print_step(step: StepResult) -> None:
    mark = "ok  " if step.ok else "FAIL"
    print(f"  [{mark}] {step.name:<50} {step.seconds:6.2f} s  {step.detail}", flush=True)


def run(args: argparse.Namespace) -> int:
    targets = args.target or sorted(TARGETS, key=lambda t: list(TARGETS.values()).index(TARGETS[t]))
    results: list[JourneyResult] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="collaudo-run-") as data:
        for target in targets:
            intermediary = TARGETS[target]
            assert intermediary in INTERMEDIARIES
            print(
                f"\n{target}: {INTERMEDIARY_TITLES[intermediary]} — starting the stack …",
                flush=True,
            )
            options = StackOptions(intermediary=intermediary, data_dir=Path(data) / target)
            runner = StackThread(options)
            try:
                stack = runner.start()
            except StackError as exc:
                print(f"  [FAIL] the stack did not start: {exc}", file=sys.stderr)
                results.append(JourneyResult(intermediary))
                continue
            try:
                results.append(runner.call(run_journey(stack, on_step=_print_step)))
            finally:
                runner.stop()
    print("\nsummary")
    for result in results:
        passed = sum(step.ok for step in result.steps)
        verdict = "PASSED" if result.ok else "FAILED"
        print(f"  {result.intermediary:<8} {verdict:<7} {passed}/{len(result.steps)} steps")
    all_ok = bool(results) and all(r.ok for r in results)
    verdict = "all passed" if all_ok else "some checks failed"
    print(f"\n{verdict} in {time.monotonic() - started:.1f} s")
    return 0 if all_ok else 1
