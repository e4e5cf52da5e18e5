"""The generated SOAP (zeep) driver's ``config``, ``payloads`` and ``driver`` modules from a
:class:`Plan` of kind ``soap`` (``answers`` is the REST generator's: both read plain dicts)."""

from __future__ import annotations

import json

from collaudo.scaffold.plan import VERB_METHODS, Plan, py_literal
from collaudo.scaffold.render import (
    LINK_NAMES,
    PDF_NAMES,
    _class_name,
    _field_source,
    _simulated,
    recording_lines,
    wrapped,
)
from collaudo.scaffold.render_driver import _SIGNATURES, _verb
from collaudo.scaffold.soap_plan import SoapCall

RECEIPT_NAMES = ("rt", "ricevuta", "ricevutaTelematica", "receipt", "pagati")


def config_module(plan: Plan) -> str:
    secrets = ", ".join(spec.const for spec in plan.secrets)
    secrets += "," if len(plan.secrets) == 1 else ""
    out = [
        f'"""The {plan.name} driver\'s configuration fields (form.io components of the tenant and',
        "service forms): the WSDL, the endpoint, the SOAP headers' members; secrets are never",
        'configured, only the names of the environment variables holding them."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "",
        "from adapters.core.config import ConfigField",
        "from adapters.core.intermediary import CreditorConfig",
        "from adapters.drivers import _config",
        "",
    ]
    out += [_field_source(spec) for spec in plan.fields]
    out.append(f"FIELDS = ({', '.join(f.const for f in plan.fields)},)")
    out.append(
        "#: What the contract simulator accepts for the fields that are not URLs or secrets\n"
        "#: (the sim-NAME target's tenant and service; generated from the contract's schemas).\n"
        f"SIMULATED = {py_literal(_simulated(plan))}"
    )
    out.append(
        f'''

def secrets(creditor: CreditorConfig, environ: Mapping[str, str]) -> list[str]:
    """The values a call record must redact."""
    found: list[str] = []
    for spec in ({secrets}):
        value = _config.secret(creditor, spec, environ, optional=True)
        if value:
            found.append(value)
    return found


def credential(creditor: CreditorConfig) -> str:
    """What to check when access is refused (names, never values)."""
    names: list[str] = [
        str(creditor.settings.get(spec.key) or spec.default) for spec in ({secrets})
    ]
    return "the credentials in environment variable(s) " + (", ".join(names) or "(none)")
'''
    )
    return "\n".join(out)


def _signature(call: SoapCall, name: str, returns: str) -> str:
    args = {
        "create": "request: DebtPositionRequest, ids: Identifiers",
        "checkout": "ctx: PositionContext, return_urls: ReturnUrls",
    }.get(call.verb, "ctx: PositionContext")
    return f"def {name}({args}, environ: Mapping[str, str]) -> {returns}:"


def _creditor(call: SoapCall) -> str:
    owner = "request" if call.verb == "create" else "ctx"
    return f"    creditor = {owner}.creditor"


def _body_function(call: SoapCall) -> str:
    mapping = (
        "\n".join(line for entry in call.mapping for line in wrapped(f"- {entry}", "    "))
        or "    (nothing matched)"
    )
    members = []
    for name, expression, note in call.members:
        comment = f"  # {note}" if note else ""
        members.append(f'"{name}": {expression},{comment}')
    body = "{\n" + "\n".join(members) + "\n}" if members else "{}"
    headers = (
        "{"
        + ", ".join(
            f"{py_literal(qname)}: {{"
            + ", ".join(
                f'"{name}": _config.required(creditor, config.{spec.const})'
                for name, spec in fields
            )
            + "}"
            for qname, fields in call.headers.items()
        )
        + "}"
    )
    uses = body + headers
    lines = [
        "",
        "",
        _signature(call, f"{call.verb}_body", "dict[str, Any]"),
        f'    """The members of {call.operation.name}\'s input element.',
        "",
        "    Mapping the generator chose (contract field ← payment datum):",
        "",
        mapping,
        '    """',
    ]
    if "environ" not in uses:
        lines.append("    del environ")
    if call.verb == "checkout" and "return_urls" not in body:
        lines.append("    del return_urls  # TODO(integrator): send them if the contract has them")
    if "creditor" in body:
        lines.append(_creditor(call))
    lines.append(f"    return dict(without_none({body}))")
    lines += [
        "",
        "",
        f"def {call.verb}_headers(creditor: CreditorConfig) -> dict[str, dict[str, Any]]:",
        f'    """The SOAP headers {call.operation.name} declares, from the configuration."""',
    ]
    if "creditor" not in headers:
        lines.append("    del creditor")
    lines.append(f"    return {headers}")
    return "\n".join(lines)


