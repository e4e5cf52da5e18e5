"""Reading a driver's fields out of a :class:`CreditorConfig`, secrets from the environment.

A missing or malformed field is a :class:`RequestRejected` (retrying will not fix a
configuration) whose message names the field and says where to set it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from adapters.core.config import ConfigField
from adapters.core.intermediary import CreditorConfig, RequestRejected


def field_value(creditor: CreditorConfig, spec: ConfigField) -> str | None:
    """The configured value of ``spec`` (its default when unset), validated."""
    raw: Any = creditor.settings.get(spec.key)
    value = str(raw).strip() if raw is not None else ""
    if not value:
        value = spec.default or ""
    if not value:
        if spec.required:
            raise RequestRejected(
                f"configuration field {spec.key!r} ({spec.label}) is missing: set it in the "
                f"{spec.level} configuration of tenant {creditor.tenant_id}",
                code="CONFIGURATION",
            )
        return None
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        raise RequestRejected(
            f"configuration field {spec.key!r} ({spec.label}) is {value!r}, which does not "
            f"match {spec.pattern}: fix the {spec.level} configuration",
            code="CONFIGURATION",
        )
    return value


def required(creditor: CreditorConfig, spec: ConfigField) -> str:
    value = field_value(creditor, spec)
    if value is None:  # only for fields declared optional but needed here
        raise RequestRejected(
            f"configuration field {spec.key!r} ({spec.label}) is needed for this payment: "
            f"set it in the {spec.level} configuration of tenant {creditor.tenant_id}",
            code="CONFIGURATION",
        )
    return value


def secret(
    creditor: CreditorConfig,
    spec: ConfigField,
    environ: Mapping[str, str] | None = None,
    *,
    optional: bool = False,
) -> str | None:
    """The secret held in the environment variable whose *name* ``spec`` configures."""
    name = field_value(creditor, spec)
    if name is None:
        return None
    env = os.environ if environ is None else environ
    value = env.get(name)
    if not value:
        if optional:
            return None
        raise RequestRejected(
            f"{spec.label}: environment variable {name} (named by configuration field "
            f"{spec.key!r}) is not set; export it in the proxy's environment",
            code="CONFIGURATION",
        )
    return value
