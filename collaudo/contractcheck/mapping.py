"""Which operations of a contract serve the five verbs of a payment proxy.

Every operation is scored for each verb from signals a person would read: words of its
name, path and summary (Italian and English), its HTTP method, the fields of its request
and answer (``iuv``, ``numeroAvviso``/``noticeNumber``, ``stato``/``status``, ``rt``…), its
content types (a PDF) and whether it answers with a redirect. The best operation is
*found* when it scores at least :data:`MIN_SCORE` and clearly ahead of the next
(:data:`AMBIGUITY`); *ambiguous* when another comes close; *missing* when nothing scores
enough — then the contract has no such operation, and the report says so rather than
guessing. :func:`map_operations` is the API the driver scaffolding builds on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from collaudo.contractcheck.operations import Operation

VERBS = ("create", "notice", "checkout", "status", "receipt")
MIN_SCORE = 3.0
AMBIGUITY = 0.8  # a runner-up at 80% of the best makes the choice ambiguous

_BULK = (
    "flusso",
    "flussi",
    "export",
    "massiv",
    "massive",
    "bulk",
    "batch",
    "storico",
    "history",
    "rendicont",
    "riconcil",
    "template",
    "folder",
    "csv",
    "transfers",
    "iban",
)
_CREATE = (
    "crea",
    "create",
    "insert",
    "inserisc",
    "importa",
    "import",
    "carica",
    "nuov",
    "new",
    "add",
    "genera",
    "upsert",
)
_NOT_CREATE = (
    "update",
    "modifica",
    "aggiorna",
    "delete",
    "elimina",
    "annull",
    "cancel",
    "invalid",
    "publish",
    "pubblica",
    "verifica",
    "verify",
    "chiedi",
    "get",
    "find",
    "list",
    "cerca",
    "search",
    "notific",
    "notify",
    "ricevut",
    "receipt",
)
_DEBT = ("dovut", "debt", "debit", "posizion", "position", "pendenz", "versament")
_NOTICE = ("avvis", "notice", "bollettin")
_PRINT = ("stampa", "print", "pdf")
_DOCUMENT = ("url", "file", "pdf", "zip", "base64", "document", "download")
_CHECKOUT = ("checkout", "cart", "carrell", "redirect")
_LINK_FIELDS = (
    "url",
    "redirect",
    "redirecturl",
    "location",
    "checkouturl",
    "urlpagamento",
    "paymenturl",
    "urlcheckout",
    "link",
)
_RETURN = ("ritorno", "return", "risposta", "back", "callback", "esito", "ok")
_POSITION_ID = (
    "iuv",
    "identificativounivocoversamento",
    "identificativounivocodovuto",
    "noticenumber",
    "numeroavviso",
    "codiceavviso",
    "iupd",
    "idpendenza",
    "iud",
    "nav",
    "creditorreferenceid",
)
_SESSION = ("idsession", "sessionid", "idsessione", "idsessioncarrello")
_AMOUNT = ("importo", "amount", "importototale", "totalamount")
_STATUS = ("stato", "status", "state", "esito", "outcome")
_PAID = ("pagat", "paid")
_WRITE = (
    "registra",
    "invia",
    "importa",
    "crea",
    "create",
    "insert",
    "update",
    "aggiorna",
    "modifica",
    "delete",
    "elimina",
    "annull",
    "cancel",
    "invalid",
    "publish",
    "pubblica",
)
_RECEIPT = ("ricevut", "receipt", "quietanz")
_RECEIPT_FIELDS = ("rt", "ricevuta", "receipt", "urldownloadrt", "rtpdf", "receipts")


@dataclass(frozen=True)
class Reason:
    """One signal: a stable ``code`` (rendered in Italian or English by the report), what
    triggered it, and its weight (negative for a signal against)."""

    code: str
    detail: str
    weight: float


@dataclass(frozen=True)
class Candidate:
    """An operation scored for a verb."""

    operation: Operation
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class VerbMapping:
    """The outcome for one verb: ``status`` is "found", "ambiguous" or "missing"."""

    verb: str
    status: str
    confidence: float
    candidates: tuple[Candidate, ...] = field(default=())

    @property
    def operation(self) -> Operation | None:
        """The chosen operation (the best candidate), None when missing."""
        return (
            self.candidates[0].operation if self.status != "missing" and self.candidates else None
        )


def words(text: str) -> list[str]:
    """Lower-case words of a name, path or sentence: ``paaSILImportaDovuto`` →
    ``["paa", "sil", "importa", "dovuto"]``."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", text)]


