"""Linux network namespaces: create them with iproute2, and enter one from a thread.

A namespace made here is a throwaway host with its own interfaces, addresses and
routes. ``ip netns add`` needs root (CAP_SYS_ADMIN); :func:`unavailable` says why it
cannot be used, in one sentence, so tests skip with that message.

A thread enters a namespace with ``setns(2)``; every socket it creates from then on,
and every thread it starts, lives there (a socket keeps its namespace for life, so a
server bound inside one namespace can be served by a loop running in another).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

NETNS_RUN = Path("/run/netns")
NETNS_ETC = Path("/etc/netns")  # per-namespace /etc files that ``ip netns exec`` bind-mounts
CLONE_NEWNET = 0x40000000


class NetnsError(RuntimeError):
    """An ``ip`` command failed; the message carries what it said."""


def ip(*args: str, ns: str | None = None, check: bool = True) -> str:
    """Run ``ip ARGS`` (inside ``ns`` when given); its output, or :class:`NetnsError`."""
    command = ["ip", *(("-n", ns) if ns else ()), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=20)
    if check and done.returncode != 0:
        raise NetnsError(f"{' '.join(command)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


@functools.cache
def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None when they can (checked once)."""
    if not Path("/proc/self/ns/net").exists():
        return "this system has no network namespaces (Linux only)"
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed (apt-get install iproute2)"
    if os.geteuid() != 0:
        return "creating network namespaces needs root (run as root, as CI does)"
    probe = f"collaudo-probe-{uuid.uuid4().hex[:6]}"
    try:
        ip("netns", "add", probe)
    except (NetnsError, OSError, subprocess.TimeoutExpired) as exc:
        return f"`ip netns add` failed here: {exc}"
    ip("netns", "del", probe, check=False)
    return None


def add(name: str) -> None:
    """Create namespace ``name`` with its loopback up."""
    ip("netns", "add", name)
    ip("link", "set", "lo", "up", ns=name)


def delete(name: str) -> None:
    """Remove namespace ``name`` (its veth ends go with it) and its /etc files; quiet."""
    ip("netns", "del", name, check=False)
    shutil.rmtree(NETNS_ETC / name, ignore_errors=True)


def exists(name: str) -> bool:
    return (NETNS_RUN / name).exists()


def write_hosts(name: str, entries: dict[str, str]) -> Path:
    """The /etc/hosts that processes started with ``ip netns exec NAME`` see
    (host name → address), beside localhost."""
    folder = NETNS_ETC / name
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["127.0.0.1\tlocalhost", *(f"{addr}\t{host}" for host, addr in entries.items())]
    path = folder / "hosts"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def exec_command(name: str, command: list[str]) -> list[str]:
    """``command`` run inside namespace ``name`` (with its /etc files)."""
    return ["ip", "netns", "exec", name, *command]


_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


@contextlib.contextmanager
def entered(name: str) -> Iterator[None]:
    """Run the calling thread inside namespace ``name`` until the block ends.

    Sockets and threads created meanwhile stay in ``name``; the thread returns to its
    own namespace afterwards, also when the block raises.
    """
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(NETNS_RUN / name, os.O_RDONLY)
        try:
            _setns(target)
        finally:
            os.close(target)
        try:
            yield
        finally:
            _setns(own)
    finally:
        os.close(own)


def enter_for_good(name: str) -> None:
    """Move the calling thread into namespace ``name`` for the rest of its life (for a
    worker thread that exists only to make connections from there)."""
    target = os.open(NETNS_RUN / name, os.O_RDONLY)
    try:
        _setns(target)
    finally:
        os.close(target)
