"""A pytest plugin for ``collaudo run``: one line per scenario as it finishes, no dots.

Loaded in the pytest process ``collaudo run`` starts (``-p collaudo.commands._progress``);
with xdist it runs in the controller, which receives every worker's reports.
"""

from __future__ import annotations

import sys
import time

import pytest

MARKS = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}
_started = time.monotonic()


def _props(report: pytest.TestReport) -> dict[str, str]:
    return {str(k): str(v) for k, v in report.user_properties}


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, str] | None:
    """Keep pytest's counts but not its dots: the lines below say it better."""
    if report.when == "call" or (report.when == "setup" and not report.passed):
        category = "error" if report.when == "setup" and report.failed else report.outcome
        return category, "", ""
    if report.when == "teardown" and report.failed:
        return "error", "", ""
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    props = _props(report)
    if "collaudo_target" not in props:
        return
    finished = report.when == "call" or (report.when == "setup" and not report.passed)
    if not finished and not (report.when == "teardown" and report.failed):
        return
    outcome = "failed" if report.failed else report.outcome
    elapsed = time.monotonic() - _started
    line = (
        f"  [{MARKS.get(outcome, outcome)}] {elapsed:6.1f}s  {props['collaudo_target']:<10} "
        f"{props.get('collaudo_feature', '')} › {props.get('collaudo_scenario', report.nodeid)}"
    )
    if report.failed:
        message = str(report.longrepr).strip().splitlines()
        line += f"\n           {message[-1][:240] if message else ''}"
    elif report.skipped and isinstance(report.longrepr, tuple):
        line += f"\n           {report.longrepr[2][:240]}"
    print(line, file=sys.stdout, flush=True)
