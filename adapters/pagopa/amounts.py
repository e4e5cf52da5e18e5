"""Amounts: exact ``Decimal`` euros with two decimals, and integer cents.

pagoPA's ``stAmount`` is ``\\d+\\.\\d{2}`` up to 999999999.99 (``stAmountNotZero``: at least
0.01); the QR code carries euro cents. Floats never enter the arithmetic: a float is turned into
text first (``Decimal(str(f))``) and rejected if that text is not a whole number of cents.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from adapters.i18n import gettext as _

__all__ = [
    "MAX_AMOUNT",
    "InvalidAmount",
    "format_it",
    "format_plain",
    "from_cents",
    "parse_amount",
    "to_cents",
]

MAX_AMOUNT = Decimal("999999999.99")
CENT = Decimal("0.01")


class InvalidAmount(ValueError):
    """An amount is malformed or out of range; the message says what is wrong."""


def _check_range(amount: Decimal, shown: str, allow_zero: bool) -> Decimal:
    if amount.is_signed() and amount != 0:
        raise InvalidAmount(
            _("amount %(amount)s is negative: amounts must be >= 0") % {"amount": shown}
        )
    if amount == 0 and not allow_zero:
        raise InvalidAmount(
            _("amount %(amount)s is zero: this amount must be at least 0.01") % {"amount": shown}
        )
    if amount > MAX_AMOUNT:
        raise InvalidAmount(
            _("amount %(amount)s exceeds the pagoPA maximum of 999999999.99") % {"amount": shown}
        )
    if amount != amount.quantize(CENT):
        raise InvalidAmount(
            _("amount %(amount)s has more than 2 decimal places: amounts are whole euro cents")
            % {"amount": shown}
        )
    return abs(amount).quantize(CENT)


def _is_grouped(integer_part: str, separator: str) -> bool:
    pattern = r"\d{1,3}(?:" + re.escape(separator) + r"\d{3})+"
    return re.fullmatch(pattern, integer_part) is not None


def _normalise_text(text: str) -> str:
    """Turn "1.234,56", "1,234.56", "20,00", "€ 20" into "1234.56"-style text."""
    body = text.strip()
    for symbol in ("€", "EUR"):
        body = body.removeprefix(symbol).removesuffix(symbol).strip()
    if not body:
        raise InvalidAmount(_("amount %(amount)r is empty") % {"amount": text})
    sign = ""
    if body[0] in "+-":
        sign, body = body[0], body[1:]
    if not body or any(c not in "0123456789.," for c in body):
        bad = next((c for c in body if c not in "0123456789.,"), "")
        raise InvalidAmount(
            _("amount %(amount)r contains %(bad)r: use digits with ',' or '.' as decimal separator")
            % {"amount": text, "bad": bad}
            if bad
            else _("amount %(amount)r has no digits") % {"amount": text}
        )
    last_comma, last_dot = body.rfind(","), body.rfind(".")
    if last_comma >= 0 and last_dot >= 0:
        decimal_sep = "," if last_comma > last_dot else "."
        thousands = "." if decimal_sep == "," else ","
        integer, _sep, fraction = body.rpartition(decimal_sep)
        if thousands in fraction or not _is_grouped(integer, thousands):
            raise InvalidAmount(
                _("amount %(amount)r: thousands separator %(separator)r must group digits by 3")
                % {"amount": text, "separator": thousands}
            )
        integer = integer.replace(thousands, "")
    else:
        separator = "," if last_comma >= 0 else "."
        if body.count(separator) > 1:
            # Several identical separators can only be thousands grouping: "1.234.567".
            if not _is_grouped(body, separator):
                raise InvalidAmount(
                    _("amount %(amount)r: thousands separator %(separator)r must group digits by 3")
                    % {"amount": text, "separator": separator}
                )
            integer, fraction = body.replace(separator, ""), ""
        elif separator in body:
            integer, _sep, fraction = body.partition(separator)
        else:
            integer, fraction = body, ""
    if not integer and not fraction:
        raise InvalidAmount(_("amount %(amount)r has no digits") % {"amount": text})
    if len(fraction) > 2:
        if len(fraction) == 3 and body.count(".") + body.count(",") == 1:
            separator = "." if "." in body else ","
            decimal_sep = "," if separator == "." else "."
            raise InvalidAmount(
                _(
                    "amount %(amount)r has %(count)s decimal places: at most 2 (cents) (if "
                    "%(separator)r separates thousands, write %(fixed)s)"
                )
                % {
                    "amount": text,
                    "count": len(fraction),
                    "separator": separator,
                    "fixed": f"{body}{decimal_sep}00",
                }
            )
        raise InvalidAmount(
            _("amount %(amount)r has %(count)s decimal places: at most 2 (cents)")
            % {"amount": text, "count": len(fraction)}
        )
    return f"{sign}{integer or '0'}.{fraction or '0'}"


def parse_amount(value: str | int | Decimal | float, *, allow_zero: bool = True) -> Decimal:
    """Parse an amount in euros into a ``Decimal`` with exactly two decimals.

    Accepts "20", "20.00", "20,00", "1.234,56", "1,234.56", "€ 20", ``Decimal``, ``int`` (whole
    euros) and floats that are an exact number of cents. Rejects negatives, zero when
    ``allow_zero`` is False, more than two decimals and anything above 999999999.99.
    """
    if isinstance(value, bool):
        raise InvalidAmount(f"amount must be a number or text, got the boolean {value}")
    if isinstance(value, str):
        text = _normalise_text(value)
        return _check_range(Decimal(text), repr(value), allow_zero)
    if isinstance(value, int):
        return _check_range(Decimal(value), str(value), allow_zero)
    if isinstance(value, float):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:  # pragma: no cover - str(float) is always parseable
            raise InvalidAmount(f"amount {value!r} is not a number") from None
        if not amount.is_finite():
            raise InvalidAmount(f"amount {value!r} is not a finite number")
        return _check_range(amount, repr(value), allow_zero)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidAmount(f"amount {value} is not a finite number")
        return _check_range(value, str(value), allow_zero)
    raise InvalidAmount(f"amount must be text, int, Decimal or float, got {type(value).__name__}")


def to_cents(amount: str | int | Decimal | float) -> int:
    """Euro amount → integer cents (``Decimal("12.34")`` → 1234); validates like parse_amount."""
    return int(parse_amount(amount) * 100)


def from_cents(cents: int) -> Decimal:
    """Integer cents → ``Decimal`` euros with two decimals (1234 → ``Decimal("12.34")``)."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise InvalidAmount(f"cents must be an int, got {type(cents).__name__} {cents!r}")
    if cents < 0:
        raise InvalidAmount(f"cents {cents} is negative: amounts must be >= 0")
    amount = (Decimal(cents) / 100).quantize(CENT)
    if amount > MAX_AMOUNT:
        raise InvalidAmount(f"cents {cents} exceed the pagoPA maximum of 99999999999")
    return amount


def format_it(amount: str | int | Decimal | float) -> str:
    """Italian display form: ``Decimal("1234.56")`` → "1.234,56"."""
    value = parse_amount(amount)
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def format_plain(amount: str | int | Decimal | float) -> str:
    """pagoPA wire form (``stAmount``): ``Decimal("1234.5")`` → "1234.50"."""
    return f"{parse_amount(amount):.2f}"
