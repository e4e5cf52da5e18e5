"""The throwaway PostgreSQL cluster of the tests and benchmarks (collaudo.pgcluster)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg
import pytest

from collaudo.pgcluster import ClusterError, find_binaries, start

ROOT = Path(__file__).resolve().parent.parent


def binaries_or_skip() -> Path:
    try:
        return find_binaries()
    except ClusterError as exc:
        pytest.skip(str(exc))


def test_a_cluster_starts_takes_its_password_and_goes_away() -> None:
    binaries_or_skip()
    cluster = start()
    try:
        with psycopg.connect(cluster.dsn, connect_timeout=5) as db:
            assert db.execute("SHOW synchronous_commit").fetchone() == ("off",)
            assert db.execute("SELECT inet_server_addr()::text").fetchone() == ("127.0.0.1/32",)
        wrong = cluster.dsn.replace(cluster.password, "not-the-password")
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(wrong, connect_timeout=5)
    finally:
        cluster.stop()
    assert not cluster.directory.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(cluster.dsn, connect_timeout=2)


def test_the_shell_entry_prints_exports_and_where_it_listens() -> None:
    binaries_or_skip()
    started = subprocess.run(
        [sys.executable, "-m", "collaudo.pgcluster", "start"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines()
    )
    directory = exports["COLLAUDO_PG_DIR"]
    try:
        assert "listening on 127.0.0.1:" in started.stderr and "stop it with" in started.stderr
        with psycopg.connect(exports["COLLAUDO_TEST_POSTGRES"].strip("'"), connect_timeout=5):
            pass
    finally:
        subprocess.run(
            [sys.executable, "-m", "collaudo.pgcluster", "stop", directory], cwd=ROOT, check=True
        )
    assert not Path(directory).exists()


def test_missing_binaries_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLLAUDO_PG_BIN", str(tmp_path))
    monkeypatch.setattr("collaudo.pgcluster.Path.glob", lambda self, pattern: iter(()))
    monkeypatch.setattr("collaudo.pgcluster.shutil.which", lambda name: None)
    with pytest.raises(ClusterError, match="apt-get install postgresql"):
        find_binaries()


def test_a_cluster_that_cannot_start_says_why_and_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    binaries_or_skip()
    made: list[Path] = []
    mkdtemp = tempfile.mkdtemp

    def recorded(*args: Any, **kwargs: Any) -> str:
        made.append(Path(mkdtemp(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", recorded)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ClusterError, match="server log:(.|\n)*(in use|could not)"):
            start(port=taken.getsockname()[1])
    assert len(made) == 1 and not made[0].exists()
