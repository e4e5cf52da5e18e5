"""The PostgreSQL server the store's tests use: ``COLLAUDO_TEST_POSTGRES``, if set.

Each test gets a fresh schema of that database (:func:`fresh_schema`), dropped
afterwards, so tests (and xdist workers) never see each other's rows. Without the
variable the PostgreSQL tests skip with :data:`SKIP_REASON`, which says how to get one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

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


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose sessions put their tables in ``schema``."""
    options = quote(f"-c search_path={schema}", safe="")
    return f"{url}{'&' if '?' in url else '?'}options={options}"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL of the test server whose sessions work in a new, empty schema."""
    import psycopg

    url = server_url()
    schema = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")
