"""The proxy's HTTP settings, read from environment variables (12-factor).

======================== ============================== =====================================
variable                 default                        meaning
======================== ============================== =====================================
COLLAUDO_API_TOKEN       (none: every protected call    bearer token for the configuration,
                         answers 401)                   import and stamp APIs
COLLAUDO_DB              ``.collaudo/proxy.sqlite3``    the SQLite store file, or a
                                                        ``postgresql://user:pw@host/db`` URL
                                                        (the PostgreSQL store, shared by
                                                        replicas; the password is masked
                                                        wherever the URL is shown)
COLLAUDO_PUBLIC_URL      ``http://127.0.0.1:8000``      base URL of the citizen links
COLLAUDO_BUS             ``memory``                     ``memory`` or ``kafka``
COLLAUDO_KAFKA_BOOTSTRAP ``localhost:9092``             Kafka bootstrap servers
COLLAUDO_INTERMEDIARY    ``fake``                       driver name: ``fake``, ``mypay``, ``gpd``
COLLAUDO_RETENTION_DAYS  ``90``                         days published events, consumed event
                                                        ids, finished notifications and
                                                        exchanges are kept (``0``: forever)
COLLAUDO_REPLICA_ID      ``hostname-pid-machine``       this replica's name among those
                                                        sharing the store (claims, /status)
COLLAUDO_LEASE_SECONDS   ``30``                         how long claimed work waits for a
                                                        dead replica before another takes it
======================== ============================== =====================================

The token is a secret: it is never logged and ``repr`` hides it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from adapters.core.replica import (
    DEFAULT_LEASE_SECONDS,
    ReplicaError,
    default_replica_id,
    replica_from_env,
)
from adapters.core.store import DEFAULT_STORE_PATH
from adapters.core.store_dialect import store_location

BusKind = Literal["memory", "kafka"]


class SettingsError(ValueError):
    """An environment variable has a value the proxy cannot use."""


@dataclass(frozen=True)
class ApiSettings:
    """Everything :func:`adapters.api.app.create_app` needs to wire the proxy."""

    api_token: str | None = field(default=None, repr=False)
    db_path: Path | str = DEFAULT_STORE_PATH  # a str only for a PostgreSQL URL
    public_url: str = "http://127.0.0.1:8000"
    bus: BusKind = "memory"
    kafka_bootstrap: str = "localhost:9092"
    intermediary: str = "fake"
    retention_days: int = 90
    replica_id: str = field(default_factory=default_replica_id)
    lease_seconds: float = DEFAULT_LEASE_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        env = os.environ if environ is None else environ
        bus = env.get("COLLAUDO_BUS", "memory").strip().lower() or "memory"
        if bus not in ("memory", "kafka"):
            raise SettingsError(f"COLLAUDO_BUS={bus!r} is not supported: use 'memory' or 'kafka'")
        public_url = env.get("COLLAUDO_PUBLIC_URL", "").strip() or "http://127.0.0.1:8000"
        if not public_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"COLLAUDO_PUBLIC_URL={public_url!r} must be an http:// or https:// URL"
            )
        retention = env.get("COLLAUDO_RETENTION_DAYS", "").strip() or "90"
        if not retention.isdigit():
            raise SettingsError(
                f"COLLAUDO_RETENTION_DAYS={retention!r} must be a whole number of days "
                "(0 keeps everything)"
            )
        try:
            replica_id, lease_seconds = replica_from_env(env)
        except ReplicaError as exc:
            raise SettingsError(str(exc)) from exc
        return cls(
            api_token=env.get("COLLAUDO_API_TOKEN") or None,
            db_path=store_location(env.get("COLLAUDO_DB", "").strip() or str(DEFAULT_STORE_PATH)),
            public_url=public_url.rstrip("/"),
            bus="kafka" if bus == "kafka" else "memory",
            kafka_bootstrap=env.get("COLLAUDO_KAFKA_BOOTSTRAP", "").strip() or "localhost:9092",
            intermediary=env.get("COLLAUDO_INTERMEDIARY", "").strip().lower() or "fake",
            retention_days=int(retention),
            replica_id=replica_id,
            lease_seconds=lease_seconds,
        )
