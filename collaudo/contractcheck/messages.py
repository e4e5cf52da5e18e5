"""The sentences of the report, Italian (default) and English, by finding code.

Each template is formatted with the finding's parameters; a code without a template
falls back to its parameters, so a new check is never silent.
"""

from __future__ import annotations

import re

from collaudo.contractcheck.findings import Finding

LANGS = ("it", "en")

# code: (italiano, English)
FINDINGS: dict[str, tuple[str, str]] = {
    "syntax": (
        "Il file non è sintatticamente valido (colonna {column}): {problem}. Un parser "
        "rigoroso lo rifiuta.",
        "The file is not well-formed (column {column}): {problem}. A strict parser rejects it.",
    ),
    "yaml-tab": (
        "Carattere TAB alla colonna {column}: lo YAML vieta i TAB nell'indentazione e un "
        "parser rigoroso rifiuta il file ({problem}). Sostituire il TAB con spazi.",
        "TAB character at column {column}: YAML forbids TABs in indentation and a strict "
        "parser rejects the file ({problem}). Replace the TAB with spaces.",
    ),
    "duplicate-key": (
        "Chiave «{key}» ripetuta nello stesso oggetto: un parser rigoroso la "
        "rifiuta, uno tollerante tiene solo l'ultima.",
        "Key '{key}' repeated in the same object: a strict parser rejects it, a "
        "lenient one keeps only the last.",
    ),
    "ref-unresolved": (
        "Il $ref «{ref}» non porta a nulla: «{file}» non contiene quel percorso.",
        "The $ref '{ref}' leads nowhere: '{file}' has no such path.",
    ),
    "ref-other-file": (
        "Il $ref locale «{ref}» non si risolve in questo file: la definizione "
        "esiste solo in «{found_in}». Scrivere il riferimento con il nome del file "
        "(«<file>#...») o spostare la definizione.",
        "The local $ref '{ref}' does not resolve in this file: the definition "
        "exists only in '{found_in}'. Name the file in the reference "
        "('<file>#...') or move the definition.",
    ),
    "ref-file-missing": (
        "Il $ref «{ref}» punta a un file che non si trova: {detail}.",
        "The $ref '{ref}' points to a file that cannot be found: {detail}.",
    ),
    "ref-unreadable": (
        "Il $ref «{ref}» (e altri {count} in tutto) porta in «{file}», che un "
        "parser rigoroso non riesce a leggere.",
        "The $ref '{ref}' ({count} in all) leads into '{file}', which a strict parser cannot read.",
    ),
    "ref-not-followed": (
        "Il $ref «{ref}» porta fuori dai documenti forniti (altro host): non è stato letto.",
        "The $ref '{ref}' leads outside the documents given (another host): it was not read.",
    ),
    "strict-invalid": (
        "Il validatore rigoroso ({validator}) rifiuta questo punto: {message}"
        "[[ (causa: il pattern «{cause}» qui sotto non è ECMA-262)]].",
        "The strict validator ({validator}) rejects this node: {message}"
        "[[ (cause: the pattern '{cause}' below it is not ECMA-262)]].",
    ),
    "strict-stopped": (
        "Il validatore rigoroso ({validator}) non riesce a caricare il documento: {message}.",
        "The strict validator ({validator}) cannot load the document: {message}.",
    ),
    "strict-version": (
        "Versione OpenAPI non riconosciuta: «{value}».",
        "Unrecognised OpenAPI version: '{value}'.",
    ),
    "pattern-not-ecma": (
        "Il pattern «{pattern}» non è un'espressione regolare ECMA-262 (il "
        "dialetto di JSON Schema e OpenAPI): {problem}.",
        "The pattern '{pattern}' is not an ECMA-262 regular expression (the "
        "dialect of JSON Schema and OpenAPI): {problem}.",
    ),
    "pattern-unknown-escape": (
        "Il pattern «{pattern}» usa {escapes}, che ECMA-262 non definisce "
        "(in modalità unicode è un errore, altrimenti vale la lettera "
        "stessa[[; {meaning}]]). I validatori rigorosi lo rifiutano o lo "
        "leggono diversamente dall'intenzione.",
        "The pattern '{pattern}' uses {escapes}, which ECMA-262 does not "
        "define (an error in unicode mode, otherwise the bare character"
        "[[; {meaning}]]). Strict validators reject it or read it otherwise "
        "than meant.",
    ),
    "required-undefined": (
        "Lo schema «{schema}» rende obbligatorie proprietà che non definisce: "
        "{missing} (definite: {defined}[[; forse {close}]]). Nessun messaggio "
        "conforme allo schema può averle con un tipo noto.",
        "The schema '{schema}' requires properties it does not define: "
        "{missing} (defined: {defined}[[; perhaps {close}]]).",
    ),
    "no-error-answer": (
        "L'operazione {operation} non dichiara alcuna risposta di errore "
        "(nessun 4xx/5xx/default, nessun wsdl:fault, nessun esempio di errore).",
        "The operation {operation} declares no error answer (no 4xx/5xx/default, "
        "no wsdl:fault, no error example).",
    ),
    "read-success-code": (
        "La lettura {operation} dichiara come successo solo {codes}: una lettura risponde "
        "200, e un client generato dal contratto tratterà il 200 reale come non dichiarato.",
        "The read {operation} declares only {codes} as success: a read answers 200, and a "
        "client generated from the contract will treat the real 200 as undeclared.",
    ),
    "no-fault-inline": (
        "L'operazione {operation} non dichiara wsdl:fault: gli errori viaggiano "
        "nella risposta ({fields}).",
        "The operation {operation} declares no wsdl:fault: errors travel inside "
        "the answer ({fields}).",
    ),
    "example-invalid": (
        "L'esempio viola il proprio schema ({schema}): {message}.",
        "The example violates its own schema ({schema}): {message}.",
    ),
    "example-not-json": (
        "L'esempio «{example}» di {operation} dichiara JSON ma il corpo non è JSON valido.",
        "The example '{example}' of {operation} declares JSON but its body is not valid JSON.",
    ),
    "component-unused": (
        "{section} «{name}» definito ma mai usato.",
        "{section} '{name}' is defined but never used.",
    ),
    "component-undefined": (
        "Riferimento a {kind} «{name}» ({namespace}) che nessuno schema "
        "definisce (attributo {attribute}).",
        "Reference to {kind} '{name}' ({namespace}) that no schema defines "
        "(attribute {attribute}).",
    ),
    "qname-prefix-undeclared": (
        "Il prefisso «{prefix}» di «{qname}» non è dichiarato (xmlns).",
        "The prefix '{prefix}' of '{qname}' is not declared (xmlns).",
    ),
    "qname-not-imported": (
        "Lo schema {schema} usa «{qname}» ({count} riferimenti con il prefisso "
        "{prefix}) del namespace {namespace} senza importarlo (xsd:import): "
        "JAXB lo tollera, libxml2 e xmlschema no. Aggiungere <xsd:import "
        'namespace="{namespace}"/>.',
        "The schema {schema} uses '{qname}' ({count} references with the "
        "prefix {prefix}) from namespace {namespace} without importing it "
        "(xsd:import): JAXB tolerates it, libxml2 and xmlschema do not. Add "
        '<xsd:import namespace="{namespace}"/>.',
    ),
    "strict-schema": (
        "Lo schema {schema} non si carica con {validator}: {message}",
        "The schema {schema} does not load with {validator}: {message}",
    ),
    "import-missing": (
        "L'import «{location}» non si trova: {detail}.",
        "The import '{location}' cannot be found: {detail}.",
    ),
    "import-not-followed": (
        "L'import «{location}» porta fuori dai documenti forniti: non è stato letto.",
        "The import '{location}' leads outside the documents given: it was not read.",
    ),
    "xml-syntax": ("XML non ben formato: {problem}.", "XML not well-formed: {problem}."),
    "xml-dtd": (
        "Il documento contiene un DOCTYPE (DTD/entità): rifiutato per sicurezza.",
        "The document has a DOCTYPE (DTD/entities): refused for safety.",
    ),
    "endpoint-missing": (
        "Nessun soap:address: il WSDL non dice dove chiamare il servizio.",
        "No soap:address: the WSDL does not say where to call the service.",
    ),
    "endpoint-relative": (
        "L'indirizzo del servizio «{location}» è relativo: un client generato "
        "dal WSDL non sa a quale host rivolgersi.",
        "The service address '{location}' is relative: a client generated "
        "from the WSDL does not know which host to call.",
    ),
    "postman-version": (
        "Collezione Postman di formato «{schema}»: è attesa la v2.1.",
        "Postman collection of format '{schema}': v2.1 is expected.",
    ),
    "postman-no-examples": (
        "La richiesta {operation} non ha alcuna risposta d'esempio salvata.",
        "The request {operation} has no saved example response.",
    ),
    "length-name-mismatch": (
        "Il tipo «{name}» promette nel nome {named} caratteri ma il suo "
        "maxLength è {max}: quale dei due vale?",
        "The type '{name}' promises {named} characters in its name but its "
        "maxLength is {max}: which one holds?",
    ),
    "operation-not-bound": (
        "L'operazione {operation} è dichiarata nel portType ma il binding {binding} non la espone.",
        "The operation {operation} is declared in the portType but the "
        "binding {binding} does not expose it.",
    ),
    "binding-undeclared": (
        "Il binding {binding} espone {operation}, che il portType non dichiara.",
        "The binding {binding} exposes {operation}, which the portType does not declare.",
    ),
    "check-incomplete": (
        "Il controllo {check} non è stato completato: {problem}.",
        "The check {check} did not complete: {problem}.",
    ),
}

