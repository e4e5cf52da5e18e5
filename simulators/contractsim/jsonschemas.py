"""OpenAPI schemas as JSON Schema 2020-12 validators, compiled once at load.

OpenAPI 3.0's dialect differs from JSON Schema: ``nullable``, boolean
``exclusiveMinimum``/``exclusiveMaximum``, ``readOnly`` properties that a request need not
send (``writeOnly`` ones that an answer need not carry). The document is converted into two
views, one for requests and one for answers; 3.1 documents are JSON Schema already. Patterns
outside ECMA-262 are translated (see :mod:`simulators.contractsim.workarounds`) in both.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from simulators.contractsim.workarounds import Workaround, python_pattern

View = Literal["request", "response"]


def _date_time(value: object) -> bool:
    """RFC 3339, and also without an offset: Java APIs (LocalDateTime) send and take that."""
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


FORMATS = FormatChecker()
FORMATS.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
FORMATS.checks("date-time")(_date_time)
URN = "urn:collaudo:contract"
_SKIP = {"example", "examples", "enum", "const", "default"}


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def pointer(*parts: str) -> str:
    """A JSON pointer from unescaped parts."""
    return "".join("/" + _escape(p) for p in parts)


class SchemaSet:
    """The document's schemas in both views, with validators by JSON pointer."""

    def __init__(
        self, document: dict[str, Any], file: str, report: Callable[[Workaround], None]
    ) -> None:
        self.file = file
        self._report = report
        self._seen_patterns: set[str] = set()
        version = str(document.get("openapi", "3.0"))
        self.is_31 = version.startswith("3.1")
        self.views: dict[View, dict[str, Any]] = {
            "request": self._convert(copy.deepcopy(document), "request"),
            "response": self._convert(copy.deepcopy(document), "response"),
        }
        self._registries = {
            view: Registry().with_resource(
                URN, Resource.from_contents(doc, default_specification=DRAFT202012)
            )
            for view, doc in self.views.items()
        }
        self._validators: dict[tuple[View, str], Draft202012Validator] = {}

    # --- conversion ---------------------------------------------------------------------

    def _pattern(self, node: dict[str, Any], where: str) -> None:
        pattern = node.get("pattern")
        if not isinstance(pattern, str):
            return
        translated, problem = python_pattern(pattern)
        if problem and pattern not in self._seen_patterns:
            self._seen_patterns.add(pattern)
            self._report(
                Workaround(
                    self.file,
                    where or "/",
                    problem,
                    f"read as {translated!r}" if translated else "the pattern is not checked",
                )
            )
        if translated is None:
            del node["pattern"]
        else:
            node["pattern"] = translated

    def _convert(self, node: Any, view: View, where: str = "") -> Any:
        if isinstance(node, list):
            return [self._convert(item, view, f"{where}/{i}") for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        for key in list(node):
            if key in _SKIP or key.startswith("x-"):
                continue
            node[key] = self._convert(node[key], view, f"{where}/{_escape(key)}")
        self._pattern(node, where)
        if not self.is_31:
            self._dialect_30(node)
        if view == "request":
            self._undefined_required(node, where)
        hidden = "readOnly" if view == "request" else "writeOnly"
        properties = node.get("properties")
        required = node.get("required")
        if isinstance(properties, dict) and isinstance(required, list):
            node["required"] = [
                name
                for name in required
                if not (isinstance(properties.get(name), dict) and properties[name].get(hidden))
            ]
        return node

    def _undefined_required(self, node: dict[str, Any], where: str) -> None:
        properties, required = node.get("properties"), node.get("required")
        if not isinstance(properties, dict) or not isinstance(required, list):
            return
        if any(k in node for k in ("allOf", "anyOf", "oneOf", "additionalProperties")):
            return  # the name may be described by another part
        for name in required:
            if name not in properties:
                self._report(
                    Workaround(
                        self.file,
                        where or "/",
                        f"property {name!r} is required but not described in properties",
                        "answers carry a generated string for it",
                    )
                )

    @staticmethod
    def _dialect_30(node: dict[str, Any]) -> None:
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            flag = node.get(exclusive)
            if isinstance(flag, bool):
                if flag and bound in node:
                    node[exclusive] = node.pop(bound)
                else:
                    del node[exclusive]
        if node.get("nullable") is True:
            kind = node.get("type")
            if isinstance(kind, str):
                node["type"] = [kind, "null"]
                if isinstance(node.get("enum"), list) and None not in node["enum"]:
                    node["enum"] = [*node["enum"], None]
            elif kind is None and any(k in node for k in ("$ref", "allOf", "oneOf", "anyOf")):
                inner = {k: node.pop(k) for k in ("$ref", "allOf", "oneOf", "anyOf") if k in node}
                node["anyOf"] = [inner, {"type": "null"}]

    # --- use -----------------------------------------------------------------------------

    def validator(self, view: View, at: str) -> Draft202012Validator:
        """The validator of the schema at JSON pointer ``at`` (compiled once)."""
        key = (view, at)
        found = self._validators.get(key)
        if found is None:
            # Formats asserted, as OpenAPI tools read them: a oneOf of a date and an enum
            # must tell "MAI" from "2026-01-31".
            found = Draft202012Validator(
                {"$ref": f"{URN}#{at}"},
                registry=self._registries[view],
                format_checker=FORMATS,
            )
            self._validators[key] = found
        return found

    def node(self, view: View, at: str) -> Any:
        current: Any = self.views[view]
        for raw in [p for p in at.split("/") if p]:
            part = raw.replace("~1", "/").replace("~0", "~")
            current = current[int(part)] if isinstance(current, list) else current[part]
        return current

    def resolve(self, view: View, schema: Any, depth: int = 0) -> Any:
        """``schema`` with a local ``$ref`` followed (to a bounded depth)."""
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth < 32:
            ref = schema["$ref"]
            target = ref.split("#", 1)[1] if "#" in ref else ""
            resolved = self.node(view, target)
            if len(schema) > 1:
                resolved = {**resolved, **{k: v for k, v in schema.items() if k != "$ref"}}
            schema = resolved
            depth += 1
        return schema


def first_error(validator: Draft202012Validator, instance: Any) -> str | None:
    """The most relevant violation, with where it is and the rule it broke; None if valid."""
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    rule = "/".join(str(p) for p in list(error.relative_schema_path)[-2:])
    where = error.json_path
    return f"{where}: {error.message} (rule {rule})"
