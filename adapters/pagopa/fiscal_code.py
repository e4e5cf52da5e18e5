"""Italian fiscal codes: the creditor's 11-digit code and the personal 16-character codice fiscale.

* Creditor (ente creditore) fiscal code: 11 digits, the last one a Luhn-like check digit (the
  partita IVA / codice fiscale numerico rule). pagoPA's own test creditor ``77777777777`` fails
  that check, so validators take ``strict=False`` to accept any 11 digits.
* Personal codice fiscale (DM 23/12/1976): ``SSSNNN YY M DD CCCC K`` — surname, name, birth
  year, month letter, day (+40 for women), Belfiore code of the birth place, check letter.
  Homocodes (omocodia) replace digits, right to left, with the letters ``LMNPQRSTUV``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from adapters.i18n import N_
from adapters.i18n import gettext as _

__all__ = [
    "InvalidFiscalCode",
    "PAGOPA_TEST_CREDITOR_FISCAL_CODE",
    "PersonalFiscalCode",
    "creditor_check_digit",
    "generate_personal_fiscal_code",
    "is_valid_creditor_fiscal_code",
    "is_valid_personal_fiscal_code",
    "parse_personal_fiscal_code",
    "personal_check_character",
    "validate_creditor_fiscal_code",
    "validate_personal_fiscal_code",
]

Sex = Literal["M", "F"]

#: The creditor fiscal code pagoPA's mocks use everywhere; its check digit is wrong.
PAGOPA_TEST_CREDITOR_FISCAL_CODE = "77777777777"

MONTH_LETTERS = "ABCDEHLMPRST"
OMOCODIA_LETTERS = "LMNPQRSTUV"  # replaces digit 0..9
# Positions (0-based) of the digits that omocodia replaces, in replacement order.
OMOCODIA_POSITIONS = (14, 13, 12, 10, 9, 7, 6)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ODD_VALUES = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21) * 2 + (
    2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
)  # fmt: skip
#: Value of a character in an odd (1st, 3rd, ...) position of the check computation.
ODD_TABLE = dict(zip(_ALNUM, _ODD_VALUES, strict=True))
#: Value of a character in an even position: digits 0-9, letters A=0 ... Z=25.
EVEN_TABLE = {c: (int(c) if c.isdigit() else ord(c) - ord("A")) for c in _ALNUM}


class InvalidFiscalCode(ValueError):
    """A fiscal code is malformed; the message says exactly which part."""


# --- creditor (11 digits) -------------------------------------------------------------------


def creditor_check_digit(first_ten: str) -> str:
    """The check digit of an 11-digit fiscal code / partita IVA, from its first 10 digits."""
    if len(first_ten) != 10 or not first_ten.isascii() or not first_ten.isdigit():
        raise InvalidFiscalCode(f"need the first 10 digits of the code, got {first_ten!r}")
    total = 0
    for index, char in enumerate(first_ten):
        value = int(char)
        if index % 2 == 1:  # 2nd, 4th, ... digit: doubled, digits summed
            value = value * 2 - 9 if value >= 5 else value * 2
        total += value
    return str((10 - total % 10) % 10)


def validate_creditor_fiscal_code(text: str, *, strict: bool = True) -> str:
    """Return the normalised 11-digit creditor fiscal code or raise ``InvalidFiscalCode``.

    ``strict=False`` skips the check digit (for pagoPA's test code ``77777777777``).
    """
    if not isinstance(text, str):
        raise InvalidFiscalCode(
            _("creditor fiscal code must be a string, got %(type)s") % {"type": type(text).__name__}
        )
    code = text.strip()
    if not code:
        raise InvalidFiscalCode(_("creditor fiscal code is empty"))
    bad = next((c for c in code if not ("0" <= c <= "9")), None)
    if bad is not None:
        raise InvalidFiscalCode(
            _("creditor fiscal code %(code)r must contain only digits, found %(bad)r")
            % {"code": code, "bad": bad}
        )
    if len(code) != 11:
        raise InvalidFiscalCode(
            _("creditor fiscal code %(code)r must be 11 digits, got %(count)s")
            % {"code": code, "count": len(code)}
        )
    if strict:
        if code == "0" * 11:
            raise InvalidFiscalCode(
                _("creditor fiscal code 00000000000 is a placeholder, not a code")
            )
        expected = creditor_check_digit(code[:10])
        if code[10] != expected:
            raise InvalidFiscalCode(
                _("creditor fiscal code %(code)r: check digit is %(found)s, expected %(expected)s")
                % {"code": code, "found": code[10], "expected": expected}
                + (
                    " (pagoPA's test code: pass strict=False to accept it)"
                    if code == PAGOPA_TEST_CREDITOR_FISCAL_CODE
                    else ""
                )
            )
    return code


def is_valid_creditor_fiscal_code(text: str, *, strict: bool = True) -> bool:
    """True when ``validate_creditor_fiscal_code`` would accept ``text``."""
    try:
        validate_creditor_fiscal_code(text, strict=strict)
    except InvalidFiscalCode:
        return False
    return True


# --- personal (16 characters) ---------------------------------------------------------------


def personal_check_character(first_fifteen: str) -> str:
    """The check letter of a personal codice fiscale, from its first 15 characters."""
    chars = first_fifteen.upper()
    if len(chars) != 15 or any(c not in ODD_TABLE for c in chars):
        raise InvalidFiscalCode(f"need the first 15 characters of the code, got {first_fifteen!r}")
    total = sum(ODD_TABLE[c] if index % 2 == 0 else EVEN_TABLE[c] for index, c in enumerate(chars))
    return chr(ord("A") + total % 26)


def _decode_omocodia(code: str) -> str:
    chars = list(code)
    for position in OMOCODIA_POSITIONS:
        if chars[position] in OMOCODIA_LETTERS:
            chars[position] = str(OMOCODIA_LETTERS.index(chars[position]))
    return "".join(chars)


@dataclass(frozen=True, slots=True)
class PersonalFiscalCode:
    """A validated personal codice fiscale and what it encodes."""

    code: str
    birth_date: date
    sex: Sex
    belfiore_code: str

    @property
    def is_omocode(self) -> bool:
        """True when some digits were replaced by letters (omocodia)."""
        return any(self.code[p] in OMOCODIA_LETTERS for p in OMOCODIA_POSITIONS)

    def __str__(self) -> str:
        return self.code


def _part_name(position: int) -> str:
    for last, part in (
        (2, N_("surname")),
        (5, N_("name")),
        (7, N_("birth year")),
        (8, N_("birth month")),
        (10, N_("birth day")),
        (14, N_("birth place")),
        (15, N_("check character")),
    ):
        if position <= last:
            return _(part)
    raise AssertionError(position)


def _check_layout(code: str) -> None:
    for position in (0, 1, 2, 3, 4, 5, 8, 11, 15):
        if not ("A" <= code[position] <= "Z"):
            raise InvalidFiscalCode(
                _(
                    "fiscal code %(code)r: character %(position)s (%(char)r, %(part)s) "
                    "must be a letter"
                )
                % {
                    "code": code,
                    "position": position + 1,
                    "char": code[position],
                    "part": _part_name(position),
                }
            )
    for position in sorted(OMOCODIA_POSITIONS):
        char = code[position]
        if not (char.isdigit() or char in OMOCODIA_LETTERS):
            raise InvalidFiscalCode(
                _(
                    "fiscal code %(code)r: character %(position)s (%(char)r, %(part)s) must be "
                    "a digit or an omocodia letter (%(letters)s)"
                )
                % {
                    "code": code,
                    "position": position + 1,
                    "char": char,
                    "part": _part_name(position),
                    "letters": OMOCODIA_LETTERS,
                }
            )
    if code[8] not in MONTH_LETTERS:
        raise InvalidFiscalCode(
            _("fiscal code %(code)r: month letter %(letter)r is not one of %(letters)s")
            % {"code": code, "letter": code[8], "letters": MONTH_LETTERS}
        )


def parse_personal_fiscal_code(text: str, *, today: date | None = None) -> PersonalFiscalCode:
    """Validate a personal codice fiscale and extract birth date, sex and birth place.

    The two-digit year is placed in the latest century that does not put the birth after
    ``today`` (default: the current date).
    """
    if not isinstance(text, str):
        raise InvalidFiscalCode(f"codice fiscale must be a string, got {type(text).__name__}")
    code = text.strip().upper()
    if len(code) != 16:
        raise InvalidFiscalCode(
            _("fiscal code %(code)r must be 16 characters long, got %(count)s")
            % {"code": code, "count": len(code)}
        )
    bad = next((c for c in code if c not in ODD_TABLE), None)
    if bad is not None:
        raise InvalidFiscalCode(
            _("fiscal code %(code)r contains %(bad)r: only letters A-Z and digits are allowed")
            % {"code": code, "bad": bad}
        )
    _check_layout(code)
    expected = personal_check_character(code[:15])
    if code[15] != expected:
        raise InvalidFiscalCode(
            _("fiscal code %(code)r: check character is %(found)s, expected %(expected)s")
            % {"code": code, "found": code[15], "expected": expected}
        )
    plain = _decode_omocodia(code)
    month = MONTH_LETTERS.index(code[8]) + 1
    day_field = int(plain[9:11])
    sex: Sex = "F" if day_field > 40 else "M"
    day = day_field - 40 if sex == "F" else day_field
    if not 1 <= day <= 31:
        raise InvalidFiscalCode(
            _("fiscal code %(code)r: day field %(day)s is neither 01-31 (men) nor 41-71 (women)")
            % {"code": code, "day": plain[9:11]}
        )
    today = today or date.today()
    year = 2000 + int(plain[6:8])
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise InvalidFiscalCode(
            _("fiscal code %(code)r: %(date)s is not a real date")
            % {"code": code, "date": f"{day:02d}/{month:02d}/{year}"}
        ) from None
    return PersonalFiscalCode(code, birth_date, sex, plain[11:15])


def validate_personal_fiscal_code(text: str) -> str:
    """Return the normalised (upper-case) personal codice fiscale or raise ``InvalidFiscalCode``."""
    return parse_personal_fiscal_code(text).code


def is_valid_personal_fiscal_code(text: str) -> bool:
    """True when ``validate_personal_fiscal_code`` would accept ``text``."""
    try:
        parse_personal_fiscal_code(text)
    except InvalidFiscalCode:
        return False
    return True


# --- generator ------------------------------------------------------------------------------


def _letters(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.upper())
    return "".join(c for c in decomposed if "A" <= c <= "Z")


def _split(name: str) -> tuple[str, str]:
    letters = _letters(name)
    if not letters:
        raise InvalidFiscalCode(f"{name!r} has no letters to build a codice fiscale from")
    consonants = "".join(c for c in letters if c not in "AEIOU")
    vowels = "".join(c for c in letters if c in "AEIOU")
    return consonants, vowels


def _surname_part(surname: str) -> str:
    consonants, vowels = _split(surname)
    return (consonants + vowels + "XXX")[:3]


def _name_part(name: str) -> str:
    consonants, vowels = _split(name)
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    return (consonants + vowels + "XXX")[:3]


def generate_personal_fiscal_code(
    surname: str,
    name: str,
    birth_date: date,
    sex: Sex,
    belfiore_code: str,
    *,
    omocodia_level: int = 0,
) -> str:
    """Build a valid personal codice fiscale (for tests and fuzzers).

    ``omocodia_level`` (0-7) replaces that many digits, right to left, as the Agenzia delle
    Entrate does for homonyms.
    """
    if sex not in ("M", "F"):
        raise InvalidFiscalCode(f"sex must be 'M' or 'F', got {sex!r}")
    belfiore = belfiore_code.strip().upper()
    if len(belfiore) != 4 or not ("A" <= belfiore[0] <= "Z") or not belfiore[1:].isdigit():
        raise InvalidFiscalCode(
            f"Belfiore code {belfiore_code!r} must be a letter and 3 digits, e.g. H501 (Roma)"
        )
    if not 0 <= omocodia_level <= len(OMOCODIA_POSITIONS):
        raise InvalidFiscalCode(f"omocodia level must be 0-7, got {omocodia_level}")
    day = birth_date.day + (40 if sex == "F" else 0)
    chars = list(
        _surname_part(surname)
        + _name_part(name)
        + f"{birth_date.year % 100:02d}"
        + MONTH_LETTERS[birth_date.month - 1]
        + f"{day:02d}"
        + belfiore
    )
    for position in OMOCODIA_POSITIONS[:omocodia_level]:
        chars[position] = OMOCODIA_LETTERS[int(chars[position])]
    first_fifteen = "".join(chars)
    return first_fifteen + personal_check_character(first_fifteen)
