"""The vendor report: a zip a vendor can act on.

Inside: ``index.html`` (self-contained: what failed in domain terms — operation, party
responsible, expected versus actual, fault codes, timestamps, endpoint, parameters — and
the exchanges as an SVG sequence diagram), ``exchanges/`` (the redacted raw requests and
responses), ``resend/`` (for each failed exchange, the body — a SOAP envelope or JSON — and
a curl command taking credentials from environment variables), ``recording.flow`` and
``REPLAY.txt`` (the replay commands) when the source is a recording, ``summary.json``.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree
from lxml.html import builder as E
from mitmproxy import http

from collaudo.i18n import gettext as _
from collaudo.i18n import language
from collaudo.recorder import contracts
from collaudo.recorder.diagram import svg
from collaudo.recorder.drift import DriftReport, check
from collaudo.recorder.evidence import Evidence, from_flow
from collaudo.recorder.flows import FlowFile
from collaudo.recorder.scenario import Scenario

CSS = """
body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{border-bottom:1px solid #ccd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccd;padding:.3em .6em;
text-align:left;vertical-align:top}th{background:#f3f5f9}.ko{color:#c0392b;font-weight:bold}
pre{background:#f7f7f9;border:1px solid #ddd;padding:.6em;overflow-x:auto;font-size:12px;
white-space:pre-wrap;word-break:break-all}.diagram{overflow-x:auto}
"""


@dataclass
class ReportInput:
    """What a report is made of, whatever its source."""

    title: str
    source: str
    exchanges: list[Evidence]
    failure: str = ""
    drift: list[DriftReport] = field(default_factory=list)
    flows: list[http.HTTPFlow] | None = None
    replay_hint: str = ""

    @property
    def failed(self) -> list[Evidence]:
        return [e for e in self.exchanges if e.failed]


def from_recording(
    name: str, flows: Sequence[http.HTTPFlow], contract_names: Sequence[str] | None = None
) -> ReportInput:
    """A report input from recorded flows, with drift checks where contracts are present."""
    exchanges = [from_flow(i, f) for i, f in enumerate(flows)]
    drift = []
    for contract in contract_names or contracts.CONTRACTS:
        if not contracts.available(contract):
            continue
        result = check(flows, contract)
        if result.checked:
            drift.append(result)
            for v in result.violations:
                exchanges[v.index].problems.append(f"{v.direction} {v.element}: {v.message}")
    return ReportInput(
        title=_("Recording %(name)s") % {"name": name},
        source=_("recording %(name)s") % {"name": name},
        exchanges=exchanges,
        drift=drift,
        flows=list(flows),
    )


def from_scenario(scenario: Scenario) -> ReportInput:
    target = scenario.target or "TARGET"
    return ReportInput(
        title=_("Scenario: %(name)s") % {"name": scenario.name or scenario.id},
        source=_("scenario %(scenario)s on %(target)s")
        % {"scenario": scenario.nodeid or scenario.id, "target": target},
        exchanges=scenario.exchanges,
        failure=scenario.failure,
        replay_hint=_(
            "Re-run the scenario: collaudo run --target %(target)s (scenario %(scenario)s)"
        )
        % {"target": target, "scenario": scenario.nodeid or scenario.name},
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:60] or "exchange"


def _expected(e: Evidence) -> str:
    return _("an answer (HTTP 2xx), outcome OK, no fault, a message valid against the contract")


def _actual(e: Evidence) -> str:
    parts = [
        _("no answer") if e.status is None else f"HTTP {e.status}",
        _("outcome %(outcome)s") % {"outcome": e.outcome},
    ]
    if e.fault_code:
        parts.append(_("fault %(code)s") % {"code": e.fault_code})
    if e.fault_string:
        parts.append(f"“{e.fault_string}”")
    return ", ".join(parts) + "".join(f"; {p}" for p in e.problems[:5])


def _table(rows: Sequence[tuple[str, Any]]) -> Any:
    return E.TABLE(*[E.TR(E.TH(k), E.TD(str(v))) for k, v in rows])


def html_page(report: ReportInput, generated: str) -> bytes:
    failed = report.failed
    body: list[Any] = [
        E.H1(_("collaudo vendor report — %(title)s") % {"title": report.title}),
        _table(
            [
                (_("source"), report.source),
                (_("generated"), generated),
                (_("exchanges"), len(report.exchanges)),
                (_("failed"), len(failed)),
            ]
        ),
        E.H2(_("What failed")),
    ]
    if report.failure:
        body.append(E.P(_("Scenario failure (expected versus actual):")))
        body.append(E.PRE(report.failure))
    if not failed:
        body.append(E.P(_("No exchange failed: every answer was OK and matched the contract.")))
    for e in failed:
        party, why = e.responsible()
        rows = [
            (_("operation"), e.operation),
            (_("party responsible"), f"{party} — {why}" if party else _("undetermined")),
            (_("expected"), _expected(e)),
            (_("actual"), _actual(e)),
            (_("fault code"), e.fault_code or "—"),
            (_("timestamp"), e.started),
            (_("duration"), f"{e.duration_ms:.0f} ms"),
            (_("endpoint"), f"{e.method} {e.endpoint}"),
            *[(k, v) for k, v in e.parameters.items()],
            (_("raw exchange"), f"exchanges/{e.index:03d}-{_slug(e.operation)}.txt"),
            (_("request to resend"), f"resend/{e.index:03d}-{_slug(e.operation)}.sh"),
        ]
        body += [E.H2(f"#{e.index} {e.operation}", E.CLASS("ko")), _table(rows)]
    if report.drift:
        body.append(E.H2(_("Contract checks (drift)")))
        for d in report.drift:
            body.append(E.PRE(d.render()))
    body.append(E.H2(_("Sequence of the exchanges")))
    diagram = E.DIV(E.CLASS("diagram"))
    diagram.append(svg(report.exchanges))
    body.append(diagram)
    body.append(E.H2(_("All exchanges")))
    header = E.TR(
        *[
            E.TH(h)
            for h in (
                "#",
                _("time"),
                _("from → to"),
                _("operation"),
                _("status"),
                _("outcome"),
                _("fault"),
                _("parameters"),
            )
        ]
    )
    rows_html = [
        E.TR(
            E.TD(str(e.index)),
            E.TD(e.started),
            E.TD(f"{e.caller} → {e.callee}"),
            E.TD(e.operation),
            E.TD(str(e.status) if e.status is not None else "—"),
            E.TD(e.outcome, E.CLASS("ko") if e.failed else E.CLASS("ok")),
            E.TD(e.fault_code),
            E.TD(", ".join(f"{k} {v}" for k, v in e.parameters.items())),
        )
        for e in report.exchanges
    ]
    body.append(E.TABLE(header, *rows_html))
    body.append(E.H2(_("Reproduce")))
    body.append(E.PRE(replay_text(report)))
    page = E.HTML(
        {"lang": language()},
        E.HEAD(E.META(charset="utf-8"), E.TITLE(f"collaudo — {report.title}"), E.STYLE(CSS)),
        E.BODY(*body),
    )
    data: bytes = etree.tostring(page, method="html", encoding="utf-8", doctype="<!DOCTYPE html>")
    return data


def replay_text(report: ReportInput) -> str:
    if report.flows is None:
        return (
            report.replay_hint
            + "\n"
            + _(
                "Each file under resend/ resends one request with curl; credentials come "
                "from the environment variables it names."
            )
        )
    return "\n".join(
        [
            _("Serve the recorded answers to the adapter (offline reproduction):"),
            "  collaudo replay recording.flow --mode server --listen 8099",
            _(
                "  then point the adapter's intermediary URLs (MyPay WSDL and endpoint, GPD base\n"
                "  URL, checkout base URL) at http://127.0.0.1:8099"
            ),
            "",
            _("Resend the recorded requests to your test environment and compare the answers:"),
            "  collaudo replay recording.flow --mode client --target https://YOUR-TEST-HOST \\",
            "      --credential password=MYPAY_PASSWORD_ENV \\",
            "      --credential Ocp-Apim-Subscription-Key=GPD_KEY_ENV",
            "",
            _("Each file under resend/ resends one request with curl."),
        ]
    )


def _summary(report: ReportInput, generated: str) -> dict[str, Any]:
    return {
        "title": report.title,
        "source": report.source,
        "generated": generated,
        "failure": report.failure,
        "exchanges": [
            {
                "index": e.index,
                "operation": e.operation,
                "caller": e.caller,
                "callee": e.callee,
                "endpoint": e.endpoint,
                "started": e.started,
                "status": e.status,
                "outcome": e.outcome,
                "fault_code": e.fault_code,
                "fault_string": e.fault_string,
                "parameters": e.parameters,
                "failed": e.failed,
                "responsible": e.responsible()[0],
                "problems": e.problems,
            }
            for e in report.exchanges
        ],
        "drift": [
            {
                "contract": d.contract,
                "checked": d.checked,
                "violations": [str(v) for v in d.violations],
                "contract_defects": [str(x) for x in d.defects],
            }
            for d in report.drift
        ],
    }


def write(report: ReportInput, out: str | Path) -> Path:
    """Write the zip; returns its path."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    resend = report.failed or report.exchanges
    response = _("response")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("index.html", html_page(report, generated))
        z.writestr("summary.json", json.dumps(_summary(report, generated), indent=1))
        z.writestr("REPLAY.txt", replay_text(report) + "\n")
        for e in report.exchanges:
            name = f"exchanges/{e.index:03d}-{_slug(e.operation)}.txt"
            z.writestr(name, f"{e.request}\n\n--- {response} ---\n{e.response}\n")
        for e in resend:
            stem = f"resend/{e.index:03d}-{_slug(e.operation)}"
            body_file = None
            if e.request_body:
                ext = "xml" if e.request_body.lstrip().startswith(b"<") else "json"
                body_file = f"{Path(stem).name}.{ext}"
                z.writestr(f"{stem}.{ext}", e.request_body)
            command = e.curl(body_file)
            if body_file and b">REDACTED<" in e.request_body:
                # The password was redacted: put it back from the environment when sending.
                command = f'sed "s/>REDACTED</>$PASSWORD</" {body_file} | ' + command.replace(
                    f"@{body_file}", "@-"
                )
            comment = _(
                "Resend the request of exchange #%(index)s (%(operation)s).\n"
                "Credentials come from the environment (PASSWORD, header variables)."
            ) % {"index": e.index, "operation": e.operation}
            lines = "".join(f"# {line}\n" for line in comment.splitlines())
            script = f'#!/bin/sh\n{lines}cd "$(dirname "$0")"\n{command}\n'

            z.writestr(zipfile.ZipInfo(f"{stem}.sh"), script)
        if report.flows is not None:
            tmp = target.with_suffix(".flow.tmp")
            out_file = FlowFile(tmp)
            for flow in report.flows:
                out_file.add(flow)
            out_file.close()
            z.write(tmp, "recording.flow")
            tmp.unlink()
    return target
