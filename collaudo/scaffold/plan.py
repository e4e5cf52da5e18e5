"""What a generated driver will do: per verb, the operation ``contract check`` chose (or why
none), and the configuration fields the calls need.

Built from the :class:`~collaudo.contractcheck.CheckReport` (the mapping) and the contracts
loaded by the contract simulator's loader (schemas, parameters, security schemes), so the
driver and the simulator it is tested against read the contract the same way.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from collaudo.contractcheck import CheckReport, Operation
from collaudo.scaffold.values import IBAN, Source, normal, source
from simulators.contractsim.jsongen import JsonGenerator
from simulators.contractsim.openapi import RestContract, RestOperation

if TYPE_CHECKING:
    from collaudo.scaffold.soap_plan import SoapCall

VERB_METHODS = {
    "create": "create_debt_position",
    "notice": "notice_pdf",
    "checkout": "checkout_url",
    "status": "status",
    "receipt": "receipt",
}
SCOPES = {
    "create": "request",
    "notice": "ctx",
    "checkout": "ctx",
    "status": "ctx",
    "receipt": "ctx",
}


class ScaffoldError(ValueError):
    """The contract cannot be scaffolded; the message says why and what to do."""


@dataclass
class ConfigSpec:
    """A configuration field of the generated driver."""

    const: str
    key: str
    label: str
    level: str
    kind: str = "text"
    default: str | None = None
    pattern: str | None = None
    description: str = ""
    required: bool = True
    demo: Any = None  # the value the contract simulator accepts (for the sim-NAME target)


@dataclass
class Call:
    """One verb's operation: where, how, and the expressions of its parameters."""

    verb: str
    operation: Operation
    rest: RestOperation
    contract: RestContract
    url_field: ConfigSpec
    path_values: dict[str, str]  # parameter -> expression
    query_values: dict[str, str]
    body: str | None  # Python source of the body expression
    body_mapping: list[str]  # "field ← what" lines for the docstring
    success: tuple[int, ...]
    media: tuple[str, ...]


@dataclass
class Missing:
    verb: str
    status: str  # missing | ambiguous
    candidates: list[str]
    why: str
    names: list[str] = field(default_factory=list)  # the candidates' operation names


@dataclass
class Plan:
    name: str
    title: str
    contracts: list[str]
    absolute: list[str] = field(default_factory=list)  # the contracts' paths, resolved
    fields: list[ConfigSpec] = field(default_factory=list)
    calls: dict[str, Call] = field(default_factory=dict)
    missing: dict[str, Missing] = field(default_factory=dict)
    auth: list[tuple[str, str, ConfigSpec]] = field(default_factory=list)  # (how, name, field)
    needs_ids: bool = False  # the create request carries an IUV/notice the proxy derives
    segregation: ConfigSpec | None = None
    kind: str = "rest"  # rest (httpx) | soap (zeep)
    soap_calls: dict[str, SoapCall] = field(default_factory=dict)
    wsdl_base: str = ""  # where the contract simulator serves the WSDL (``?wsdl`` after it)
    secrets: list[ConfigSpec] = field(default_factory=list)  # SOAP: members sent as secrets

    def label(self, verb: str) -> str | None:
        """The operation serving ``verb``, as a person names it (None: not implemented)."""
        found = self.calls.get(verb) or self.soap_calls.get(verb)
        return found.operation.label if found is not None else None

    def field_for(self, spec: ConfigSpec) -> ConfigSpec:
        for known in self.fields:
            if known.key == spec.key:
                return known
        self.fields.append(spec)
        return spec


def const_name(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_") or "FIELD"


def snake(text: str) -> str:
    spaced = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", text)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_") or "field"


def _rest_operation(
    op: Operation, contracts: list[RestContract]
) -> tuple[RestContract, RestOperation]:
    for contract in contracts:
        for rest in contract.operations:
            if rest.method.upper() == (op.method or "").upper() and rest.template == op.path:
                return contract, rest
    raise ScaffoldError(f"{op.label}: not found in the loaded contracts")