VERBS = {
    "create": ("creazione della posizione debitoria", "create the debt position"),
    "notice": ("avviso di pagamento (PDF)", "paper notice (PDF)"),
    "checkout": ("pagamento online (link/redirect)", "online payment link (checkout)"),
    "status": ("stato del pagamento", "payment status"),
    "receipt": ("ricevuta telematica", "receipt (RT)"),
}
STATUS = {
    "found": ("trovata", "found"),
    "ambiguous": ("ambigua", "ambiguous"),
    "missing": ("assente", "missing"),
}
CONFIDENCE = {"high": ("alta", "high"), "medium": ("media", "medium"), "low": ("bassa", "low")}
SEVERITY = {
    "error": ("errore", "error"),
    "warning": ("avviso", "warning"),
    "info": ("nota", "info"),
}
REASONS = {
    "name": ("il nome contiene «{detail}»", "the name contains '{detail}'"),
    "summary": ("la descrizione contiene «{detail}»", "the description contains '{detail}'"),
    "noun": ("il nome parla di «{detail}»", "the name is about '{detail}'"),
    "no-debt-noun": (
        "il nome non parla di un debito/posizione/dovuto",
        "the name is not about a debt/position",
    ),
    "method": ("metodo {detail}", "method {detail}"),
    "method-against": ("metodo {detail} (non adatto)", "method {detail} (does not fit)"),
    "other-action": (
        "il nome indica un'altra azione («{detail}»)",
        "the name says another action ('{detail}')",
    ),
    "other-document": (
        "il nome indica un altro documento («{detail}»)",
        "the name says another document ('{detail}')",
    ),
    "bulk": ("operazione massiva/di flusso («{detail}»)", "bulk or flow operation ('{detail}')"),
    "returns-id": (
        "la risposta restituisce l'identificativo «{detail}»",
        "the answer returns the identifier '{detail}'",
    ),
    "request-field": ("la richiesta porta «{detail}»", "the request carries '{detail}'"),
    "response-field": ("la risposta porta «{detail}»", "the answer carries '{detail}'"),
    "media": ("risponde {detail}", "answers {detail}"),
    "notice-document": (
        "la risposta porta il documento dell'avviso «{detail}»",
        "the answer carries the notice document '{detail}'",
    ),
    "item-read": ("lettura di una singola risorsa ({detail})", "reads one resource ({detail})"),
    "list-read": ("lettura di un elenco ({detail})", "reads a list ({detail})"),
    "redirect": ("risponde con un redirect ({detail})", "answers with a redirect ({detail})"),
    "link-field": ("la risposta porta un link «{detail}»", "the answer carries a link '{detail}'"),
    "return-url": (
        "la richiesta porta l'URL di ritorno «{detail}»",
        "the request carries the return URL '{detail}'",
    ),
    "position-id": (
        "la richiesta identifica la posizione con «{detail}»",
        "the request identifies the position by '{detail}'",
    ),
    "session-id": (
        "la richiesta identifica solo una sessione («{detail}»)",
        "the request identifies only a session ('{detail}')",
    ),
    "debt-document": (
        "la richiesta porta un nuovo dovuto («{detail}»): crea, non paga",
        "the request carries a new debt ('{detail}'): it creates, not pays",
    ),
    "receipt-pushed": (
        "la ricevuta è nella richiesta («{detail}»): l'operazione la riceve, non la restituisce",
        "the receipt is in the request ('{detail}'): the operation receives it, "
        "it does not hand it out",
    ),
    "answer-link": ("la risposta è un link di pagamento", "the answer is a payment link"),
}


_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.S)  # [[...]] is dropped when a field in it is empty
_FIELD = re.compile(r"\{(\w+)\}")


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "it" else pair[1]


def finding_sentence(finding: Finding, lang: str) -> str:
    """The sentence a person reads for ``finding``."""
    template = FINDINGS.get(finding.code)
    if template is None:
        return f"{finding.code}: " + ", ".join(f"{k}={v}" for k, v in finding.params.items())
    params = _Defaults({k: v for k, v in finding.params.items() if v})
    text = _OPTIONAL.sub(
        lambda m: m.group(1) if all(params.get(n) for n in _FIELD.findall(m.group(1))) else "",
        _pick(template, lang),
    )
    return text.format_map(params)


def reason_sentence(code: str, detail: str, lang: str) -> str:
    template = REASONS.get(code)
    return _pick(template, lang).format(detail=detail) if template else f"{code} {detail}"


def label(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    return _pick(table[key], lang) if key in table else key
