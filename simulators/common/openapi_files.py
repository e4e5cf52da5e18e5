"""Multi-file OpenAPI 3.0 contracts in YAML (GovPay's), loaded with their listed defects fixed.

Some official files do not load or do not describe the real service as published (a TAB
that strict YAML parsers reject, local ``$ref``s that resolve only in a companion file, a
required property never sent, an answer the operation does not declare). Each such defect
is written down once, by the simulator that meets it, as :class:`SpecFix` entries; this
module applies exactly those and nothing else, so the contract tests, the fuzzer and the
drift check read the same documents.

- :func:`api`: (URI, document, ``referencing`` registry of every file of the API's folder),
  for validating answers with cross-file ``$ref``s resolved by file URI;
- :func:`bundled`: one self-contained document (cross-file ``$ref``s inlined, local ones
  kept) with the undeclared answers a fix lists added to their operation, for tools that
  take a single document (schemathesis).

Files are found as every contract is (:func:`simulators.common.contracts.find`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT4

from simulators.common.contracts import ContractsMissing, find

SCHEMAS = "#/components/schemas/"


@dataclass(frozen=True)
class SpecFix:
    """One correction to an official file, as listed by a documentation defect.

    ``kind``: ``status`` (an answer the operation does not declare; ``target`` "METHOD
    /path", ``value`` = (status, media type, schema pointer or None)), ``media`` (a declared
    status answered with another media type), ``drop-required`` (``target`` "file#pointer",
    ``value`` the property), ``pattern`` / ``format`` (the constraint to use instead),
    ``yaml`` (``value`` "tab-indent": TABs read as spaces) and ``ref`` (local ``$ref``s to
    schemas the file lacks point at the companion file ``value``).
    """

    kind: str
    target: str
    value: Any = None


def of_kind(fixes: Iterable[SpecFix], kind: str) -> list[SpecFix]:
    return [fix for fix in fixes if fix.kind == kind]


class _JsonLoader(yaml.SafeLoader):
    """YAML as OpenAPI means it: JSON values, so dates and times stay strings."""


_JsonLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, relative: str, fixes: Iterable[SpecFix]) -> Any:
    """The file parsed (dates as strings), a TAB indentation read as spaces when a fix says
    so."""
    text = path.read_text(encoding="utf-8")
    if any(f.target == relative and f.value == "tab-indent" for f in of_kind(fixes, "yaml")):
        # a TAB to the next 8-column stop, as the authors' editor showed it
        text = "\n".join(line.expandtabs(8) for line in text.split("\n"))
    return yaml.load(text, Loader=_JsonLoader)  # noqa: S506 - a SafeLoader subclass


def pointer(document: Any, json_pointer: str) -> Any:
    node = document
    for part in json_pointer.lstrip("/").split("/"):
        if not part:
            continue
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def relax(relative: str, document: Any, fixes: Iterable[SpecFix]) -> Any:
    """``document`` with the listed drop-required / pattern / format / ref fixes applied."""
    fixes = list(fixes)
    for fix in of_kind(fixes, "drop-required") + of_kind(fixes, "pattern"):
        file, _, where = fix.target.partition("#")
        if file != relative:
            continue
        schema = pointer(document, where)
        if fix.kind == "drop-required":
            schema["required"] = [r for r in schema.get("required", []) if r != fix.value]
        else:
            schema["pattern"] = fix.value
    for fix in of_kind(fixes, "format"):
        file, _, where = fix.target.partition("#")
        if file == relative:
            pointer(document, where)["format"] = fix.value
    for fix in of_kind(fixes, "ref"):
        if fix.target == relative:
            local = set(document.get("components", {}).get("schemas", {}))
            document = _redirect_refs(document, local, fix.value)
    return document


def _redirect_refs(node: Any, local: set[str], companion: str) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMAS) and ref[len(SCHEMAS) :] not in local:
            return {**node, "$ref": companion + ref}
        return {k: _redirect_refs(v, local, companion) for k, v in node.items()}
    if isinstance(node, list):
        return [_redirect_refs(item, local, companion) for item in node]
    return node


def _require(relative: str) -> Path:
    path = find(relative)
    if path is None:
        raise ContractsMissing(
            f"official contract {relative} not found: run `collaudo contracts fetch` (or set "
            "COLLAUDO_CONTRACTS_DIR)"
        )
    return path


def documents(relative: str, fixes: Iterable[SpecFix]) -> dict[str, tuple[Path, Any]]:
    """Every YAML file of ``relative``'s folder, relaxed: relative name → (path, document)."""
    fixes = tuple(fixes)
    main = _require(relative)
    folder = relative.rsplit("/", 1)[0]
    found: dict[str, tuple[Path, Any]] = {}
    for path in sorted(main.parent.glob("*.yaml")):
        name = f"{folder}/{path.name}"
        found[name] = (path, relax(name, read_yaml(path, name, fixes), fixes))
    return found


