"""What a report needs from each recorded exchange, kept in ``flow.metadata["collaudo"]``.

Computed from the redacted flow (so it never holds a secret): timestamps, endpoint,
protocol, SOAP operation or REST route, the parties (codice IPA, creditor fiscal code,
station, broker) and identifiers (IUD, IUV, notice number, IUPD), and the outcome: ``OK``,
``KO`` with the fault code and string, an HTTP error, or the connection error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from mitmproxy import http

from collaudo.recorder.messages import FieldPath, Parsed, operation_name, parse_body, route_of

KEY = "collaudo"
METADATA_VERSION = 1

# Report name → field names (local names / keys) that carry it, first found wins.
_PARTIES: dict[str, tuple[str, ...]] = {
    "codice_ipa": ("codIpaEnte", "codiceIpa", "identificativoDominio"),
    "creditor_fiscal_code": (
        "idPA",
        "organizationFiscalCode",
        "idDominio",
        "codiceFiscaleEnte",
    ),
    "station": ("idStation", "identificativoStazioneIntermediarioPA"),
    "broker": ("idBrokerPA", "identificativoIntermediarioPA"),
    "iud": ("identificativoUnivocoDovuto", "iud"),
    "iuv": ("identificativoUnivocoVersamento", "iuv", "IUV", "creditorReferenceId"),
    "notice_number": ("noticeNumber", "nav", "numeroAvviso"),
    "iupd": ("iupd",),
    "amount": ("importoSingoloVersamento", "amount", "paymentAmount", "importo"),
}
_DOMAIN_CODE = re.compile(r"^([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b")
_FAULT_CODE = ("faultCode", "faultcode", "Code", "code")
_FAULT_STRING = ("faultString", "faultstring", "description", "Reason", "detail", "title")


def _find(fields: Mapping[FieldPath, str], names: tuple[str, ...]) -> str:
    for name in names:
        for path, value in fields.items():
            if path and path[-1] == name and value:
                return value
    return ""


def _find_in_fault(fields: Mapping[FieldPath, str], names: tuple[str, ...]) -> str:
    for path, value in fields.items():
        lowered = [p.lower() for p in path]
        if path and path[-1] in names and value and any("fault" in p for p in lowered):
            return value
    return ""


def _iso(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds") if ts else ""


def outcome_of(response: http.Response | None, parsed: Parsed, error: str = "") -> dict[str, str]:
    """``outcome`` (OK, KO, HTTP nnn, ERROR) with fault code and string where there are."""
    if response is None:
        return {"outcome": "ERROR", "fault_code": "", "fault_string": error or "no response"}
    fields = parsed.fields
    if parsed.kind == "soap" and parsed.operation == "Fault":
        soap_code = _find(fields, ("faultcode", "Value"))
        text = _find(fields, ("faultstring", "Text"))
        # MyPay and pagoPA carry their own code in the detail or ahead of the fault string.
        domain = _find(fields, ("faultCode",)) or (
            m.group(1) if (m := _DOMAIN_CODE.match(text)) else ""
        )
        return {
            "outcome": "KO",
            "fault_code": domain or soap_code,
            "fault_string": f"{soap_code}: {text}" if soap_code else text,
        }
    fault_code = _find_in_fault(fields, _FAULT_CODE)
    esito = _find(fields, ("esito", "outcome"))
    if parsed.kind == "text" and parsed.error:
        return {"outcome": "MALFORMED", "fault_code": "", "fault_string": parsed.error}
    if fault_code or esito.upper() == "KO":
        return {
            "outcome": "KO",
            "fault_code": fault_code,
            "fault_string": _find_in_fault(fields, _FAULT_STRING),
        }
    if response.status_code >= 400:
        detail = _find(fields, ("detail", "title", "message", "faultstring"))
        return {"outcome": f"HTTP {response.status_code}", "fault_code": "", "fault_string": detail}
    return {"outcome": esito.upper() or "OK", "fault_code": "", "fault_string": ""}


def describe(flow: http.HTTPFlow) -> dict[str, Any]:
    """The report metadata of one (redacted) flow."""
    req, resp = flow.request, flow.response
    parsed_req = parse_body(req.raw_content or b"", req.headers.get("content-type", ""))
    parsed_resp = (
        parse_body(resp.raw_content or b"", resp.headers.get("content-type", ""))
        if resp is not None
        else Parsed("empty")
    )
    route, route_fields = route_of(req.method, req.path)
    protocol = "soap" if parsed_req.kind == "soap" else "rest"
    soap_action = req.headers.get("soapaction", "").strip('"')
    operation = operation_name(parsed_req.operation, soap_action) if protocol == "soap" else route
    if protocol == "rest" and req.query.get("wsdl") is not None:
        operation = "GET WSDL"
    every = {**route_fields, **parsed_req.fields, **parsed_resp.fields}
    parties = {name: _find(every, names) for name, names in _PARTIES.items()}
    if not parties["creditor_fiscal_code"] and "/organizations/" in req.path:
        parties["creditor_fiscal_code"] = req.path.split("/organizations/")[1].split("/")[0]
    started = req.timestamp_start
    ended = (resp.timestamp_end if resp is not None else None) or req.timestamp_end
    meta: dict[str, Any] = {
        "version": METADATA_VERSION,
        "protocol": protocol,
        "operation": operation,
        "route": route,
        "method": req.method,
        "endpoint": req.pretty_url.split("?")[0],
        "soap_action": soap_action,
        "started": _iso(started),
        "ended": _iso(ended),
        "duration_ms": round(((ended or started) - started) * 1000, 1),
        "http_status": resp.status_code if resp is not None else None,
        "response_element": parsed_resp.operation if parsed_resp.kind == "soap" else "",
        **{k: v for k, v in parties.items() if v},
        **outcome_of(resp, parsed_resp, flow.error.msg if flow.error else ""),
    }
    return meta


def annotate(flow: http.HTTPFlow, **extra: Any) -> dict[str, Any]:
    """Compute and store the metadata in ``flow.metadata``; returns it."""
    meta = describe(flow) | extra
    flow.metadata[KEY] = meta
    return meta


def metadata(flow: http.HTTPFlow) -> dict[str, Any]:
    """The stored metadata, computed on the fly for flows recorded by something else."""
    stored = flow.metadata.get(KEY)
    return dict(stored) if isinstance(stored, dict) else describe(flow)
