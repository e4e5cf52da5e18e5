"""Consistent, valid-looking pseudonyms.

Within one recording the same input always gives the same pseudonym (an HMAC under a
key that lives only in memory, or in ``COLLAUDO_PSEUDONYM_KEY`` when a reproducible
recording is wanted), so a debtor seen in the SOAP body and inside the base64 ``dovuto``
stays one debtor. A pseudonym keeps the shape the contracts check: a personal codice
fiscale keeps its layout and check character, an 11-digit code its check digit, an IBAN its
country, length and mod-97 check digits (Italian ones their CIN too).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import string

from adapters.pagopa.fiscal_code import creditor_check_digit, personal_check_character
from adapters.pagopa.iban import iban_check_digits, italian_cin

KEY_ENV = "COLLAUDO_PSEUDONYM_KEY"
SECRET_PLACEHOLDER = "REDACTED"
_CONSONANTS = "BCDFGHJKLMNPQRSTVWXZ"
_MONTHS = "ABCDEHLMPRST"


class Pseudonyms:
    """Pseudonym factory for one recording; counts what it replaced, by kind."""

    def __init__(self, key: bytes | None = None) -> None:
        env = os.environ.get(KEY_ENV)
        self._key = key or (env.encode() if env else secrets.token_bytes(32))
        self.counts: dict[str, int] = {}
        self._seen: dict[tuple[str, str], str] = {}
        self._outputs: set[str] = set()

    def _digest(self, kind: str, value: str) -> bytes:
        return hmac.new(self._key, f"{kind}\0{value}".encode(), hashlib.sha256).digest()

    def _remember(self, kind: str, value: str, pseudonym: str) -> str:
        if (kind, value) not in self._seen:
            self._seen[(kind, value)] = pseudonym
            self._outputs.add(pseudonym)
            self.counts[kind] = self.counts.get(kind, 0) + 1
        return pseudonym

    def is_pseudonym(self, value: str) -> bool:
        """Whether ``value`` is one this factory produced (so it is not redacted twice)."""
        return value in self._outputs

    def _digits(self, digest: bytes, count: int, offset: int = 0) -> str:
        return "".join(str(digest[(offset + i) % len(digest)] % 10) for i in range(count))

    def fiscal_code(self, value: str) -> str:
        """A personal code (16 characters) or an 11-digit code, valid-looking."""
        d = self._digest("cf", value.upper())
        if len(value) == 11 and value.isdigit():
            first = "9" + self._digits(d, 9)
            return self._remember("fiscal_code", value, first + creditor_check_digit(first))
        letters = "".join(_CONSONANTS[b % len(_CONSONANTS)] for b in d[:6])
        fifteen = (
            letters
            + self._digits(d, 2, 6)
            + _MONTHS[d[8] % 12]
            + f"{1 + d[9] % 28:02d}"
            + "Z"  # a foreign-country Belfiore code: plainly no real birthplace
            + f"{100 + d[10] % 900:03d}"
        )
        return self._remember("fiscal_code", value, fifteen + personal_check_character(fifteen))

    def iban(self, value: str) -> str:
        d = self._digest("iban", value)
        country, bban = value[:2], value[4:]
        if country == "IT" and len(value) == 27:
            account = self._digits(d, 12, 10)
            abi, cab = self._digits(d, 5), self._digits(d, 5, 5)
            bban = italian_cin(abi, cab, account) + abi + cab + account
        else:
            out = []
            for i, c in enumerate(bban):
                b = d[i % len(d)]
                out.append(string.ascii_uppercase[b % 26] if c.isalpha() else str(b % 10))
            bban = "".join(out)
        return self._remember("iban", value, country + iban_check_digits(country, bban) + bban)

    def email(self, value: str) -> str:
        tag = self._digest("email", value.lower()).hex()[:10]
        return self._remember("email", value, f"persona-{tag}@example.invalid")

    def name(self, value: str) -> str:
        tag = self._digest("name", value.strip().upper()).hex()[:6].upper()
        return self._remember("name", value, f"PERSONA {tag}")

    def text(self, value: str) -> str:
        """Any other personal value (address, phone): same length class, plainly fake."""
        d = self._digest("text", value)
        if value.replace(" ", "").replace("+", "").isdigit():
            return self._remember("text", value, self._digits(d, max(len(value), 1)))
        return self._remember("text", value, f"REDATTO-{d.hex()[:6].upper()}")

    def token(self, value: str) -> str:
        tag = self._digest("token", value).hex()[:16]
        return self._remember("token", value, f"redacted-token-{tag}")
