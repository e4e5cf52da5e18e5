"""The sentences of the report, by finding code, through collaudo's gettext catalog.

Message ids are the English text with named placeholders (``%(name)s``), formatted with
the finding's parameters after translating; the Italian lives in
``collaudo/locales/it/LC_MESSAGES/collaudo.po``. A sentence whose part depends on an
optional parameter has two whole variants (one without it), never pieces joined. A code
without a sentence falls back to its parameters, so a new check is never silent.
"""

from __future__ import annotations

from collaudo.contractcheck.findings import Finding
from collaudo.i18n import N_, use_language
from collaudo.i18n import gettext as _

# code: sentence, or ((parameter, sentence when that parameter has a value), sentence)
Sentence = str | tuple[tuple[str, str], str]

FINDINGS: dict[str, Sentence] = {
    "syntax": N_(
        "The file is not well-formed (column %(column)s): %(problem)s. A strict parser rejects it."
    ),
    "yaml-tab": N_(
        "TAB character at column %(column)s: YAML forbids TABs in indentation and a strict "
        "parser rejects the file (%(problem)s). Replace the TAB with spaces."
    ),
    "duplicate-key": N_(
        "Key '%(key)s' repeated in the same object: a strict parser rejects it, a "
        "lenient one keeps only the last."
    ),
    "ref-unresolved": N_("The $ref '%(ref)s' leads nowhere: '%(file)s' has no such path."),
    "ref-other-file": N_(
        "The local $ref '%(ref)s' does not resolve in this file: the definition "
        "exists only in '%(found_in)s'. Name the file in the reference "
        "('<file>#...') or move the definition."
    ),
    "ref-file-missing": N_("The $ref '%(ref)s' points to a file that cannot be found: %(detail)s."),
    "ref-unreadable": N_(
        "The $ref '%(ref)s' (%(count)s in all) leads into '%(file)s', which a strict parser "
        "cannot read."
    ),
    "ref-not-followed": N_(
        "The $ref '%(ref)s' leads outside the documents given (another host): it was not read."
    ),
    "strict-invalid": (
        (
            "cause",
            N_(
                "The strict validator (%(validator)s) rejects this node: %(message)s "
                "(cause: the pattern '%(cause)s' below it is not ECMA-262)."
            ),
        ),
        N_("The strict validator (%(validator)s) rejects this node: %(message)s."),
    ),
    "strict-stopped": N_(
        "The strict validator (%(validator)s) cannot load the document: %(message)s."
    ),
    "strict-version": N_("Unrecognised OpenAPI version: '%(value)s'."),
    "pattern-not-ecma": N_(
        "The pattern '%(pattern)s' is not an ECMA-262 regular expression (the "
        "dialect of JSON Schema and OpenAPI): %(problem)s."
    ),
    "pattern-unknown-escape": (
        (
            "meaning",
            N_(
                "The pattern '%(pattern)s' uses %(escapes)s, which ECMA-262 does not "
                "define (an error in unicode mode, otherwise the bare character; "
                "%(meaning)s). Strict validators reject it or read it otherwise than meant."
            ),
        ),
        N_(
            "The pattern '%(pattern)s' uses %(escapes)s, which ECMA-262 does not "
            "define (an error in unicode mode, otherwise the bare character). "
            "Strict validators reject it or read it otherwise than meant."
        ),
    ),
    "required-undefined": (
        (
            "close",
            N_(
                "The schema '%(schema)s' requires properties it does not define: "
                "%(missing)s (defined: %(defined)s; perhaps %(close)s). No message valid "
                "against the schema can carry them with a known type."
            ),
        ),
        N_(
            "The schema '%(schema)s' requires properties it does not define: "
            "%(missing)s (defined: %(defined)s). No message valid against the schema "
            "can carry them with a known type."
        ),
    ),
    "no-error-answer": N_(
        "The operation %(operation)s declares no error answer (no 4xx/5xx/default, "
        "no wsdl:fault, no error example)."
    ),
    "read-success-code": N_(
        "The read %(operation)s declares only %(codes)s as success: a read answers 200, and a "
        "client generated from the contract will treat the real 200 as undeclared."
    ),
    "no-fault-inline": N_(
        "The operation %(operation)s declares no wsdl:fault: errors travel inside "
        "the answer (%(fields)s)."
    ),
    "example-invalid": N_("The example violates its own schema (%(schema)s): %(message)s."),
    "example-not-json": N_(
        "The example '%(example)s' of %(operation)s declares JSON but its body is not valid JSON."
    ),
    "component-unused": N_("%(section)s '%(name)s' is defined but never used."),
    "component-undefined": N_(
        "Reference to %(kind)s '%(name)s' (%(namespace)s) that no schema defines "
        "(attribute %(attribute)s)."
    ),
    "qname-prefix-undeclared": N_(
        "The prefix '%(prefix)s' of '%(qname)s' is not declared (xmlns)."
    ),
    "qname-not-imported": N_(
        "The schema %(schema)s uses '%(qname)s' (%(count)s references with the "
        "prefix %(prefix)s) from namespace %(namespace)s without importing it "
        "(xsd:import): JAXB tolerates it, libxml2 and xmlschema do not. Add "
        '<xsd:import namespace="%(namespace)s"/>.'
    ),
    "strict-schema": N_("The schema %(schema)s does not load with %(validator)s: %(message)s"),
    "import-missing": N_("The import '%(location)s' cannot be found: %(detail)s."),
    "import-not-followed": N_(
        "The import '%(location)s' leads outside the documents given: it was not read."
    ),
    "xml-syntax": N_("XML not well-formed: %(problem)s."),
    "xml-dtd": N_("The document has a DOCTYPE (DTD/entities): refused for safety."),
    "endpoint-missing": N_("No soap:address: the WSDL does not say where to call the service."),
    "endpoint-relative": N_(
        "The service address '%(location)s' is relative: a client generated "
        "from the WSDL does not know which host to call."
    ),
    "postman-version": N_("Postman collection of format '%(schema)s': v2.1 is expected."),
    "postman-no-examples": N_("The request %(operation)s has no saved example response."),
    "length-name-mismatch": N_(
        "The type '%(name)s' promises %(named)s characters in its name but its "
        "maxLength is %(max)s: which one holds?"
    ),
    "operation-not-bound": N_(
        "The operation %(operation)s is declared in the portType but the "
        "binding %(binding)s does not expose it."
    ),
    "binding-undeclared": N_(
        "The binding %(binding)s exposes %(operation)s, which the portType does not declare."
    ),
    "check-incomplete": N_("The check %(check)s did not complete: %(problem)s."),
}

