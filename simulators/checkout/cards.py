"""Card data checks of the checkout's card screen, and the documented test cards.

``4242 4242 4242 4242`` pays, ``4000 0000 0000 0002`` is declined at authorisation,
``4000 0000 0000 9995`` makes the card screen fail; any other number passing the Luhn
check pays as well. Any future expiry (``MM/AA`` or ``MM/AAAA``) and any 3-digit CVV
(4 digits for American Express) are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

PAYS = "4242424242424242"
DECLINED = "4000000000000002"
SCREEN_ERROR = "4000000000009995"

Behaviour = Literal["pays", "declined", "screen-error"]


@dataclass(frozen=True)
class Card:
    """A card the citizen typed in, as far as the simulator keeps it (never the CVV)."""

    holder: str
    last4: str
    brand: str
    expiry: str
    behaviour: Behaviour


def luhn_ok(number: str) -> bool:
    """The Luhn (mod 10) check of a card number made of digits."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "VISA"
    if number[:2] in {"34", "37"}:
        return "AMEX"
    if 51 <= int(number[:2]) <= 55 or 2221 <= int(number[:4]) <= 2720:
        return "MASTERCARD"
    if number.startswith("6"):
        return "MAESTRO"
    return "ALTRO"


def _expiry(text: str, today: date) -> tuple[str | None, str]:
    match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})", text.strip())
    if match is None:
        return "Inserisci la scadenza nel formato MM/AA", text
    month, year = int(match[1]), int(match[2])
    year = year + 2000 if year < 100 else year
    if not 1 <= month <= 12:
        return "Il mese di scadenza deve essere tra 01 e 12", text
    if (year, month) < (today.year, today.month):
        return "La carta è scaduta", text
    return None, f"{month:02d}/{year % 100:02d}"


def check_card(
    holder: str, number: str, expiry: str, cvv: str, today: date | None = None
) -> tuple[Card | None, dict[str, str]]:
    """The card, or the error message of each wrong field (keys: holder/number/expiry/cvv)."""
    errors: dict[str, str] = {}
    digits = re.sub(r"[\s-]", "", number)
    if not holder.strip():
        errors["holder"] = "Inserisci il nome del titolare come riportato sulla carta"
    brand = "ALTRO"
    if not re.fullmatch(r"\d{12,19}", digits):
        errors["number"] = "Il numero della carta deve avere da 12 a 19 cifre"
    elif not luhn_ok(digits):
        errors["number"] = "Il numero della carta non è valido: controlla le cifre"
    else:
        brand = brand_of(digits)
    expiry_error, normalised = _expiry(expiry, today or date.today())
    if expiry_error:
        errors["expiry"] = expiry_error
    cvv_length = 4 if brand == "AMEX" else 3
    if not re.fullmatch(rf"\d{{{cvv_length}}}", cvv.strip()):
        errors["cvv"] = f"Il codice di sicurezza (CVV) è di {cvv_length} cifre"
    if errors:
        return None, errors
    behaviour: Behaviour = (
        "declined" if digits == DECLINED else "screen-error" if digits == SCREEN_ERROR else "pays"
    )
    return Card(holder.strip(), digits[-4:], brand, normalised, behaviour), {}
