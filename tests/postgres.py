"""The PostgreSQL server the store's tests use: ``COLLAUDO_TEST_POSTGRES``, if set.

Each test gets a fresh schema of that database (:func:`fresh_schema`), dropped
afterwards, so tests (and xdist workers) never see each other's rows. Without the
variable the PostgreSQL tests skip with :data:`SKIP_REASON`, which says how to get one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ENV = "COLLAUDO_TEST_POSTGRES"
SKIP_REASON = (
    f"PostgreSQL store tests need {ENV}=postgresql://user:password@host:port/db; for a "
    'throwaway server: eval "$(python -m collaudo.pgcluster start)" '
    "(needs Debian's postgresql package)"
)


def server_url() -> str:
    """The server's URL, or a skip naming ``COLLAUDO_TEST_POSTGRES``."""
    url = os.environ.get(ENV, "").strip()
    if not url:
        pytest.skip(SKIP_REASON)
    return url


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL of the test server whose sessions work in a new, empty schema."""
    from collaudo.pgcluster import fresh_schema as schema_of

    with schema_of(server_url()) as url:
        yield url
