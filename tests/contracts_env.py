"""Tests and the official contract files: one skip message, and an isolated lookup.

A test that needs official files skips, where they are absent, with a message naming
``collaudo contracts fetch``; :func:`isolate` points every lookup place of
:mod:`simulators.common.contracts` at folders of the test's choosing (empty by default).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.common import contracts

FETCH_HINT = "run `collaudo contracts fetch` (or set COLLAUDO_CONTRACTS_DIR)"


def missing_official(*relative: str) -> list[str]:
    """The named official files that are not found (built-in ones do not count)."""
    return [name for name in relative if contracts.find_official(name) is None]


def skip_reason(*relative: str) -> str:
    missing = missing_official(*relative) or list(relative)
    return f"official contract(s) {', '.join(missing)} not found: {FETCH_HINT}"


def needs_official(*relative: str) -> pytest.MarkDecorator:
    """Skip unless every named official file is found (with the unified message)."""
    return pytest.mark.skipif(bool(missing_official(*relative)), reason=skip_reason(*relative))


def skip_unless_official(*relative: str) -> None:
    """The same, inside a test or fixture."""
    if missing_official(*relative):
        pytest.skip(skip_reason(*relative))


def forget() -> None:
    """Forget every cached lookup and load (the contracts' and the MyPay simulator's)."""
    from simulators.mypay import contracts as mypay_contracts

    contracts.clear_caches()
    mypay_contracts.available.cache_clear()
    mypay_contracts.wsdl_for.cache_clear()


def isolate(
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    *,
    explicit: Path | None = None,
    beside: Path | None = None,
    cache_root: Path | None = None,
    builtin: Path | None = None,
) -> dict[str, Path]:
    """Point every lookup place at a folder under ``root`` (created empty unless given);
    forget what was cached. Returns the folders by place (``cache``: the contracts folder
    inside ``cache_root``). Call :func:`forget` after the test (see the fixture
    ``isolated_contracts`` in ``tests/conftest.py``)."""
    explicit = explicit or root / "empty-env"
    beside = beside or root / "empty-beside"
    cache_root = cache_root or root / "empty-cache"
    builtin = builtin or root / "empty-builtin"
    for folder in (explicit, beside, cache_root / "contracts", builtin):
        folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv(contracts.ENV_VAR, str(explicit))
    monkeypatch.setenv(contracts.BESIDE_ENV, str(beside))
    monkeypatch.setenv(contracts.CACHE_ENV, str(cache_root))
    monkeypatch.setenv(contracts.BUILTIN_ENV, str(builtin))
    forget()
    cache = cache_root / "contracts"
    return {"env": explicit, "beside": beside, "cache": cache, "builtin": builtin}
