"""What a generated SOAP (zeep) driver will do: per verb, the WSDL operation ``contract check``
chose, the members of its input element built from the payment (the REST generator's
matching, :func:`collaudo.scaffold.values.source`), and the configuration fields: the WSDL's
URL, the endpoint, the SOAP headers' members and the secrets.

The schemas are read as the contract simulator reads them (:mod:`simulators.contractsim`),
so the driver and the simulator it is tested against agree on the contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from collaudo.contractcheck import CheckReport, Operation
from collaudo.scaffold.plan import (
    SCOPES,
    ConfigSpec,
    Missing,
    Plan,
    ScaffoldError,
    const_name,
    py_literal,
    snake,
)
from collaudo.scaffold.values import IBAN, normal, source
from simulators.contractsim.wsdl import SoapContract, SoapOperation
from simulators.contractsim.xmlgen import XmlGenerator

SECRET = re.compile(r"password|passwd|pwd|secret|token|apikey")
_INTEGERS = ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger")


@dataclass
class SoapCall:
    """One verb's WSDL operation and the Python source of its input's members."""

    verb: str
    operation: Operation
    soap: SoapOperation
    members: list[tuple[str, str, str | None]]  # (name, expression, TODO note)
    mapping: list[str]  # "field ← what" lines for the docstring
    headers: dict[str, list[tuple[str, ConfigSpec]]] = field(default_factory=dict)


def _local(qname: str) -> str:
    return qname.rsplit("}", 1)[-1]


def _json_like(xsd_type: Any) -> dict[str, Any]:
    """The few facts of a simple XSD type :func:`source` reads, as JSON Schema says them."""
    primitive = getattr(getattr(xsd_type, "primitive_type", None), "local_name", None) or ""
    base = getattr(getattr(xsd_type, "root_type", None), "local_name", None) or primitive
    found: dict[str, Any] = {"type": "string"}
    if base in _INTEGERS or primitive in _INTEGERS:
        found["type"] = "integer"
    elif primitive in ("decimal", "double", "float"):
        found["type"] = "number"
    elif primitive == "boolean":
        found["type"] = "boolean"
    if primitive == "date":
        found["format"] = "date"
    limit = getattr(xsd_type, "max_length", None)
    if isinstance(limit, int):
        found["maxLength"] = limit
    enum = getattr(xsd_type, "enumeration", None)
    if enum:
        found["enum"] = [str(v) for v in enum]
    return found


def _children(xsd_type: Any) -> list[Any]:
    content = getattr(xsd_type, "content", None)
    if content is None or not hasattr(content, "iter_elements"):
        return []
    return list(content.iter_elements())


class SoapPlanner:
    def __init__(self, name: str, report: CheckReport, contract: SoapContract) -> None:
        self.plan = Plan(name, contract.title or name, [contract.file], kind="soap")
        self.report = report
        self.contract = contract
        self.generator = XmlGenerator(contract.schema, contract.prefixes)
        self.plan.wsdl_base = contract.base_path.rstrip("/")
        self.plan.fields += [
            ConfigSpec(
                const="F_WSDL",
                key=f"{name}_wsdl_url",
                label=f"{contract.title or name} WSDL URL",
                level="tenant",
                pattern=r"(https?://|/)\S+",
                description="URL (or file path) of the WSDL, e.g. https://host/path?wsdl",
            ),
            ConfigSpec(
                const="F_ENDPOINT",
                key=f"{name}_endpoint_url",
                label="SOAP endpoint URL",
                level="tenant",
                required=False,
                description="Only when it differs from the WSDL's address (or the WSDL URL "
                "without '?wsdl' when that address is relative)",
            ),
        ]

    def build(self) -> Plan:
        for verb, mapping in self.report.mapping.items():
            if mapping.status != "found" or mapping.operation is None:
                why = (
                    "the contract has no operation for it"
                    if mapping.status == "missing"
                    else "more than one operation fits and none clearly"
                )
                self.plan.missing[verb] = Missing(
                    verb,
                    mapping.status,
                    [c.operation.label for c in mapping.candidates],
                    why,
                    [c.operation.name for c in mapping.candidates],
                )
                continue
            self.plan.soap_calls[verb] = self._call(verb, mapping.operation)
        if self.plan.needs_ids:
            self.plan.segregation = self.plan.field_for(
                ConfigSpec(
                    const="F_SEGREGATION",
                    key=f"{self.plan.name}_segregation_code",
                    label="Codice di segregazione",
                    level="tenant",
                    pattern=r"\d{2}",
                    description="Two digits: the IUVs the proxy derives (aux digit 3)",
                    demo="01",
                )
            )
        return self.plan

    def _operation(self, op: Operation) -> SoapOperation:
        for soap in self.contract.operations:
            if soap.name == op.name:
                return soap
        raise ScaffoldError(f"{op.label}: not found in {self.contract.file}")

    def _call(self, verb: str, op: Operation) -> SoapCall:
        soap = self._operation(op)
        call = SoapCall(verb, op, soap, [], [])
        for qname in soap.input_headers:
            call.headers[qname] = self._header(qname)
        if soap.style != "document" or soap.input_element is None:
            call.mapping.append(f"TODO(integrator): {soap.style} operation: write its arguments")
            return call
        element = self.contract.schema.maps.elements.get(soap.input_element)
        if element is None:
            raise ScaffoldError(f"{op.name}: input element {soap.input_element} is not declared")
        builder = MemberBuilder(self, SCOPES[verb], call.mapping)
        for child in _children(element.type):
            built = builder.member(child, child.local_name or "", 0)
            if built is not None:
                call.members.append((child.local_name or "", *built))
        return call

    def _header(self, qname: str) -> list[tuple[str, ConfigSpec]]:
        element = self.contract.schema.maps.elements.get(qname)
        members = _children(element.type) if element is not None else []
        found = []
        for child in members:
            name = child.local_name or ""
            demo = (
                self.generator.text(child.type, name, "header", {})
                if child.type.is_simple()
                else None
            )
            pattern = getattr(child.type, "patterns", None)
            spec = self.plan.field_for(
                ConfigSpec(
                    const=f"F_{const_name(name)}",
                    key=f"{self.plan.name}_{snake(name)}",
                    label=name,
                    level="tenant",
                    pattern=None if pattern else _length_pattern(child.type),
                    description=f"SOAP header {_local(qname)}: its «{name}»",
                    demo=demo,
                )
            )
            found.append((name, spec))
        return found


def _length_pattern(xsd_type: Any) -> str | None:
    low = getattr(xsd_type, "min_length", None)
    high = getattr(xsd_type, "max_length", None)
    if isinstance(high, int):
        return rf"\S.{{{max((low or 1) - 1, 0)},{high - 1}}}"
    return None


class MemberBuilder:
    """The Python source of an input element's members: the required ones and those the
    payment has data for, nested as the schema nests them (dicts, zeep's way)."""

    def __init__(self, planner: SoapPlanner, scope: str, mapping: list[str]) -> None:
        self.planner = planner
        self.scope = scope
        self.mapping = mapping

    def useful(self, xsd_type: Any, depth: int) -> bool:
        if depth > 4:
            return False
        for child in _children(xsd_type):
            if child.type.is_simple():
                if source(child.local_name or "", _json_like(child.type), self.scope) is not None:  # type: ignore[arg-type]
                    return True
            elif self.useful(child.type, depth + 1):
                return True
        return False

    def member(self, element: Any, path: str, depth: int) -> tuple[str, str | None] | None:
        """(expression, TODO note) of one member, or None to leave it off."""
        name = element.local_name or ""
        required = element.min_occurs > 0
        repeated = element.max_occurs is None or element.max_occurs > 1
        xsd_type = element.type
        if not xsd_type.is_simple() and not xsd_type.has_simple_content():
            if depth > 5 or not (required or self.useful(xsd_type, depth)):
                return None
            lines = []
            for child in _children(xsd_type):
                built = self.member(child, f"{path}.{child.local_name}", depth + 1)
                if built is not None:
                    expression, note = built
                    comment = f"  # {note}" if note else ""
                    lines.append(f'"{child.local_name}": {expression},{comment}')
            value = "{\n" + "\n".join(lines) + "\n}" if lines else "{}"
            return (f"[{value}]" if repeated else value), None
        plan = self.planner.plan
        schema = _json_like(xsd_type)
        found = source(name, schema, self.scope)  # type: ignore[arg-type]
        if found is not None:
            if found.expression.startswith("ids."):
                plan.needs_ids = True
            self.mapping.append(f"{path} ← {found.what}")
            return found.expression, None
        key = normal(name)
        if SECRET.search(key):
            env = f"{plan.name}_{snake(name)}".upper()
            spec = plan.field_for(
                ConfigSpec(
                    const=f"F_{const_name(name)}_SECRET",
                    key=f"{plan.name}_{snake(name)}_env",
                    label=name,
                    level="tenant",
                    kind="env",
                    default=env,
                    pattern=r"[A-Za-z_][A-Za-z0-9_]*",
                    description=f"Name of the environment variable holding «{name}»",
                    # what the contract simulator accepts (the sim-NAME target sets it)
                    demo=self.planner.generator.text(xsd_type, name, "secret", {}) or "secret",
                )
            )
            plan.secrets.append(spec)
            self.mapping.append(f"{path} ← the secret named by {spec.key}")
            return f"_config.secret(creditor, config.{spec.const}, environ)", None
        if IBAN.match(key):
            spec = plan.field_for(
                ConfigSpec(
                    const="F_IBAN",
                    key=f"{plan.name}_iban",
                    label="IBAN di accredito",
                    level="service",
                    pattern=r"[A-Za-z0-9]{1,35}",
                    description="Where the service's payments are credited",
                    demo=self.planner.generator.text(xsd_type, name, "iban", {}),
                )
            )
            self.mapping.append(f"{path} ← the service's configuration field {spec.key}")
            return f"_config.required(creditor, config.{spec.const})", None
        for known in plan.fields:  # a header's member, sent in the body too
            if known.label == name and known.kind == "text":
                self.mapping.append(f"{path} ← the configuration field {known.key}")
                return f"_config.required(creditor, config.{known.const})", None
        if not required:
            return None
        primitive = getattr(getattr(xsd_type, "primitive_type", None), "local_name", "")
        text = self.planner.generator.text(xsd_type, name, f"{self.scope}|{path}", {})
        if primitive == "base64Binary":
            # A document the WSDL does not describe (MyPay's dovuto): the IUD stands in for it,
            # so that two payments never send the same request.
            iud = "request.iud" if self.scope == "request" else "ctx.position.iud"
            self.mapping.append(f"{path} ← TODO(integrator): the document it carries; the IUD")
            return f"{iud}.encode()", "TODO(integrator): the document, not the IUD"
        elif schema["type"] == "boolean":
            literal = "False"  # a flag the payment says nothing about: the conservative reading
        else:
            literal = py_literal(text)
        shown = literal if len(literal) <= 40 else literal[:37] + "..."
        self.mapping.append(f"{path} ← TODO(integrator): no datum of the payment; {shown}")
        return literal, "TODO(integrator): no payment datum"