def payloads_module(plan: Plan) -> str:
    out = [
        f'"""What the {plan.name} driver sends: the members of each operation\'s input element,',
        "built from the payment where the contract's names match (each function's docstring",
        "lists the mapping the generator chose), and the SOAP headers. Values marked",
        'TODO(integrator) are valid for the contract but not taken from the payment: replace."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "from dataclasses import dataclass",
        "from typing import Any",
        "",
        "from adapters.core.intermediary import (",
        "    CreditorConfig,",
        "    DebtPositionRequest,",
        "    PositionContext,",
        "    ReturnUrls,",
        ")",
        "from adapters.drivers import _config",
        "from adapters.drivers._scaffold import cut, day, iso, taxonomy, without_none",
        "from adapters.drivers._scaffold_soap import b64",
        f"from adapters.drivers.{plan.name} import config",
        "from adapters.pagopa import generate_notice, iuv_base_from_key, to_cents"
        if plan.needs_ids
        else "from adapters.pagopa import to_cents",
        "",
        "# Helpers a completed body may need, whether or not the generated one does.",
        '__all__ = ["Identifiers", "b64", "cut", "day", "identifiers", "iso", "taxonomy", '
        '"to_cents"]',
        "",
        "",
        "@dataclass(frozen=True)",
        "class Identifiers:",
        '    """The position\'s identifiers the proxy derives (retries send the same ones)."""',
        "",
        "    iud: str",
        "    iuv: str",
        "    notice_number: str",
        "",
        "",
        "def identifiers(request: DebtPositionRequest) -> Identifiers:",
    ]
    if plan.needs_ids and plan.segregation is not None:
        out += [
            '    """The IUD, and an IUV/notice number (aux digit 3) derived from the payment id',
            '    and the segregation code: the contract\'s create request carries them."""',
            "    segregation = _config.required(",
            f"        request.creditor, config.{plan.segregation.const}",
            "    )",
            "    notice = generate_notice(",
            "        3, iuv_base_from_key(str(request.payment_id)), segregation_code=segregation",
            "    )",
            "    return Identifiers(request.iud, notice.iuv, str(notice))",
        ]
    else:
        out += [
            '    """The IUD; the IUV and notice number come from the intermediary\'s answer."""',
            '    return Identifiers(request.iud, "", "")',
        ]
    for call in plan.soap_calls.values():
        out.append(_body_function(call))
    return "\n".join(out) + "\n"


def _call_lines(plan: Plan, call: SoapCall) -> list[str]:
    args = {"create": "request, ids", "checkout": "ctx, return_urls"}.get(call.verb, "ctx")
    lines = [
        "            soap = await self._service(creditor)",
        f'            what = "{plan.name} {call.operation.name}"',
        "            body = await self._client.call(",
        "                record,",
        "                soap,",
        f'                "{call.operation.name}",',
        f"                payloads.{call.verb}_body({args}, self._environ),",
        "                what=what,",
        f"                headers=payloads.{call.verb}_headers(creditor),",
        "                credential=config.credential(creditor),",
        "            )",
    ]
    ending = {
        "create": "            return answers.position_of(request, ids, body, record, what)",
        "notice": "            return await _scaffold_soap.pdf_in(\n"
        f"                self._client, body, record, what, {PDF_NAMES!r}\n            )",
        "checkout": "            return _scaffold_soap.link_in(\n"
        f"                body, record, what, {LINK_NAMES!r}\n            )",
        "status": "            return answers.position_status(body, record, what)",
        "receipt": "            return _scaffold_soap.receipt_in(\n"
        f"                ctx, body, record, what, {RECEIPT_NAMES!r}\n            )",
    }[call.verb]
    return [*lines, ending]


