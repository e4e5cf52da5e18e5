"""The GPD driver's own cost per call: CPU of the proxy side only (a script, not a test).

    .venv/bin/python benchmarks/bench_gpd_driver.py [--calls 2000] [--concurrency 8]

The GPD simulator runs in its own ``uvicorn`` subprocess (as in bench_simulators), so
this process's CPU time is the driver's alone: building each request, the HTTP client,
recording the exchange (redacted), reading the answer. It prints, for
``create_debt_position`` (one POST each) and ``status`` (one GET each), calls per second
and CPU microseconds per call in this process and in the simulator. CPU per call is the
figure to compare between two trees on a shared machine (wall time counts the other
processes too); ``--tree`` runs another checkout's driver (e.g. ``git archive main``)
against the same simulator, for a before/after in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The tree whose driver runs (--tree's child process), first on the path. The child
# imports nothing of this tree (bench_simulators puts this tree first on the path).
TREE = Path(os.environ.get("BENCH_GPD_TREE", REPO))
sys.path.insert(0, str(TREE))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


async def _measure(url: str, calls: int, concurrency: int, sim_pid: int) -> None:
    from adapters.core.intermediary import PositionContext
    from collaudo.recorder import sample

    print(f"  (driver from {Path(sample.__file__).parents[2]})")

    config = sample.creditor("gpd", {"gpd": url, "checkout": url})
    driver = sample.driver("gpd")
    slots = asyncio.Semaphore(concurrency)
    contexts: list[PositionContext] = []

    async def create() -> None:
        async with slots:
            payment_id = uuid.uuid4()
            request = sample.debt_request(config, payment_id)
            position = await driver.create_debt_position(request)
            contexts.append(
                PositionContext(
                    payment_id=payment_id,
                    creditor=config,
                    position=position,
                    debtor=sample.PAYER,
                    reason=request.reason,
                    expire_at=request.expire_at,
                )
            )

    async def status(ctx: PositionContext) -> None:
        async with slots:
            await driver.status(ctx)

    await asyncio.gather(*(create() for _ in range(50)))  # warm-up: connections, caches
    for label, work in (
        ("create_debt_position", lambda: [create() for _ in range(calls)]),
        ("status", lambda: [status(contexts[n % len(contexts)]) for n in range(calls)]),
    ):
        sim_before = cpu_seconds(sim_pid) or 0.0
        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*work())
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        sim_cpu = (cpu_seconds(sim_pid) or 0.0) - sim_before
        print(
            f"  {label:<22} {calls / elapsed:>8,.0f} calls/s  driver {cpu / calls * 1e6:>6,.0f} "
            f"CPU-µs/call ({cpu / elapsed:.0%} of a core)  simulator "
            f"{sim_cpu / calls * 1e6:>6,.0f} CPU-µs/call"
        )
    await driver.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls of each verb")
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight at once")
    parser.add_argument("--tree", type=Path, help="also run this checkout's driver")
    parser.add_argument("--url", help=argparse.SUPPRESS)  # internal: the --tree child
    parser.add_argument("--pid", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.url:
        asyncio.run(_measure(args.url, args.calls, args.concurrency, args.pid))
        return 0
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_simulators import BenchError, simulators

    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.calls} calls "
        f"per verb, {args.concurrency} in flight"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bench-gpd-driver-") as tmp:
            served = simulators({"GPD": "simulators.gpd.app:create_app"}, Path(tmp))
            with served as running:
                url, pid = running["GPD"]
                trees = [("this tree", REPO)]
                if args.tree is not None:
                    trees.append((str(args.tree), args.tree.resolve()))
                for label, tree in trees:
                    # Each driver in its own process: its CPU is the driver's alone.
                    print(f"driver of {label}:", flush=True)
                    command = [
                        sys.executable, str(REPO / "benchmarks" / "bench_gpd_driver.py"),
                        "--url", url, "--pid", str(pid), "--calls", str(args.calls),
                        "--concurrency", str(args.concurrency),
                    ]  # fmt: skip
                    env = {**os.environ, "BENCH_GPD_TREE": str(tree)}
                    subprocess.run(command, check=True, env=env, cwd=tree)
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    print(f"load average at the end {os.getloadavg()[0]:.1f} (other work slows wall time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
