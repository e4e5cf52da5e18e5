"""One exchange as a vendor report shows it, from a recorded flow or a scenario's exchange.

Both sources become :class:`Evidence`: who called whom, operation, endpoint, parameters
(codice IPA, creditor fiscal code, station, IUD/IUV/notice number), timestamps, outcome and
fault code, the raw redacted request and response, and who is responsible when it failed.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from mitmproxy import http

from collaudo.i18n import gettext as _
from collaudo.recorder.metadata import metadata

#: MyPay answers that mean "not paid yet": the normal reply to a status poll, no failure.
NOT_YET_PAID = frozenset({"PAA_PAGAMENTO_NON_INIZIATO", "PAA_PAGAMENTO_IN_CORSO"})
PARAMETERS = (
    ("codice_ipa", "codice IPA"),
    ("creditor_fiscal_code", "creditor fiscal code"),
    ("station", "station"),
    ("broker", "broker"),
    ("iud", "IUD"),
    ("iuv", "IUV"),
    ("notice_number", "notice number"),
    ("iupd", "IUPD"),
    ("amount", "amount"),
)


@dataclass
class Evidence:
    index: int
    caller: str
    callee: str
    operation: str
    method: str
    endpoint: str
    started: str
    duration_ms: float
    status: int | None
    outcome: str
    fault_code: str = ""
    fault_string: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    request: str = ""
    response: str = ""
    request_body: bytes = b""
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # drift violations, scenario notes

    @property
    def failed(self) -> bool:
        if self.fault_code in NOT_YET_PAID and not self.problems:
            return False
        return (
            self.outcome not in ("OK", "")
            or bool(self.fault_code)
            or (self.status is not None and self.status >= 400)
            or bool(self.problems)
        )

    def responsible(self) -> tuple[str, str]:
        """(party, why) for a failed exchange, in the words a vendor reads."""
        if self.outcome == "ERROR" or self.status is None:
            return self.callee, _("no answer (connection refused, reset or timed out)")
        if self.status >= 500 or "SYSTEM" in self.fault_code.upper():
            return self.callee, _("server-side failure (%(code)s)") % {
                "code": self.fault_code or self.status
            }
        if self.outcome == "MALFORMED":
            return self.callee, _("the answer is not well-formed")
        if any(p.startswith("response") for p in self.problems):
            return self.callee, _("the answer breaks the published contract")
        if any(p.startswith("request") for p in self.problems):
            return self.caller, _("the request breaks the published contract")
        if self.status >= 400 or self.fault_code:
            return (
                _("%(caller)s or %(callee)s") % {"caller": self.caller, "callee": self.callee},
                _(
                    "the request was refused (%(code)s): check the "
                    "parameters against the vendor's configuration"
                )
                % {"code": self.fault_code or self.status},
            )
        return "", ""

    def curl(self, body_file: str | None = None) -> str:
        """A curl command that resends the request (credentials as environment variables)."""
        parts = ["curl", "-sS", "-X", self.method, shlex.quote(self.endpoint)]
        for name, value in self.request_headers:
            if name.lower() in ("host", "content-length", "connection", "accept-encoding"):
                continue
            if value == "REDACTED":
                value = "$" + "".join(c if c.isalnum() else "_" for c in name.upper())
                parts += ["-H", f'"{name}: {value}"']
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if body_file:
            parts += ["--data-binary", shlex.quote(f"@{body_file}")]
        return " ".join(parts)


def _headers(headers: http.Headers) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.fields]


def _raw(message: http.Message, first_line: str) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in _headers(message.headers))
    body = (message.raw_content or b"").decode("utf-8", errors="replace")
    return f"{first_line}\n{headers}\n\n{body}"


def _caller_callee(meta: dict[str, Any], path: str) -> tuple[str, str]:
    """Who called whom, in the report's language (the diagram orders them by :data:`ROLES`)."""
    adapter = _("Adapter")
    if path.startswith("/pagopa/paForNode"):
        return "Nodo pagoPA", _("Intermediary station")
    if path.startswith("/checkout/"):
        return adapter, "pagoPA Checkout"
    if path.startswith("/gpd/"):
        return adapter, "GPD"
    if path.startswith("/govpay/"):
        return adapter, "GovPay"
    if meta.get("protocol") == "soap" or path.startswith("/ws/"):
        return adapter, "MyPay"
    return adapter, _("Intermediary")


def roles() -> tuple[str, ...]:
    """The diagram's left-to-right order of the parties that have one."""
    return ("Cittadino", "Collaudo", "Piattaforma", "Proxy", _("Adapter"), "Nodo pagoPA")


def from_flow(index: int, flow: http.HTTPFlow) -> Evidence:
    meta = metadata(flow)
    req, resp = flow.request, flow.response
    caller, callee = _caller_callee(meta, req.path)
    request = _raw(req, f"{req.method} {req.path} {req.http_version}")
    response = (
        _raw(resp, f"{resp.http_version} {resp.status_code} {resp.reason}")
        if resp is not None
        else f"(no response: {flow.error.msg if flow.error else 'unknown'})"
    )
    return Evidence(
        index=index,
        caller=caller,
        callee=callee,
        operation=str(meta.get("operation", "")),
        method=req.method,
        endpoint=req.pretty_url,
        started=str(meta.get("started", "")),
        duration_ms=float(meta.get("duration_ms", 0.0) or 0.0),
        status=resp.status_code if resp is not None else None,
        outcome=str(meta.get("outcome", "")),
        fault_code=str(meta.get("fault_code", "")),
        fault_string=str(meta.get("fault_string", "")),
        parameters={label: str(meta[key]) for key, label in PARAMETERS if meta.get(key)},
        request=request,
        response=response,
        request_body=req.raw_content or b"",
        request_headers=_headers(req.headers),
    )
