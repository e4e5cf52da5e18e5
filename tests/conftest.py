"""Project-wide test settings.

Under CI (``CI`` set, as ``.ci/run`` runs), hypothesis draws the same examples on every
run, so a property test cannot pass on one submission and fail on the next for the same
code; on a developer's machine it keeps exploring new examples each run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def isolated_contracts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[..., dict[str, Path]]]:
    """``isolate(**places)``: every contracts lookup place pointed at folders of the test's
    choosing (empty by default); the caches are forgotten before and after."""
    from tests.contracts_env import forget, isolate

    yield lambda **places: isolate(monkeypatch, tmp_path / "places", **places)
    monkeypatch.undo()
    forget()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL of the ``COLLAUDO_TEST_POSTGRES`` server in a fresh schema (dropped after);
    skips, saying how to start one, when the variable is not set."""
    from tests.postgres import fresh_schema

    with fresh_schema() as url:
        yield url
