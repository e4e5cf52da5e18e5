"""JSON answers valid against a schema: the data at hand where it fits, generated values
where it does not (pagoPA-aware, deterministic from a key).

:meth:`JsonGenerator.shape` is used both ways: with no data it generates a whole answer;
with a stored resource (plus the request's path parameters) it builds the answer the
schema describes out of the resource's fields, matched by name (case-insensitively), and
generates only what is missing.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from typing import Any

from simulators.contractsim import pagopa, regexgen
from simulators.contractsim.jsonschemas import SchemaSet, View

MISSING: Any = object()
MAX_DEPTH = 8
OPTIONAL_DEPTH = 4  # optional properties are generated down to this depth
_BASE_DATE = dt.datetime(2026, 1, 1, 9, 0, 0, tzinfo=dt.UTC)
_FUTURE = re.compile(r"due|scadenza|expir|validity|retention|fine|end", re.I)
_FORMATS = {
    "date-time": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$"),
    "date": re.compile(r"^\d{4}-\d\d-\d\d$"),
    "uuid": re.compile(r"^[0-9a-fA-F-]{36}$"),
    "email": re.compile(r"^[^@\s]+@[^@\s]+$"),
    "uri": re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$"),
}


def _type_of(schema: dict[str, Any], data: Any) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        options = [k for k in kind if k != "null"]
        if data is None and "null" in kind:
            return "null"
        return options[0] if options else "null"
    if kind is None:
        if "properties" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema:
            return "array"
    return kind if isinstance(kind, str) else None


def _lookup(data: Any, name: str) -> Any:
    if not isinstance(data, dict):
        return MISSING
    if name in data:
        return data[name]
    lowered = name.lower()
    for key, value in data.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return MISSING


def merge(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two schemas that both apply: properties and required lists joined, else the first's."""
    merged = dict(first)
    for key, value in second.items():
        if key == "properties" and isinstance(value, dict):
            merged["properties"] = {**merged.get("properties", {}), **value}
        elif key == "required" and isinstance(value, list):
            merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
        else:
            merged.setdefault(key, value)
    return merged


