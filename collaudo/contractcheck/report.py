"""The report: terminal text, Markdown to send to the vendor, and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from collaudo.contractcheck import messages as m
from collaudo.contractcheck.check import CheckReport, DocumentReport
from collaudo.contractcheck.findings import Finding, Severity
from collaudo.contractcheck.mapping import VerbMapping, confidence_label

T = {
    "title": ("Verifica della documentazione del contratto", "Contract documentation check"),
    "loads": ("si carica con i validatori rigorosi", "loads with strict validators"),
    "fails": (
        "NON si carica con i validatori rigorosi: documentazione errata",
        "does NOT load with strict validators: the documentation is wrong",
    ),
    "incomplete": (
        "documentazione incompleta o imprecisa",
        "incomplete or inaccurate documentation",
    ),
    "ok": ("nessun rilievo", "no findings"),
    "mapping": (
        "Le cinque operazioni del proxy di pagamento",
        "The payment proxy's five operations",
    ),
    "validators": ("validatori rigorosi", "strict validators"),
    "candidates": ("candidati", "candidates"),
    "unused": ("definiti e mai usati", "defined and never used"),
    "summary": ("{e} errori, {w} avvisi, {i} note", "{e} errors, {w} warnings, {i} notes"),
    "exit": ("Esito: {v}", "Outcome: {v}"),
    "vendor": (
        "Documentazione errata o incompleta: rilievi da inoltrare al fornitore",
        "Incorrect or incomplete documentation: findings for the vendor",
    ),
}


MISSING = {
    "create": (
        "il contratto non ha un'operazione che crei la posizione debitoria: chiederla al "
        "fornitore (senza, il proxy non può operare)",
        "the contract has no operation creating the debt position: ask the vendor "
        "(without it the proxy cannot work)",
    ),
    "notice": (
        "il contratto non ha un'operazione che produca l'avviso: non va inventata; il "
        "driver genera l'avviso localmente dai dati della posizione (come per GPD) o lo "
        "ottiene da un altro servizio",
        "the contract has no operation producing the notice: do not invent one; the "
        "driver renders the notice locally from the position (as for GPD) or gets it "
        "from another service",
    ),
    "checkout": (
        "il contratto non ha un'operazione di pagamento online: non va inventata; il "
        "pagamento passa per pagoPA Checkout (POST /carts con il numero avviso), come "
        "per GPD",
        "the contract has no online payment operation: do not invent one; payment "
        "goes through pagoPA Checkout (POST /carts with the notice number), as for GPD",
    ),
    "status": (
        "il contratto non ha un'operazione che legga lo stato del pagamento: chiederla "
        "al fornitore o ricavarlo dalla ricevuta",
        "the contract has no operation reading the payment status: ask the vendor or "
        "derive it from the receipt",
    ),
    "receipt": (
        "il contratto non ha un'operazione che restituisca la ricevuta telematica: "
        "chiederla al fornitore",
        "the contract has no operation returning the receipt: ask the vendor",
    ),
}
VALIDATORS = {
    "openapi": "openapi-spec-validator, ECMA-262 (regress)",
    "wsdl": "libxml2 (lxml), xmlschema",
    "xsd": "libxml2 (lxml), xmlschema",
    "postman": "Postman v2.1, JSON Schema (test script)",
}


def t(key: str, lang: str) -> str:
    return T[key][0] if lang == "it" else T[key][1]


def missing(verb: str, lang: str) -> str:
    """What to do when the contract has no operation for ``verb``."""
    return MISSING[verb][0] if lang == "it" else MISSING[verb][1]


def _verdict(document: DocumentReport, lang: str) -> str:
    if not document.loads_strictly:
        return t("fails", lang)
    if document.count(Severity.WARNING):
        return f"{t('loads', lang)}; {t('incomplete', lang)}"
    return t("loads", lang)


def _counts(document: DocumentReport, lang: str) -> str:
    return t("summary", lang).format(
        e=document.count(Severity.ERROR),
        w=document.count(Severity.WARNING),
        i=document.count(Severity.INFO),
    )


GROUPED = {
    "component-unused": ("definiti e mai usati", "defined and never used"),
    "no-fault-inline": (
        "operazioni senza wsdl:fault (errori nella risposta)",
        "operations without wsdl:fault (errors inside the answer)",
    ),
}


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


def _candidate_text(mapping: VerbMapping, lang: str, limit: int = 3) -> list[str]:
    lines = []
    for candidate in mapping.candidates[:limit]:
        reasons = "; ".join(
            m.reason_sentence(r.code, r.detail, lang) for r in candidate.reasons if r.weight
        )
        lines.append(f"{candidate.operation.label} [{candidate.score:g}] — {reasons}")
    return lines


def _verb_line(mapping: VerbMapping, lang: str) -> str:
    verb = m.label(m.VERBS, mapping.verb, lang)
    status = m.label(m.STATUS, mapping.status, lang)
    if mapping.status == "missing":
        return f"{verb}: {status}"
    op = mapping.operation
    confidence = m.label(m.CONFIDENCE, confidence_label(mapping.confidence), lang)
    return f"{verb}: {status} → {op.label if op else '?'} ({confidence}, {mapping.confidence:.2f})"


def to_text(report: CheckReport, lang: str = "it") -> str:
    """The terminal report."""
    out = [t("title", lang), ""]
    for document in report.documents:
        out.append(f"== {document.name} ({document.kind.value}): {_verdict(document, lang)}")
        out.append(
            f"   {_counts(document, lang)} — {t('validators', lang)}: "
            f"{VALIDATORS[document.kind.value]}"
        )
        listed, unused = _grouped(document.findings)
        for finding in listed:
            severity = m.label(m.SEVERITY, finding.severity.value, lang)
            out.append(f"   [{severity}] {finding.location}")
            out.append(f"      {m.finding_sentence(finding, lang)} ({finding.code})")
        for (file, code), names in unused.items():
            what = GROUPED[code][0] if lang == "it" else GROUPED[code][1]
            out.append(
                f"   [{m.label(m.SEVERITY, 'info', lang)}] {file}: {len(names)} "
                f"{what}: {', '.join(names[:12])}{' …' if len(names) > 12 else ''}"
            )
        out.append("")
    out.append(t("mapping", lang))
    for mapping in report.mapping.values():
        out.append(f"  - {_verb_line(mapping, lang)}")
        if mapping.status == "missing":
            out.append(f"      {missing(mapping.verb, lang)}")
        if mapping.status == "ambiguous" or (mapping.status == "found" and mapping.candidates):
            shown = _candidate_text(mapping, lang, 3 if mapping.status == "ambiguous" else 1)
            out += [f"      {line}" for line in shown]
    verdict = "OK" if report.exit_code == 0 else t("fails", lang)
    out += ["", t("exit", lang).format(v=verdict)]
    return "\n".join(out)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: CheckReport, lang: str = "it") -> str:
    """The Markdown report a person can send to the vendor."""
    out = [f"# {t('vendor', lang)}", ""]
    for document in report.documents:
        out += [
            f"## `{document.name}` ({document.kind.value})",
            "",
            f"**{_verdict(document, lang)}** — {_counts(document, lang)}",
            "",
        ]
        if document.findings:
            head = (
                "| gravità | codice | dove | rilievo |"
                if lang == "it"
                else "| severity | code | where | finding |"
            )
            out += [head, "|---|---|---|---|"]
            for f in document.findings:
                out.append(
                    f"| {m.label(m.SEVERITY, f.severity.value, lang)} | `{f.code}` | "
                    f"`{_md_cell(str(f.location))}` | {_md_cell(m.finding_sentence(f, lang))} |"
                )
            out.append("")
    out += [f"## {t('mapping', lang)}", ""]
    for mapping in report.mapping.values():
        out.append(f"- **{_verb_line(mapping, lang)}**")
        if mapping.status == "missing":
            out.append(f"  - {missing(mapping.verb, lang)}")
        for line in _candidate_text(mapping, lang):
            out.append(f"  - {_md_cell(line)}")
    return "\n".join(out) + "\n"


def _finding_json(finding: Finding, lang: str) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "file": finding.location.file,
        "line": finding.location.line,
        "pointer": finding.location.pointer,
        "message": m.finding_sentence(finding, lang),
        "params": dict(finding.params),
    }


def mapping_json(mapping: VerbMapping, lang: str) -> dict[str, Any]:
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
                        "text": m.reason_sentence(r.code, r.detail, lang),
                    }
                    for r in c.reasons
                ],
            }
            for c in mapping.candidates
        ],
    }


def to_json(report: CheckReport, lang: str = "it") -> str:
    """The whole report as JSON (stable codes; sentences in ``lang``)."""
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
                "findings": [_finding_json(f, lang) for f in d.findings],
                "operations": [op.as_dict() for op in d.operations],
            }
            for d in report.documents
        ],
        "mapping": {verb: mapping_json(mp, lang) for verb, mp in report.mapping.items()},
        "missing_advice": {
            verb: missing(verb, lang)
            for verb, mp in report.mapping.items()
            if mp.status == "missing"
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