VERBS = {
    "create": N_("create the debt position"),
    "notice": N_("paper notice (PDF)"),
    "checkout": N_("online payment link (checkout)"),
    "status": N_("payment status"),
    "receipt": N_("receipt (RT)"),
}
STATUS = {"found": N_("found"), "ambiguous": N_("ambiguous"), "missing": N_("missing")}
CONFIDENCE = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
SEVERITY = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
REASONS = {
    "name": N_("the name contains '%(detail)s'"),
    "summary": N_("the description contains '%(detail)s'"),
    "noun": N_("the name is about '%(detail)s'"),
    "no-debt-noun": N_("the name is not about a debt/position"),
    "method": N_("method %(detail)s"),
    "method-against": N_("method %(detail)s (does not fit)"),
    "other-action": N_("the name says another action ('%(detail)s')"),
    "other-document": N_("the name says another document ('%(detail)s')"),
    "bulk": N_("bulk or flow operation ('%(detail)s')"),
    "returns-id": N_("the answer returns the identifier '%(detail)s'"),
    "request-field": N_("the request carries '%(detail)s'"),
    "response-field": N_("the answer carries '%(detail)s'"),
    "media": N_("answers %(detail)s"),
    "notice-document": N_("the answer carries the notice document '%(detail)s'"),
    "item-read": N_("reads one resource (%(detail)s)"),
    "list-read": N_("reads a list (%(detail)s)"),
    "redirect": N_("answers with a redirect (%(detail)s)"),
    "link-field": N_("the answer carries a link '%(detail)s'"),
    "return-url": N_("the request carries the return URL '%(detail)s'"),
    "position-id": N_("the request identifies the position by '%(detail)s'"),
    "session-id": N_("the request identifies only a session ('%(detail)s')"),
    "debt-document": N_("the request carries a new debt ('%(detail)s'): it creates, not pays"),
    "receipt-pushed": N_(
        "the receipt is in the request ('%(detail)s'): the operation receives it, "
        "it does not hand it out"
    ),
    "answer-link": N_("the answer is a payment link"),
}


class _Defaults(dict[str, str]):
    """A finding's parameters; one a check did not give reads as a dash."""

    def __missing__(self, key: str) -> str:
        return "—"


def template(code: str, params: dict[str, str]) -> str | None:
    """The message id for ``code`` given which ``params`` have a value (None: no sentence)."""
    sentence = FINDINGS.get(code)
    if sentence is None or isinstance(sentence, str):
        return sentence
    (needed, fuller), plain = sentence
    return fuller if params.get(needed) else plain


def finding_sentence(finding: Finding, lang: str | None = None) -> str:
    """The sentence a person reads for ``finding``, in ``lang`` (default: the current
    language, :func:`collaudo.i18n.language`)."""
    params = _Defaults({k: v for k, v in finding.params.items() if v})
    message = template(finding.code, params)
    if message is None:
        return f"{finding.code}: " + ", ".join(f"{k}={v}" for k, v in finding.params.items())
    with use_language(lang):
        return _(message) % params


def reason_sentence(code: str, detail: str, lang: str | None = None) -> str:
    """Why a candidate operation scored as it did, in ``lang`` (default: current)."""
    message = REASONS.get(code)
    if message is None:
        return f"{code} {detail}"
    with use_language(lang):
        return _(message) % {"detail": detail}


def label(table: dict[str, str], key: str, lang: str | None = None) -> str:
    """A verb, status, confidence or severity word; an unknown key shows as itself."""
    if key not in table:
        return key
    with use_language(lang):
        return _(table[key])
