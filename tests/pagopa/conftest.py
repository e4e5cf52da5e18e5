"""The domain's unit tests read its messages in English (their msgids): the Italian
wording is checked by tests/test_i18n.py and the API tests."""

from __future__ import annotations

import pytest

from adapters.i18n import ENV_VAR


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "en")
