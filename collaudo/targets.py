"""Target profiles: where the collaudo suite runs.

Three targets are built in and need no file:

- ``sim-mypay``: the whole stack in-process, the proxy driving the MyPay simulator;
- ``sim-gpd``: the same, the proxy driving the pagoPA GPD simulator;
- ``sim-govpay``: the same, the proxy driving the GovPay simulator (which notifies the
  proxy's API Ente v2).

``collaudo.toml`` (at the repository root, or ``--config``) may tune them and add
*live* targets. A live target keeps the proxy and the platform simulator local, but
the proxy's driver talks to the vendor's test environment and the citizen pays on
pagoPA's real test checkout. Its tenant and service fields name the vendor's URLs
and identifiers; secrets are never written in the file: fields ending in ``_env``
name the environment variable that holds them, and :meth:`Target.missing_secrets`
says which are unset. ``collaudo.toml.example`` documents every key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from collaudo.stack import INTERMEDIARIES, Intermediary, StackOptions

Kind = Literal["simulator", "live"]
SERVICE_KEYS = ("suolo_pubblico", "canone_cup", "residenza")
DEFAULT_CONFIG = Path("collaudo.toml")


class TargetError(ValueError):
    """A target profile that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Target:
    """One place to run the suite against."""

    name: str
    intermediary: Intermediary
    kind: Kind = "simulator"
    description: str = ""
    # Extra/overriding fields of the demo tenant and of each demo service (live targets).
    tenant: Mapping[str, Any] = field(default_factory=dict)
    services: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The driver's per-operation timeout (None: the driver's own, pagoPA's 7 s).
    operation_timeout: float | None = None
    # How long a manual step (a person paying on the real checkout) waits, in seconds.
    manual_timeout: float = 300.0

    @property
    def simulated(self) -> bool:
        return self.kind == "simulator"

    def secret_variables(self) -> list[str]:
        """Environment variable names the target's configuration refers to."""
        names = [str(v) for k, v in self.tenant.items() if k.endswith("_env")]
        for fields in self.services.values():
            names += [str(v) for k, v in fields.items() if k.endswith("_env")]
        return names

    def missing_secrets(self, environ: Mapping[str, str] | None = None) -> list[str]:
        env = os.environ if environ is None else environ
        return [name for name in self.secret_variables() if not env.get(name)]

    def stack_options(self, data_dir: Path) -> StackOptions:
        return StackOptions(
            intermediary=self.intermediary,
            data_dir=data_dir,
            simulated=self.simulated,
            tenant_overrides=dict(self.tenant),
            service_overrides={k: dict(v) for k, v in self.services.items()},
            operation_timeout=self.operation_timeout,
        )


BUILT_IN: dict[str, Target] = {
    "sim-mypay": Target(
        "sim-mypay", "mypay", description="whole stack in-process, proxy → MyPay simulator (SOAP)"
    ),
    "sim-gpd": Target(
        "sim-gpd", "gpd", description="whole stack in-process, proxy → pagoPA GPD simulator (REST)"
    ),
    "sim-govpay": Target(
        "sim-govpay",
        "govpay",
        description="whole stack in-process, proxy → GovPay simulator (REST, API Ente v2)",
    ),
}
DEFAULT_TARGETS = ("sim-mypay", "sim-gpd", "sim-govpay")


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TargetError(f"{where} must be a table, got {type(value).__name__}")
    return value


def _target(name: str, raw: dict[str, Any], source: Path) -> Target:
    where = f"{source}: [targets.{name}]"
    base = BUILT_IN.get(name)
    known = {"intermediary", "kind", "description", "tenant", "services"}
    known |= {"operation_timeout", "manual_timeout"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise TargetError(f"{where}: unknown keys {', '.join(unknown)}; known: {sorted(known)}")
    intermediary = raw.get("intermediary", base.intermediary if base else None)
    if intermediary not in INTERMEDIARIES:
        raise TargetError(f"{where}: intermediary must be one of {', '.join(INTERMEDIARIES)}")
    kind = raw.get("kind", base.kind if base else "live")
    if kind not in ("simulator", "live"):
        raise TargetError(f"{where}: kind must be 'simulator' or 'live', got {kind!r}")
    services = _table(raw.get("services", {}), f"{where} services")
    for key, fields in services.items():
        if key not in SERVICE_KEYS:
            raise TargetError(f"{where}: unknown service {key!r}; known: {', '.join(SERVICE_KEYS)}")
        _table(fields, f"{where} services.{key}")
    tenant = _table(raw.get("tenant", {}), f"{where} tenant")
    for key, value in tenant.items():
        if not key.endswith("_env") and any(s in key for s in ("password", "key", "secret")):
            raise TargetError(
                f"{where}: tenant.{key} looks like a secret; write '{key}_env = \"VARIABLE\"' "
                "and export the value in that environment variable"
            )
        if not isinstance(value, str | int | float | bool):
            raise TargetError(f"{where}: tenant.{key} must be a plain value")
    timeout = raw.get("operation_timeout")
    target = Target(
        name=name,
        intermediary=intermediary,
        kind=kind,
        description=str(raw.get("description", base.description if base else "")),
        tenant=tenant,
        services=services,
        operation_timeout=float(timeout) if timeout is not None else None,
        manual_timeout=float(raw.get("manual_timeout", 300.0)),
    )
    if kind == "live" and not tenant:
        raise TargetError(f"{where}: a live target needs a [targets.{name}.tenant] table")
    return target


def load_targets(path: Path | None = None) -> dict[str, Target]:
    """Built-in targets, updated and extended by ``path`` (default ``collaudo.toml`` if any)."""
    targets = dict(BUILT_IN)
    source = path if path is not None else DEFAULT_CONFIG
    if not source.exists():
        if path is not None:
            raise TargetError(f"{path}: no such file (see collaudo.toml.example)")
        return targets
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{source}: not valid TOML: {exc}") from exc
    for name, raw in _table(document.get("targets", {}), f"{source}: [targets]").items():
        targets[name] = _target(name, _table(raw, f"{source}: [targets.{name}]"), source)
    return targets


def select(targets: Mapping[str, Target], names: list[str] | None) -> list[Target]:
    """The targets called ``names`` (default: the simulators), or a clear error."""
    chosen: list[Target] = []
    for name in names or list(DEFAULT_TARGETS):
        if name not in targets:
            raise TargetError(f"unknown target {name!r}; known: {', '.join(sorted(targets))}")
        chosen.append(targets[name])
    return chosen
