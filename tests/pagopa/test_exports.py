"""The package's public surface: everything in __all__ exists, and the errors are ValueErrors."""

from __future__ import annotations

import adapters.pagopa as pagopa


def test_every_public_name_resolves() -> None:
    missing = [name for name in pagopa.__all__ if not hasattr(pagopa, name)]
    assert missing == []


def test_every_error_is_a_value_error() -> None:
    errors = [getattr(pagopa, n) for n in pagopa.__all__ if n.startswith("Invalid")]
    assert len(errors) == 7
    assert all(issubclass(error, ValueError) for error in errors)