def _soap_verb(plan: Plan, verb: str) -> list[str]:
    if verb not in plan.soap_calls:
        return _verb(plan, verb)  # VerbNotImplemented, as the REST generator writes it
    call = plan.soap_calls[verb]
    args, returns = _SIGNATURES[verb]
    creditor = "request.creditor" if verb == "create" else "ctx.creditor"
    timeout = "self.receipt_timeout" if verb == "receipt" else "self.timeout"
    lines = [
        f"    async def {VERB_METHODS[verb]}(self, {args}) -> {returns}:",
        f'        """{call.operation.name} ({plan.contracts[0].rsplit("/", 1)[-1]}):',
        "",
        *wrapped(f"SOAPAction {call.soap.soap_action or '(none)'}", "        "),
        '        """',
    ]
    return lines + recording_lines(verb, creditor, timeout) + _call_lines(plan, call)


def driver_module(plan: Plan) -> str:
    cls = _class_name(plan.name)
    extra = {
        "generated": True,
        "contracts": plan.contracts,
        "missing": sorted(VERB_METHODS[v] for v in plan.missing),
    }
    # Values the contract simulator accepts for the secrets (never real ones: the schema's).
    secrets = {spec.default: spec.demo for spec in plan.secrets if spec.default}
    out = [
        f'"""The {plan.name} driver\'s verbs over SOAP/zeep (generated: see the package',
        'docstring)."""',
        "",
        "from __future__ import annotations",
        "",
        "import os",
        "from collections.abc import Mapping",
        "",
        "import httpx",
        "",
        "from adapters.core.config import DriverSpec",
        "from adapters.core.intermediary import (",
        "    CreditorConfig,",
        "    DebtPosition,",
        "    DebtPositionRequest,",
        "    PositionContext,",
        "    PositionStatus,",
        "    Receipt,",
        "    ReturnUrls,",
        ")",
        "from adapters.drivers import _config, _scaffold, _scaffold_soap, _soap",
        "from adapters.drivers._http import OPERATION_TIMEOUT, RECEIPT_TIMEOUT, recording",
        f"from adapters.drivers.{plan.name} import answers, config, payloads",
        "",
        "",
        f"class {cls}:",
        f'    """The {plan.name} driver; configuration comes with each call."""',
        "",
        f'    name = "{plan.name}"',
        "",
        "    def __init__(",
        "        self,",
        "        *,",
        "        transport: httpx.AsyncBaseTransport | None = None,",
        "        wsdl_transport: httpx.BaseTransport | None = None,",
        "        environ: Mapping[str, str] | None = None,",
        "        timeout: float = OPERATION_TIMEOUT,",
        "        receipt_timeout: float = RECEIPT_TIMEOUT,",
        "    ) -> None:",
        "        self._client = _scaffold_soap.SoapClient(",
        "            transport=transport, wsdl_transport=wsdl_transport",
        "        )",
        "        self._environ = environ if environ is not None else os.environ",
        "        self.timeout = timeout",
        "        self.receipt_timeout = receipt_timeout",
        "",
        "    async def aclose(self) -> None:",
        "        await self._client.aclose()",
        "",
        "    async def _service(self, creditor: CreditorConfig) -> _soap.SoapService:",
        '        """The WSDL\'s service, loaded on first use."""',
        "        return await self._client.service(",
        "            _config.required(creditor, config.F_WSDL),",
        "            _config.field_value(creditor, config.F_ENDPOINT),",
        "        )",
    ]
    for verb in VERB_METHODS:
        out.append("")
        out += _soap_verb(plan, verb)
    out += [
        "",
        "",
        "def spec() -> DriverSpec:",
        f'    """The {plan.name} driver and its configuration fields."""',
        "    return DriverSpec(",
        f'        name="{plan.name}",',
        f"        title={py_literal(plan.title + ' (generated from its contract)')},",
        "        fields=config.FIELDS,",
        f"        factory={cls},",
        "        extra={",
        f"            **{py_literal(extra)},",
        f'            "url_fields": {{config.F_WSDL.key: {json.dumps(plan.wsdl_base + "?wsdl")}}},',
        '            "simulated": config.SIMULATED,',
        f'            "simulated_secrets": {py_literal(secrets)},',
        "        },",
        "    )",
        "",
    ]
    return "\n".join(out)
