"""A simulator's state is moved out of the GC's full passes as it grows."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from simulators.common.heap import LongLived


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_every_nth_addition_freezes_what_exists(unfrozen: None) -> None:
    heap = LongLived(every=3)
    state = [{"position": n} for n in range(1_000)]  # dicts: tracked by the collector
    heap.added()
    heap.added()
    assert gc.get_freeze_count() == 0  # not yet: a freeze per addition would be wasted
    heap.added()
    assert gc.get_freeze_count() >= len(state)  # a full pass no longer walks them
    assert heap.freezes == 1
    heap.added(count=5)  # a batch counts for its size
    assert heap.freezes == 2


def test_a_full_pass_skips_the_frozen_state(unfrozen: None) -> None:
    state = [[n] for n in range(200_000)]  # a large simulator's positions
    heap = LongLived(every=1)
    heap.added()
    # What a full pass walks: the frozen objects are not among them any more.
    assert not any(o is state for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() >= len(state)


def test_every_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LongLived(every=0)
