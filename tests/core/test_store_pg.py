"""What only the PostgreSQL store has: its URL, migrations, errors, dialect and groups.

The store's behaviour itself is tested on both stores by every test taking ``store``
(``store_kind`` is ``sqlite`` and ``postgresql``); tests here needing a server skip
without ``COLLAUDO_TEST_POSTGRES``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from adapters.api.settings import ApiSettings
from adapters.core.config import ServiceConfig
from adapters.core.store import PaymentExists, StaleWrite, Store
from adapters.core.store_dialect import is_database_url, mask_url, pg_sql
from adapters.core.store_pg import PostgresStore, StoreUnreachable
from adapters.core.store_pg_schema import MIGRATIONS
from tests.postgres import ENV, SKIP_REASON

from .conftest import SERVICE_ID, TENANT_ID
from .test_store import stored_payment

ROOT = Path(__file__).resolve().parents[2]


def test_the_dialect_rewrites_placeholders_and_insert_or_ignore() -> None:
    assert pg_sql("SELECT a FROM t WHERE b = ? AND c = ?") == (
        "SELECT a FROM t WHERE b = %s AND c = %s"
    )
    # A literal's ? stays; every % is doubled (psycopg reads placeholders in literals too).
    assert pg_sql("SELECT '?%' FROM t WHERE u LIKE 'a%' AND v = ?") == (
        "SELECT '?%%' FROM t WHERE u LIKE 'a%%' AND v = %s"
    )
    assert pg_sql("INSERT OR IGNORE INTO t (a) VALUES (?)") == (
        "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING"
    )
    assert pg_sql("insert or ignore into t (a) values (?) RETURNING a") == (
        "INSERT INTO t (a) values (%s) ON CONFLICT DO NOTHING RETURNING a"
    )
    assert pg_sql("BEGIN IMMEDIATE") == "BEGIN"


def test_only_postgresql_urls_select_the_postgresql_store(tmp_path: Path) -> None:
    assert is_database_url("postgresql://u@h/db") and is_database_url("postgres://h/db")
    assert not is_database_url("proxy.sqlite3") and not is_database_url(tmp_path / "x")
    settings = ApiSettings.from_env({"COLLAUDO_DB": "postgresql://u:pw@db:5432/proxy"})
    assert settings.db_path == "postgresql://u:pw@db:5432/proxy"  # not folded into a Path
    assert ApiSettings.from_env({"COLLAUDO_DB": "x.db"}).db_path == Path("x.db")
    assert Store.SKIP_LOCKED == "" and PostgresStore.SKIP_LOCKED == " FOR UPDATE SKIP LOCKED"


def test_the_password_is_masked_wherever_the_url_is_shown() -> None:
    assert mask_url("postgresql://proxy:s3cr%40t@db:5432/p") == "postgresql://proxy:***@db:5432/p"
    assert mask_url("postgres://db/p?sslmode=require&password=s3cret") == (
        "postgres://db/p?sslmode=require&password=***"
    )
    assert mask_url("postgresql://proxy@db/p") == "postgresql://proxy@db/p"
    assert mask_url(Path("a/proxy.sqlite3")) == "a/proxy.sqlite3"


def test_an_unreachable_server_says_what_to_check_without_the_password() -> None:
    with socket_closed_port() as port:
        with pytest.raises(StoreUnreachable) as raised:
            Store.open(f"postgresql://proxy:TopSecret42@127.0.0.1:{port}/payments")
    message = str(raised.value)
    assert "TopSecret42" not in message and "proxy:***@127.0.0.1" in message
    assert "check that the server runs" in message and "COLLAUDO_DB" in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://proxy:TopSecret42@[::1/payments",  # libpq quotes the URL it cannot parse
        "postgresql://proxy:TopSecret42@db:5432/payments?colour=blue",
        "postgres://proxy:Top%53ecret42@db:notaport/payments",
    ],
)
def test_a_malformed_url_is_refused_without_its_password(url: str) -> None:
    with pytest.raises(StoreUnreachable) as raised:
        Store.open(url)
    message = str(raised.value)
    assert "TopSecret42" not in message and "Top%53ecret42" not in message
    assert "proxy:***@" in message
    assert "postgresql://user:password@host:5432/database" in message or "port" in message


def test_a_missing_database_is_named(postgres_url: str) -> None:
    base, _, _ = postgres_url.partition("?")
    missing = base.rsplit("/", 1)[0] + f"/nowhere_{uuid.uuid4().hex[:8]}"
    password = psycopg.conninfo.conninfo_to_dict(missing).get("password")
    with pytest.raises(StoreUnreachable, match="does not exist") as raised:
        Store.open(missing)
    assert password and str(password) not in str(raised.value)
    assert "database exists (createdb)" in str(raised.value)


def test_replicas_starting_at_once_apply_the_schema_once(postgres_url: str) -> None:
    replicas = 8
    start = threading.Barrier(replicas)
    stores: list[Store] = []
    errors: list[BaseException] = []

    def replica() -> None:
        start.wait()
        try:
            stores.append(Store.open(postgres_url))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(stores) == replicas
    with psycopg.connect(postgres_url) as db:
        applied = db.execute(
            "SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version"
        ).fetchall()
    assert applied == [(version, 1) for version, _, _ in MIGRATIONS]
    # Every replica sees the others' writes: one shared store.
    stores[0].put_service(ServiceConfig(id=SERVICE_ID, tenant_id=TENANT_ID))
    assert all(s.get_service(SERVICE_ID) is not None for s in stores)
    for store in stores:
        store.close()


def test_replica_processes_starting_at_once_apply_the_schema_once(
    postgres_url: str, tmp_path: Path
) -> None:
    # Separate processes, as replicas are: each waits for a go file, then opens the store.
    go = tmp_path / "go"
    script = (
        "import sys, time, pathlib\n"
        "from adapters.core.store import Store\n"
        "go = pathlib.Path(sys.argv[2])\n"
        "while not go.exists(): time.sleep(0.005)\n"
        "Store.open(sys.argv[1]).close()\n"
    )
    replicas = [
        subprocess.Popen(
            [sys.executable, "-c", script, postgres_url, str(go)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    time.sleep(1.0)  # every interpreter up and waiting
    go.touch()
    for replica in replicas:
        _, err = replica.communicate(timeout=120)
        assert replica.returncode == 0, err
    with psycopg.connect(postgres_url) as db:
        applied = db.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert applied == [(version,) for version, _, _ in MIGRATIONS]


def test_the_postgresql_tables_have_the_sqlite_columns(postgres_url: str, tmp_path: Path) -> None:
    Store.open(postgres_url).close()
    # The SQLite store as opening it makes it (its schema, then the upgrades: leases).
    Store.open(tmp_path / "lite.sqlite3").close()
    lite = sqlite3.connect(tmp_path / "lite.sqlite3")
    tables = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    expected = {
        table: [r[1] for r in lite.execute(f"PRAGMA table_info({table})")]
        for table in tables
        if table != "sqlite_sequence"
    }
    with psycopg.connect(postgres_url) as db:
        found: dict[str, list[str]] = {}
        for table, column in db.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' "
            "ORDER BY table_name, ordinal_position"
        ):
            found.setdefault(table, []).append(column)
        indexes = {r[0] for r in db.execute("SELECT indexname FROM pg_indexes")}
    assert found == expected
    sqlite_indexes = {
        r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type='index'")
    }
    assert {i for i in sqlite_indexes if not i.startswith("sqlite_")} <= indexes


@pytest.mark.parametrize("store_kind", ["postgresql"])
def test_a_group_is_one_transaction_other_threads_go_on(store: Store) -> None:
    first, twin = stored_payment("301000000000000001"), stored_payment("301000000000000001")
    other = stored_payment()
    seen_from_outside: list[bool] = []
    with pytest.raises(RuntimeError, match="abandoned"), store.group("test"):
        store.save_payment(first)
        with pytest.raises(PaymentExists):  # undone alone: the group goes on
            store.save_payment(twin)
        assert store.get_payment(first.id) is not None  # its thread reads its writes

        def outside() -> None:
            store.save_payment(other)  # not held up by the open group
            seen_from_outside.append(store.get_payment(first.id) is not None)

        thread = threading.Thread(target=outside)
        thread.start()
        thread.join(10)
        raise RuntimeError("abandoned")
    assert seen_from_outside == [False]  # uncommitted writes stay inside the group
    assert store.get_payment(first.id) is None  # rolled back with the group
    assert store.get_payment(other.id) is not None


@pytest.mark.parametrize("store_kind", ["postgresql"])
def test_two_replicas_writing_one_payment_at_once_one_wins(
    store: Store, store_location: str
) -> None:
    other_replica = Store.open(store_location)
    saved = store.save_payment(stored_payment())
    mine, theirs = store.get_payment(saved.id), other_replica.get_payment(saved.id)
    assert mine is not None and theirs is not None
    outcome: list[str] = []

    def write_theirs() -> None:
        try:
            other_replica.save_payment(theirs)
            outcome.append("saved")
        except StaleWrite:
            outcome.append("stale")

    with store.group("test"):
        store.save_payment(mine)  # holds the row until the group commits
        writer = threading.Thread(target=write_theirs)
        writer.start()
        writer.join(0.5)
        assert writer.is_alive()  # waits for the row, does not overwrite it
    writer.join(10)
    assert outcome == ["stale"]  # re-read after the commit: the version moved on
    again = other_replica.get_payment(saved.id)
    assert again is not None and again.version == 2
    other_replica.close()


def test_postgresql_tests_skip_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.postgres import server_url

    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=ENV) as skipped:
        server_url()
    assert str(skipped.value.msg) == SKIP_REASON
    assert "python -m collaudo.pgcluster start" in SKIP_REASON


class socket_closed_port:
    """A loopback port nothing listens on (bound, then closed)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize("store_kind", ["sqlite", "postgresql"])
