"""`collaudo run` wall and CPU by process, for choosing the worker count (a script, not a test).

    .venv/bin/python benchmarks/bench_run.py [--workers 2 3] [--rounds 3]
        [--target sim-mypay --target sim-gpd] [--tags EXPR]

Runs ``collaudo run`` once per worker count per round, the counts interleaved (a load that
drifts then touches both alike), and samples ``/proc`` every 0.2 s for the CPU time (user +
system) of every process the run starts, grandchildren included: ``/usr/bin/time`` counts a
child only once it was waited for, and misses Chromium's renderers. Prints per run the wall,
the load average at start and end, the CPU by kind (xdist controller, each worker, Chromium,
Playwright's node driver, other: ``collaudo doctor``, the CLI) and the verdict; then the
median wall and CPU per worker count. On a machine other jobs load, compare CPU; walls are
a second opinion (a run with more processes also takes a larger share of a busy machine).

Last, the goal lines of issue 11 for the target set measured: ``make run`` (the three
default targets) under 30 s wall, the two targets sim-mypay and sim-gpd under 20 s, on the
2-core machine; judged on the median wall of each worker count, and only honest on an
idle machine (the load average at each start is printed).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import proctree  # benchmarks/proctree.py, beside this script

REPO = Path(__file__).resolve().parents[1]
XDIST_WORKER = "exec(eval(sys.stdin.readline()))"  # how execnet starts a worker
DEFAULT_TARGETS = ("sim-mypay", "sim-gpd", "sim-govpay")  # collaudo.targets' default
#: issue 11: the whole run under these wall times, by target set.
GOALS = {
    frozenset(DEFAULT_TARGETS): 30.0,
    frozenset(("sim-mypay", "sim-gpd")): 20.0,
}


@dataclass
class Sample:
    """What one run cost, by process."""

    wall: float = 0.0
    code: int = 0
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU-s (last seen)
    kind: dict[int, str] = field(default_factory=dict)

    def by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for pid, seconds in self.cpu.items():
            totals[self.kind[pid]] += seconds
        return dict(totals)

    def workers(self) -> list[float]:
        return [s for pid, s in self.cpu.items() if self.kind[pid] == "worker"]


def _kind(cmdline: str) -> str:
    if "chrom" in cmdline or "headless_shell" in cmdline:
        return "chromium"
    if "playwright" in cmdline and "node" in cmdline.split(" ", 1)[0]:
        return "node"
    if XDIST_WORKER in cmdline:
        return "worker"
    if "-m pytest" in cmdline:
        return "controller"
    return "other"


def _measure(command: list[str]) -> tuple[Sample, str]:
    sample = Sample()
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
        while process.poll() is None:
            stats = proctree.snapshot()
            for pid in proctree.descendants(stats, process.pid) & stats.keys():
                sample.cpu[pid] = stats[pid].cpu
                if pid not in sample.kind:  # its command line once, not at every look
                    sample.kind[pid] = _kind(proctree.command_line(pid))
            time.sleep(0.2)
        sample.wall = time.monotonic() - started
        sample.code = process.returncode
        output.seek(0)
        text = output.read()
    verdicts = [line for line in text.splitlines() if " — " in line and ("(" in line)]
    return sample, verdicts[-1].strip() if verdicts else f"exit {process.returncode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 3], metavar="N")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--target", action="append", metavar="NAME")
    parser.add_argument("--tags", metavar="EXPR")
    args = parser.parse_args()
    reports = Path(tempfile.mkdtemp(prefix="collaudo-bench-run-"))
    base = [sys.executable, "-m", "collaudo", "run", "--reports", str(reports)]
    for target in args.target or []:
        base += ["--target", target]
    if args.tags:
        base += ["--tags", args.tags]
    print(f"collaudo run {' '.join(base[4:])}; reports in {reports}", flush=True)
    walls: dict[int, list[float]] = defaultdict(list)
    cpus: dict[int, list[float]] = defaultdict(list)
    failed: dict[int, bool] = defaultdict(bool)
    for round_ in range(args.rounds):
        # Interleaved, and the order flipped every other round.
        counts = args.workers if round_ % 2 == 0 else list(reversed(args.workers))
        for count in counts:
            load = os.getloadavg()[0]
            sample, verdict = _measure([*base, "-n", str(count)])
            kinds = sample.by_kind()
            walls[count].append(sample.wall)
            failed[count] |= sample.code != 0
            cpus[count].append(sum(kinds.values()))
            workers = " ".join(f"{s:.1f}" for s in sorted(sample.workers(), reverse=True))
            verdict = re.sub(r"\s+", " ", verdict)
            print(
                f"-n {count}: wall {sample.wall:5.1f} s, load {load:.1f}->"
                f"{os.getloadavg()[0]:.1f}, CPU {sum(kinds.values()):5.1f} s: controller "
                f"{kinds.get('controller', 0):.1f}, workers {kinds.get('worker', 0):.1f} "
                f"({workers}), chromium {kinds.get('chromium', 0):.1f}, node "
                f"{kinds.get('node', 0):.1f}, other {kinds.get('other', 0):.1f}"
                f"\n      {verdict}",
                flush=True,
            )
    print("median per worker count:")
    for count in args.workers:
        print(
            f"  -n {count}: wall {statistics.median(walls[count]):5.1f} s, "
            f"CPU {statistics.median(cpus[count]):5.1f} s ({len(walls[count])} runs)"
        )
    goal = GOALS.get(frozenset(args.target or DEFAULT_TARGETS))
    if goal is not None:
        print(f"goal (issue 11): this target set under {goal:.0f} s wall")
        for count in args.workers:
            wall = statistics.median(walls[count])
            verdict = "met" if wall < goal and not failed[count] else "MISSED"
            print(f"  -n {count}: {verdict}, median {wall:.1f} s < {goal:.0f} s")


if __name__ == "__main__":
    main()
