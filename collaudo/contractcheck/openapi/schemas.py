"""Schema checks: ECMA-262 patterns, required properties a schema does not define, and
components nobody references."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from collaudo.contractcheck import patterns
from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Severity, pointer_join, pointer_parts
from collaudo.contractcheck.openapi.loader import ApiSet, RefStatus, SpecFile
from collaudo.contractcheck.registry import check

COMPONENT_SECTIONS = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers")


@check(Kind.OPENAPI)
def ecma_patterns(api: ApiSet) -> Iterator[Finding]:
    """Every ``pattern`` that ECMA-262 rejects or reads otherwise than meant."""
    for spec, pointer, node in api.walk():
        if not isinstance(node, dict):
            continue
        candidates = []
        if isinstance(node.get("pattern"), str):
            candidates.append((pointer_join(pointer, "pattern"), node["pattern"]))
        if isinstance(node.get("patternProperties"), dict):
            base = pointer_join(pointer, "patternProperties")
            candidates += [(pointer_join(base, key), key) for key in node["patternProperties"]]
        for where, pattern in candidates:
            problem = patterns.ecma_problem(pattern)
            if problem is None:
                continue
            yield pattern_finding(spec.location(where), pattern, problem)


def pattern_finding(location: Any, pattern: str, problem: patterns.PatternProblem) -> Finding:
    """The finding for a pattern that is not ECMA-262 (shared with the Postman checks)."""
    severity = Severity.ERROR if problem.fatal or problem.python_rejects else Severity.WARNING
    return Finding(
        "pattern-not-ecma" if problem.fatal else "pattern-unknown-escape",
        severity,
        location,
        {
            "pattern": pattern,
            "escapes": ", ".join(problem.escapes),
            "meaning": patterns.meanings(problem.escapes),
            "problem": problem.problem,
        },
    )


def _properties(api: ApiSet, uri: str, node: Any, depth: int = 0) -> set[str] | None:
    """The property names ``node`` defines with its ``allOf`` members; None when a member
    cannot be resolved (then nothing is claimed)."""
    if depth > 16 or not isinstance(node, dict):
        return set()
    names = set(node.get("properties", {}) if isinstance(node.get("properties"), dict) else {})
    for member in node.get("allOf", []) if isinstance(node.get("allOf"), list) else []:
        target = api.deref(uri, member)
        if target is None:
            return None
        inner = _properties(api, target[0], target[2], depth + 1)
        if inner is None:
            return None
        names |= inner
    return names


@check(Kind.OPENAPI)
def required_undefined(api: ApiSet) -> Iterator[Finding]:
    """Schemas that require properties they (and their ``allOf``) do not define."""
    for spec, pointer, node in api.walk():
        if not (isinstance(node, dict) and isinstance(node.get("required"), list)):
            continue
        if not isinstance(node.get("properties"), dict) and "allOf" not in node:
            continue
        parts = pointer_parts(pointer)
        if len(parts) >= 2 and parts[-2] == "allOf":
            continue  # judged with its siblings, at the allOf's owner
        defined = _properties(api, spec.uri, node)
        if defined is None or not defined:
            continue
        missing = [
            name for name in node["required"] if isinstance(name, str) and name not in defined
        ]
        if not missing:
            continue
        close = {
            name: difflib.get_close_matches(name, sorted(defined), n=1, cutoff=0.6)
            for name in missing
        }
        yield Finding(
            "required-undefined",
            Severity.WARNING,
            spec.location(pointer_join(pointer, "required")),
            {
                "schema": _schema_name(pointer),
                "missing": ", ".join(missing),
                "defined": ", ".join(sorted(defined)),
                "close": ", ".join(f"{n} → {c[0]}" for n, c in close.items() if c),
            },
        )


def _schema_name(pointer: str) -> str:
    parts = pointer_parts(pointer)
    for section in ("schemas", "definitions"):
        if section in parts:
            index = parts.index(section)
            if index + 1 < len(parts):
                return "/".join(parts[index + 1 :])
    return pointer or "/"


def _components(spec: SpecFile) -> Iterator[tuple[str, str]]:
    data = spec.data if isinstance(spec.data, dict) else {}
    if isinstance(data.get("definitions"), dict):
        for name in data["definitions"]:
            yield "definitions", name
    components = data.get("components")
    if isinstance(components, dict):
        for section in COMPONENT_SECTIONS:
            for name in components.get(section) or {}:
                yield f"components/{section}", name


@check(Kind.OPENAPI)
def unused_components(api: ApiSet) -> Iterator[Finding]:
    """Schemas (and other components) that no ``$ref`` in the whole set uses."""
    used: set[tuple[str, str]] = set()
    for use in api.refs:
        parts = pointer_parts(use.target_pointer)
        key = (
            "/" + "/".join(parts[:3]) if parts[:1] == ["components"] else "/" + "/".join(parts[:2])
        )
        used.add((use.target_uri, key))
        if use.status is RefStatus.OTHER_FILE:
            for spec in api.files.values():
                if spec.name == use.found_in:
                    used.add((spec.uri, key))
    for spec in api.files.values():
        if spec.text is None:
            continue
        for section, name in _components(spec):
            pointer = pointer_join("/" + section, name)
            if (spec.uri, pointer) in used:
                continue
            yield Finding(
                "component-unused",
                Severity.INFO,
                spec.location(pointer),
                {"name": name, "section": section.rsplit("/", 1)[-1]},
            )
