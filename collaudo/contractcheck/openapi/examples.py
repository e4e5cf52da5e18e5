"""Examples that violate the schema they illustrate: media-type ``example(s)``, parameter
examples, Swagger 2 response ``examples`` and schema-level ``example``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collaudo.contractcheck.detect import Kind
from collaudo.contractcheck.findings import Finding, Severity, pointer_join, pointer_parts
from collaudo.contractcheck.openapi.loader import ApiSet, SpecFile
from collaudo.contractcheck.registry import check

MAX_PER_FILE = 200


class _Validators:
    """Validators for the set's schemas, each file a resource of one registry."""

    def __init__(self, api: ApiSet) -> None:
        from openapi_schema_validator import (
            OAS30Validator,
            OAS31Validator,
            oas30_format_checker,
            oas31_format_checker,
        )
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4, DRAFT202012

        v31 = api.version == "3.1"
        spec = DRAFT202012 if v31 else DRAFT4
        self.cls = OAS31Validator if v31 else OAS30Validator
        self.formats = oas31_format_checker if v31 else oas30_format_checker
        self.registry: Any = Registry().with_resources(
            (f.uri, Resource.from_contents(f.data, default_specification=spec))
            for f in api.files.values()
            if f.text is not None and isinstance(f.data, dict)
        )

    def first_error(self, uri: str, pointer: str, instance: Any) -> str | None:
        from jsonschema.exceptions import best_match

        validator = self.cls(
            {"$ref": f"{uri}#{pointer}"}, registry=self.registry, format_checker=self.formats
        )
        try:
            error = best_match(validator.iter_errors(instance))
        except Exception:  # an unresolvable $ref or a bad pattern: reported by other checks
            return None
        if error is None:
            return None
        where = "".join(f"/{p}" for p in error.absolute_path) or "/"
        return f"{where}: {error.message[:300]}"


def _sites(api: ApiSet, spec: SpecFile) -> Iterator[tuple[str, Any, str, str]]:
    """(example pointer, example value, schema uri, schema pointer) of one file."""
    for _, pointer, node in _walk_dicts(spec):
        parts = pointer_parts(pointer)
        schema_node = node.get("schema")
        is_media = len(parts) >= 2 and parts[-2] == "content" and isinstance(schema_node, dict)
        is_param = "in" in node and "name" in node and isinstance(schema_node, dict)
        if is_media or is_param:
            target = api.deref(spec.uri, schema_node)
            if target is None:
                continue
            schema_uri, schema_pointer = _schema_position(
                spec, pointer_join(pointer, "schema"), target
            )
            if "example" in node:
                yield pointer_join(pointer, "example"), node["example"], schema_uri, schema_pointer
            for name, example in (node.get("examples") or {}).items():
                resolved = api.deref(spec.uri, example)
                if resolved and isinstance(resolved[2], dict) and "value" in resolved[2]:
                    yield (
                        pointer_join(pointer, "examples", name),
                        resolved[2]["value"],
                        schema_uri,
                        schema_pointer,
                    )
        elif (
            len(parts) >= 2
            and parts[-2] == "responses"
            and isinstance(node.get("examples"), dict)
            and isinstance(schema_node, dict)
            and api.version == "2.0"
        ):
            target = api.deref(spec.uri, schema_node)
            if target is None:
                continue
            schema_uri, schema_pointer = _schema_position(
                spec, pointer_join(pointer, "schema"), target
            )
            for mime, value in node["examples"].items():
                if "json" in mime:
                    yield pointer_join(pointer, "examples", mime), value, schema_uri, schema_pointer
        elif _looks_like_schema(node, parts):
            if "example" in node:
                yield pointer_join(pointer, "example"), node["example"], spec.uri, pointer
            if isinstance(node.get("examples"), list):  # JSON Schema's (OpenAPI 3.1) list
                for index, value in enumerate(node["examples"]):
                    yield pointer_join(pointer, "examples", index), value, spec.uri, pointer


def _schema_position(spec: SpecFile, local: str, target: tuple[str, str, Any]) -> tuple[str, str]:
    uri, pointer, _ = target
    return (spec.uri, local) if pointer == "" and uri == spec.uri else (uri, pointer)


def _looks_like_schema(node: dict[str, Any], parts: list[str]) -> bool:
    if parts and parts[-1] in ("examples", "properties"):
        return False
    return any(k in node for k in ("type", "properties", "items", "allOf", "enum", "format"))


def _walk_dicts(spec: SpecFile) -> Iterator[tuple[SpecFile, str, dict[str, Any]]]:
    stack: list[tuple[str, Any]] = [("", spec.data)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            yield spec, pointer, node
            for key, value in node.items():
                if key in ("example", "examples") and not isinstance(value, dict):
                    continue
                if key == "example":
                    continue  # example values are data, not schema
                stack.append((pointer_join(pointer, key), value))
        elif isinstance(node, list):
            stack.extend((pointer_join(pointer, i), v) for i, v in enumerate(node))


@check(Kind.OPENAPI)
def examples_match_schema(api: ApiSet) -> Iterator[Finding]:
    """Each example validated against its schema (OpenAPI's JSON Schema dialect)."""
    validators = _Validators(api)
    for spec in api.files.values():
        if spec.text is None or not isinstance(spec.data, dict):
            continue
        reported = 0
        for pointer, value, schema_uri, schema_pointer in _sites(api, spec):
            if "/components/examples/" in pointer and pointer.count("/") <= 3:
                continue
            error = validators.first_error(schema_uri, schema_pointer, value)
            if error is None:
                continue
            reported += 1
            if reported > MAX_PER_FILE:
                break
            schema_file = api.files[schema_uri].name if schema_uri in api.files else schema_uri
            yield Finding(
                "example-invalid",
                Severity.WARNING,
                spec.location(pointer),
                {"schema": f"{schema_file}#{schema_pointer}", "message": error},
            )
