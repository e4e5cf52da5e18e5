"""Who this proxy process is among the replicas sharing one store, and how long it claims.

Several replicas of the proxy may run on one shared store. Each loop's work (status
checks, creation retries, notifications, import jobs; the outbox and the pruner as a
whole) is *claimed* in the store under this process's replica id, for
``lease_seconds``: a replica that dies mid-claim holds nothing once that time has
passed, and another one takes the work over (see :mod:`adapters.core.store_leases`).

``COLLAUDO_REPLICA_ID`` names the replica. The default, ``hostname-pid-machine``, ends
with a digest of this boot of this kernel and this process's PID namespace (the
*machine*): on starting, a replica releases at once the claims of default-named replicas
of its own machine whose process is gone (the only proxy of a node, restarted after a
crash, resumes its import jobs and its outbox at once); the others wait for expiry. A
process of another machine or PID namespace is never judged from here (a container
restarts in a new PID namespace: give it a stable name). A stable name per replica (a
StatefulSet pod's name, ``proxy-1``) lets a restarted replica take its own claims back at
once; two running replicas must never share a name. ``COLLAUDO_LEASE_SECONDS`` is the
lease (default 30: far longer than a batch of work takes, as each loop renews its
lease per batch, gives back what a slow batch has not reached, and an import job's
lease is renewed by a heartbeat; short enough that a crash delays the dead replica's
share by half a minute).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
import socket
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "LEASE_SHARE",
    "ReplicaError",
    "default_replica_id",
    "gone_here",
    "machine_tag",
    "replica_from_env",
]

DEFAULT_LEASE_SECONDS = 30.0
# The share of a claim's lease a batch may use before giving back what it has not reached
# (so the claim never expires under a replica still working on it).
LEASE_SHARE = 0.8
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}")


class ReplicaError(ValueError):
    """``COLLAUDO_REPLICA_ID`` or ``COLLAUDO_LEASE_SECONDS`` has a value the proxy cannot use."""


@functools.cache
def machine_tag() -> str:
    """Eight hex digits naming this boot of this kernel and this PID namespace: two
    processes with the same tag see each other's PIDs (a random tag where Linux's
    ``/proc`` does not say, so nothing is ever judged dead from elsewhere)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return secrets.token_hex(4)
    return hashlib.sha256(f"{boot}/{namespace}".encode()).hexdigest()[:8]


@functools.cache
def default_replica_id() -> str:
    """``hostname-pid-machine``: unique per live process, readable in logs and ``/status``."""
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:60] or "proxy"
    return f"{host}-{os.getpid()}-{machine_tag()}"


def gone_here(owner: str, me: str) -> bool:
    """Whether ``owner`` is a default-named replica of this machine whose process is gone
    (its claims can be released now). Anything else — a chosen name, another machine,
    a PID alive (even if reused by another program) — is left to its lease's expiry."""
    host, _, rest = owner.rpartition("-")[0].rpartition("-")
    pid, tag = rest, owner.rpartition("-")[2]
    if owner == me or tag != machine_tag() or not pid.isdigit():
        return False
    if f"{host}-{pid}-{tag}" != owner or not me.endswith(f"-{tag}"):
        return False
    if int(pid) == os.getpid():
        return True  # this PID's earlier life: a restarted container's process 1
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, someone else's
    return False


def replica_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, float]:
    """The replica id and lease length from the environment; :class:`ReplicaError` says
    which variable is wrong and what it accepts."""
    env = os.environ if environ is None else environ
    replica = env.get("COLLAUDO_REPLICA_ID", "").strip() or default_replica_id()
    if not _ID.fullmatch(replica):
        raise ReplicaError(
            f"COLLAUDO_REPLICA_ID={replica!r} must be 1-100 letters, digits or . _ : @ - "
            "(starting with a letter or digit); leave it unset for hostname-pid-machine"
        )
    raw = env.get("COLLAUDO_LEASE_SECONDS", "").strip()
    if not raw:
        return replica, DEFAULT_LEASE_SECONDS
    try:
        lease = float(raw)
    except ValueError:
        lease = -1.0
    if not 0.5 <= lease <= 86_400:
        raise ReplicaError(
            f"COLLAUDO_LEASE_SECONDS={raw!r} must be a number of seconds between 0.5 and "
            f"86400 (default {DEFAULT_LEASE_SECONDS:g}): how long a dead replica's claimed "
            "work waits before another replica takes it over"
        )
    return replica, lease
