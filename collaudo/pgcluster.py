"""A throwaway PostgreSQL cluster for tests and benchmarks: ``initdb`` + ``pg_ctl`` in a
temporary directory, listening on a free loopback port, with a random password.

:func:`start` returns a :class:`Cluster` whose :attr:`~Cluster.dsn` the PostgreSQL
store (``COLLAUDO_DB``) and the tests (``COLLAUDO_TEST_POSTGRES``) take as is;
:meth:`Cluster.stop` shuts it down and deletes its files. The binaries come from
``COLLAUDO_PG_BIN``, else the newest ``/usr/lib/postgresql/*/bin`` (Debian's
``postgresql`` package), else ``PATH``. ``initdb`` and ``pg_ctl`` refuse to run as
root: as root they run as the ``postgres`` user (``runuser``), in a directory it owns.

Commits are not waited for on disk (``synchronous_commit=off``): like the SQLite store's
``synchronous=NORMAL`` in WAL mode, a crash of the proxy loses nothing and a crash of
the machine may lose the last commits, never corrupt the database.

From a shell (what ``.ci/run`` does)::

    eval "$(python -m collaudo.pgcluster start)"   # exports COLLAUDO_TEST_POSTGRES
    python -m collaudo.pgcluster stop "$COLLAUDO_PG_DIR"
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

__all__ = ["Cluster", "ClusterError", "find_binaries", "fresh_schema", "start", "with_search_path"]

USER = "collaudo"
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "synchronous_commit": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}


class ClusterError(RuntimeError):
    """The throwaway cluster could not be created or started."""


@dataclass
class Cluster:
    """A running throwaway cluster (see the module docstring)."""

    directory: Path
    port: int
    password: str
    binaries: Path

    @property
    def dsn(self) -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete the cluster's files."""
        stop(self.directory)


def find_binaries() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``; :class:`ClusterError` if none."""
    given = os.environ.get("COLLAUDO_PG_BIN")
    candidates = [Path(given)] if given else []
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versions
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    raise ClusterError(
        "no PostgreSQL server binaries (initdb, pg_ctl) found in "
        + (f"COLLAUDO_PG_BIN={given}" if given else "/usr/lib/postgresql/*/bin or PATH")
        + ": install them (Debian: apt-get install postgresql) or point COLLAUDO_PG_BIN at them"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server tools: ``postgres`` as root (initdb refuses root), else us."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ClusterError(
            "running as root, and initdb refuses root: create a 'postgres' user "
            "(Debian's postgresql package does) or run as an ordinary user"
        ) from exc


def _as_server_user() -> list[str]:
    """The command prefix running a server tool: ``runuser -u postgres --`` as root."""
    return [] if _server_user() is None else ["runuser", "-u", "postgres", "--"]


def _run(command: Sequence[str], what: str) -> None:
    done = subprocess.run(
        [*_as_server_user(), *command], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ClusterError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def start(directory: Path | None = None, port: int | None = None) -> Cluster:
    """Create and start a cluster in ``directory`` (a new temporary one by default)."""
    binaries = find_binaries()
    owner = _server_user()
    root = Path(directory or tempfile.mkdtemp(prefix="collaudo-pg-"))
    try:
        return _create(root, port or _free_port(), binaries, owner)
    except BaseException:
        if directory is None:  # ours: leave nothing behind
            shutil.rmtree(root, ignore_errors=True)
        raise


def _create(root: Path, port: int, binaries: Path, owner: pwd.struct_passwd | None) -> Cluster:
    root.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    root.chmod(0o700)
    password = secrets.token_urlsafe(18)
    cluster = Cluster(root, port, password, binaries)
    pwfile = root / "pwfile"
    pwfile.touch(mode=0o600)
    pwfile.write_text(password)
    if owner is not None:  # initdb reads it as the server user
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    try:
        _run(
            [
                str(binaries / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                USER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            "initdb",
        )
    finally:
        pwfile.unlink(missing_ok=True)
    options = " ".join(f"-c {k}={v}" for k, v in _SERVER_SETTINGS.items())
    options += f" -c port={cluster.port} -c unix_socket_directories={root}"
    log = root / "server.log"
    try:
        _run(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(cluster.data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            "pg_ctl start",
        )
    except ClusterError as exc:  # the server's own words say why (a port taken, memory...)
        said = log.read_text(errors="replace").strip()[-1500:] if log.exists() else ""
        raise ClusterError(f"{exc}\nserver log:\n{said}") from None
    return cluster


def stop(directory: Path) -> None:
    """Stop the cluster created in ``directory`` and delete it (quietly if already gone)."""
    data = directory / "data"
    if (data / "postmaster.pid").exists():
        binaries = find_binaries()
        _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], "pg_ctl stop")
    shutil.rmtree(directory, ignore_errors=True)


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose sessions put their tables in ``schema`` (libpq's ``options``)."""
    options = quote(f"-c search_path={schema}", safe="")
    return f"{url}{'&' if '?' in url else '?'}options={options}"


@contextlib.contextmanager
def fresh_schema(url: str, prefix: str = "test") -> Iterator[str]:
    """A URL of ``url``'s database whose sessions work in a new, empty schema, dropped
    (with everything in it) on the way out."""
    import psycopg

    schema = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m collaudo.pgcluster",
        description="Start or stop a throwaway PostgreSQL cluster for the store's tests.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    start_verb = verbs.add_parser(
        "start", help="start one; prints the shell exports (eval them) on stdout"
    )
    start_verb.add_argument("--dir", type=Path, help="where (default: a new temporary directory)")
    stop_verb = verbs.add_parser("stop", help="stop one and delete its directory")
    stop_verb.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.verb == "stop":
            stop(args.dir)
            sys.stderr.write(f"stopped and removed the PostgreSQL cluster in {args.dir}\n")
            return 0
        cluster = start(args.dir)
    except ClusterError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stderr.write(
        f"PostgreSQL ({cluster.binaries.parent.name}) listening on 127.0.0.1:{cluster.port}, "
        f"data in {cluster.data}\nstop it with: python -m collaudo.pgcluster stop "
        f"{cluster.directory}\n"
    )
    sys.stdout.write(
        f"export COLLAUDO_TEST_POSTGRES={shlex.quote(cluster.dsn)}\n"
        f"export COLLAUDO_PG_DIR={shlex.quote(str(cluster.directory))}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
