"""Notice numbers (numero avviso, 18 digits) and IUVs, with the mod-93 check digit.

Layouts (SACI "Generazione dell'identificativo univoco di versamento", Table 2)::

    aux 0:  0 <application code 2n> <IUV base 13n> <check 2n>     IUV = base + check (15)
    aux 1:  1 <IUV base 17n>                                      IUV = base (17), no check
    aux 2:  2 <IUV base 15n> <check 2n>                           IUV = base + check (17)
    aux 3:  3 <segregation code 2n> <IUV base 13n> <check 2n>     IUV = seg + base + check (17)

The check digit is the remainder of the division by 93 of the number formed by everything
before it in the notice number, zero-padded to two digits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from adapters.i18n import gettext as _

__all__ = [
    "AUX_DIGITS",
    "RESERVED_SEGREGATION_CODES",
    "InvalidNoticeNumber",
    "NoticeNumber",
    "check_digit",
    "generate_notice",
    "iuv_base_from_key",
    "iuv_from_notice",
    "notice_from_iuv",
]

AUX_DIGITS = (0, 1, 2, 3)
#: IUV base length per aux digit.
BASE_LENGTH = {0: 13, 1: 17, 2: 15, 3: 13}
#: IUV length per aux digit.
IUV_LENGTH = {0: 15, 1: 17, 2: 17, 3: 17}
#: Segregation codes reserved by pagoPA for centralised services (SACI Table 1).
RESERVED_SEGREGATION_CODES = frozenset({"99", "98", "97", "96", "85", "81", "47"})


class InvalidNoticeNumber(ValueError):
    """A notice number, IUV or one of their parts is malformed; the message says which part."""


def _require_digits(value: str, length: int, what: str) -> str:
    """``value`` when it is ``length`` digits; ``what`` names it (already translated)."""
    if not isinstance(value, str):
        raise InvalidNoticeNumber(f"{what} must be a string of digits, got {type(value).__name__}")
    if not value.isascii() or not value.isdigit():
        bad = next((c for c in value if not ("0" <= c <= "9")), "")
        raise InvalidNoticeNumber(
            _("%(what)s %(value)r must contain only digits 0-9, found %(bad)r")
            % {"what": what, "value": value, "bad": bad}
            if bad
            else _("%(what)s is empty: write its %(length)s digits")
            % {"what": what, "length": length}
        )
    if len(value) != length:
        raise InvalidNoticeNumber(
            _("%(what)s %(value)r must be %(length)s digits long, got %(count)s")
            % {"what": what, "value": value, "length": length, "count": len(value)}
        )
    return value


def _require_aux(aux_digit: int) -> int:
    if isinstance(aux_digit, bool) or not isinstance(aux_digit, int):
        raise InvalidNoticeNumber(f"aux digit must be an int 0-3, got {aux_digit!r}")
    if aux_digit not in AUX_DIGITS:
        raise InvalidNoticeNumber(f"aux digit {aux_digit} is not supported: use 0, 1, 2 or 3")
    return aux_digit


def _mod93(digits: str) -> str:
    return f"{int(digits) % 93:02d}"


def check_digit(
    aux_digit: int,
    base: str,
    *,
    segregation_code: str | None = None,
    application_code: str | None = None,
) -> str:
    """Return the two-digit mod-93 IUV check digit for an IUV base.

    aux 0 needs ``application_code``, aux 3 needs ``segregation_code``; aux 1 has no check
    digit and raises.
    """
    aux = _require_aux(aux_digit)
    if aux == 1:
        raise InvalidNoticeNumber("aux digit 1 notice numbers have no IUV check digit")
    _require_digits(base, BASE_LENGTH[aux], _("IUV base for aux digit %(aux)s") % {"aux": aux})
    return _mod93(str(aux) + _prefix_code(aux, segregation_code, application_code) + base)


def _prefix_code(aux: int, segregation_code: str | None, application_code: str | None) -> str:
    """The two-digit code between aux digit and IUV base (aux 0 and 3), validated."""
    if aux == 0:
        if segregation_code is not None:
            raise InvalidNoticeNumber(
                "aux digit 0 takes an application code, not a segregation code"
            )
        if application_code is None:
            raise InvalidNoticeNumber("aux digit 0 needs a 2-digit application code")
        return _require_digits(application_code, 2, _("application code"))
    if aux == 3:
        if application_code is not None:
            raise InvalidNoticeNumber(
                "aux digit 3 takes a segregation code, not an application code"
            )
        if segregation_code is None:
            raise InvalidNoticeNumber("aux digit 3 needs a 2-digit segregation code")
        return _require_digits(segregation_code, 2, _("segregation code"))
    if segregation_code is not None or application_code is not None:
        raise InvalidNoticeNumber(
            f"aux digit {aux} takes neither a segregation code nor an application code"
        )
    return ""


@dataclass(frozen=True, slots=True)
class NoticeNumber:
    """A parsed notice number. ``str(n)`` is the 18-digit numero avviso."""

    aux_digit: int
    application_code: str | None
    segregation_code: str | None
    iuv: str

    def __post_init__(self) -> None:
        aux = _require_aux(self.aux_digit)
        prefix = _prefix_code(aux, self.segregation_code, self.application_code)
        _require_digits(self.iuv, IUV_LENGTH[aux], _("IUV for aux digit %(aux)s") % {"aux": aux})
        if aux == 3 and not self.iuv.startswith(prefix):
            raise InvalidNoticeNumber(
                f"IUV {self.iuv!r} must start with the segregation code {prefix!r}"
            )

    @property
    def notice_number(self) -> str:
        """The 18-digit numero avviso (codice avviso)."""
        return f"{self.aux_digit}{self.application_code or ''}{self.iuv}"

    @property
    def iuv_base(self) -> str:
        """The IUV base: the IUV without segregation code and check digit."""
        if self.aux_digit == 1:
            return self.iuv
        start = 2 if self.aux_digit == 3 else 0
        return self.iuv[start:-2]

    @property
    def check_digit(self) -> str | None:
        """The two check digits as written in the notice (None for aux 1)."""
        return None if self.aux_digit == 1 else self.iuv[-2:]

    @property
    def expected_check_digit(self) -> str | None:
        """The check digits the mod-93 rule gives (None for aux 1)."""
        return None if self.aux_digit == 1 else _mod93(self.notice_number[:-2])

    @property
    def has_valid_check_digit(self) -> bool:
        """True when the written check digits match mod 93 (always True for aux 1)."""
        return self.check_digit == self.expected_check_digit

    def __str__(self) -> str:
        return self.notice_number

    @classmethod
    def parse(cls, text: str, *, validate_check_digit: bool = True) -> NoticeNumber:
        """Parse an 18-digit notice number; spaces used to group digits are ignored.

        ``validate_check_digit=False`` accepts the many official test samples whose check
        digits are wrong (see reference/pagopa.md §1.2).
        """
        if not isinstance(text, str):
            raise InvalidNoticeNumber(f"notice number must be a string, got {type(text).__name__}")
        digits = text.strip().replace(" ", "")
        _require_digits(digits, 18, _("notice number"))
        aux = int(digits[0])
        if aux not in AUX_DIGITS:
            raise InvalidNoticeNumber(
                _("notice number %(notice)r has aux digit %(aux)s: only 0, 1, 2 and 3 exist")
                % {"notice": digits, "aux": aux}
            )
        if aux == 0:
            notice = cls(0, digits[1:3], None, digits[3:])
        elif aux == 3:
            notice = cls(3, None, digits[1:3], digits[1:])
        else:
            notice = cls(aux, None, None, digits[1:])
        if validate_check_digit and not notice.has_valid_check_digit:
            raise InvalidNoticeNumber(
                _("notice number %(notice)r: check digit is %(found)s, expected %(expected)s")
                % {
                    "notice": digits,
                    "found": notice.check_digit,
                    "expected": notice.expected_check_digit,
                }
            )
        return notice


def _base_text(base: str | int, aux: int) -> str:
    length = BASE_LENGTH[aux]
    if isinstance(base, bool):
        raise InvalidNoticeNumber(f"IUV base must be digits, got {base!r}")
    if isinstance(base, int):
        if base < 0 or base >= 10**length:
            raise InvalidNoticeNumber(
                f"IUV base {base} does not fit in {length} digits (aux digit {aux})"
            )
        return f"{base:0{length}d}"
    return _require_digits(base, length, _("IUV base for aux digit %(aux)s") % {"aux": aux})


def generate_notice(
    aux_digit: int,
    base: str | int,
    *,
    segregation_code: str | None = None,
    application_code: str | None = None,
) -> NoticeNumber:
    """Build the notice number for an IUV base, computing the check digit.

    ``base`` has 13 digits (aux 0, 3), 15 (aux 2) or 17 (aux 1); an int is zero-padded.
    """
    aux = _require_aux(aux_digit)
    prefix = _prefix_code(aux, segregation_code, application_code)
    base_text = _base_text(base, aux)
    if aux == 1:
        return NoticeNumber(1, None, None, base_text)
    check = check_digit(
        aux, base_text, segregation_code=segregation_code, application_code=application_code
    )
    iuv = (prefix if aux == 3 else "") + base_text + check
    return NoticeNumber(aux, application_code, segregation_code, iuv)


def iuv_from_notice(notice: str | NoticeNumber, *, validate_check_digit: bool = True) -> str:
    """The IUV inside an 18-digit notice number."""
    if isinstance(notice, NoticeNumber):
        return notice.iuv
    return NoticeNumber.parse(notice, validate_check_digit=validate_check_digit).iuv


def notice_from_iuv(
    iuv: str,
    aux_digit: int,
    application_code: str | None = None,
    *,
    validate_check_digit: bool = True,
) -> NoticeNumber:
    """Rebuild the notice number from an IUV; the aux digit cannot be inferred from a 17-digit
    IUV, so the caller says it (and the application code for aux 0)."""
    aux = _require_aux(aux_digit)
    if aux != 0 and application_code is not None:
        raise InvalidNoticeNumber(f"aux digit {aux} takes no application code")
    if aux == 0 and application_code is None:
        raise InvalidNoticeNumber("aux digit 0 needs a 2-digit application code")
    _require_digits(iuv, IUV_LENGTH[aux], _("IUV for aux digit %(aux)s") % {"aux": aux})
    return NoticeNumber.parse(
        f"{aux}{application_code or ''}{iuv}", validate_check_digit=validate_check_digit
    )


def iuv_base_from_key(key: str, counter: int = 0, *, length: int = 13) -> str:
    """A deterministic ``length``-digit IUV base derived from ``key`` (e.g. a payment UUID)
    and a counter, so retries regenerate the same notice number (idempotent creation).

    Bump ``counter`` to get a different base for the same key (e.g. after a collision).
    """
    if not isinstance(key, str) or not key:
        raise ValueError("IUV base key must be a non-empty string (e.g. the payment id)")
    if isinstance(counter, bool) or not isinstance(counter, int) or counter < 0:
        raise ValueError(f"IUV base counter must be an int >= 0, got {counter!r}")
    if length not in (13, 15, 17):
        raise ValueError(f"IUV base length must be 13, 15 or 17, got {length}")
    digest = hashlib.sha256(f"{key}\x00{counter}".encode()).digest()
    return f"{int.from_bytes(digest, 'big') % 10**length:0{length}d}"