def test_a_read_inside_a_write_transaction_sees_its_writes(store: Store) -> None:
    # As on SQLite's one connection: a store method may read through _query mid-write.
    with store._tx("test") as db:
        db.execute("INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?)", ("mid-write", 1.0))
        seen = store._query("SELECT event_id FROM seen_events WHERE event_id = ?", ("mid-write",))
        assert [r["event_id"] for r in seen] == ["mid-write"]


@pytest.mark.parametrize("store_kind", ["postgresql"])
def test_a_call_waits_for_another_replicas_row_no_longer_than_sqlite_would(
    store: Store,
) -> None:
    limits = store._query(
        "SELECT current_setting('lock_timeout') AS lock, "
        "current_setting('idle_in_transaction_session_timeout') AS idle"
    )
    assert (limits[0]["lock"], limits[0]["idle"]) == ("30s", "1min")


def test_a_schema_migrated_by_a_newer_proxy_is_reported(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    Store.open(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("INSERT INTO schema_migrations (version, description) VALUES (999, 'later')")
    with caplog.at_level("WARNING", logger="adapters.core.store_pg_schema"):
        Store.open(postgres_url).close()
    assert "[999]" in caplog.text and "upgrade this one" in caplog.text


@pytest.mark.parametrize("store_kind", ["sqlite", "postgresql"])
def test_two_replicas_registering_one_stamp_at_once_one_is_refused(
    store: Store, store_location: str
) -> None:
    from datetime import date

    from adapters.core.store import StampAlreadyUsed

    other_replica = Store.open(store_location)
    outcome: list[str] = []

    def register_theirs() -> None:
        try:
            other_replica.register_paper_stamp(
                TENANT_ID, "01234567890123", date(2025, 1, 2), None, uuid.uuid4()
            )
            outcome.append("registered")
        except StampAlreadyUsed as exc:
            outcome.append(str(exc))

    with store.group("test"):
        store.register_paper_stamp(
            TENANT_ID, "01234567890123", date(2025, 1, 2), uuid.uuid4(), None
        )
        other = threading.Thread(target=register_theirs)
        other.start()
        other.join(0.3)  # PostgreSQL: waits for the first registration to commit
    other.join(10)
    other_replica.close()
    # One registration, one refusal naming it: never a database integrity error.
    assert len(outcome) == 1 and "01234567890123" in outcome[0], outcome
