"""``collaudo vendor-report``: a zip the vendor can act on, from a recording or a scenario.

    collaudo vendor-report --recording recordings/pilot.flow
    collaudo vendor-report --scenario "features/mypay/creazione.feature::test_…"

The zip holds a readable page (what failed: operation, party responsible, expected versus
actual, fault codes, timestamps, endpoint, parameters, and a sequence diagram), the
redacted raw exchanges, requests ready to resend (curl, SOAP envelope or JSON) and the
replay command. A scenario is found by id, pytest node id, name or file under
reports/scenarios/ (format: collaudo.recorder.scenario).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "vendor-report",
        help="build a vendor report zip from a recording or a failed scenario",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--recording", help="a flow file")
    source.add_argument("--scenario", help="a scenario id, node id, name or scenario file")
    parser.add_argument(
        "--scenarios-dir", default="reports/scenarios", help="where scenario files are"
    )
    parser.add_argument("--out", help="the zip to write (default: reports/vendor-….zip)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collaudo.recorder import report, scenario
    from collaudo.recorder.flows import RecordingError, read_flows

    try:
        if args.recording:
            name = Path(args.recording).stem
            data = report.from_recording(name, read_flows(args.recording))
        else:
            found = scenario.find(args.scenario, Path(args.scenarios_dir))
            name = found.id or (found.source.stem if found.source else "scenario")
            data = report.from_scenario(found)
    except RecordingError as exc:
        print(f"collaudo vendor-report: {exc}", file=sys.stderr)
        return 2
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(args.out or f"reports/vendor-{name}-{stamp}.zip")
    written = report.write(data, out)
    print(f"vendor report: {written}")
    print(f"  {len(data.exchanges)} exchanges, {len(data.failed)} failed")
    for e in data.failed[:10]:
        party, why = e.responsible()
        print(f"  #{e.index} {e.operation}: {e.outcome} {e.fault_code} — {party}: {why}")
    return 0
