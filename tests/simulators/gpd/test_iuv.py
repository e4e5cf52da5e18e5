"""The simulator's own mod-93 IUV rules (aux digit 3)."""

from __future__ import annotations

import pytest

from simulators.gpd.iuv import (
    InvalidIuv,
    check_digit,
    make_iuv,
    notice_number,
    validate_iuv,
    validate_nav,
)


def test_worked_example_from_saci() -> None:
    iuv = make_iuv("02", "1234567890123")
    assert iuv == "02123456789012356"
    assert notice_number(iuv) == "302123456789012356"
    assert check_digit("3", "021234567890123") == "56"


def test_check_digit_is_zero_padded() -> None:
    # a base whose remainder is below 10 must still give a two-digit check digit
    base = next(f"{n:013d}" for n in range(1000) if int(f"301{n:013d}") % 93 < 10)
    assert len(make_iuv("01", base)) == 17 and make_iuv("01", base)[15] == "0"


def test_validation_names_what_is_wrong() -> None:
    validate_iuv("02123456789012356")
    with pytest.raises(InvalidIuv, match="expected '56'"):
        validate_iuv("02123456789012357")
    with pytest.raises(InvalidIuv, match="must be 17 digits"):
        validate_iuv("0212345678901235")
    with pytest.raises(InvalidIuv, match="segregation codes are 01"):
        validate_iuv("02123456789012356", ("01",))
    validate_iuv("02123456789012357", verify_check_digit=False)
    with pytest.raises(InvalidIuv, match="expected '302123456789012356'"):
        validate_nav("002123456789012356", "02123456789012356")
