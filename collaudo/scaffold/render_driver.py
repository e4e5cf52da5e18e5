"""The generated ``answers`` and ``driver`` modules: what is read back, and the five verbs."""

from __future__ import annotations

import json
import re
from typing import Any

from collaudo.scaffold.plan import VERB_METHODS, Call, Plan, py_literal
from collaudo.scaffold.render import (
    IUV_NAMES,
    LINK_NAMES,
    NOTICE_NAMES,
    PDF_NAMES,
    STATUS_NAMES,
    _class_name,
    recording_lines,
    shown_path,
    wrapped,
)
from simulators.contractsim.jsongen import JsonGenerator

_PARTIAL = re.compile(r"PARTIAL|PARZIAL")
_NEGATED = re.compile(r"^(NON|NOT|UN|NO)[_ -]?|[_ -](NON|NOT)[_ -]")  # NON_ESEGUITA, UNPAID
_PAID = re.compile(r"PAID|PAGAT|ESEGUIT|INCASSAT|REPORTED|RENDICONTAT|COMPLETE|SUCCESS|^OK$")
_EXPIRED = re.compile(r"EXPIRED|SCADUT")
_CANCELED = re.compile(r"INVALID|CANCEL|ANNULL|DELETED|REVOKED|RIFIUTAT")
_DEFAULT_VALUES = ("PAID", "PAGATO", "UNPAID", "NON_PAGATO", "EXPIRED", "SCADUTO", "ANNULLATO")
HINTS = {
    "notice": "pagoPA's standard notice can be rendered locally: return "
    "adapters.drivers.avviso.render_position_notice(ctx), as the gpd driver does",
    "checkout": "pagoPA Checkout (POST /carts with the notice number) pays any notice, as "
    "the gpd driver does",
    "create": "without it no payment can start: find the operation in the vendor's manual",
    "status": "the proxy polls it and never marks a payment paid otherwise",
    "receipt": "the citizen downloads it once paid",
}


def state_for(value: str) -> str:
    upper = value.upper()
    if _PARTIAL.search(upper) or _NEGATED.search(upper):
        return "UNPAID"
    if _PAID.search(upper):
        return "PAID"
    if _EXPIRED.search(upper):
        return "EXPIRED"
    if _CANCELED.search(upper):
        return "CANCELED"
    return "UNPAID"


def status_enum(call: Call) -> tuple[str | None, list[str]]:
    """The status member of the status operation's answer and the values it declares."""
    generator = JsonGenerator(call.contract.schemas, "response")
    wanted = {n.lower() for n in STATUS_NAMES}
    for code in (str(c) for c in call.success):
        answer = call.rest.answers.get(code)
        if answer is None or answer.schema is None:
            continue
        level = [generator.resolve(call.contract.schemas.node("response", answer.schema))]
        for _ in range(4):
            following: list[Any] = []
            for node in level:
                for name, sub in (node.get("properties") or {}).items():
                    resolved = generator.resolve(sub)
                    if name.lower() in wanted:
                        enum = resolved.get("enum")
                        return name, [str(v) for v in enum] if isinstance(enum, list) else []
                    if "properties" in resolved:
                        following.append(resolved)
                    items = generator.resolve(resolved.get("items") or {})
                    if "properties" in items:
                        following.append(items)
            level = following
    return None, []