def api(relative: str, fixes: Iterable[SpecFix]) -> tuple[str, dict[str, Any], Registry[Any]]:
    """(URI, document, registry of the API's folder) for one official main file."""
    registry: Registry[Any] = Registry()
    loaded = documents(relative, fixes)
    for path, document in loaded.values():
        registry = registry.with_resource(path.as_uri(), DRAFT4.create_resource(document))
    path, document = loaded[relative]
    return path.as_uri(), document, registry


def inline(
    node: Any, here: str, main: str, loaded: dict[str, tuple[Path, Any]], depth: int = 0
) -> Any:
    """``node`` (of file ``here``) with cross-file ``$ref``s replaced by their (recursively
    inlined) target; local ``$ref``s of file ``main`` kept, those of another file inlined
    (they mean that file). ``main=""`` inlines every ``$ref``."""
    if depth > 80:
        raise RecursionError(f"$ref chain too deep in {here}")
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not (ref.startswith("#") and here == main):
            file_part, _, where = ref.partition("#")
            name = f"{here.rsplit('/', 1)[0]}/{file_part}" if file_part else here
            target = pointer(loaded[name][1], where)
            return inline(copy.deepcopy(target), name, main, loaded, depth + 1)
        return {k: inline(v, here, main, loaded, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(item, here, main, loaded, depth + 1) for item in node]
    return node


def bundled(relative: str, fixes: Iterable[SpecFix]) -> dict[str, Any]:
    """One self-contained document, the listed undeclared answers declared.

    A ``status`` fix adds its answer (media type and schema) to the operation, so that a
    tool checking statuses and schemas accepts what the service is known to answer and
    still checks its body.
    """
    fixes = tuple(fixes)
    loaded = documents(relative, fixes)
    main = copy.deepcopy(loaded[relative][1])
    document: dict[str, Any] = inline(main, relative, relative, loaded)
    for fix in of_kind(fixes, "status"):
        method, _, path = fix.target.partition(" ")
        operation = document.get("paths", {}).get(path, {}).get(method.lower())
        if operation is None:
            continue
        status, media, schema_ref = fix.value
        answer: dict[str, Any] = {"description": "answered by GovPay (listed defect)"}
        if schema_ref is not None:
            answer["content"] = {media: {"schema": {"$ref": schema_ref}}}
        operation["responses"][status] = answer
    for fix in of_kind(fixes, "media"):
        _declare_media(document, fix)
    return document


def _declare_media(document: dict[str, Any], fix: SpecFix) -> None:
    """A ``media`` fix as a declared media type: ``"METHOD /path STATUS"`` gets it (no
    schema), ``"* * error"`` gets it on every error answer that declares a body, with the
    body's schema."""
    if fix.target == "* * error":
        for item in document.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict):
                    continue
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content") if isinstance(answer, dict) else None
                    if status[:1] in "45" and content and fix.value not in content:
                        content[fix.value] = copy.deepcopy(next(iter(content.values())))
        return
    method, path, status = fix.target.split(" ")
    operation = document.get("paths", {}).get(path, {}).get(method.lower())
    answer = (operation or {}).get("responses", {}).get(status)
    if isinstance(answer, dict):
        answer.setdefault("content", {}).setdefault(fix.value, {})