class Planner:
    def __init__(self, name: str, report: CheckReport, contracts: list[RestContract]) -> None:
        self.plan = Plan(name, contracts[0].title or name, [c.file for c in contracts])
        self.report = report
        self.contracts = contracts
        self._url_fields: dict[str, ConfigSpec] = {}

    def build(self) -> Plan:
        for verb, mapping in self.report.mapping.items():
            candidates = [c.operation.label for c in mapping.candidates]
            if mapping.status != "found" or mapping.operation is None:
                why = (
                    "the contract has no operation for it"
                    if mapping.status == "missing"
                    else "more than one operation fits and none clearly"
                )
                names = [c.operation.name for c in mapping.candidates]
                self.plan.missing[verb] = Missing(verb, mapping.status, candidates, why, names)
                continue
            self.plan.calls[verb] = self._call(verb, mapping.operation)
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

    # -- fields ---------------------------------------------------------------------------

    def _url_field(self, contract: RestContract) -> ConfigSpec:
        found = self._url_fields.get(contract.file)
        if found is not None:
            return found
        servers = contract.document.get("servers") or [{}]
        default = str(servers[0].get("url", "")).rstrip("/") if servers else ""
        stem = snake(re.sub(r"\.(json|ya?ml)$", "", contract.file.rsplit("/", 1)[-1]))
        spec = ConfigSpec(
            const=f"F_{const_name(stem)}_URL",
            key=f"{self.plan.name}_{stem}_url",
            label=f"{contract.title or stem} base URL",
            level="tenant",
            default=default if default.startswith("http") else None,
            pattern=r"https?://\S+",
            description=f"Base URL of {contract.file} (its first server: {default or 'none'})",
        )
        self._url_fields[contract.file] = self.plan.field_for(spec)
        return spec

    def _param_field(self, name: str, schema: dict[str, Any], contract: RestContract) -> ConfigSpec:
        generator = JsonGenerator(contract.schemas, "request")
        demo = generator.shape(schema, name=name)
        pattern = schema.get("pattern") if isinstance(schema.get("pattern"), str) else None
        return self.plan.field_for(
            ConfigSpec(
                const=f"F_{const_name(name)}",
                key=f"{self.plan.name}_{snake(name)}",
                label=name,
                level="tenant",
                pattern=pattern,
                description=f"The contract's «{name}»: the payment has no such datum",
                demo=str(demo),
            )
        )

    def _security(self, contract: RestContract, rest: RestOperation) -> None:
        document = contract.document
        raw = (document.get("paths", {}).get(rest.template) or {}).get(rest.method.lower(), {})
        chosen = raw.get("security", document.get("security"))
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
        names = [n for entry in chosen or [] for n in entry] if chosen else list(schemes)
        for scheme_name in names:
            scheme = schemes.get(scheme_name)
            if not isinstance(scheme, dict):
                continue
            env = f"{self.plan.name}_{snake(scheme_name)}".upper()
            kind, where = str(scheme.get("type", "")), str(scheme.get("in", "header"))
            if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
                user = self.plan.field_for(
                    ConfigSpec(
                        const="F_USERNAME",
                        key=f"{self.plan.name}_username",
                        label="Username (HTTP Basic)",
                        level="tenant",
                        description=f"security scheme {scheme_name}",
                        demo="collaudo",
                    )
                )
                secret = self._secret(scheme_name, f"{env}_PASSWORD", "Password (HTTP Basic)")
                self._auth("basic", user.key, secret)
            elif kind == "apiKey":
                header = str(scheme.get("name", scheme_name))
                secret = self._secret(scheme_name, env, f"{header} ({where})")
                self._auth(f"apikey-{where}", header, secret)
            elif kind in ("http", "oauth2", "openIdConnect"):
                secret = self._secret(scheme_name, f"{env}_TOKEN", "Bearer token")
                self._auth("bearer", "Authorization", secret)

    def _secret(self, scheme: str, env: str, label: str) -> ConfigSpec:
        return self.plan.field_for(
            ConfigSpec(
                const=f"F_{const_name(scheme)}_{'SECRET'}",
                key=f"{self.plan.name}_{snake(scheme)}_env",
                label=label,
                level="tenant",
                kind="env",
                default=env,
                pattern=r"[A-Za-z_][A-Za-z0-9_]*",
                description=f"Name of the environment variable holding it (security scheme "
                f"{scheme})",
            )
        )

    def _auth(self, how: str, name: str, spec: ConfigSpec) -> None:
        if all(existing[2].key != spec.key for existing in self.plan.auth):
            self.plan.auth.append((how, name, spec))

    # -- calls ------------------------------------------------------------------------------

    def _call(self, verb: str, op: Operation) -> Call:
        contract, rest = _rest_operation(op, self.contracts)
        url_field = self._url_field(contract)
        self._security(contract, rest)
        scope = SCOPES[verb]
        path_values: dict[str, str] = {}
        query_values: dict[str, str] = {}
        for param in rest.parameters:
            if param.location not in ("path", "query"):
                continue
            if param.location == "query" and not param.required:
                continue
            schema = self._param_schema(contract, rest, param.name, param.location)
            found = source(param.name, schema, scope)  # type: ignore[arg-type]
            if found is not None and found.expression.startswith("ids."):
                self.plan.needs_ids = True
            expression = (
                f"str({found.expression})"
                if found
                else "_config.required(creditor, config."
                f"{self._param_field(param.name, schema, contract).const})"
            )
            (path_values if param.location == "path" else query_values)[param.name] = expression
        body, mapping = None, []
        if rest.body:
            media, pointer = next(iter(rest.body.items()))
            if "json" in media:
                builder = BodyBuilder(self, contract, scope)
                body = builder.value(contract.schemas.node("request", pointer), "", required=True)
                mapping = builder.mapping
        success = tuple(int(c) for c in op.success_codes if c.isdigit()) or (200,)
        return Call(
            verb,
            op,
            rest,
            contract,
            url_field,
            path_values,
            query_values,
            body,
            mapping,
            success,
            op.response_media,
        )

    def _param_schema(
        self, contract: RestContract, rest: RestOperation, name: str, where: str
    ) -> dict[str, Any]:
        document = contract.document
        item = document.get("paths", {}).get(rest.template) or {}
        for params in (item.get(rest.method.lower(), {}).get("parameters"), item.get("parameters")):
            for raw in params or []:
                param = contract.schemas.resolve("request", raw)
                if (
                    isinstance(param, dict)
                    and param.get("name") == name
                    and param.get("in") == where
                ):
                    schema = contract.schemas.resolve("request", param.get("schema") or {})
                    return schema if isinstance(schema, dict) else {}
        return {}


