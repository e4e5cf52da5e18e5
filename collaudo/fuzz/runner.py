"""One entry point for every fuzz target: :func:`run_fuzz`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from collaudo.fuzz import contracts
from collaudo.fuzz.drivers import run_drivers
from collaudo.fuzz.model import ApiReport
from collaudo.fuzz.reports import write_reports
from collaudo.fuzz.rest import REST_TARGETS, StatefulBudget, run_rest
from collaudo.fuzz.soap_targets import SOAP_REQUIRES, SOAP_TARGETS, run_soap
from simulators.common.contracts import applied_defects

TARGETS = ("proxy", "gpd", "checkout", "govpay", "mypay", "paForNode", "drivers")
DRIVER_REQUIRES = ("mypay/pa-per-ente.wsdl",)
DEFAULT_BUDGET = 10


@dataclass
class FuzzRun:
    """Every API's report, the contract defects met, and where the report files are."""

    reports: list[ApiReport] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    defects: tuple[str, ...] = ()  # the official files' defects this run patched
    junit: Path | None = None
    allure: Path | None = None

    @property
    def failures(self) -> int:
        return sum(len(r.findings) for r in self.reports)

    @property
    def ok(self) -> bool:
        return self.failures == 0


def requires(target: str) -> tuple[str, ...]:
    """The official files fuzzing ``target`` needs (its oracles)."""
    if target in REST_TARGETS:
        return REST_TARGETS[target].requires
    if target in SOAP_TARGETS:
        return SOAP_REQUIRES[target]
    return DRIVER_REQUIRES


def run_fuzz(
    targets: Iterable[str] = TARGETS,
    budget: int = DEFAULT_BUDGET,
    *,
    reports_dir: Path | None = Path("reports"),
    seed: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
    stateful: Mapping[str, StatefulBudget] | None = None,
) -> FuzzRun:
    """Fuzz ``targets`` with at most ``budget`` examples per operation; write the reports.

    ``stateful`` gives a REST target's stateful phase its own budget, by target name
    (default: ``budget`` sequences of schemathesis' default length). A target whose
    official contracts are missing is skipped (``FuzzRun.skipped`` says why). Apps log their
    own tracebacks; those are captured in the findings, so the loggers of the apps under
    test are kept quiet.
    """
    if budget < 1:
        raise ValueError(f"budget must be at least 1 example per operation, got {budget}")
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        raise ValueError(f"unknown fuzz target(s) {unknown}: choose from {', '.join(TARGETS)}")
    run = FuzzRun()
    quiet = [logging.getLogger(name) for name in ("adapters", "simulators", "zeep", "httpx")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        for target in targets:
            missing = [n for n in requires(target) if not contracts.official_available(n)]
            if missing:
                run.skipped[target] = (
                    f"official contract(s) {', '.join(missing)} not found: "
                    "run collaudo contracts fetch"
                )
                continue
            progress(f"{target}: fuzzing with budget {budget} …")
            if target in REST_TARGETS:
                report = run_rest(
                    REST_TARGETS[target],
                    budget,
                    seed=seed,
                    progress=progress,
                    stateful=(stateful or {}).get(target),
                )
            elif target in SOAP_TARGETS:
                report = run_soap(target, budget, seed=seed, progress=progress)
            else:
                report = run_drivers(budget, seed=seed, progress=progress)
            run.reports.append(report)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    run.defects = tuple(str(defect) for defect in applied_defects())
    if reports_dir is not None:
        run.junit, run.allure = write_reports(run.reports, reports_dir)
    return run
