"""Replay, client mode: resend the recorded requests to a target and compare the answers.

The target is the vendor's test environment or a simulator. Credentials were redacted at
recording time, so they are given again by name (``password``, ``Ocp-Apim-Subscription-Key``)
with their values taken from environment variables by the caller; they replace ``REDACTED``
in headers, XML elements and JSON keys of that name. Each answer is compared with the
recorded one field by field, leaving out what cannot be compared (volatile values,
pseudonymised personal data): status, then every other leaf that changed, appeared or
disappeared.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from mitmproxy import http

from collaudo.recorder.fields import Kind, classify
from collaudo.recorder.messages import FieldPath, parse_body, show_path
from collaudo.recorder.metadata import metadata
from collaudo.recorder.pseudonyms import SECRET_PLACEHOLDER
from collaudo.recorder.xmltools import UnsafeXML, local_name, parse_xml, serialize

_SKIPPED_HEADERS = {"host", "content-length", "connection", "accept-encoding", "transfer-encoding"}


@dataclass
class Difference:
    field: str
    recorded: str | None
    actual: str | None

    def __str__(self) -> str:
        def shown(v: str | None) -> str:
            return "(absent)" if v is None else repr(v[:80])

        return f"{self.field}: recorded {shown(self.recorded)}, now {shown(self.actual)}"


@dataclass
class Resent:
    """One recorded request sent again, and how its answer compares."""

    index: int
    operation: str
    recorded_status: int | None
    status: int | None = None
    seconds: float = 0.0
    error: str = ""
    differences: list[Difference] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.error and not self.differences


def _with_credentials_xml(body: bytes, credentials: Mapping[str, str]) -> bytes:
    try:
        root = parse_xml(body)
    except UnsafeXML:
        return body
    changed = False
    for element in root.iter():
        name = local_name(element)
        if name in credentials and (element.text or "").strip() == SECRET_PLACEHOLDER:
            element.text = credentials[name]
            changed = True
    return serialize(root, declaration=body.lstrip().startswith(b"<?xml")) if changed else body


def _with_credentials_json(value: Any, credentials: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: credentials[k]
            if k in credentials and v == SECRET_PLACEHOLDER
            else _with_credentials_json(v, credentials)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_with_credentials_json(v, credentials) for v in value]
    return value


def prepare(flow: http.HTTPFlow, credentials: Mapping[str, str]) -> tuple[dict[str, str], bytes]:
    """Headers and body to resend, with the credentials put back where they were redacted."""
    headers: dict[str, str] = {}
    lowered = {k.lower(): v for k, v in credentials.items()}
    for raw_name, raw_value in flow.request.headers.fields:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        if name.lower() in _SKIPPED_HEADERS:
            continue
        if value == SECRET_PLACEHOLDER:
            if name.lower() not in lowered:
                continue  # a redacted credential nobody gave back: better absent than wrong
            value = lowered[name.lower()]
        headers[name] = value
    body = flow.request.raw_content or b""
    ctype = flow.request.headers.get("content-type", "")
    if credentials and SECRET_PLACEHOLDER.encode() in body:
        if "json" in ctype:
            body = json.dumps(_with_credentials_json(json.loads(body), credentials)).encode()
        else:
            body = _with_credentials_xml(body, credentials)
    return headers, body


def comparable(content: bytes, content_type: str) -> dict[FieldPath, str]:
    parsed = parse_body(content, content_type)
    return {p: v for p, v in parsed.fields.items() if classify(p, v) is Kind.IDENTIFYING}


def compare(recorded: http.Response | None, actual: httpx.Response) -> list[Difference]:
    if recorded is None:
        return [Difference("HTTP status", "(connection error)", str(actual.status_code))]
    out = []
    if recorded.status_code != actual.status_code:
        out.append(Difference("HTTP status", str(recorded.status_code), str(actual.status_code)))
    was = comparable(recorded.raw_content or b"", recorded.headers.get("content-type", ""))
    now = comparable(actual.content, actual.headers.get("content-type", ""))
    for path in sorted(set(was) | set(now)):
        if was.get(path) != now.get(path):
            out.append(Difference(show_path(path), was.get(path), now.get(path)))
    return out


def resend(
    flows: Sequence[http.HTTPFlow],
    target: str,
    credentials: Mapping[str, str] | None = None,
    *,
    timeout: float = 15.0,
    transport: httpx.BaseTransport | None = None,
) -> list[Resent]:
    """Send every recorded request to ``target`` (base URL), in order; the comparisons."""
    creds = dict(credentials or {})
    results = []
    with httpx.Client(base_url=target.rstrip("/"), timeout=timeout, transport=transport) as http_:
        for index, flow in enumerate(flows):
            meta = metadata(flow)
            result = Resent(
                index,
                str(meta.get("operation", "")),
                flow.response.status_code if flow.response is not None else None,
            )
            headers, body = prepare(flow, creds)
            started = time.perf_counter()
            try:
                answer = http_.request(
                    flow.request.method, flow.request.path, headers=headers, content=body
                )
            except httpx.HTTPError as exc:
                result.error = f"{type(exc).__name__}: {exc or 'no detail'}"
            else:
                result.status = answer.status_code
                result.differences = compare(flow.response, answer)
            result.seconds = time.perf_counter() - started
            results.append(result)
    return results


def render(results: Sequence[Resent], target: str) -> str:
    """A plain-text report of a client replay."""
    lines = [f"replayed {len(results)} recorded requests to {target}"]
    for r in results:
        verdict = "same" if r.same else ("ERROR" if r.error else "DIFFERS")
        lines.append(
            f"  #{r.index:<3} {r.operation:<60} {r.recorded_status} → {r.status}  {verdict}"
        )
        if r.error:
            lines.append(f"        {r.error}")
        lines += [f"        - {d}" for d in r.differences[:12]]
        if len(r.differences) > 12:
            lines.append(f"        - … and {len(r.differences) - 12} more")
    same = sum(r.same for r in results)
    lines.append(f"{same} of {len(results)} answers as recorded")
    return "\n".join(lines)
