"""Creditor fiscal codes (11 digits) and personal codici fiscali (16 characters)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.pagopa import (
    PAGOPA_TEST_CREDITOR_FISCAL_CODE,
    InvalidFiscalCode,
    creditor_check_digit,
    generate_personal_fiscal_code,
    is_valid_creditor_fiscal_code,
    is_valid_personal_fiscal_code,
    parse_personal_fiscal_code,
    validate_creditor_fiscal_code,
    validate_personal_fiscal_code,
)

TODAY = date(2025, 1, 1)

# --- creditor ---------------------------------------------------------------------------------


def test_demo_creditor_validates() -> None:
    assert validate_creditor_fiscal_code("80000000002") == "80000000002"
    assert validate_creditor_fiscal_code(" 80000000002\n") == "80000000002"
    assert is_valid_creditor_fiscal_code("80000000002")


def test_pagopa_test_creditor_fails_strict_and_passes_lenient() -> None:
    assert PAGOPA_TEST_CREDITOR_FISCAL_CODE == "77777777777"
    with pytest.raises(InvalidFiscalCode, match="check digit is 7, expected 0.*strict=False"):
        validate_creditor_fiscal_code("77777777777")
    assert validate_creditor_fiscal_code("77777777777", strict=False) == "77777777777"
    assert not is_valid_creditor_fiscal_code("77777777777")
    assert is_valid_creditor_fiscal_code("77777777777", strict=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("80000000003", "check digit is 3, expected 2"),
        ("8000000000", "must be 11 digits, got 10"),
        ("800000000021", "must be 11 digits, got 12"),
        ("8000000000A", "only digits, found 'A'"),
        ("", "is empty"),
        ("00000000000", "placeholder"),
    ],
)
def test_creditor_errors_are_specific(text: str, message: str) -> None:
    with pytest.raises(InvalidFiscalCode, match=message):
        validate_creditor_fiscal_code(text)


def test_lenient_mode_still_checks_the_shape() -> None:
    with pytest.raises(InvalidFiscalCode, match="must be 11 digits"):
        validate_creditor_fiscal_code("7777777777", strict=False)


@given(st.text("0123456789", min_size=10, max_size=10))
def test_computed_creditor_check_digit_validates(first_ten: str) -> None:
    code = first_ten + creditor_check_digit(first_ten)
    if code != "0" * 11:
        assert validate_creditor_fiscal_code(code) == code


@given(
    st.text("0123456789", min_size=10, max_size=10),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_change_breaks_the_creditor_check(
    first_ten: str, position: int, delta: int
) -> None:
    code = first_ten + creditor_check_digit(first_ten)
    changed = code[:position] + str((int(code[position]) + delta) % 10) + code[position + 1 :]
    assert not is_valid_creditor_fiscal_code(changed)


# --- personal ---------------------------------------------------------------------------------


def test_well_known_code_parses() -> None:
    parsed = parse_personal_fiscal_code("RSSMRA80A01H501U")
    assert parsed.birth_date == date(1980, 1, 1)
    assert parsed.sex == "M"
    assert parsed.belfiore_code == "H501"
    assert not parsed.is_omocode
    assert validate_personal_fiscal_code(" rssmra80a01h501u ") == "RSSMRA80A01H501U"


def test_women_have_forty_added_to_the_day() -> None:
    code = generate_personal_fiscal_code("Bianchi", "Anna", date(1975, 12, 31), "F", "F205")
    assert code[9:11] == "71"
    parsed = parse_personal_fiscal_code(code, today=TODAY)
    assert (parsed.sex, parsed.birth_date, parsed.belfiore_code) == (
        "F",
        date(1975, 12, 31),
        "F205",
    )


def test_omocode_decodes_to_the_same_person() -> None:
    plain = generate_personal_fiscal_code("Rossi", "Mario", date(1980, 1, 1), "M", "H501")
    assert plain == "RSSMRA80A01H501U"
    full = generate_personal_fiscal_code(
        "Rossi", "Mario", date(1980, 1, 1), "M", "H501", omocodia_level=7
    )
    assert full[:6] == "RSSMRA" and not any(c.isdigit() for c in full)
    parsed = parse_personal_fiscal_code(full)
    assert parsed.is_omocode
    assert (parsed.birth_date, parsed.sex, parsed.belfiore_code) == (date(1980, 1, 1), "M", "H501")


def test_two_digit_year_takes_the_latest_century_not_in_the_future() -> None:
    born_2020 = generate_personal_fiscal_code("Verdi", "Luca", date(2020, 6, 1), "M", "L219")
    assert parse_personal_fiscal_code(born_2020, today=TODAY).birth_date == date(2020, 6, 1)
    born_1924 = generate_personal_fiscal_code("Verdi", "Luca", date(1924, 6, 1), "M", "L219")
    assert parse_personal_fiscal_code(born_1924, today=date(2024, 5, 31)).birth_date == date(
        1924, 6, 1
    )


@pytest.mark.parametrize(
    ("surname", "name", "expected"),
    [
        ("Rossi", "Mario", "RSSMRA"),
        ("Fo", "Dario", "FOXDRA"),
        ("D'Angelo", "Gianfranco", "DNGGFR"),  # >= 4 name consonants: 1st, 3rd, 4th
        ("Nicolò", "Ugo", "NCLGUO"),
        ("De Luca", "Ai", "DLCAIX"),
    ],
)
def test_surname_and_name_letters(surname: str, name: str, expected: str) -> None:
    code = generate_personal_fiscal_code(surname, name, date(1990, 5, 17), "M", "A944")
    assert code[:6] == expected
    assert is_valid_personal_fiscal_code(code)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("RSSMRA80A01H501V", "check character is V, expected U"),
        ("RSSMRA80A01H501", "must be 16 characters long, got 15"),
        ("RSSMRA80A01H501-", "contains '-'"),
        ("RSSMR480A01H501U", r"character 6 \('4', name\) must be a letter"),
        ("RSSMRA8AA01H501U", r"character 8 \('A', birth year\) must be a digit or an omocodia"),
        ("RSSMRA80F01H501U", "month letter 'F' is not one of ABCDEHLMPRST"),
        ("1SSMRA80A01H501U", r"character 1 \('1', surname\) must be a letter"),
    ],
)
def test_personal_errors_are_specific(text: str, message: str) -> None:
    with pytest.raises(InvalidFiscalCode, match=message):
        parse_personal_fiscal_code(text)


def _with_valid_check(first_fifteen: str) -> str:
    from adapters.pagopa import personal_check_character

    return first_fifteen + personal_check_character(first_fifteen)


def test_impossible_dates_are_rejected_even_with_a_valid_check_character() -> None:
    with pytest.raises(InvalidFiscalCode, match="day field 32 is neither 01-31"):
        parse_personal_fiscal_code(_with_valid_check("RSSMRA80A32H501"))
    with pytest.raises(InvalidFiscalCode, match="30/02/1980 is not a real date"):
        parse_personal_fiscal_code(_with_valid_check("RSSMRA80B30H501"))


def test_generator_rejects_bad_input() -> None:
    with pytest.raises(
        InvalidFiscalCode, match="Belfiore code 'H50' must be a letter and 3 digits"
    ):
        generate_personal_fiscal_code("Rossi", "Mario", date(1980, 1, 1), "M", "H50")
    with pytest.raises(InvalidFiscalCode, match="sex must be 'M' or 'F'"):
        generate_personal_fiscal_code("Rossi", "Mario", date(1980, 1, 1), "X", "H501")  # type: ignore[arg-type]
    with pytest.raises(InvalidFiscalCode, match="has no letters"):
        generate_personal_fiscal_code("123", "Mario", date(1980, 1, 1), "M", "H501")


people = st.fixed_dictionaries(
    {
        "surname": st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZàèéìòù' ", min_size=1).filter(
            lambda s: any(c.isalpha() for c in s)
        ),
        "name": st.text("abcdefghijklmnopqrstuvwxyz", min_size=1),
        "birth_date": st.dates(min_value=date(1925, 1, 2), max_value=TODAY),
        "sex": st.sampled_from(["M", "F"]),
        "belfiore_code": st.from_regex(r"[A-Z][0-9]{3}", fullmatch=True),
        "omocodia_level": st.integers(min_value=0, max_value=7),
    }
)


@given(people)
def test_generated_codes_parse_back(person: dict[str, object]) -> None:
    code = generate_personal_fiscal_code(**person)  # type: ignore[arg-type]
    parsed = parse_personal_fiscal_code(code, today=TODAY)
    assert parsed.code == code
    assert parsed.birth_date == person["birth_date"]
    assert parsed.sex == person["sex"]
    assert parsed.belfiore_code == person["belfiore_code"]
    assert parsed.is_omocode == (person["omocodia_level"] != 0)


@given(
    people,
    st.integers(min_value=0, max_value=15),
    st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
)
def test_any_single_character_change_is_rejected(
    person: dict[str, object], position: int, replacement: str
) -> None:
    code = generate_personal_fiscal_code(**person)  # type: ignore[arg-type]
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_personal_fiscal_code(changed)
