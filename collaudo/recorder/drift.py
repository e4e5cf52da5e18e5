"""Drift: every recorded message checked against the official contract.

SOAP messages against the XSDs (MyPay: the WSDL's inline schemas, and the base64
``Versamento``/``Dovuti``/``Pagati`` documents against ``PagInf_Dovuti_Pagati``; paForNode:
``paForNode.xsd``), REST messages against the OpenAPI documents (GPD, Checkout): route,
path and query parameters, request body, declared status and response body. Violations are
listed by operation and element — evidence that the documentation is wrong or that the
vendor changed behaviour. Defects of the contract files themselves are listed apart.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft4Validator
from lxml import etree
from mitmproxy import http

from collaudo.recorder import contracts
from collaudo.recorder.contracts import Defect, OpenApi
from collaudo.recorder.metadata import metadata
from collaudo.recorder.xmltools import (
    UnsafeXML,
    embedded_document,
    local_name,
    looks_like_xml,
    parse_xml,
    soap_operation,
)

PAY_I = "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"
PAFORNODE_NS = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"


@dataclass(frozen=True)
class Violation:
    """One place where a recorded message breaks the contract."""

    index: int
    operation: str
    direction: str  # request | response
    element: str
    message: str

    def __str__(self) -> str:
        return f"#{self.index} {self.operation} {self.direction} {self.element}: {self.message}"


@dataclass
class DriftReport:
    contract: str
    checked: int = 0
    skipped: int = 0
    violations: list[Violation] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def by_operation(self) -> dict[str, list[Violation]]:
        out: dict[str, list[Violation]] = {}
        for v in self.violations:
            out.setdefault(v.operation, []).append(v)
        return out

    def render(self) -> str:
        lines = [
            f"drift against the {self.contract} contract: {self.checked} messages checked, "
            f"{len(self.violations)} violations ({self.skipped} flows belong to other contracts)"
        ]
        for operation, found in self.by_operation().items():
            lines.append(f"  {operation}")
            lines += [f"    #{v.index} {v.direction} {v.element}: {v.message}" for v in found]
        if self.defects:
            lines.append("  contract defects (the official files themselves, worked around):")
            lines += [f"    - {d}" for d in self.defects]
        return "\n".join(lines)


# -- SOAP -------------------------------------------------------------------------------------


def _xsd_errors(schema: etree.XMLSchema, element: etree._Element) -> Iterator[tuple[str, str]]:
    if schema.validate(etree.ElementTree(copy.deepcopy(element))):
        return
    for error in schema.error_log:
        path = re.sub(r"\{[^}]*\}", "", error.path or "").strip("/")
        yield path, error.message


def _soap_owner(op: etree._Element) -> str:
    """Which SOAP contract a body element belongs to: mypay, paForNode or ''."""
    namespace = op.tag.partition("}")[0][1:] if isinstance(op.tag, str) else ""
    if namespace == PAFORNODE_NS:
        return "paForNode"
    if namespace == contracts.PPT or local_name(op).startswith("paaSIL"):
        return "mypay"
    return ""


def _soap_problems(op: etree._Element, contract: str) -> list[tuple[str, str]]:
    """[(element, problem)] for one SOAP body element of ``contract``."""
    if local_name(op) == "Fault":
        return []  # the SOAP envelope's own element: not the contract's to describe
    if contract == "paForNode":
        return list(_xsd_errors(contracts.pafornode_schema(), op))
    problems = list(_xsd_errors(contracts.mypay_body_schema(), op))
    docs = contracts.mypay_documents_schema()
    for element in op.iter():
        if len(element) or not (element.text or "").strip():
            continue
        inner = embedded_document(element.text or "")
        if (
            inner is not None
            and isinstance(inner.tag, str)
            and inner.tag.startswith(f"{{{PAY_I}}}")
        ):
            where = local_name(element)
            problems += [(f"{where}/{p}", m) for p, m in _xsd_errors(docs, inner)]
    return problems


def _soap_flow(flow: http.HTTPFlow, contract: str) -> list[tuple[str, str, str]] | None:
    """[(direction, element, problem)], or None if the flow is not of ``contract``."""
    body = flow.request.raw_content or b""
    if not looks_like_xml(body):
        return None
    try:
        op = soap_operation(parse_xml(body))
    except UnsafeXML:
        return None
    if op is None or _soap_owner(op) != contract:
        return None
    problems = [("request", w, m) for w, m in _soap_problems(op, contract)]
    response = flow.response
    if response is None or not response.raw_content:
        return problems
    try:
        answer = soap_operation(parse_xml(response.raw_content))
    except UnsafeXML as exc:
        return [*problems, ("response", "(message)", str(exc))]
    if answer is None:
        return [*problems, ("response", "(message)", "not a SOAP envelope")]
    return problems + [("response", w, m) for w, m in _soap_problems(answer, contract)]


# -- REST -------------------------------------------------------------------------------------


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join(
        f"(?P<{p[1:-1].replace('-', '_')}>[^/]+)" if p.startswith("{") else re.escape(p)
        for p in parts
    )
    return re.compile(pattern + "/?$")


def _find_operation(
    spec: OpenApi, method: str, path: str
) -> tuple[str, dict[str, Any], dict[str, str]] | None:
    rest = path[len(spec.base_path) :] or "/"
    for template, item in spec.document.get("paths", {}).items():
        found = _template_regex(template).match(rest)
        if found and method.lower() in item:
            params = {k: v for k, v in found.groupdict().items()}
            return template, item[method.lower()], params
    return None


def _validator(spec: OpenApi, schema: dict[str, Any]) -> Draft4Validator:
    wrapped = {"allOf": [schema], "components": spec.document.get("components", {})}
    return Draft4Validator(wrapped)


def _json_errors(
    spec: OpenApi, schema: dict[str, Any], value: Any, prefix: str = ""
) -> Iterator[tuple[str, str]]:
    for error in _validator(spec, schema).iter_errors(value):
        where = "/".join(
            f"[{p}]" if isinstance(p, int) else str(p) for p in error.absolute_path
        ).replace("/[", "[")
        yield (prefix + where) or "(body)", error.message


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            return {"true": True, "false": False}[value]
    except (ValueError, KeyError):
        return value
    return value


def _json_body(message: http.Message) -> tuple[Any, str]:
    content = message.raw_content or b""
    if not content:
        return None, ""
    try:
        return json.loads(content), ""
    except ValueError as exc:
        return None, f"not valid JSON: {exc}"


def _rest_checks(
    flow: http.HTTPFlow, spec: OpenApi
) -> tuple[str, list[tuple[str, str, str]]] | None:
    """(operation name, [(direction, element, problem)]), None if not this spec's route."""
    req = flow.request
    path = req.path.split("?")[0]
    if not path.startswith(spec.base_path):
        return None
    found = _find_operation(spec, req.method, path)
    if found is None:
        route = f"{req.method} {path[len(spec.base_path) :]}"
        return route, [("request", "(route)", f"{route} is not an operation of {spec.file}")]
    template, operation, path_params = found
    name = f"{req.method} {template}" + (
        f" ({operation['operationId']})" if operation.get("operationId") else ""
    )
    problems: list[tuple[str, str, str]] = []
    for param in operation.get("parameters", []):
        schema = param.get("schema", {})
        where = param.get("in")
        pname = param.get("name", "")
        if where == "path":
            value = path_params.get(pname.replace("-", "_"))
        elif where == "query":
            value = req.query.get(pname)
        else:
            continue
        if value is None:
            if param.get("required"):
                problems.append(("request", f"{where} {pname}", "required but absent"))
            continue
        for _, message in _json_errors(spec, schema, _coerce(value, schema)):
            problems.append(("request", f"{where} {pname}", message))
    body_schema = (
        operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ).get("schema")
    if body_schema is not None:
        value, error = _json_body(req)
        if error:
            problems.append(("request", "(body)", error))
        elif value is not None:
            problems += [("request", w, m) for w, m in _json_errors(spec, body_schema, value)]
    resp = flow.response
    if resp is None:
        return name, problems
    responses = operation.get("responses", {})
    declared = responses.get(str(resp.status_code)) or responses.get("default")
    if declared is None:
        problems.append(
            (
                "response",
                "(status)",
                f"HTTP {resp.status_code} is not declared (declared: {', '.join(responses)})",
            )
        )
        return name, problems
    content = declared.get("content", {})
    media = (resp.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content and media and media not in content:
        problems.append(
            ("response", "(content-type)", f"{media} is not declared ({', '.join(content)})")
        )
        return name, problems
    json_media = media if media.endswith("json") else "application/json"
    schema = content.get(json_media, {}).get("schema") if json_media == media or not media else None
    if schema is not None:
        value, error = _json_body(resp)
        if error:
            problems.append(("response", "(body)", error))
        elif value is None:
            problems.append(("response", "(body)", "empty, the contract declares a JSON body"))
        else:
            problems += [("response", w, m) for w, m in _json_errors(spec, schema, value)]
    return name, problems


# -- entry point ------------------------------------------------------------------------------


def check(flows: Sequence[http.HTTPFlow], contract: str) -> DriftReport:
    """Check every flow that belongs to ``contract`` (mypay, gpd, paForNode, checkout)."""
    if contract not in contracts.CONTRACTS:
        raise ValueError(
            f"unknown contract {contract!r}: choose one of {', '.join(contracts.CONTRACTS)}"
        )
    report = DriftReport(contract)
    if contract in contracts.OPENAPI_FILES:
        specs = [contracts.openapi(f) for f in contracts.OPENAPI_FILES[contract]]
        for spec in specs:
            report.defects += spec.defects
        for index, flow in enumerate(flows):
            result = None
            for spec in specs:
                result = _rest_checks(flow, spec)
                if result is not None:
                    break
            if result is None:
                report.skipped += 1
                continue
            name, problems = result
            report.checked += 1
            report.violations += [Violation(index, name, d, w, m) for d, w, m in problems]
        return report
    if contract == "mypay":
        report.defects += contracts.MYPAY_DEFECTS
    for index, flow in enumerate(flows):
        found = _soap_flow(flow, contract)
        if found is None:
            report.skipped += 1
            continue
        report.checked += 1
        operation = str(metadata(flow).get("operation", ""))
        report.violations += [Violation(index, operation, d, w, m) for d, w, m in found]
    return report
