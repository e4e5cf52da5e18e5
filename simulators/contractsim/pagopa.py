"""pagoPA-shaped values with valid check digits, derived from a seed (no randomness).

Written here independently of the adapter's domain code (``adapters.pagopa``): a shared bug
would be invisible. Facts: a notice number is 18 digits whose last two are the first sixteen
mod 93 (aux digit 3: ``3`` + segregation code + 13-digit base + check, the IUV being the last
17); a legal person's fiscal code is 11 digits with a Luhn-like check digit; a natural
person's is 16 characters ending with a control letter (odd/even tables); an Italian IBAN is
``IT`` + mod-97 check digits + CIN (the same odd/even tables) + ABI + CAB + account.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

SEGREGATION_CODE = "01"

_ODD = {
    **dict(zip("0123456789", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True)),
    **dict(zip("ABCDEFGHIJ", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True)),
    **dict(zip("KLMNOPQRSTUVWXYZ", (2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23),
               strict=True)),
}  # fmt: skip
_EVEN = {
    **{d: int(d) for d in "0123456789"},
    **{c: i for i, c in enumerate(map(chr, range(65, 91)))},
}
_MONTHS = "ABCDEHLMPRST"


class Digits:
    """An endless, deterministic stream of digits drawn from a key (sha256 in counter mode)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._buffer = ""
        self._counter = 0

    def take(self, count: int) -> str:
        while len(self._buffer) < count:
            block = hashlib.sha256(f"{self.key}/{self._counter}".encode()).digest()
            self._counter += 1
            self._buffer += "".join(str(b % 10) for b in block if b < 250)
        out, self._buffer = self._buffer[:count], self._buffer[count:]
        return out

    def number(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        span = high - low + 1
        return low + int(self.take(12)) % span if span > 0 else low

    def letters(self, count: int) -> str:
        return "".join(chr(65 + self.number(0, 25)) for _ in range(count))


def notice_check(first16: str) -> str:
    return f"{int(first16) % 93:02d}"


def notice_number(digits: Digits, segregation_code: str = SEGREGATION_CODE) -> str:
    """``3`` + segregation code + 13 digits + the mod-93 check."""
    first16 = "3" + segregation_code + digits.take(13)
    return first16 + notice_check(first16)


def iuv(digits: Digits, segregation_code: str = SEGREGATION_CODE) -> str:
    """The 17-digit IUV of an aux-digit-3 notice number."""
    return notice_number(digits, segregation_code)[1:]


def is_notice_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d{18}", text)) and notice_check(text[:16]) == text[16:]


def fiscal_code_check(first10: str) -> str:
    total = 0
    for index, char in enumerate(first10):
        value = int(char)
        if index % 2:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return str((10 - total % 10) % 10)


def organization_fiscal_code(digits: Digits) -> str:
    """An 11-digit fiscal code (legal person) with its check digit; starts with 8 or 9 as
    public bodies' do."""
    first10 = "8" + digits.take(9)
    return first10 + fiscal_code_check(first10)


def is_organization_fiscal_code(text: str) -> bool:
    return bool(re.fullmatch(r"\d{11}", text)) and fiscal_code_check(text[:10]) == text[10]


def control_letter(text: str) -> str:
    """The odd/even-table control letter of a personal fiscal code (and of an IBAN's CIN)."""
    total = sum((_ODD if index % 2 == 0 else _EVEN)[c] for index, c in enumerate(text.upper()))
    return chr(65 + total % 26)


def personal_fiscal_code(digits: Digits) -> str:
    """A 16-character personal fiscal code with its control letter (born in Roma, H501)."""
    body = (
        digits.letters(6)
        + digits.take(2)
        + _MONTHS[digits.number(0, 11)]
        + f"{digits.number(1, 28):02d}"
        + "H501"
    )
    return body + control_letter(body)


def is_personal_fiscal_code(text: str) -> bool:
    shape = re.fullmatch(r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]", text)
    return bool(shape) and control_letter(text[:15]) == text[15]


def _iban_number(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text))


def iban(digits: Digits) -> str:
    """An Italian IBAN: CIN by the odd/even tables, check digits by mod 97."""
    bban = digits.take(5) + digits.take(5) + digits.take(12)  # ABI, CAB, account
    bban = control_letter(bban) + bban
    check = 98 - _iban_number(bban + "IT00") % 97
    return f"IT{check:02d}{bban}"


def is_iban(text: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", text):
        return False
    return _iban_number(text[4:] + text[:4]) % 97 == 1


# --- which field is which, by its name ----------------------------------------------------

Kind = str
_NAME_RULES: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("notice_number", re.compile(r"noticenumber|numeroavviso|codiceavviso|^nav$|noticecode")),
    ("iuv", re.compile(r"^iuv$|identificativounivocoversamento|creditorreferenceid|^iuvs?\b")),
    ("iban", re.compile(r"iban")),
    (
        "personal_fiscal_code",
        re.compile(
            r"(payer|debtor|pagatore|versante|debitore|soggetto).*(fiscal|codice|identificativo)"
            r"|codiceidentificativounivoco|entityuniqueidentifiervalue"
        ),
    ),
    (
        "organization_fiscal_code",
        re.compile(
            r"fiscalcode|codicefiscale|^idpa$|^cfente$|identificativodominio|^iddominio$"
            r"|^idbrokerpa$|partitaiva|vatnumber"
        ),
    ),
    ("amount", re.compile(r"amount|importo|^fee$|commissione")),
)


def kind_of(name: str) -> Kind | None:
    """The pagoPA kind a field name suggests, or None."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    for kind, rule in _NAME_RULES:
        if rule.search(key):
            return kind
    return None


GENERATORS: dict[Kind, Callable[[Digits], str]] = {
    "notice_number": notice_number,
    "iuv": iuv,
    "iban": iban,
    "personal_fiscal_code": personal_fiscal_code,
    "organization_fiscal_code": organization_fiscal_code,
}
# When a field's type refuses the first guess (a 16-character code where 11 fit), the next.
ALTERNATIVES: dict[Kind, tuple[Kind, ...]] = {
    "personal_fiscal_code": ("personal_fiscal_code", "organization_fiscal_code"),
    "organization_fiscal_code": ("organization_fiscal_code", "personal_fiscal_code"),
}
CHECKS: dict[Kind, Callable[[str], bool]] = {
    "notice_number": is_notice_number,
    "iuv": lambda text: is_notice_number("3" + text),
    "iban": is_iban,
    "personal_fiscal_code": is_personal_fiscal_code,
    "organization_fiscal_code": is_organization_fiscal_code,
}


def candidates(kind: Kind, digits: Digits) -> list[str]:
    """Values of ``kind`` to try in order (the caller checks them against the schema)."""
    return [GENERATORS[k](digits) for k in ALTERNATIVES.get(kind, (kind,)) if k in GENERATORS]
