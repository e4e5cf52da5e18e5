"""The official contracts the fuzzer uses as oracles, loaded at run time, never copied.

``$COLLAUDO_CONTRACTS_DIR``, else ``../shared/contracts`` beside the repository. Defects of
the official files that the fuzzer has to patch in memory are listed in
:data:`CONTRACT_DEFECTS` so that every run reports them.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path
from typing import Any

# `\h` (horizontal whitespace) is PCRE/Java, not ECMA-262: strict validators reject gpd.json.
GPD_BAD_PATTERN = "[\\w*\\h-]+"
GPD_FIXED_PATTERN = "[\\w*\\t -]+"

CONTRACT_DEFECTS = (
    "pagopa/openapi/gpd.json: path parameter pattern '[\\w*\\h-]+' uses '\\h', which is not "
    "valid in ECMA-262 regular expressions (OpenAPI's dialect); patched in memory to "
    "'[\\w*\\t -]+' (same meaning) for fuzzing",
    "mypay/pa-per-ente.wsdl: the ppt inline schema uses ppthead:stText35 without importing "
    "the ppthead namespace; the import is added in memory to compile it",
)


class ContractsMissing(FileNotFoundError):
    """The official contract files are not where the fuzzer looks for them."""


def contracts_dir() -> Path | None:
    """``$COLLAUDO_CONTRACTS_DIR``, else ``../shared/contracts`` beside the repository."""
    env = os.environ.get("COLLAUDO_CONTRACTS_DIR")
    root = Path(__file__).resolve().parents[2]
    candidate = Path(env) if env else root.parent / "shared" / "contracts"
    return candidate if candidate.is_dir() else None


def contract_file(relative: str) -> Path:
    """The path of one official file; :class:`ContractsMissing` says where it was sought."""
    base = contracts_dir()
    path = base / relative if base else None
    if path is None or not path.is_file():
        where = base or "../shared/contracts (beside the repository)"
        raise ContractsMissing(
            f"official contract {relative} not found under {where}: "
            "set COLLAUDO_CONTRACTS_DIR to the directory holding the official contracts"
        )
    return path


def available(*relative: str) -> bool:
    """Whether every named official file is present."""
    try:
        for name in relative:
            contract_file(name)
    except ContractsMissing:
        return False
    return True


@functools.lru_cache(maxsize=8)
def _load_json(relative: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(contract_file(relative).read_text(encoding="utf-8"))
    return loaded


def _replace_patterns(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                GPD_FIXED_PATTERN
                if key == "pattern" and value == GPD_BAD_PATTERN
                else _replace_patterns(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_patterns(item) for item in node]
    return node


def _link(operation_id: str, parameters: dict[str, str]) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters}


def gpd_spec() -> dict[str, Any]:
    """``gpd.json`` with its invalid pattern patched and OpenAPI links added.

    The official document declares no links; the ones added say what its prose says (a
    created position is then read, updated, published, invalidated and deleted by its
    ``iupd``), so that schemathesis can run stateful sequences.
    """
    spec: dict[str, Any] = _replace_patterns(copy.deepcopy(_load_json("pagopa/openapi/gpd.json")))
    by_path = {
        "organizationfiscalcode": "$request.path.organizationfiscalcode",
        "iupd": "$response.body#/iupd",
    }
    create = spec["paths"]["/organizations/{organizationfiscalcode}/debtpositions"]["post"]
    links: dict[str, Any] = {}
    item = spec["paths"]["/organizations/{organizationfiscalcode}/debtpositions/{iupd}"]
    for method in ("get", "put", "delete"):
        if method in item and "operationId" in item[method]:
            links[f"{method.title()}Position"] = _link(item[method]["operationId"], by_path)
    for action in ("publish", "invalidate"):
        path = f"/organizations/{{organizationfiscalcode}}/debtpositions/{{iupd}}/{action}"
        operation = spec["paths"].get(path, {}).get("post", {})
        if "operationId" in operation:
            links[f"{action.title()}Position"] = _link(operation["operationId"], by_path)
    create["responses"]["201"].setdefault("links", {}).update(links)
    return spec


def gpd_payments_spec() -> dict[str, Any]:
    """``gpd_payments.json`` as published."""
    return copy.deepcopy(_load_json("pagopa/openapi/gpd_payments.json"))


def checkout_spec() -> dict[str, Any]:
    """``checkout_v1.json`` as published."""
    return copy.deepcopy(_load_json("pagopa/openapi/checkout_v1.json"))
