"""CPU of the browser checks: a citizen's checkout walk and an operator's form.io form.

    .venv/bin/python benchmarks/bench_browser.py [--rounds 5] [--intermediary gpd]
    .venv/bin/python benchmarks/bench_browser.py --no-screenshots   # what the photos cost

Runs an in-process stack and Debian's Chromium under Playwright, as ``collaudo run`` does,
and repeats, after one warm-up round: a payment walked in a fresh context from the citizen
page to the application page (8 screenshots), the tenant form filled in a fresh context
(form.io loaded for it: what a one-off ``configure_through_form`` does), and the same form
filled at the operator's desk (form.io loaded once, the forms drawn in place: what the
scenarios do). Printed: CPU-seconds per operation by process — Chromium (by its process
type), Playwright's node driver, and this Python process (which also serves the stack) —
read from /proc for the whole process tree, after a 1 s pause so that closed renderers
are counted in their parent's figures. CPU-seconds, not wall time: on a shared machine
they stay meaningful (somewhat inflated when the cores are contended).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import proctree  # noqa: E402  (benchmarks/proctree.py, beside this script)

from collaudo.browser import launch_chromium, new_context, pay_in_browser  # noqa: E402
from collaudo.browser.admin import configure_through_form  # noqa: E402
from collaudo.citizen import PAYING_CARD  # noqa: E402
from collaudo.formio.install import find_formio  # noqa: E402
from collaudo.formio.page import serving_desk  # noqa: E402
from collaudo.stack import Stack, StackOptions, running_stack  # noqa: E402
from tests.browser.test_admin_form import tenant_values  # noqa: E402
from tests.journey import Journey  # noqa: E402


def _kind(pid: int, me: int) -> str:
    if pid == me:
        return "python"
    words = proctree.command_line(pid).split()
    if not words:
        raise ProcessLookupError(pid)  # gone since the listing
    if any("chrom" in w or "headless_shell" in w for w in words[:1]):
        kind = next((w[7:] for w in words if w.startswith("--type=")), "browser")
        # A zygote's figures are those of the renderers it started that have exited.
        return "chr " + {"zygote": "renderer", "gpu-process": "gpu"}.get(kind, kind)
    return "node" if words and words[0].endswith("/node") else "other"


def tree_cpu() -> dict[str, float]:
    """CPU-seconds so far of this process and its descendants, by kind (Chromium's
    processes with the time of their exited children; this one's and node's own)."""
    stats = proctree.snapshot()
    me = os.getpid()
    ours = proctree.descendants(stats, me) & stats.keys()
    totals: dict[str, float] = collections.defaultdict(float)
    for pid in ours:
        try:
            kind = _kind(pid, me)
        except ProcessLookupError:
            continue
        own, children = stats[pid].cpu, stats[pid].children_cpu
        totals[kind] += own + children if kind.startswith("chr ") else own
    return totals


async def measured(
    name: str, rounds: int, step: Callable[[int], Awaitable[object]]
) -> tuple[str, float, dict[str, float]]:
    await step(-1)  # warm-up
    await asyncio.sleep(1)
    before, started = tree_cpu(), time.perf_counter()
    for i in range(rounds):
        await step(i)
    wall = time.perf_counter() - started
    await asyncio.sleep(1)
    after = tree_cpu()
    used = {k: (v - before.get(k, 0.0)) / rounds for k, v in after.items()}
    return name, wall / rounds, used


async def bench(stack: Stack, rounds: int, shots: Path | None) -> None:
    assets = find_formio()

    def folder(label: str, i: int) -> Path | None:
        return None if shots is None else shots / f"{label}-{i}"

    async with launch_chromium() as browser, serving_desk(assets) as (desk, _):

        async def walk(i: int) -> object:
            async with httpx.AsyncClient(timeout=20) as http:
                journey = Journey(stack, http)
                await journey.create_application()
                await journey.payment_pending()
            async with new_context(browser) as page:
                return await pay_in_browser(
                    stack.urls["platform"] + "/", PAYING_CARD, folder("walk", i),
                    payment_id=journey.payment_id, browser=browser, page=page,
                    landing_status="COMPLETE",
                )  # fmt: skip

        async def fill(i: int, **where: object) -> object:
            values = tenant_values(stack, str(uuid.uuid4()))
            return await configure_through_form(
                stack.urls["proxy"], stack.api_token, "tenant", values, folder("form", i),
                browser=browser, assets=assets, **where,  # type: ignore[arg-type]
            )  # fmt: skip

        async def fresh_form(i: int) -> object:
            async with new_context(browser) as page:
                return await fill(i, page=page)

        async with new_context(browser) as desk_page:

            async def desk_form(i: int) -> object:
                return await fill(i, page=desk_page, desk=desk)

            rows = [
                await measured("checkout walk, fresh context", rounds, walk),
                await measured("form, fresh context", rounds, fresh_form),
                await measured("form at the desk", rounds, desk_form),
            ]
    kinds = sorted({k for _, _, used in rows for k, v in used.items() if v >= 0.0005})
    print(f"CPU-seconds per operation ({rounds} rounds after one warm-up)")
    print("(chr: Chromium's processes; wall in seconds)")
    print(f"{'operation':30s} {'wall':>5s} {'total':>6s} " + " ".join(f"{k:>12s}" for k in kinds))
    for name, wall, used in rows:
        total = sum(used.get(k, 0.0) for k in kinds)
        figures = " ".join(f"{used.get(k, 0.0):12.3f}" for k in kinds)
        print(f"{name:30s} {wall:5.2f} {total:6.2f} {figures}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--intermediary", default="gpd", choices=["gpd", "mypay", "govpay"])
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        options = StackOptions(intermediary=args.intermediary, data_dir=Path(tmp) / "stack")
        with running_stack(options) as stack:
            print(f"stack ({args.intermediary}) up; Chromium walking and filling...", flush=True)
            shots = None if args.no_screenshots else Path(tmp) / "shots"
            asyncio.run(bench(stack, args.rounds, shots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
