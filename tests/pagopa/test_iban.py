"""IBANs: mod-97, the Italian structure and CIN, the test generator."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.pagopa import (
    InvalidIban,
    generate_italian_iban,
    iban_check_digits,
    is_valid_iban,
    italian_cin,
    parse_italian_iban,
    validate_iban,
)

KNOWN_IT = "IT60X0542811101000000123456"


def test_known_ibans() -> None:
    assert validate_iban(KNOWN_IT) == KNOWN_IT
    assert validate_iban("it60 x054 2811 1010 0000 0123 456") == KNOWN_IT
    assert validate_iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert italian_cin("05428", "11101", "000000123456") == "X"


def test_italian_parts() -> None:
    iban = parse_italian_iban(KNOWN_IT)
    assert (iban.cin, iban.abi, iban.cab, iban.account) == ("X", "05428", "11101", "000000123456")
    assert not iban.is_postal
    assert parse_italian_iban(generate_italian_iban(abi="07601")).is_postal
    with pytest.raises(InvalidIban, match="is from DE, an Italian \\(IT\\) IBAN is required"):
        parse_italian_iban("DE89370400440532013000")


def _with_check_digits(country: str, bban: str) -> str:
    return country + iban_check_digits(country, bban) + bban


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("IT61X0542811101000000123456", "check digits are 61, expected 60"),
        ("IT60X054281110100000012345", "has 26 characters, a IT IBAN has 27"),
        ("IT60X05428111010000001234-6", "contains '-'"),
        ("I", "must start with a 2-letter country code"),
        ("", "IBAN is empty"),
        ("XX0012", "has 6 characters, IBANs have 15 to 34"),
        (_with_check_digits("IT", "Y0542811101000000123456"), "CIN is Y, expected X"),
        (_with_check_digits("IT", "X05A2811101000000123456"), "ABI '05A28' must be 5 digits"),
    ],
)
def test_errors_are_specific(text: str, message: str) -> None:
    with pytest.raises(InvalidIban, match=message):
        validate_iban(text)


def test_generator_is_reproducible_with_a_seeded_rng() -> None:
    first = generate_italian_iban(rng=random.Random(7))
    assert first == generate_italian_iban(rng=random.Random(7))
    assert generate_italian_iban("05428", "11101", "000000123456") == KNOWN_IT


@given(st.randoms(use_true_random=False))
def test_generated_ibans_are_valid(rng: random.Random) -> None:
    iban = generate_italian_iban(rng=rng)
    assert len(iban) == 27
    assert validate_iban(iban) == iban
    assert str(parse_italian_iban(iban)) == iban


@given(
    st.randoms(use_true_random=False),
    st.integers(min_value=2, max_value=26),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_change_is_rejected(rng: random.Random, position: int, delta: int) -> None:
    iban = generate_italian_iban(rng=rng)
    if not iban[position].isdigit():
        return  # the CIN letter
    changed = iban[:position] + str((int(iban[position]) + delta) % 10) + iban[position + 1 :]
    assert not is_valid_iban(changed)