class JsonGenerator:
    """Builds answers from one contract's schemas (response view)."""

    def __init__(self, schemas: SchemaSet, view: View = "response") -> None:
        self.schemas = schemas
        self.view = view
        self._patterns: dict[str, re.Pattern[str]] = {}

    # --- checks of a scalar against its schema --------------------------------------------

    def _regex(self, pattern: str) -> re.Pattern[str]:
        compiled = self._patterns.get(pattern)
        if compiled is None:
            compiled = self._patterns[pattern] = re.compile(pattern)
        return compiled

    def fits(self, schema: dict[str, Any], value: Any) -> bool:
        """Whether a scalar meets ``schema``'s own constraints (no references)."""
        if "const" in schema and value != schema["const"]:
            return False
        if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
            return False
        kind = _type_of(schema, value)
        if value is None:
            return kind == "null"
        if kind == "string":
            if not isinstance(value, str):
                return False
            if len(value) < schema.get("minLength", 0):
                return False
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                return False
            pattern = schema.get("pattern")
            if isinstance(pattern, str) and not self._regex(pattern).search(value):
                return False
            check = _FORMATS.get(str(schema.get("format")))
            return check is None or bool(check.match(value))
        if kind in ("integer", "number"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            if kind == "integer" and not (isinstance(value, int) or float(value).is_integer()):
                return False
            if "minimum" in schema and value < schema["minimum"]:
                return False
            if "maximum" in schema and value > schema["maximum"]:
                return False
            if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
                return False
            if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
                return False
            step = schema.get("multipleOf")
            return not step or abs(value / step - round(value / step)) < 1e-9
        if kind == "boolean":
            return isinstance(value, bool)
        return kind is None

    # --- shaping --------------------------------------------------------------------------

    def resolve(self, schema: Any) -> dict[str, Any]:
        resolved = self.schemas.resolve(self.view, schema)
        if not isinstance(resolved, dict):
            return {}
        if "allOf" in resolved:
            return self._merge_all_of(resolved)
        return resolved

    def _merge_all_of(self, schema: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            merged = merge(merged, self.resolve(part))
        return merged

    def shape(self, schema: Any, data: Any = MISSING, key: str = "", name: str = "") -> Any:
        """A value valid for ``schema``: ``data`` where it fits, generated elsewhere."""
        return self._value(schema, data, key, name, 0)

    def _value(self, raw: Any, data: Any, key: str, name: str, depth: int) -> Any:
        if raw is True or raw == {}:
            return data if data is not MISSING else "collaudo"
        schema = self.resolve(raw)
        for combinator in ("oneOf", "anyOf"):
            options = schema.get(combinator)
            if isinstance(options, list) and options:
                rest = {k: v for k, v in schema.items() if k != combinator}
                chosen = self._choose(options, data)
                merged = merge(rest, self.resolve(chosen)) if rest else chosen
                return self._value(merged, data, key, name, depth)
        if "const" in schema:
            return schema["const"]
        kind = _type_of(schema, data)
        if kind == "null":
            return None
        if kind == "object":
            return self._object(schema, data, key, depth)
        if kind == "array":
            return self._array(schema, data, key, name, depth)
        if data is not MISSING and self.fits(schema, data):
            return data
        return self._scalar(schema, kind, key, name)

    def _choose(self, options: list[Any], data: Any) -> Any:
        if data is MISSING:
            return options[0]
        for option in options:
            resolved = self.resolve(option)
            kind = _type_of(resolved, data)
            if isinstance(data, dict) and kind == "object":
                return option
            if isinstance(data, list) and kind == "array":
                return option
            if not isinstance(data, dict | list) and self.fits(resolved, data):
                return option
        return options[0]

    def _object(self, schema: dict[str, Any], data: Any, key: str, depth: int) -> Any:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        fresh = not isinstance(data, dict)
        out: dict[str, Any] = {}
        hidden = "writeOnly" if self.view == "response" else "readOnly"
        for prop, sub in properties.items():
            value = _lookup(data, prop)
            sub_resolved = self.resolve(sub) if isinstance(sub, dict) else {}
            if sub_resolved.get(hidden) and prop not in required:
                continue
            wanted = prop in required or value is not MISSING or (fresh and depth < OPTIONAL_DEPTH)
            if not wanted or depth > MAX_DEPTH and prop not in required:
                continue
            out[prop] = self._value(sub, value, f"{key}/{prop}", prop, depth + 1)
        for prop in required - set(out):  # required but not described (a contract defect)
            value = _lookup(data, prop)
            out[prop] = (
                value if value is not MISSING else self._value({}, MISSING, key, prop, depth)
            )
        extra = schema.get("additionalProperties")
        if isinstance(data, dict) and not properties and extra not in (None, False):
            for prop, value in data.items():
                out[prop] = self._value(extra, value, f"{key}/{prop}", prop, depth + 1)
        minimum = schema.get("minProperties", 0)
        if len(out) < minimum and extra not in (None, False):
            for index in range(minimum - len(out)):
                out[f"key{index}"] = self._value(extra, MISSING, key, f"key{index}", depth + 1)
        return out

    def _array(self, schema: dict[str, Any], data: Any, key: str, name: str, depth: int) -> Any:
        items = schema.get("items", {})
        maximum = schema.get("maxItems")
        if isinstance(data, list):
            chosen = data[:maximum] if isinstance(maximum, int) else data
            values = [
                self._value(items, d, f"{key}/{i}", name, depth + 1) for i, d in enumerate(chosen)
            ]
        else:
            count = max(schema.get("minItems", 0), 1 if depth < MAX_DEPTH else 0)
            if isinstance(maximum, int):
                count = min(count, maximum)
            values = [
                self._value(items, MISSING, f"{key}/{i}", name, depth + 1) for i in range(count)
            ]
        while len(values) < schema.get("minItems", 0):
            values.append(self._value(items, MISSING, f"{key}/{len(values)}", name, depth + 1))
        if schema.get("uniqueItems"):
            unique: list[Any] = []
            for value in values:
                if value not in unique:
                    unique.append(value)
            values = unique
        return values

    # --- scalars --------------------------------------------------------------------------

    def _scalar(self, schema: dict[str, Any], kind: str | None, key: str, name: str) -> Any:
        for candidate in self._scalar_candidates(schema, kind, key, name):
            if self.fits(schema, candidate):
                return candidate
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        return self._bounded_string(schema, "x") if kind == "string" else 1

    def _scalar_candidates(
        self, schema: dict[str, Any], kind: str | None, key: str, name: str
    ) -> list[Any]:
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            preferred = [v for v in enum if str(v).upper() in ("OK", "VALID", "SUCCESS")]
            return preferred + enum
        digits = pagopa.Digits(f"{key}|{name}")
        found: list[Any] = []
        domain = pagopa.kind_of(name) if name else None
        example = schema.get("example", schema.get("default", MISSING))
        if kind == "string":
            if domain in pagopa.GENERATORS:
                if isinstance(example, str) and pagopa.CHECKS[domain](example):
                    found.append(example)
                found.extend(pagopa.candidates(domain, digits))
            elif example is not MISSING:
                found.append(example)
            found.extend(self._string_candidates(schema, name, digits))
            return found
        if kind in ("integer", "number"):
            if example is not MISSING:
                found.append(example)
            found.extend(self._number_candidates(schema, kind, domain, digits))
            return found
        if kind == "boolean":
            return [example, True, False] if isinstance(example, bool) else [True, False]
        return [example] if example is not MISSING else ["collaudo"]

    def _string_candidates(
        self, schema: dict[str, Any], name: str, digits: pagopa.Digits
    ) -> list[Any]:
        fmt = schema.get("format")
        days = digits.number(0, 300)
        when = _BASE_DATE + dt.timedelta(days=days + (365 if _FUTURE.search(name) else 0))
        if fmt == "date-time":
            return [when.strftime("%Y-%m-%dT%H:%M:%SZ")]
        if fmt == "date":
            return [when.strftime("%Y-%m-%d")]
        if fmt == "uuid":
            return [str(uuid.UUID(digits.take(32).ljust(32, "0")[:32]))]
        if fmt == "email":
            return [f"collaudo.{digits.take(4)}@example.it"]
        if fmt in ("uri", "url", "uri-reference", "iri"):
            return [f"https://collaudo.example/{name or 'resource'}/{digits.take(6)}"]
        if fmt == "ipv4":
            return [f"192.0.2.{digits.number(1, 254)}"]
        if fmt == "byte":
            return [base64.b64encode(f"collaudo {name}".encode()).decode()]
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            patterned = regexgen.samples(pattern)
            if patterned:
                return patterned
        base = (re.sub(r"[^A-Za-z0-9]", "", name) or "collaudo") + digits.take(4)
        return [self._bounded_string(schema, base)]

    @staticmethod
    def _bounded_string(schema: dict[str, Any], base: str) -> str:
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        text = base
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text

    @staticmethod
    def _number_candidates(
        schema: dict[str, Any], kind: str, domain: str | None, digits: pagopa.Digits
    ) -> list[Any]:
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        lo = (low + (1 if "exclusiveMinimum" in schema else 0)) if low is not None else None
        hi = (high - (1 if "exclusiveMaximum" in schema else 0)) if high is not None else None
        if domain == "amount":
            guess: float = (
                100 * digits.number(1, 200) if kind == "integer" else float(digits.number(1, 200))
            )
        else:
            guess = digits.number(1, 100)
        if lo is not None and guess < lo:
            guess = lo
        if hi is not None and guess > hi:
            guess = hi
        step = schema.get("multipleOf")
        if step:
            guess = (int(guess / step) + (0 if guess % step == 0 else 1)) * step
            if hi is not None and guess > hi:
                guess -= step
        value: Any = int(guess) if kind == "integer" else guess
        return [value, lo if lo is not None else 0, hi if hi is not None else 0]
