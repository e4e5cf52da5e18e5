"""The peer tools a simulator is compared with, started live beside it (same run, same
machine, same load generator), each serving the very answer the simulator gave.

- ``nginx``: a static file (Debian ``nginx-light``), the floor of the machine;
- ``python``: Starlette + uvicorn (httptools) returning the bytes, the Python floor;
- ``wiremock``: WireMock's standalone JAR (npm ``wiremock``, needs Java 17), one stub;
- ``mountebank``: one imposter (npm ``mountebank``);
- ``prism``: ``prism mock`` on the official OpenAPI file (npm ``@stoplight/prism-cli``),
  REST only: it answers from the contract, not with the simulator's bytes.

npm peers are looked for in ``$COLLAUDO_PEERS_DIR`` (default ``.collaudo/peers``)::

    npm install --prefix .collaudo/peers wiremock@3 mountebank@2 @stoplight/prism-cli@5
    apt-get install -y nginx-light wrk

A missing peer is reported with that line and no ratio is printed for it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PEERS_DIR = Path(os.environ.get("COLLAUDO_PEERS_DIR", REPO / ".collaudo" / "peers"))
NPM_INSTALL = "npm install --prefix .collaudo/peers wiremock@3 mountebank@2 @stoplight/prism-cli@5"
INSTALL = {
    "nginx": "apt-get install -y nginx-light",
    "wiremock": f"{NPM_INSTALL} (and Java 17)",
    "mountebank": NPM_INSTALL,
    "prism": NPM_INSTALL,
}


class PeerMissing(Exception):
    """A peer is not installed here; the message says how to install it."""


@dataclass(frozen=True)
class Answer:
    """What a stub answers: the simulator's own bytes for one request shape."""

    method: str
    path_regex: str  # a regular expression over the path
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Peer:
    name: str
    url: str
    pid: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _bin(name: str) -> Path:
    path = PEERS_DIR / "node_modules" / ".bin" / name
    if not path.exists():
        raise PeerMissing(f"{name} not found in {PEERS_DIR}: {INSTALL.get(name, NPM_INSTALL)}")
    return path


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PeerMissing(f"exited at start ({process.returncode}): {log.read_text()[-600:]}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1)
            return
        time.sleep(0.2)
    raise PeerMissing(f"did not answer within {timeout:g} s: {log.read_text()[-600:]}")


@contextlib.contextmanager
def _process(
    name: str,
    command: list[str],
    ready_url: str,
    workdir: Path,
    timeout: float = 60,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd or workdir, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait(ready_url, process, timeout, log)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            process.wait(timeout=10)


@contextlib.contextmanager
def nginx(answer: Answer, workdir: Path) -> Iterator[Peer]:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        raise PeerMissing(f"nginx not found: {INSTALL['nginx']}")
    # Started as root, its workers run as an unprivileged user: the file must be readable
    # by them, so it lives in a folder of its own under the system's temporary directory
    # (the run's own folder is private), removed afterwards.
    folder = Path(tempfile.mkdtemp(prefix="collaudo-nginx-"))
    folder.chmod(0o755)
    (folder / "answer").write_bytes(answer.body)
    (folder / "answer").chmod(0o644)
    port = _free_port()
    kind = answer.content_type.replace('"', "")
    # A static file answers GET; the static module refuses POST with 405, which an
    # internal redirect turns into the same file with status 200.
    config = f"""
daemon off; worker_processes auto; pid {folder}/nginx.pid; error_log {folder}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off; client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
  keepalive_requests 1000000;
  server {{
    listen {HOST}:{port};
    location / {{
      default_type "{kind}"; root {folder}; try_files /answer =404;
      error_page 405 =200 /answer;
    }}
    location = /answer {{ default_type "{kind}"; root {folder}; }}
  }}
}}
"""
    (folder / "nginx.conf").write_text(config)
    url = f"http://{HOST}:{port}"
    try:
        with _process("nginx", [binary, "-c", str(folder / "nginx.conf")], url, workdir) as process:
            yield Peer("nginx, static file", url, process.pid)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def python_floor(answer: Answer, workdir: Path) -> Iterator[Peer]:
    (workdir / "python-answer").write_bytes(answer.body)
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", "benchmarks.static_app:create_app", "--factory",
        "--host", HOST, "--port", str(port), "--http", "httptools", "--workers", "1",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    os.environ["COLLAUDO_STATIC_ANSWER"] = str(workdir / "python-answer")
    os.environ["COLLAUDO_STATIC_TYPE"] = answer.content_type
    url = f"http://{HOST}:{port}"
    with _process("python", command, url, workdir, cwd=REPO) as process:
        yield Peer("Starlette + uvicorn, static", url, process.pid)


@contextlib.contextmanager
def wiremock(answer: Answer, workdir: Path) -> Iterator[Peer]:
    binary = _bin("wiremock")
    if shutil.which("java") is None:
        raise PeerMissing("java not found: WireMock needs Java 17 (apt-get install openjdk-17-jre)")
    root = workdir / "wiremock"
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    (root / "__files" / "answer").write_bytes(answer.body)
    mapping = {
        "request": {"method": answer.method, "urlPathPattern": answer.path_regex},
        "response": {
            "status": answer.status,
            "bodyFileName": "answer",
            "headers": {"Content-Type": answer.content_type},
        },
    }
    (root / "mappings" / "answer.json").write_text(json.dumps(mapping))
    port = _free_port()
    command = [
        str(binary), "--port", str(port), "--bind-address", HOST, "--root-dir", str(root),
        "--no-request-journal", "--disable-request-logging", "--disable-banner",
    ]  # fmt: skip
    url = f"http://{HOST}:{port}"
    with _process("wiremock", command, f"{url}/__admin/mappings", workdir, 120) as process:
        yield Peer("WireMock, static stub", url, process.pid)


@contextlib.contextmanager
def mountebank(answer: Answer, workdir: Path) -> Iterator[Peer]:
    binary = _bin("mb")
    admin, port = _free_port(), _free_port()
    command = [str(binary), "--port", str(admin), "--host", HOST, "--loglevel", "error"]
    with _process("mountebank", command, f"http://{HOST}:{admin}/", workdir) as process:
        imposter = {
            "port": port,
            "protocol": "http",
            "host": HOST,
            "stubs": [
                {
                    "predicates": [
                        {"matches": {"method": answer.method, "path": answer.path_regex}}
                    ],
                    "responses": [
                        {
                            "is": {
                                "statusCode": answer.status,
                                "headers": {"Content-Type": answer.content_type},
                                "body": answer.body.decode(),
                            }
                        }
                    ],
                }
            ],
        }
        created = httpx.post(f"http://{HOST}:{admin}/imposters", json=imposter, timeout=30)
        if created.status_code != 201:
            raise PeerMissing(f"mountebank refused the imposter: {created.text[:300]}")
        yield Peer("mountebank, one imposter", f"http://{HOST}:{port}", process.pid)


@contextlib.contextmanager
def prism(contract: Path, workdir: Path) -> Iterator[Peer]:
    binary = _bin("prism")
    port = _free_port()
    command = [str(binary), "mock", "-h", HOST, "-p", str(port), str(contract)]
    url = f"http://{HOST}:{port}"
    with _process("prism", command, url, workdir, 120) as process:
        yield Peer(f"Prism mock of {contract.name}", url, process.pid)
