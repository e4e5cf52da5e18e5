"""Browser tests: Debian's Chromium, one browser per test module, stacks shared per session.

Each module gets a module-scoped event loop (``pytest.mark.asyncio(loop_scope="module")``)
so its one Chromium serves every test in it. The in-process stacks run in their own
threads and are started once per intermediary for the whole session.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from collaudo.browser import chromium_missing_reason, launch_chromium
from collaudo.stack import INTERMEDIARIES, Intermediary, Stack, StackOptions, running_stack


class StackPool:
    """One running stack per intermediary, started on first use."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.stacks: dict[str, Stack] = {}
        self.exit = contextlib.ExitStack()

    def get(self, intermediary: Intermediary) -> Stack:
        if intermediary not in self.stacks:
            options = StackOptions(intermediary=intermediary, data_dir=self.base / intermediary)
            self.stacks[intermediary] = self.exit.enter_context(running_stack(options))
        return self.stacks[intermediary]


@pytest.fixture(scope="session")
def stack_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackPool]:
    pool = StackPool(tmp_path_factory.mktemp("browser-stacks"))
    with pool.exit:
        yield pool


@pytest.fixture(scope="module", params=INTERMEDIARIES)
def stack(request: pytest.FixtureRequest, stack_pool: StackPool) -> Stack:
    """The whole stack for one intermediary (every test runs on both)."""
    return stack_pool.get(request.param)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium() -> AsyncIterator[Browser]:
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    async with launch_chromium() as browser:
        yield browser


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    return tmp_path / "screenshots"
