"""Paper notice rendering benchmark (a script, not a test).

    .venv/bin/python benchmarks/bench_notice.py [--repeat 20]

Renders each sample notice of docs/notice/ (tests.notice_samples) ``--repeat`` times in this
process, after one warm-up render, and prints per notice: pages, PDF bytes, the median and
the slowest render in ms, and notices per second on one core.
"""

from __future__ import annotations

import argparse
import statistics
import time

from adapters.notice import render_notice
from tests.notice_samples import SAMPLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="renders per notice")
    repeat = parser.parse_args().repeat
    print(f"{'notice':<20}{'pages':>6}{'bytes':>9}{'median ms':>11}{'max ms':>9}{'per s':>8}")
    for name, notice in SAMPLES.items():
        pdf = render_notice(notice)  # warm-up: fonts registered, modules imported
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            render_notice(notice)
            timings.append((time.perf_counter() - start) * 1000)
        median = statistics.median(timings)
        pages = 1 + len(notice.instalments)
        print(
            f"{name:<20}{pages:>6}{len(pdf):>9}{median:>11.1f}{max(timings):>9.1f}"
            f"{1000 / median:>8.1f}"
        )


if __name__ == "__main__":
    main()