def answers_module(plan: Plan) -> str:
    out = [
        f'"""What the {plan.name} driver reads from the answers: the created position, its state.',
        "",
        "Members are looked up by name anywhere in the answer (:func:`find`); the names and the",
        'table of states are the generator\'s reading of the contract: check them."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any",
        "",
        "from adapters.core.intermediary import (",
        "    DebtPosition,",
        "    DebtPositionRequest,",
        "    IntermediaryFault,",
        "    PositionState,",
        "    PositionStatus,",
        ")",
        "from adapters.drivers._http import CallRecord",
        "from adapters.drivers._scaffold import decimal_of, find, state_of, when",
        f"from adapters.drivers.{plan.name}.payloads import Identifiers",
        "",
        f"IUV_NAMES = {py_literal(list(IUV_NAMES))}",
        f"NOTICE_NAMES = {py_literal(list(NOTICE_NAMES))}",
    ]
    status = plan.calls.get("status")
    member, values = status_enum(status) if status else (None, [])
    names = [member] if member else list(STATUS_NAMES)
    out.append(f"STATUS_NAMES = {py_literal(names)}")
    if values:
        out.append(
            f"#: Every value of «{member}» the contract declares, read as the proxy's states"
        )
        out.append("#: by their words (partial payments are not paid). TODO(integrator): check.")
    else:
        out.append(
            "#: The contract declares no values for the status: common ones, by their words."
        )
        out.append("#: TODO(integrator): replace with the intermediary's own values.")
        values = list(_DEFAULT_VALUES)
    out.append("STATUS_VALUES: dict[str, PositionState] = {")
    out += [f"    {json.dumps(v.upper())}: PositionState.{state_for(v)}," for v in values]
    out.append("}")
    cents = "False"
    create = plan.calls.get("create")
    if create is not None and "to_cents(" in (create.body or ""):
        cents = "True"
    out.append(f"AMOUNT_IN_CENTS = {cents}  # as the create request sends amounts")
    out.append(
        '''

def position_of(
    request: DebtPositionRequest, ids: Identifiers, body: Any, record: CallRecord, what: str
) -> DebtPosition:
    """The created position: the IUV and notice number of the answer, else the derived ones."""
    iuv = str(find(body, IUV_NAMES) or ids.iuv)
    notice = str(find(body, NOTICE_NAMES) or ids.notice_number)
    if not notice.isdigit() and len(iuv) == 17 and iuv.isdigit():
        notice = f"3{iuv}"  # aux digit 3: the notice number is the IUV after it
    if not iuv.isdigit():
        raise IntermediaryFault(
            f"{what}: the answer has no usable IUV ({iuv!r}) in {', '.join(IUV_NAMES)}; "
            "it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    return DebtPosition(
        iud=request.iud,
        iuv=iuv,
        notice_number=notice,
        creditor_fiscal_code=request.creditor.creditor_fiscal_code,
        amount=request.amount,
        handle={"iud": ids.iud},
    )


def position_status(body: Any, record: CallRecord, what: str) -> PositionStatus:
    """The position's state, by :data:`STATUS_VALUES`."""
    value = find(body, STATUS_NAMES)
    if value is None:  # the contract does not require it: a position without state is not paid
        return PositionStatus(PositionState.UNPAID)
    state = state_of(value, STATUS_VALUES)
    if state is None:
        raise IntermediaryFault(
            f"{what}: status {value!r} (in {', '.join(STATUS_NAMES)}) is not in STATUS_VALUES; "
            "add it to answers.py",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    if state is not PositionState.PAID:
        return PositionStatus(state)
    receipt = find(body, ("idReceipt", "receiptId", "iur", "idRicevuta"))
    psp = find(body, ("pspCompany", "psp", "denominazionePsp"))
    return PositionStatus(
        state,
        paid_at=when(find(body, ("paymentDate", "dataPagamento", "paidAt"))),
        amount_paid=decimal_of(find(body, ("amount", "importo")), cents=AMOUNT_IN_CENTS),
        transaction_id=str(receipt) if receipt is not None else None,
        psp=str(psp) if psp is not None else None,
    )
'''
    )
    return "\n".join(out)


def _call_lines(plan: Plan, call: Call) -> list[str]:
    op = call.operation
    what = f"{plan.name} {op.name}"
    has_body = call.body is not None
    args = {
        "create": "request, ids",
        "checkout": "ctx, return_urls",
    }.get(call.verb, "ctx")
    accept = "application/json"
    if call.verb == "notice" and any("pdf" in m for m in call.media):
        accept = "application/pdf"
    elif call.media:
        accept = call.media[0]
    lines = [
        f"            path, query = payloads.{call.verb}_parameters({args})",
        f'            what = "{what}"',
        "            response = await self._client.send(",
        "                record,",
        f'                "{op.name}",',
        f'                "{call.rest.method.upper()}",',
        "                _scaffold.path(",
        f"                    _config.required(creditor, config.{call.url_field.const}),",
        f'                    "{call.rest.template}",',
        "                    path,",
        "                ),",
        "                what=what,",
        f'                headers={{"Accept": "{accept}", '
        "**config.auth_headers(creditor, self._environ)},",
        "                params=query,",
    ]
    if has_body:
        lines.append(f"                body=payloads.{call.verb}_body({args}),")
    lines.append("            )")
    if call.verb == "receipt":
        lines += [
            "            if response.status_code == 404:",
            '                raise NotPaidYet(f"{what}: no receipt yet", '
            "exchanges=record.exchanges)",
        ]
    if call.verb == "checkout":
        ok = tuple(sorted({*call.success, 301, 302, 303, 307}))
    else:
        ok = call.success
    lines += [
        f"            if response.status_code not in {ok!r}:",
        "                raise status_error(",
        "                    response, record, what, credential=config.credential(creditor)",
        "                )",
    ]
    ending = {
        "create": "            return answers.position_of(\n"
        "                request, ids, _scaffold.json_answer(response, record, what), "
        "record, what\n"
        "            )",
        "notice": f"            return _scaffold.pdf_of(response, record, what, {PDF_NAMES!r})",
        "checkout": f"            return _scaffold.link_of(response, record, what, {LINK_NAMES!r})",
        "status": "            body = _scaffold.json_answer(response, record, what)\n"
        "            return answers.position_status(body, record, what)",
        "receipt": "            return _scaffold.receipt_of(ctx, response, record)",
    }[call.verb]
    return [*lines, ending]


