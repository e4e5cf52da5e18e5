"""What a field of a recorded message is: secret, personal, volatile or identifying.

One classification serves both sides of the recorder: redaction hides secret and personal
fields before anything reaches disk, and replay matching ignores exactly those (a pseudonym
cannot equal the live value) plus the volatile ones (timestamps, session and message ids).
Everything else identifies the request: operation, codice IPA, IUD, IUV, notice number,
amounts, azione, tipo dovuto.

A field is named by its path: element local names (XML, base64-embedded documents
continuing the path of the element that carries them) or keys (JSON, ``[i]`` for list
items), and ``?name`` for a query parameter, ``/n`` for the n-th variable path segment.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence

from adapters.pagopa.iban import is_valid_iban


class Kind(enum.Enum):
    SECRET = "secret"
    PERSONAL = "personal"
    VOLATILE = "volatile"
    IDENTIFYING = "identifying"


#: Names (lower case, without '-'/'_') of fields holding credentials.
_SECRET_NAMES = re.compile(
    r"(password|passwd|pwd|secret|token|apikey|subscriptionkey|authorization|cookie|credential)"
)
#: Headers whose value is a credential.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "ocp-apim-subscription-key",
        "x-api-key",
        "api-key",
        "cookie",
        "set-cookie",
        "x-auth-token",
    }
)
#: Names of fields that are about a person wherever they appear.
_PERSONAL_NAMES = re.compile(
    r"^(anagrafica\w*|fullname|nome|cognome|surname|givenname|familyname|email|e?mail\w*"
    r"|indirizzo\w*|civico\w*|streetname|civicnumber|buildingnumber|phone|cellphone|telefono"
    r"|codicefiscale|taxcode)$"
)
#: Identity fields that hold a fiscal code: personal inside a person's context.
_IDENTITY_NAMES = frozenset(
    {"codiceidentificativounivoco", "fiscalcode", "entityuniqueidentifiervalue", "name"}
)
#: Ancestors that make their identity fields a person's.
_PERSON_CONTEXTS = frozenset(
    {"soggettopagatore", "soggettoversante", "debtor", "payer", "pagatore", "versante"}
)
_VOLATILE_NAMES = re.compile(
    r"(timestamp|datetime|date|time$|^ora|session|requestid|messageid|correlation|uuid|expir"
    r"|scadenza|validity|urlfileavviso|^url|location|nonce)"
)
# Italian dates: dataEsecuzionePagamento, dataScadenza…; not "dati…" (data structures).
_ITALIAN_DATE = re.compile(r"^data(?:[A-Z_]|$)")
_VOLATILE_HEADERS = frozenset(
    {"date", "content-length", "host", "user-agent", "accept-encoding", "connection", "server"}
)

PERSONAL_FISCAL_CODE = re.compile(
    r"\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b"
)
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b")
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b")


def ibans_in(text: str) -> list[str]:
    """The valid IBANs inside ``text`` (a candidate failing mod 97 is left alone)."""
    return [m for m in _IBAN_CANDIDATE.findall(text) if is_valid_iban(m)]


def _norm(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def _leaf(path: Sequence[str]) -> str:
    for part in reversed(path):
        if not part.startswith("["):
            return part
    return ""


def in_person_context(path: Sequence[str]) -> bool:
    return any(_norm(p) in _PERSON_CONTEXTS for p in path[:-1])


def classify(path: Sequence[str], value: str = "") -> Kind:
    """The kind of the field at ``path`` holding ``value``."""
    leaf = _leaf(path)
    norm = _norm(leaf.lstrip("?"))
    if _SECRET_NAMES.search(norm) or norm in SECRET_HEADERS:
        return Kind.SECRET
    if _PERSONAL_NAMES.match(norm):
        return Kind.PERSONAL
    # GPD's debt position: the top-level fiscalCode is the debtor's.
    if norm in _IDENTITY_NAMES and (
        in_person_context(path) or (norm == "fiscalcode" and len(path) == 1)
    ):
        return Kind.PERSONAL
    if value and (PERSONAL_FISCAL_CODE.search(value) or EMAIL.search(value) or JWT.search(value)):
        return Kind.PERSONAL
    if _ITALIAN_DATE.match(leaf.lstrip("?")) or _VOLATILE_NAMES.search(norm):
        return Kind.VOLATILE
    # URLs name the host that was called (the proxy, the replay server): never identifying.
    if value.startswith(("http://", "https://")):
        return Kind.VOLATILE
    if value and ibans_in(value):
        return Kind.PERSONAL
    return Kind.IDENTIFYING


def header_kind(name: str) -> Kind:
    lower = name.lower()
    if lower in SECRET_HEADERS or _SECRET_NAMES.search(_norm(lower)):
        return Kind.SECRET
    if lower in _VOLATILE_HEADERS:
        return Kind.VOLATILE
    return Kind.IDENTIFYING
