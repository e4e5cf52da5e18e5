"""Who this proxy process is among the replicas sharing one store, and how long it claims.

Several replicas of the proxy may run on one shared store. Each loop's work (status
checks, creation retries, notifications, import jobs; the outbox and the pruner as a
whole) is *claimed* in the store under this process's replica id, for
``lease_seconds``: a replica that dies mid-claim holds nothing once that time has
passed, and another one takes the work over (see :mod:`adapters.core.store_leases`).

``COLLAUDO_REPLICA_ID`` names the replica. The default, ``hostname-pid-random``, is new
at every start: after a crash the restarted process waits for the dead one's leases
to expire like any other replica. A stable name per replica (a StatefulSet pod's name,
``proxy-1`` on a single node) lets a restarted replica take its own claims back at
once; two running replicas must never share a name. ``COLLAUDO_LEASE_SECONDS`` is the
lease (default 30: far longer than a batch of work takes, as each loop renews its
lease per batch, gives back what a slow batch has not reached, and an import job's
lease is renewed by a heartbeat; short enough that a crash delays the dead replica's
share by half a minute).
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import socket
from collections.abc import Mapping

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "LEASE_SHARE",
    "ReplicaError",
    "default_replica_id",
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
def default_replica_id() -> str:
    """``hostname-pid-random``: unique per process, readable in logs and ``/status``."""
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:60] or "proxy"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


def replica_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, float]:
    """The replica id and lease length from the environment; :class:`ReplicaError` says
    which variable is wrong and what it accepts."""
    env = os.environ if environ is None else environ
    replica = env.get("COLLAUDO_REPLICA_ID", "").strip() or default_replica_id()
    if not _ID.fullmatch(replica):
        raise ReplicaError(
            f"COLLAUDO_REPLICA_ID={replica!r} must be 1-100 letters, digits or . _ : @ - "
            "(starting with a letter or digit); leave it unset for hostname-pid-random"
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