_SIGNATURES = {
    "create": ("request: DebtPositionRequest", "DebtPosition"),
    "notice": ("ctx: PositionContext", "bytes"),
    "checkout": ("ctx: PositionContext, return_urls: ReturnUrls", "str"),
    "status": ("ctx: PositionContext", "PositionStatus"),
    "receipt": ("ctx: PositionContext", "Receipt"),
}


def _verb(plan: Plan, verb: str) -> list[str]:
    method = VERB_METHODS[verb]
    args, returns = _SIGNATURES[verb]
    head = f"    async def {method}(self, {args}) -> {returns}:"
    if verb not in plan.calls:
        missing = plan.missing[verb]
        names = "; ".join(missing.candidates) or "none"
        lines = [
            head,
            f'        """Not implemented: {missing.why}.',
            "",
            *wrapped(f"{missing.status}; candidates: {names}.", "        "),
            "",
            *wrapped(f"TODO(integrator): {HINTS[verb]}.", "        "),
            '        """',
        ]
        if verb == "checkout":
            lines.append("        del return_urls")
        lines.append(
            f'        raise _scaffold.not_implemented(\n            self.name, "{method}", '
            f"{json.dumps(missing.why)}, {tuple(missing.names)!r}\n        )"
        )
        return lines
    call = plan.calls[verb]
    creditor = "request.creditor" if verb == "create" else "ctx.creditor"
    timeout = "self.receipt_timeout" if verb == "receipt" else "self.timeout"
    lines = [
        head,
        f'        """{call.operation.name} ({shown_path(call.contract.file, 40)}):',
        "",
        f"        {call.rest.method.upper()} {call.rest.template}",
        '        """',
    ]
    return lines + recording_lines(verb, creditor, timeout) + _call_lines(plan, call)


def driver_module(plan: Plan) -> str:
    cls = _class_name(plan.name)
    # Each contract's URL field and the base path its documents serve at (the sim-NAME
    # target points the field at the contract simulator plus that path).
    urls = {call.url_field.const: call.contract.base_path for call in plan.calls.values()}
    urls_source = (
        "{"
        + ", ".join(f"config.{const}.key: {py_literal(base)}" for const, base in urls.items())
        + "}"
    )
    out = [
        f'"""The {plan.name} driver\'s verbs over httpx (generated: see the package docstring)."""',
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
        "    DebtPosition,",
        "    DebtPositionRequest,",
        "    NotPaidYet,",
        "    PositionContext,",
        "    PositionStatus,",
        "    Receipt,",
        "    ReturnUrls,",
        ")",
        "from adapters.drivers import _config, _scaffold",
        "from adapters.drivers._http import "
        "OPERATION_TIMEOUT, RECEIPT_TIMEOUT, recording, status_error",
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
        "        environ: Mapping[str, str] | None = None,",
        "        timeout: float = OPERATION_TIMEOUT,",
        "        receipt_timeout: float = RECEIPT_TIMEOUT,",
        "    ) -> None:",
        "        self._client = _scaffold.RestClient(transport)",
        "        self._environ = environ if environ is not None else os.environ",
        "        self.timeout = timeout",
        "        self.receipt_timeout = receipt_timeout",
        "",
        "    async def aclose(self) -> None:",
        "        await self._client.aclose()",
    ]
    for verb in VERB_METHODS:
        out.append("")
        out += _verb(plan, verb)
    extra = {
        "generated": True,
        "contracts": plan.contracts,
        "missing": sorted(VERB_METHODS[v] for v in plan.missing),
    }
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
        f'            "url_fields": {urls_source},',
        '            "simulated": config.SIMULATED,',
        "        },",
        "    )",
        "",
    ]
    text = "\n".join(out)
    if "NotPaidYet(" not in text:
        text = text.replace("    NotPaidYet,\n", "")
    if "recording(" not in text:
        text = text.replace(
            "OPERATION_TIMEOUT, RECEIPT_TIMEOUT, recording, status_error",
            "OPERATION_TIMEOUT, RECEIPT_TIMEOUT",
        )
    if "_config." not in text:
        text = text.replace(
            "from adapters.drivers import _config, _scaffold",
            "from adapters.drivers import _scaffold",
        )
    if "answers." not in text:
        text = text.replace("import answers, config, payloads", "import config, payloads")
    return text
