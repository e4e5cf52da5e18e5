"""IBANs: ISO 13616 mod-97 validation and the Italian structure.

Italian IBAN (27 characters)::

    IT <check 2n> <CIN 1a> <ABI 5n> <CAB 5n> <conto 12c>

The CIN is a check letter over ABI + CAB + conto, computed with the same odd/even tables as
the codice fiscale check character.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from adapters.pagopa.fiscal_code import EVEN_TABLE, ODD_TABLE

__all__ = [
    "IBAN_LENGTHS",
    "InvalidIban",
    "ItalianIban",
    "generate_italian_iban",
    "iban_check_digits",
    "is_valid_iban",
    "italian_cin",
    "parse_italian_iban",
    "validate_iban",
]

#: IBAN length per country for the SEPA area (SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27,
    "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "VA": 22,
}  # fmt: skip
#: ABI code of Poste Italiane (postal current accounts, "IBAN postale").
POSTE_ABI = "07601"
_ALNUM = frozenset(string.ascii_uppercase + string.digits)


class InvalidIban(ValueError):
    """An IBAN is malformed; the message says which part."""


def _as_number(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text))


def iban_check_digits(country: str, bban: str) -> str:
    """The two ISO 13616 check digits for a country code and BBAN."""
    return f"{98 - _as_number(bban + country + '00') % 97:02d}"


def validate_iban(text: str) -> str:
    """Return the IBAN in electronic form (upper case, no spaces) or raise ``InvalidIban``."""
    if not isinstance(text, str):
        raise InvalidIban(f"IBAN must be text, got {type(text).__name__}")
    iban = "".join(text.split()).upper()
    if not iban:
        raise InvalidIban("IBAN is empty")
    bad = next((c for c in iban if c not in _ALNUM), None)
    if bad is not None:
        raise InvalidIban(f"IBAN {iban!r} contains {bad!r}: only letters and digits are allowed")
    country = iban[:2]
    if len(iban) < 4 or not country.isalpha() or not iban[2:4].isdigit():
        raise InvalidIban(
            f"IBAN {iban!r} must start with a 2-letter country code and 2 check digits"
        )
    expected_length = IBAN_LENGTHS.get(country)
    if expected_length is not None and len(iban) != expected_length:
        raise InvalidIban(
            f"IBAN {iban!r} has {len(iban)} characters, a {country} IBAN has {expected_length}"
        )
    if expected_length is None and not 15 <= len(iban) <= 34:
        raise InvalidIban(f"IBAN {iban!r} has {len(iban)} characters, IBANs have 15 to 34")
    expected = iban_check_digits(country, iban[4:])
    if iban[2:4] != expected:
        raise InvalidIban(f"IBAN {iban!r}: check digits are {iban[2:4]}, expected {expected}")
    if country == "IT":
        _check_italian_bban(iban)
    return iban


def is_valid_iban(text: str) -> bool:
    """True when ``validate_iban`` would accept ``text``."""
    try:
        validate_iban(text)
    except InvalidIban:
        return False
    return True


def italian_cin(abi: str, cab: str, account: str) -> str:
    """The Italian CIN letter for ABI (5 digits), CAB (5 digits) and account (12 characters)."""
    bban = abi + cab + account.upper()
    if not (abi.isdigit() and len(abi) == 5 and cab.isdigit() and len(cab) == 5):
        raise InvalidIban(f"ABI {abi!r} and CAB {cab!r} must be 5 digits each")
    if len(account) != 12 or any(c not in _ALNUM for c in bban):
        raise InvalidIban(f"account number {account!r} must be 12 letters or digits")
    total = sum(ODD_TABLE[c] if i % 2 == 0 else EVEN_TABLE[c] for i, c in enumerate(bban))
    return chr(ord("A") + total % 26)


def _check_italian_bban(iban: str) -> None:
    cin, abi, cab, account = iban[4], iban[5:10], iban[10:15], iban[15:]
    if not cin.isalpha():
        raise InvalidIban(f"Italian IBAN {iban!r}: CIN {cin!r} must be a letter")
    if not abi.isdigit():
        raise InvalidIban(f"Italian IBAN {iban!r}: ABI {abi!r} must be 5 digits")
    if not cab.isdigit():
        raise InvalidIban(f"Italian IBAN {iban!r}: CAB {cab!r} must be 5 digits")
    expected = italian_cin(abi, cab, account)
    if cin != expected:
        raise InvalidIban(f"Italian IBAN {iban!r}: CIN is {cin}, expected {expected}")


@dataclass(frozen=True, slots=True)
class ItalianIban:
    """A validated Italian IBAN split into its parts."""

    iban: str
    cin: str
    abi: str
    cab: str
    account: str

    @property
    def is_postal(self) -> bool:
        """True for a Poste Italiane account (pagoPA's ``postalIban``)."""
        return self.abi == POSTE_ABI

    def __str__(self) -> str:
        return self.iban


def parse_italian_iban(text: str) -> ItalianIban:
    """Validate an IBAN and require it to be Italian."""
    iban = validate_iban(text)
    if not iban.startswith("IT"):
        raise InvalidIban(f"IBAN {iban!r} is from {iban[:2]}, an Italian (IT) IBAN is required")
    return ItalianIban(iban, iban[4], iban[5:10], iban[10:15], iban[15:])


def generate_italian_iban(
    abi: str | None = None,
    cab: str | None = None,
    account: str | None = None,
    *,
    rng: random.Random | None = None,
) -> str:
    """A valid Italian IBAN (for tests); parts not given are drawn from ``rng``."""
    draw = rng or random.Random()
    abi = abi if abi is not None else "".join(draw.choices(string.digits, k=5))
    cab = cab if cab is not None else "".join(draw.choices(string.digits, k=5))
    account = account if account is not None else "".join(draw.choices(string.digits, k=12))
    bban = italian_cin(abi, cab, account) + abi + cab + account.upper()
    return "IT" + iban_check_digits("IT", bban) + bban