def _norm(field_name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", field_name.lower())


def _has(tokens: Iterable[str], stems: Sequence[str]) -> str | None:
    for token in tokens:
        for stem in stems:
            if token.startswith(stem):
                return token
    return None


class _Scorer:
    def __init__(self, op: Operation) -> None:
        self.op = op
        self.name = words(op.name) + words(op.path or "")
        self.summary = words(op.summary)[:60]
        self.request = [_norm(f) for f in op.request_fields]
        self.response = [_norm(f) for f in op.response_fields]
        self.response_words = [words(f) for f in op.response_fields]
        self.reasons: list[Reason] = []
        # a read of one resource names it in the path; a read without any is a list
        self.item_read = op.method == "GET" and "{" in (op.path or "")
        self.list_read = op.method == "GET" and "{" not in (op.path or "")
        self.position_in = [f for f in self.request if f in _POSITION_ID]

    def add(self, code: str, detail: str, weight: float) -> None:
        self.reasons.append(Reason(code, detail, weight))

    def common(self) -> None:
        bulk = _has(self.name, _BULK)
        if bulk:
            self.add("bulk", bulk, -3)

    def name_word(self, stems: Sequence[str], weight: float, code: str = "name") -> bool:
        found = _has(self.name, stems)
        if found:
            self.add(code, found, weight)
            return True
        found = _has(self.summary, stems)
        if found:
            self.add("summary", found, weight / 4)
        return False

    def score(self) -> float:
        return round(sum(r.weight for r in self.reasons), 2)


def _create(s: _Scorer) -> None:
    s.name_word(_CREATE, 2)
    if not s.name_word(_DEBT, 1, "noun"):
        # creating something that is not a debt (a reconciliation, a user) is not this verb
        s.add("no-debt-noun", "", -1.5)
    wrong = _has(s.name, _NOT_CREATE)
    if wrong:
        s.add("other-action", wrong, -2)
    if s.op.method in ("POST", "PUT"):
        s.add("method", s.op.method, 1)
    elif s.op.method in ("GET", "DELETE"):
        s.add("method-against", s.op.method, -3)
    ids = [f for f in s.response if f in _POSITION_ID]
    if ids:
        s.add("returns-id", ids[0], 2)
    amount = [f for f in s.request if f in _AMOUNT]
    if amount:
        s.add("request-field", amount[0], 1)


def _notice(s: _Scorer) -> None:
    s.name_word(_NOTICE, 1)
    receipt = _has(s.name, _RECEIPT) or ("rt" if "rt" in s.name else None)
    if receipt:
        s.add("other-document", receipt, -3)
    s.name_word(_PRINT, 1.5)
    if any("pdf" in m for m in s.op.response_media):
        s.add("media", "application/pdf", 4)
    for field_words in s.response_words:
        if _has(field_words, _NOTICE) and _has(field_words, _DOCUMENT):
            s.add("notice-document", "".join(field_words), 3)
            break
    if s.item_read and s.position_in:
        s.add("item-read", s.position_in[0], 1)


def _checkout(s: _Scorer) -> None:
    s.name_word(_CHECKOUT, 2)
    if s.op.redirects:
        s.add("redirect", "3xx Location", 2)
    link = [f for f in s.response if f in _LINK_FIELDS]
    if link:
        s.add("link-field", link[0], 2)
    returns = [f for f in s.op.request_fields if "url" in f.lower() and _has(words(f), _RETURN)]
    if returns:
        s.add("return-url", returns[0], 1.5)
    if s.position_in:
        s.add("position-id", s.position_in[0], 1.5)
    debt = [f for f in s.request if _has([f], ("dovut", "debtposition", "pendenz"))]
    if debt and not s.position_in:
        s.add("debt-document", debt[0], -2)


def _status(s: _Scorer) -> None:
    s.name_word(_STATUS, 1.5)
    s.name_word(_PAID, 2)
    _reads_only(s)
    states = [f for f in s.response if f in _STATUS or _has([f], _PAID)]
    if states:
        s.add("response-field", states[0], 1)
    if s.item_read:
        s.add("item-read", s.op.path or "", 1.5)
    elif s.list_read:
        s.add("list-read", s.op.path or "", -1)
    if s.position_in:
        s.add("position-id", s.position_in[0], 2)
    elif any(f in _SESSION for f in s.request):
        s.add("session-id", next(f for f in s.request if f in _SESSION), 0.5)
    if any(f in _LINK_FIELDS for f in s.response):
        s.add("answer-link", "url", -1.5)


def _reads_only(s: _Scorer) -> None:
    """Status and receipt are reads: an operation that writes is a signal against."""
    write = _has(words(s.op.name), _WRITE)
    if write:
        s.add("other-action", write, -2)
    if s.op.method in ("POST", "PUT", "PATCH", "DELETE"):
        s.add("method-against", s.op.method, -2)


def _receipt(s: _Scorer) -> None:
    if not s.name_word(_RECEIPT, 2.5) and "rt" in s.name:
        s.add("name", "rt", 2.5)
    _reads_only(s)
    sent = [f for f in s.request if f in _RECEIPT_FIELDS or _has([f], _RECEIPT)]
    if sent and not any(f in _RECEIPT_FIELDS for f in s.response):
        # the receipt travels in the request: this operation is called *with* a receipt
        # (a push to the creditor), it does not hand one out
        s.add("receipt-pushed", sent[0], -3)
    found = [f for f in s.response if f in _RECEIPT_FIELDS]
    if found:
        s.add("response-field", found[0], 2)
    if s.position_in:
        s.add("position-id", s.position_in[0], 1.5)
    if s.item_read:
        s.add("item-read", s.op.path or "", 1)
    elif s.list_read:
        s.add("list-read", s.op.path or "", -1)


_RULES = {
    "create": _create,
    "notice": _notice,
    "checkout": _checkout,
    "status": _status,
    "receipt": _receipt,
}


def score(operation: Operation, verb: str) -> Candidate:
    """``operation`` scored for ``verb``, with its reasons."""
    scorer = _Scorer(operation)
    scorer.common()
    _RULES[verb](scorer)
    return Candidate(operation, scorer.score(), tuple(scorer.reasons))


def map_verb(operations: Sequence[Operation], verb: str) -> VerbMapping:
    """The mapping of one verb over ``operations``."""
    ranked = sorted((score(op, verb) for op in operations), key=lambda c: -c.score)
    shown = tuple(c for c in ranked[:3] if c.score > 0)
    best = ranked[0].score if ranked else 0.0
    if best < MIN_SCORE:
        return VerbMapping(verb, "missing", 0.0, shown)
    second = ranked[1].score if len(ranked) > 1 else 0.0
    margin = 1 - max(second, 0) / best
    confidence = round(min(1.0, best / 7) * (0.5 + 0.5 * margin), 2)
    status = "ambiguous" if second >= AMBIGUITY * best else "found"
    return VerbMapping(verb, status, confidence, shown)


def map_operations(operations: Sequence[Operation]) -> dict[str, VerbMapping]:
    """The five verbs (``create``, ``notice``, ``checkout``, ``status``, ``receipt``) mapped
    over ``operations`` (from one document or several of one intermediary)."""
    return {verb: map_verb(operations, verb) for verb in VERBS}


def confidence_label(confidence: float) -> str:
    """ "high", "medium" or "low"."""
    return "high" if confidence >= 0.6 else "medium" if confidence >= 0.35 else "low"
