"""Fuzzing the adapter's drivers with generated and mutated *answers* of the intermediary.

The drivers run against an ``httpx.MockTransport`` (:mod:`collaudo.fuzz.driver_harness`)
whose answers hypothesis draws (:mod:`collaudo.fuzz.driver_answers`). The contract: every
verb returns a result or raises an :class:`adapters.core.intermediary.IntermediaryError` (a
clear error); never another exception, never a hang.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from adapters.core.intermediary import CreditorConfig, IntermediaryError
from collaudo.fuzz.asgi import Hang, LoopThread
from collaudo.fuzz.driver_answers import VERBS, describe_case, driver_cases
from collaudo.fuzz.driver_harness import (
    Replies,
    build_driver,
    call_verb,
    debt_position_request,
    fuzz_creditor,
)
from collaudo.fuzz.model import ApiReport, Finding, FuzzFailure
from collaudo.fuzz.properties import run_property

TIMEOUT = 10.0


def run_drivers(
    budget: int,
    *,
    seed: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> ApiReport:
    """Fuzz both drivers' answer parsing; ``budget`` examples per driver and verb."""
    report = ApiReport(
        "drivers",
        "adapter drivers (MyPay over zeep, GPD over httpx) fed "
        "generated and mutated intermediary answers",
    )
    started = time.monotonic()
    loop = LoopThread()
    try:
        for kind in ("mypay", "gpd"):
            report.operations += len(VERBS)
            replies = Replies()
            driver = build_driver(kind, replies)
            creditor = fuzz_creditor(kind)

            def check(
                case: dict[str, Any],
                kind: str = kind,
                driver: Any = driver,
                replies: Replies = replies,
                creditor: CreditorConfig = creditor,
            ) -> None:
                replies.load(case)
                request = debt_position_request(creditor, case["amount"])
                reproduction = (
                    f"python -c 'see minimal case' # {kind} driver {case['verb']} over "
                    "httpx.MockTransport answering as in the minimal case"
                )
                try:
                    loop.run(call_verb(driver, request, case["verb"]), TIMEOUT)
                except IntermediaryError:
                    return  # a clear, typed error: what the contract asks for
                except Hang as exc:
                    raise FuzzFailure(
                        "no_hang", str(exc), describe_case(case), reproduction
                    ) from exc
                except Exception as exc:
                    raise FuzzFailure(
                        "typed_errors_only",
                        f"{kind} driver {case['verb']} raised {type(exc).__name__}: {exc}\n"
                        + "".join(traceback.format_exception(exc))[-3000:],
                        describe_case(case),
                        reproduction,
                    ) from exc

            cases, failure = run_property(driver_cases(kind), check, budget * len(VERBS), seed)
            report.cases += cases
            if failure is not None:
                report.add(
                    Finding(
                        "drivers",
                        f"{kind} driver",
                        failure.check,
                        failure.message,
                        failure.reproduction,
                        failure.case,
                    )
                )
            loop.run(driver.aclose(), TIMEOUT)
            progress(
                f"drivers: {kind} done ({report.cases} cases, {len(report.findings)} findings)"
            )
    finally:
        loop.close()
    report.seconds = time.monotonic() - started
    return report
