"""The report: terminal text, Markdown to send to the vendor, and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from collaudo.contractcheck import messages as m
from collaudo.contractcheck.check import CheckReport, DocumentReport
from collaudo.contractcheck.findings import Finding, Severity
from collaudo.contractcheck.mapping import VerbMapping, confidence_label
from collaudo.i18n import N_, ngettext, use_language
from collaudo.i18n import gettext as _

MISSING = {
    "create": N_(
        "the contract has no operation creating the debt position: ask the vendor "
        "(without it the proxy cannot work)"
    ),
    "notice": N_(
        "the contract has no operation producing the notice: do not invent one; the "
        "driver renders the notice locally from the position (as for GPD) or gets it "
        "from another service"
    ),
    "checkout": N_(
        "the contract has no online payment operation: do not invent one; payment "
        "goes through pagoPA Checkout (POST /carts with the notice number), as for GPD"
    ),
    "status": N_(
        "the contract has no operation reading the payment status: ask the vendor or "
        "derive it from the receipt"
    ),
    "receipt": N_("the contract has no operation returning the receipt: ask the vendor"),
}
VALIDATORS = {
    "openapi": "openapi-spec-validator, ECMA-262 (regress)",
    "wsdl": "libxml2 (lxml), xmlschema",
    "xsd": "libxml2 (lxml), xmlschema",
    "postman": "Postman v2.1, JSON Schema (test script)",
}
FAILS = N_("does NOT load with strict validators: the documentation is wrong")
# Many alike notes, one line per file and code.
GROUPED = {
    "component-unused": N_("defined and never used (%(count)s): %(names)s"),
    "no-fault-inline": N_(
        "operations without wsdl:fault, errors inside the answer (%(count)s): %(names)s"
    ),
}


def missing(verb: str, lang: str | None = None) -> str:
    """What to do when the contract has no operation for ``verb``."""
    with use_language(lang):
        return _(MISSING[verb])


def _verdict(document: DocumentReport) -> str:
    if not document.loads_strictly:
        return _(FAILS)
    if document.count(Severity.WARNING):
        return _("loads with strict validators; incomplete or inaccurate documentation")
    return _("loads with strict validators")


def _counts(document: DocumentReport) -> str:
    """``2 errors, 1 warning, 0 notes``: each count with its own plural form."""
    errors = document.count(Severity.ERROR)
    warnings = document.count(Severity.WARNING)
    notes = document.count(Severity.INFO)
    return ", ".join(
        (
            ngettext("%(count)s error", "%(count)s errors", errors) % {"count": errors},
            ngettext("%(count)s warning", "%(count)s warnings", warnings) % {"count": warnings},
            ngettext("%(count)s note", "%(count)s notes", notes) % {"count": notes},
        )
    )


def _grouped(
    findings: Iterable[Finding],
) -> tuple[list[Finding], dict[tuple[str, str], list[str]]]:
    """Findings to list one by one, and the many-alike notes grouped by file and code."""
    listed: list[Finding] = []
    grouped: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        if finding.code in GROUPED:
            name = finding.params.get("name") or finding.params.get("operation", "")
            grouped.setdefault((finding.location.file, finding.code), []).append(name)
        else:
            listed.append(finding)
    return listed, grouped


def _candidate_text(mapping: VerbMapping, limit: int = 3) -> list[str]:
    lines = []
    for candidate in mapping.candidates[:limit]:
        reasons = "; ".join(
            m.reason_sentence(r.code, r.detail) for r in candidate.reasons if r.weight
        )
        lines.append(f"{candidate.operation.label} [{candidate.score:g}] — {reasons}")
    return lines


def _verb_line(mapping: VerbMapping) -> str:
    verb = m.label(m.VERBS, mapping.verb)
    status = m.label(m.STATUS, mapping.status)
    if mapping.status == "missing":
        return f"{verb}: {status}"
    op = mapping.operation
    confidence = m.label(m.CONFIDENCE, confidence_label(mapping.confidence))
    return f"{verb}: {status} → {op.label if op else '?'} ({confidence}, {mapping.confidence:.2f})"


def _grouped_line(file: str, code: str, names: list[str]) -> str:
    shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
    what = _(GROUPED[code]) % {"count": len(names), "names": shown}
    return f"[{m.label(m.SEVERITY, 'info')}] {file}: {what}"


def to_text(report: CheckReport, lang: str | None = None) -> str:
    """The terminal report, in ``lang`` (default: the current language)."""
    with use_language(lang):
        return _text(report)


def _text(report: CheckReport) -> str:
    out = [_("Contract documentation check"), ""]
    for document in report.documents:
        out.append(f"== {document.name} ({document.kind.value}): {_verdict(document)}")
        validators = _("strict validators: %(names)s") % {"names": VALIDATORS[document.kind.value]}
        out.append(f"   {_counts(document)} — {validators}")
        listed, unused = _grouped(document.findings)
        for finding in listed:
            severity = m.label(m.SEVERITY, finding.severity.value)
            out.append(f"   [{severity}] {finding.location}")
            out.append(f"      {m.finding_sentence(finding)} ({finding.code})")
        for (file, code), names in unused.items():
            out.append(f"   {_grouped_line(file, code, names)}")
        out.append("")
    out.append(_("The payment proxy's five operations"))
    for mapping in report.mapping.values():
        out.append(f"  - {_verb_line(mapping)}")
        if mapping.status == "missing":
            out.append(f"      {missing(mapping.verb)}")
        if mapping.status == "ambiguous" or (mapping.status == "found" and mapping.candidates):
            shown = _candidate_text(mapping, 3 if mapping.status == "ambiguous" else 1)
            out += [f"      {line}" for line in shown]
    verdict = "OK" if report.exit_code == 0 else _(FAILS)
    out += ["", _("Outcome: %(verdict)s") % {"verdict": verdict}]
    return "\n".join(out)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: CheckReport, lang: str | None = None) -> str:
    """The Markdown report a person can send to the vendor, in ``lang`` (default: the
    current language)."""
    with use_language(lang):
        return _markdown(report)


def _markdown(report: CheckReport) -> str:
    title = _("Incorrect or incomplete documentation: findings for the vendor")
    out = [f"# {title}", ""]
    for document in report.documents:
        out += [
            f"## `{document.name}` ({document.kind.value})",
            "",
            f"**{_verdict(document)}** — {_counts(document)}",
            "",
        ]
        if document.findings:
            head = (_("severity"), _("code"), _("where"), _("finding"))
            out += ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
            for f in document.findings:
                out.append(
                    f"| {m.label(m.SEVERITY, f.severity.value)} | `{f.code}` | "
                    f"`{_md_cell(str(f.location))}` | {_md_cell(m.finding_sentence(f))} |"
                )
            out.append("")
    operations = _("The payment proxy's five operations")
    out += [f"## {operations}", ""]
    for mapping in report.mapping.values():
        out.append(f"- **{_verb_line(mapping)}**")
        if mapping.status == "missing":
            out.append(f"  - {missing(mapping.verb)}")
        for line in _candidate_text(mapping):
            out.append(f"  - {_md_cell(line)}")
    return "\n".join(out) + "\n"


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "file": finding.location.file,
        "line": finding.location.line,
        "pointer": finding.location.pointer,
        "message": m.finding_sentence(finding),
        "params": dict(finding.params),
    }


def mapping_json(mapping: VerbMapping, lang: str | None = None) -> dict[str, Any]:
    """One verb's mapping, with the reasons' sentences in ``lang`` (default: current)."""
    with use_language(lang):
        return _mapping_json(mapping)


def _mapping_json(mapping: VerbMapping) -> dict[str, Any]:
    return {
        "verb": mapping.verb,
        "status": mapping.status,
        "confidence": mapping.confidence,
        "operation": mapping.operation.as_dict() if mapping.operation else None,
        "candidates": [
            {
                "operation": c.operation.as_dict(),
                "score": c.score,
                "reasons": [
                    {
                        "code": r.code,
                        "detail": r.detail,
                        "weight": r.weight,
                        "text": m.reason_sentence(r.code, r.detail),
                    }
                    for r in c.reasons
                ],
            }
            for c in mapping.candidates
        ],
    }


def to_json(report: CheckReport, lang: str | None = None) -> str:
    """The whole report as JSON (stable codes; sentences in ``lang``, default: current)."""
    with use_language(lang):
        return _json(report)


def _json(report: CheckReport) -> str:
    data = {
        "exit_code": report.exit_code,
        "unreadable": report.unreadable,
        "documents": [
            {
                "source": d.source,
                "name": d.name,
                "kind": d.kind.value,
                "loads_strictly": d.loads_strictly,
                "counts": {s.value: d.count(s) for s in Severity},
                "findings": [_finding_json(f) for f in d.findings],
                "operations": [op.as_dict() for op in d.operations],
            }
            for d in report.documents
        ],
        "mapping": {verb: _mapping_json(mp) for verb, mp in report.mapping.items()},
        "missing_advice": {
            verb: missing(verb) for verb, mp in report.mapping.items() if mp.status == "missing"
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
