"""Running one hypothesis property with a budget and keeping its shrunk failure."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning

from collaudo.fuzz.model import FuzzFailure

T = TypeVar("T")


def run_property(
    strategy: st.SearchStrategy[T],
    check: Callable[[T], None],
    budget: int,
    seed: int | None = None,
) -> tuple[int, FuzzFailure | None]:
    """Run ``check`` on up to ``budget`` examples; (cases run, shrunk failure or None).

    ``check`` raises :class:`FuzzFailure` on a contract violation; hypothesis shrinks the
    example and the failure it finally raises is the minimal one.
    """
    count = 0

    @settings(
        max_examples=max(1, budget),
        deadline=None,
        database=None,
        derandomize=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(strategy)
    def prop(example: T) -> None:
        nonlocal count
        count += 1
        check(example)

    test = hypothesis_seed(seed)(prop) if seed is not None else prop
    try:
        with warnings.catch_warnings():
            # Oversized cases (megabytes on purpose) make hypothesis warn about their repr.
            warnings.simplefilter("ignore", HypothesisWarning)
            test()
    except FuzzFailure as failure:
        return count, failure
    return count, None
