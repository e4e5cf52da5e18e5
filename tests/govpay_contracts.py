"""GovPay's official OpenAPI files as JSON Schema validators, for the tests.

The files are read where :mod:`simulators.common.contracts` looks for contracts
(``$COLLAUDO_CONTRACTS_DIR`` or ``../shared/contracts``); tests skip, naming
``collaudo contracts fetch``, when they are absent. Cross-file ``$ref``s (API Ente v2 is
split in five files) are resolved by inlining. Three upstream defects are patched in
memory, each a documentation defect of GovPay, not a behaviour to test against:

- ``api-ente-v2/govpay-api-schemas.yaml`` line 893 starts with a TAB, which YAML forbids
  as indentation: read as eight spaces;
- its ``NumeroAvviso`` pattern is ``[0-9]18`` (a digit then "18"): read as ``^[0-9]{18}$``;
- its ``Ricevuta`` requires ``stato`` but defines ``esito`` (GovPay sends ``esito``):
  ``stato`` is not required;
- its ``VocePendenza`` requires a whole ``pendenza`` inside every voce, which the file's
  own ``Ricevuta`` example does not carry: not required.
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator

from simulators.common.contracts import find

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


@functools.cache
def load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^\t", " " * 8, text, flags=re.M)  # the TAB defect
    document = yaml.safe_load(text)
    if path.name == "govpay-api-schemas.yaml" and path.parent.name == "api-ente-v2":
        schemas = document["components"]["schemas"]
        schemas["NumeroAvviso"]["pattern"] = "^[0-9]{18}$"
        schemas["Ricevuta"]["required"].remove("stato")
        schemas["VocePendenza"]["allOf"][1]["required"].remove("pendenza")
    return document


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.lstrip("/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def resolve(node: Any, base: Path, depth: int = 0) -> Any:
    """``node`` with every ``$ref`` (local or to a sibling file) replaced by its target."""
    if depth > 60:
        raise RecursionError(f"$ref chain too deep under {base}")
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            file_part, _, pointer = ref.partition("#")
            target_file = base.parent / file_part if file_part else base
            target = _pointer(load(target_file), pointer)
            return resolve(copy.deepcopy(target), target_file, depth + 1)
        return {key: resolve(value, base, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, base, depth + 1) for item in node]
    return node


def schema(relative: str, name: str) -> dict[str, Any]:
    """The named component schema of a contract file, fully resolved."""
    [path] = require(relative)
    found: dict[str, Any] = resolve(load(path)["components"]["schemas"][name], path)
    return found


def operation(relative: str, path_template: str, method: str) -> dict[str, Any]:
    """An operation of a contract file, fully resolved."""
    [path] = require(relative)
    found: dict[str, Any] = resolve(load(path)["paths"][path_template][method], path)
    return found


def paths(relative: str) -> dict[str, Any]:
    [path] = require(relative)
    found: dict[str, Any] = load(path)["paths"]
    return found


def errors(instance: Any, json_schema: dict[str, Any]) -> list[str]:
    """Every violation of ``json_schema`` (OpenAPI 3.0 dialect) by ``instance``."""
    validator = OAS30Validator(json_schema, format_checker=FormatChecker())
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]