class BodyBuilder:
    """The Python source of a request body: the contract's required members and those the
    payment has data for, nested as the schema nests them."""

    def __init__(self, planner: Planner, contract: RestContract, scope: str) -> None:
        self.planner = planner
        self.contract = contract
        self.scope = scope
        self.generator = JsonGenerator(contract.schemas, "request")
        self.mapping: list[str] = []

    def resolve(self, schema: Any) -> dict[str, Any]:
        return self.generator.resolve(schema)

    def useful(self, schema: Any, depth: int = 0) -> bool:
        """Whether the payment has data for something inside ``schema``."""
        resolved = self.resolve(schema)
        if depth > 4:
            return False
        if resolved.get("type") == "array" or "items" in resolved:
            return self.useful(resolved.get("items") or {}, depth + 1)
        for name, sub in (resolved.get("properties") or {}).items():
            sub_resolved = self.resolve(sub)
            if source(name, sub_resolved, self.scope) is not None:  # type: ignore[arg-type]
                return True
            if self.useful(sub, depth + 1):
                return True
        return False

    def value(self, schema: Any, where: str, *, required: bool, indent: int = 1) -> str | None:
        resolved = self.resolve(schema)
        pad = "    " * indent
        if resolved.get("readOnly"):
            return None
        if resolved.get("type") == "array" or "items" in resolved:
            item = self.value(
                resolved.get("items") or {}, where + "[]", required=True, indent=indent
            )
            return f"[{item}]" if item is not None else "[]"
        properties = resolved.get("properties")
        if resolved.get("type") == "object" or isinstance(properties, dict):
            wanted = set(resolved.get("required") or ())
            lines = []
            for name, sub in (properties or {}).items():
                sub_resolved = self.resolve(sub)
                path = f"{where}.{name}" if where else name
                member = self.member(name, sub, sub_resolved, path, name in wanted, indent + 1)
                if member is not None:
                    expression, note = member
                    comment = f"  # {note}" if note else ""
                    lines.append(f'{pad}    "{name}": {expression},{comment}')
            if not lines:
                return "{}" if required else None
            return "{\n" + "\n".join(lines) + f"\n{pad}}}"
        return None

    def member(
        self, name: str, raw: Any, schema: dict[str, Any], path: str, required: bool, indent: int
    ) -> tuple[str, str | None] | None:
        found: Source | None = source(name, schema, self.scope)  # type: ignore[arg-type]
        if found is not None:
            if found.expression.startswith("ids."):
                self.planner.plan.needs_ids = True
            self.mapping.append(f"{path} ← {found.what}")
            return found.expression, None
        if IBAN.match(normal(name)):
            spec = self.planner.plan.field_for(
                ConfigSpec(
                    const="F_IBAN",
                    key=f"{self.planner.plan.name}_iban",
                    label="IBAN di accredito",
                    level="service",
                    pattern=r"[A-Za-z0-9]{1,35}",
                    description="Where the service's payments are credited",
                    demo=str(self.generator.shape(schema, name=name)),
                )
            )
            self.mapping.append(f"{path} ← the service's configuration field {spec.key}")
            return f"_config.required(creditor, config.{spec.const})", None
        kind = schema.get("type")
        if kind == "object" or kind == "array" or "properties" in schema or "items" in schema:
            if required or self.useful(raw):
                nested = self.value(raw, path, required=required, indent=indent - 1)
                return (nested, None) if nested is not None else None
            return None
        if not required:
            return None
        # A flag the payment says nothing about is left off (False): the conservative reading.
        value = False if kind == "boolean" else self.generator.shape(raw, name=name)
        literal = py_literal(value)
        self.mapping.append(f"{path} ← TODO(integrator): no datum of the payment; {literal}")
        return literal, "TODO(integrator): no payment datum"


def py_literal(value: Any) -> str:
    """Python source for a JSON value (double-quoted strings, as ruff formats them)."""
    if isinstance(value, str):
        if len(value) <= 60:
            return json.dumps(value)
        # Implicit concatenation in parentheses: ruff format lays long text on several lines.
        chunks = textwrap.wrap(
            value, 50, drop_whitespace=False, break_long_words=True, break_on_hyphens=False
        )
        return "(" + " ".join(json.dumps(c) for c in chunks) + ")"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))}: {py_literal(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    return repr(value)
