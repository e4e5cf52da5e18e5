"""GovPay's official OpenAPI files as JSON Schema validators, for the tests.

The files are read where :mod:`simulators.common.contracts` looks for contracts
(``$COLLAUDO_CONTRACTS_DIR`` or ``../shared/contracts``); tests skip, naming
``collaudo contracts fetch``, when they are absent. Cross-file ``$ref``s (API Ente v2 is
split in five files) are resolved by inlining. The files load through
:mod:`simulators.common.openapi_files` with the documentation defects the GovPay simulator
lists (:mod:`simulators.govpay.defects`: the TAB of ``govpay-api-schemas.yaml``, the
``NumeroAvviso`` pattern ``[0-9]18``, ``Ricevuta`` requiring ``stato`` it does not define,
``VocePendenza`` requiring a nested ``pendenza``...) fixed in memory, each a documentation
defect of GovPay, not a behaviour to test against.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import pytest
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator

from simulators.common import openapi_files
from simulators.common.contracts import find
from simulators.govpay.defects import DEFECTS

PENDENZE = "govpay/api-pendenze-v2/govpay-api-pendenze-v2.yaml"
ENTE = "govpay/api-ente-v2/govpay-api-ec.yaml"
ENTE_SCHEMAS = "govpay/api-ente-v2/govpay-api-schemas.yaml"


def available(*relative: str) -> bool:
    return all(find(name) is not None for name in relative)


def require(*relative: str) -> list[Path]:
    """The files' paths, or skip the test saying how to get them."""
    found = [find(name) for name in relative]
    missing = [name for name, path in zip(relative, found, strict=True) if path is None]
    if missing:
        pytest.skip(
            f"official GovPay contract {', '.join(missing)} absent: run `collaudo contracts "
            "fetch` (or set COLLAUDO_CONTRACTS_DIR)"
        )
    return [p for p in found if p is not None]


ALL_FIXES = tuple(fix for d in DEFECTS for fix in d.fixes)


@functools.cache
def _loaded(relative: str) -> dict[str, tuple[Path, Any]]:
    require(relative)
    return openapi_files.documents(relative, ALL_FIXES)


def _resolved(relative: str, node: Any) -> Any:
    """``node`` of ``relative`` with every ``$ref`` (local or to a sibling file) inlined."""
    return openapi_files.inline(copy.deepcopy(node), relative, "", _loaded(relative))


def schema(relative: str, name: str) -> dict[str, Any]:
    """The named component schema of a contract file, fully resolved."""
    document = _loaded(relative)[relative][1]
    found: dict[str, Any] = _resolved(relative, document["components"]["schemas"][name])
    return found


def operation(relative: str, path_template: str, method: str) -> dict[str, Any]:
    """An operation of a contract file, fully resolved."""
    document = _loaded(relative)[relative][1]
    found: dict[str, Any] = _resolved(relative, document["paths"][path_template][method])
    return found


def paths(relative: str) -> dict[str, Any]:
    found: dict[str, Any] = _loaded(relative)[relative][1]["paths"]
    return found


def errors(instance: Any, json_schema: dict[str, Any]) -> list[str]:
    """Every violation of ``json_schema`` (OpenAPI 3.0 dialect) by ``instance``."""
    validator = OAS30Validator(json_schema, format_checker=FormatChecker())
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]
