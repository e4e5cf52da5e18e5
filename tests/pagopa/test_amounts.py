"""Amounts: exact Decimal euros, cents, Italian formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.pagopa import (
    MAX_AMOUNT,
    InvalidAmount,
    format_it,
    format_plain,
    from_cents,
    parse_amount,
    to_cents,
)

cents = st.integers(min_value=0, max_value=99_999_999_999)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20", "20.00"),
        ("20.00", "20.00"),
        ("20,00", "20.00"),
        ("20,5", "20.50"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234.567", "1234567.00"),
        ("€ 16,00", "16.00"),
        ("16,00 €", "16.00"),
        (" 0,01 ", "0.01"),
        (",50", "0.50"),
        ("999999999.99", "999999999.99"),
        (Decimal("20"), "20.00"),
        (Decimal("20.100"), "20.10"),
        (20, "20.00"),
        (0.1, "0.10"),
        (12.34, "12.34"),
    ],
)
def test_accepted_forms(value: str | int | Decimal | float, expected: str) -> None:
    parsed = parse_amount(value)
    assert parsed == Decimal(expected)
    assert str(parsed) == expected  # always exactly two decimals


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "is negative"),
        (Decimal("-0.01"), "is negative"),
        (-1, "is negative"),
        ("20.005", "has 3 decimal places: at most 2"),
        ("1.234", r"if '\.' separates thousands, write 1\.234,00"),
        ("1,2345", "has 4 decimal places"),
        (Decimal("20.001"), "more than 2 decimal places"),
        (0.1 + 0.2, "more than 2 decimal places"),
        ("1000000000", "exceeds the pagoPA maximum of 999999999.99"),
        (10**9, "exceeds the pagoPA maximum"),
        ("abc", "contains 'a'"),
        ("12 34", "contains ' '"),
        ("", "is empty"),
        ("€", "is empty"),
        ("1.23.4,5", "thousands separator '.' must group digits by 3"),
        ("1,23.45", "thousands separator ',' must group digits by 3"),
        (Decimal("NaN"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (True, "boolean"),
    ],
)
def test_rejected_forms(value: object, message: str) -> None:
    with pytest.raises(InvalidAmount, match=message):
        parse_amount(value)  # type: ignore[arg-type]


def test_zero_only_when_allowed() -> None:
    assert parse_amount("0") == Decimal("0.00")
    with pytest.raises(InvalidAmount, match="is zero: this amount must be at least 0.01"):
        parse_amount("0,00", allow_zero=False)


def test_cents_conversions() -> None:
    assert to_cents("1.234,56") == 123456
    assert to_cents(Decimal("0.05")) == 5
    assert to_cents(16) == 1600
    assert from_cents(5) == Decimal("0.05")
    assert from_cents(99_999_999_999) == MAX_AMOUNT
    with pytest.raises(InvalidAmount, match="cents -1 is negative"):
        from_cents(-1)
    with pytest.raises(InvalidAmount, match="cents must be an int, got float"):
        from_cents(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount, match="exceed the pagoPA maximum"):
        from_cents(100_000_000_000)


def test_formatting() -> None:
    assert format_it(Decimal("1234.56")) == "1.234,56"
    assert format_it("999999999.99") == "999.999.999,99"
    assert format_it(0) == "0,00"
    assert format_plain("1.234,5") == "1234.50"


@given(cents)
def test_cents_round_trip(value: int) -> None:
    assert to_cents(from_cents(value)) == value


@given(cents)
def test_italian_format_parses_back(value: int) -> None:
    amount = from_cents(value)
    assert parse_amount(format_it(amount)) == amount
    assert parse_amount(format_plain(amount)) == amount


@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2))
def test_two_decimal_values_are_kept_exactly(value: Decimal) -> None:
    assert parse_amount(value) == value
    assert parse_amount(str(value)) == value
