"""``collaudo run``: the collaudo suite, the main job.

Runs the Gherkin features (``features/``) against each target (default: the whole
stack in-process with the MyPay, the GPD and the GovPay simulator), one line
per scenario as it finishes, then a table feature × target and the wall time.
Writes ``reports/allure-results/`` (each scenario's exchanges and sequence diagram
attached), ``reports/junit.xml`` and ``reports/summary.md``. Exit code 0 only if
every scenario passed; 3 when none failed but some need a verb the driver does not implement
yet (``non implementato: <verb>``, a generated driver's way to done).

Examples::

    collaudo run                          # the three simulators
    collaudo run --target sim-gpd -n 2    # one target, two workers
    collaudo run --tags "criticita and not browser"
    collaudo run --config collaudo.toml --target vendor-test
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from collaudo import contract_facts, reports
from collaudo.i18n import gettext as _
from collaudo.targets import DEFAULT_TARGETS, TargetError, load_targets, select

REPO = Path(__file__).resolve().parents[2]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "run",
        help="run the collaudo suite (default: against the MyPay and GPD simulators)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--target",
        action="append",
        metavar="NAME",
        help=f"target profile (repeatable; default: {' and '.join(DEFAULT_TARGETS)})",
    )
    parser.add_argument(
        "--tags", metavar="EXPR", help='Gherkin tags to run, e.g. "checkout and not browser"'
    )
    parser.add_argument(
        "-n",
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="parallel workers (pytest-xdist; default: one more than the CPUs; 0: none)",
    )
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="target profiles (default: collaudo.toml)"
    )
    parser.add_argument("--reports", type=Path, default=Path("reports"), metavar="DIR")
    parser.add_argument(
        "--features", type=Path, default=REPO / "features", metavar="DIR", help=argparse.SUPPRESS
    )
    parser.set_defaults(func=run)


def pytest_command(args: argparse.Namespace, targets: list[str]) -> list[str]:
    out: Path = args.reports
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(args.features),
        "-p",
        "collaudo.commands._progress",
    ]
    command += ["-q", "--no-header", "-p", "no:cacheprovider", "-o", "console_output_style=classic"]
    # Plugins the suite never uses cost a second or two of start-up in every worker.
    command += ["-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio"]
    command += [f"--rootdir={REPO}", f"--junitxml={out / 'junit.xml'}"]
    # Emptied by run() before pytest starts, not by --clean-alluredir: xdist hands that to
    # every worker, and a worker starting late would delete what the other one wrote.
    command += [f"--alluredir={out / 'allure-results'}"]
    for target in targets:
        command.append(f"--collaudo-target={target}")
    if args.config:
        command.append(f"--collaudo-config={args.config}")
    if args.tags:
        command += ["-m", args.tags]
    if args.workers > 0:
        # One group per target and feature file: a worker starts only the stacks it needs.
        # Groups go out in the order the plugin put them (heaviest first), not by size.
        command += ["-n", str(args.workers), "--dist", "loadgroup", "--no-loadscope-reorder"]
    return command


def clear_aside(directory: Path) -> None:
    """Empty ``directory`` for this run at once, and delete what it held meanwhile.

    A run leaves ~2,000 files in ``allure-results`` (screenshots, exchanges, diagrams);
    deleting them took ~2 s of wall time (the disk, not the CPU) before the next run could
    start. The directory is renamed aside instead (instant) and removed by a thread while
    the scenarios run; the process exits once it is done. Leftovers of a run killed before
    its thread ended are removed with it.
    """
    if not directory.exists():
        return
    trash = directory.with_name(f".{directory.name}-old-{os.getpid()}")
    try:
        directory.rename(trash)
    except OSError:  # another file system, permissions: delete it the slow way
        shutil.rmtree(directory, ignore_errors=True)
        return

    def remove() -> None:
        for old in sorted(directory.parent.glob(f".{directory.name}-old-*")):
            shutil.rmtree(old, ignore_errors=True)

    threading.Thread(target=remove, name="clear-reports").start()


def default_workers(cpus: int) -> int:
    """One worker more than the CPUs; none on one CPU (xdist's start-up would be pure cost).

    A worker spends much of a scenario waiting (for Chromium, a timeout the scenario
    provokes, a retry's back-off), so with one worker per CPU a core often sits idle; a
    third worker on two CPUs fills it, for its fixed part again (start-up, collection, a
    stack per target it meets: ~1.1-1.5 CPU-s since the start-up was cut). Measured on the
    2-CPU machine with `benchmarks/bench_run.py` (-n 2 and -n 3 interleaved, other jobs'
    load average 1-7, medians): three targets (`make run`) 38.0-53.4 s with 2 workers,
    32.8-38.7 s with 3; two targets 24.2 s and 19.4 s; the same CPU seconds (±2) either way.
    On the idle machine (07:01-07:05 UTC, three interleaved rounds each) it is a tie: three
    targets 22.6 s with 2 workers, 22.0 s with 3; two targets 14.9 s and 15.5 s; the third
    worker costs 4-5 CPU-s more. Kept for the machine that is busy with something else.
    """
    return cpus + 1 if cpus > 1 else 0


def pytest_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of the pytest process: unbuffered, and with its bytecode cached.

    Each worker imports ~1,300 modules and pytest rewrites the asserts of ~70 of them (the
    step library). With bytecode writing off (``PYTHONDONTWRITEBYTECODE``, as some shells
    and images set) every process compiled them again, every run: ~0.6 CPU-s per worker and
    0.1 in the controller. The bytecode then goes to collaudo's own directory
    (``.collaudo/pycache``, ``PYTHONPYCACHEPREFIX``), never beside the sources, which is what
    that setting usually protects; a prefix the user chose is kept as it is.
    """
    env = {**environ, "PYTHONUNBUFFERED": "1"}
    if env.get("PYTHONDONTWRITEBYTECODE") and not env.get("PYTHONPYCACHEPREFIX"):
        del env["PYTHONDONTWRITEBYTECODE"]
        env["PYTHONPYCACHEPREFIX"] = str(REPO / ".collaudo" / "pycache")
    return env


def run(args: argparse.Namespace) -> int:
    try:
        chosen = select(load_targets(args.config), args.target)
    except TargetError as exc:
        print(f"collaudo run: {exc}", file=sys.stderr)
        return 2
    targets = [t.name for t in chosen]
    problems = contract_facts.start_report(chosen)
    if problems:  # said once, before any scenario runs: not as one failure per scenario
        for problem in problems:
            print(f"collaudo run: {problem}", file=sys.stderr)
        print("collaudo run: nothing ran", file=sys.stderr)
        return 2
    if not args.features.is_dir():
        print(f"collaudo run: no features at {args.features}; run from a checkout", file=sys.stderr)
        return 2
    if args.workers is None:
        args.workers = default_workers(os.cpu_count() or 1)
    args.reports.mkdir(parents=True, exist_ok=True)
    junit = args.reports / "junit.xml"
    junit.unlink(missing_ok=True)
    clear_aside(args.reports / "allure-results")
    command = pytest_command(args, targets)
    given = sys.argv[2:] if sys.argv[1:2] == ["run"] else []
    shown = " ".join(["collaudo run", shlex.join(given)]) if given else "collaudo run"
    print(f"{shown}: targets {', '.join(targets)}", flush=True)
    started = time.monotonic()
    code = subprocess.call(command, cwd=REPO, env=pytest_environment(os.environ))
    wall = time.monotonic() - started
    try:
        results = reports.read_junit(junit)
    except reports.ReportError as exc:
        print(f"\ncollaudo run: no results ({exc}); pytest exited with {code}", file=sys.stderr)
        return code or 1
    summary = args.reports / "summary.md"
    summary.write_text(reports.summary_markdown(results, wall, shown), encoding="utf-8")
    count = reports.totals(results)
    print("\n" + reports.summary_table(results))
    if any(t.simulated for t in chosen):
        print(contract_facts.run_line())
    # A run where nothing actually ran (all skipped: e.g. a live target's manual steps with
    # nobody at the terminal) proves nothing: it does not pass.
    missing = count[reports.NOT_IMPLEMENTED]
    ok = code == 0 and count["passed"] > 0 and count["failed"] == 0 and not missing
    nothing_ran = count["passed"] == 0 and count["failed"] == 0 and not missing
    # Every scenario ran or was rightly skipped, but the driver lacks a verb (exit 3).
    incomplete = not ok and not nothing_ran and code == 0 and count["failed"] == 0
    if ok:
        verdict = _("all passed")
    elif nothing_ran:
        verdict = _("NOTHING RAN")
    elif incomplete:
        verdict = _("NOT COMPLETE")
    else:
        verdict = _("FAILED")
    outcome = _("%(passed)s passed, %(failed)s failed, %(skipped)s skipped") % count
    if missing:
        outcome += ", " + _("%(missing)s not implemented") % {"missing": missing}
    timing = _("wall time %(seconds).1f s (%(cpus)s CPUs, %(workers)s worker(s))") % {
        "seconds": wall,
        "cpus": os.cpu_count(),
        "workers": args.workers or 1,
    }
    print(f"\n{verdict}: {outcome} — {timing}")
    print(f"reports: {summary}, {junit}, {args.reports / 'allure-results'}/")
    failed = [r for r in results if r.outcome == "failed" and r.exchanges]
    if failed:
        print("\n" + _("failed scenarios, each one command from a report for the vendor:"))
        for result in failed:
            print(f"  {result.target} · {result.scenario}")
            print(f"    collaudo vendor-report --scenario {result.exchanges}")
    if nothing_ran:
        print(
            "collaudo run: "
            + _(
                "every scenario was skipped; check the target and --tags "
                "(manual steps need a person at the terminal)"
            ),
            file=sys.stderr,
        )
    if incomplete:
        print(
            "collaudo run: "
            + _(
                "the driver does not implement every verb yet: the scenarios marked "
                "'not implemented' show what to write next"
            ),
            file=sys.stderr,
        )
        return 3
    return 0 if ok else (code or 1)
