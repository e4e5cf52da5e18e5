"""The official GovPay files, loaded for checking answers — with the simulator's known
documentation defects (``simulators.govpay.defects``) relaxed exactly where they are listed.

Loading (:mod:`simulators.common.openapi_files`, shared with the fuzzer and the drift check)
needs two workarounds the published files force (each is a listed defect): the TAB that
starts line 893 of API Ente v2's schemas file (strict YAML parsers reject it) is read as
spaces, and Ragioneria v3's local ``$ref``s to schemas that only its companion file defines
are pointed there. Cross-file ``$ref``s resolve by file URI through a ``referencing``
registry of every file of the API's folder. Schemas are OpenAPI 3.0 (``nullable``): the
``openapi-schema-validator`` OAS 3.0 validator checks them.

A :class:`Conformance` checks one answer (or request body) against the operation, status
and media type the file declares. What the file does not declare fails, unless a listed
defect allows it; the test asserts the allowed deviations are exactly the listed ones.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator
from referencing import Registry

from simulators.common import openapi_files
from simulators.common.contracts import find
from simulators.govpay.defects import DEFECTS, Fix

PENDENZE = "govpay/api-pendenze-v2/govpay-api-pendenze-v2.yaml"
PAGAMENTO = "govpay/api-pagamento-v2/govpay-api-pagamento-v2.yaml"
ENTE = "govpay/api-ente-v2/govpay-api-ec.yaml"
RAGIONERIA = "govpay/api-ragioneria-v3/govpay-api-ragioneria.yaml"
SKIP = (
    "official GovPay contract {} not found: run `collaudo contracts fetch` (or put the files in "
    "../shared/contracts, or set COLLAUDO_CONTRACTS_DIR)"
)


ALL_FIXES = tuple(fix for d in DEFECTS for fix in d.fixes)


def fixes(kind: str) -> list[Fix]:
    return openapi_files.of_kind(ALL_FIXES, kind)


def require(relative: str) -> Path:
    path = find(relative)
    if path is None:
        pytest.skip(SKIP.format(relative))
    return path


@cache
def api(relative: str) -> tuple[str, dict[str, Any], Registry[Any]]:
    """(URI, document, registry of the API's folder) for one official main file."""
    require(relative)
    return openapi_files.api(relative, ALL_FIXES)


def _pointer(document: Any, pointer: str) -> Any:
    return openapi_files.pointer(document, pointer)


FORMATS = FormatChecker()


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value)) and len(value) == 10


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    # RFC 3339 wants an offset; GovPay writes none (a listed defect): accepted only then.
    local_allowed = any(f.target == "date-time" for f in fixes("format"))
    return "T" in value and (parsed.tzinfo is not None or local_allowed)


@FORMATS.checks("local-date-time", raises=ValueError)
def _local_date_time(value: object) -> bool:
    return not isinstance(value, str) or "T" in value and bool(datetime.fromisoformat(value))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@dataclass
class Conformance:
    """Checks answers of one API against its official file (defects relaxed as listed)."""

    relative: str
    prefix: str  # the base path the simulator serves the API under
    checked: set[tuple[str, str, int]] = field(default_factory=set)
    deviations: set[str] = field(default_factory=set)  # defect fixes that were needed

    def _validate(self, body: Any, pointer: str, where: str, uri: str | None = None) -> None:
        main, _, registry = api(self.relative)
        schema = {"$ref": f"{uri or main}#{pointer}"}
        validator = OAS30Validator(schema, registry=registry, format_checker=FORMATS)
        errors = [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(body)
        ]
        assert not errors, f"{where} breaks the spec: {errors[:5]}"

    def _operation(self, template: str, method: str) -> tuple[str, dict[str, Any]]:
        _, document, _ = api(self.relative)
        path = template.removeprefix(self.prefix)
        assert path in document["paths"], f"{path} is not in {self.relative}"
        operation = document["paths"][path].get(method.lower())
        assert operation is not None, f"{method} {path} is not in {self.relative}"
        return path, operation

    def _fault_bean_file(self) -> str:
        """The file defining FaultBean: the main one, or its ``govpay-api-responses.yaml``."""
        uri, document, _ = api(self.relative)
        if "FaultBean" in document.get("components", {}).get("schemas", {}):
            return uri
        return uri.rsplit("/", 1)[0] + "/govpay-api-responses.yaml"

    def _resolve(self, node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """A response object and the pointer it lives at when it is a local $ref."""
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            _, document, _ = api(self.relative)
            return _pointer(document, ref[1:]), ref[1:]
        return node, None

    def __call__(self, template: str, method: str, response: httpx.Response) -> None:
        path, operation = self._operation(template, method)
        status = str(response.status_code)
        where = f"{method} {path} {status}"
        media = response.headers.get("content-type", "").split(";")[0].strip()
        self.checked.add((template, method, response.status_code))
        assert "x-govpay-idtransazione" in response.headers, f"{where}: no X-Govpay-IdTransazione"
        listed = [
            f for f in fixes("status") if f.target == f"{method} {path}" and f.value[0] == status
        ]
        if listed:
            self.deviations.add(f"status {method} {path} {status}")
            _, listed_media, schema_ref = listed[0].value
            assert media == listed_media, f"{where}: {media}, listed as {listed_media}"
            if schema_ref is not None:
                self._validate(response.json(), schema_ref[1:], where)
            return
        declared = operation["responses"].get(status)
        assert declared is not None, (
            f"{where} is not declared (declared: {sorted(operation['responses'])})"
        )
        declared, base = self._resolve(declared)
        content = declared.get("content")
        if not content:
            if response.status_code >= 400:  # undeclared body: still GovPay's FaultBean
                self._validate(
                    response.json(), "/components/schemas/FaultBean", where, self._fault_bean_file()
                )
            return
        pointer_base = base or "/" + "/".join(
            _escape(p) for p in ("paths", path, method.lower(), "responses", status)
        )
        if media not in content:
            allowed = [
                f
                for f in fixes("media")
                if f.value == media
                and (
                    f.target == f"{method} {path} {status}"
                    or (f.target == "* * error" and response.status_code >= 400)
                )
            ]
            assert allowed, f"{where}: {media} not in {sorted(content)}"
            self.deviations.add(f"media {method} {path} {status} {media}")
            if media != "application/json":
                return
            media = next(iter(content))
        schema = content[media].get("schema")
        if schema is None or media in ("application/pdf", "application/octet-stream"):
            return
        if media.endswith("xml"):
            assert response.text.lstrip().startswith("<"), f"{where}: not XML"
            return
        pointer = f"{pointer_base}/content/{_escape(media)}/schema"
        self._validate(response.json(), pointer, where)

    def request(self, template: str, method: str, body: Any) -> None:
        """A request body (GovPay's notification) against the operation's requestBody."""
        path, operation = self._operation(template, method)
        content = operation["requestBody"]["content"]
        assert "application/json" in content
        pointer = "/" + "/".join(
            _escape(p)
            for p in ("paths", path, method.lower(), "requestBody", "content", "application/json")
        )
        self._validate(body, f"{pointer}/schema", f"{method} {path} request")
        self.checked.add((template, method, 0))


def strict_copy(relative: str) -> dict[str, Any]:
    """The document as loaded (for tests of the loader itself)."""
    return copy.deepcopy(api(relative)[1])
