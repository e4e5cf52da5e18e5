"""Notice numbers and IUVs: layouts per aux digit, the mod-93 check digit, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.pagopa import (
    InvalidNoticeNumber,
    NoticeNumber,
    check_digit,
    generate_notice,
    iuv_base_from_key,
    iuv_from_notice,
    notice_from_iuv,
)

two_digits = st.text("0123456789", min_size=2, max_size=2)


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


@st.composite
def notices(draw: st.DrawFn) -> NoticeNumber:
    aux = draw(st.sampled_from([0, 1, 2, 3]))
    base = draw(digits({0: 13, 1: 17, 2: 15, 3: 13}[aux]))
    if aux == 0:
        return generate_notice(0, base, application_code=draw(two_digits))
    if aux == 3:
        return generate_notice(3, base, segregation_code=draw(two_digits))
    return generate_notice(aux, base)


# --- known answers (reference/pagopa.md §1.2) ------------------------------------------------


def test_aux3_known_answer() -> None:
    notice = generate_notice(3, "1234567890123", segregation_code="02")
    assert str(notice) == "302123456789012356"
    assert notice.iuv == "02123456789012356"
    assert notice.check_digit == "56"
    assert notice.segregation_code == "02"
    assert notice.application_code is None
    assert notice.iuv_base == "1234567890123"


def test_aux0_known_answer() -> None:
    notice = generate_notice(0, "1234567890123", application_code="01")
    assert notice.notice_number == "001123456789012313"
    assert notice.iuv == "123456789012313"
    assert notice.application_code == "01"


def test_aux2_known_answer() -> None:
    notice = generate_notice(2, "123456789012345")
    assert str(notice) == "212345678901234544"
    assert notice.iuv == "12345678901234544"


def test_aux1_has_no_check_digit() -> None:
    notice = generate_notice(1, "12345678901234567")
    assert str(notice) == "112345678901234567"
    assert notice.check_digit is None
    assert notice.has_valid_check_digit
    with pytest.raises(InvalidNoticeNumber, match="aux digit 1 .* no IUV check digit"):
        check_digit(1, "12345678901234567")


def test_parse_splits_the_fields() -> None:
    assert NoticeNumber.parse("302123456789012356") == NoticeNumber(
        aux_digit=3, application_code=None, segregation_code="02", iuv="02123456789012356"
    )
    assert NoticeNumber.parse("001123456789012313") == NoticeNumber(
        aux_digit=0, application_code="01", segregation_code=None, iuv="123456789012313"
    )


def test_parse_ignores_grouping_spaces() -> None:
    assert str(NoticeNumber.parse(" 3021 2345 6789 0123 56 ")) == "302123456789012356"


def test_check_digit_is_zero_padded() -> None:
    # 3010000000000000 mod 93 = 4 -> "04"
    assert check_digit(3, "0000000000000", segregation_code="01") == f"{3010000000000000 % 93:02d}"
    assert len(check_digit(3, "0000000000000", segregation_code="01")) == 2


def test_int_base_is_zero_padded() -> None:
    assert generate_notice(3, 42, segregation_code="01").iuv_base == "0000000000042"
    with pytest.raises(InvalidNoticeNumber, match="does not fit in 13 digits"):
        generate_notice(3, 10**13, segregation_code="01")


# --- errors say exactly what is wrong ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("302123456789012312", "check digit is 12, expected 56"),
        ("402123456789012356", "aux digit 4: only 0, 1, 2 and 3 exist"),
        ("3021234567890123", "must be 18 digits long, got 16"),
        ("3021234567890123567", "must be 18 digits long, got 19"),
        ("30212345678901235x", "only digits 0-9, found 'x'"),
        ("", "is empty"),
    ],
)
def test_parse_errors_are_specific(text: str, message: str) -> None:
    with pytest.raises(InvalidNoticeNumber, match=message):
        NoticeNumber.parse(text)


def test_invalid_notice_number_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="check digit"):
        NoticeNumber.parse("302123456789012300")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"aux_digit": 3, "base": "1234567890123"}, "needs a 2-digit segregation code"),
        ({"aux_digit": 0, "base": "1234567890123"}, "needs a 2-digit application code"),
        (
            {"aux_digit": 3, "base": "1234567890123", "application_code": "01"},
            "takes a segregation code, not an application code",
        ),
        ({"aux_digit": 2, "base": "123", "segregation_code": "01"}, "takes neither"),
        ({"aux_digit": 2, "base": "1234567890123"}, "must be 15 digits long, got 13"),
        ({"aux_digit": 5, "base": "1234567890123"}, "aux digit 5 is not supported"),
        (
            {"aux_digit": 3, "base": "1234567890123", "segregation_code": "2"},
            "segregation code '2' must be 2 digits long, got 1",
        ),
    ],
)
def test_generate_errors_are_specific(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidNoticeNumber, match=message):
        generate_notice(**kwargs)  # type: ignore[arg-type]


def test_constructor_keeps_segregation_code_and_iuv_consistent() -> None:
    with pytest.raises(InvalidNoticeNumber, match="must start with the segregation code '01'"):
        NoticeNumber(3, None, "01", "02123456789012356")


# --- legacy samples with wrong check digits ---------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "written", "expected"),
    [("311111111112222222", "22", "47"), ("302012387654312384", "84", "86")],
)
def test_legacy_samples_parse_without_check_digit_validation(
    sample: str, written: str, expected: str
) -> None:
    with pytest.raises(InvalidNoticeNumber, match=f"check digit is {written}, expected {expected}"):
        NoticeNumber.parse(sample)
    notice = NoticeNumber.parse(sample, validate_check_digit=False)
    assert str(notice) == sample
    assert not notice.has_valid_check_digit
    assert notice.expected_check_digit == expected
    assert iuv_from_notice(sample, validate_check_digit=False) == sample[1:]


# --- IUV <-> notice ---------------------------------------------------------------------------


def test_iuv_and_notice_convert_both_ways() -> None:
    assert iuv_from_notice("302123456789012356") == "02123456789012356"
    assert str(notice_from_iuv("02123456789012356", 3)) == "302123456789012356"
    assert str(notice_from_iuv("123456789012313", 0, "01")) == "001123456789012313"
    with pytest.raises(InvalidNoticeNumber, match="aux digit 0 needs a 2-digit application code"):
        notice_from_iuv("123456789012313", 0)
    with pytest.raises(InvalidNoticeNumber, match="IUV for aux digit 3 .* 17 digits long, got 15"):
        notice_from_iuv("123456789012313", 3)
    with pytest.raises(InvalidNoticeNumber, match="check digit is 57, expected 56"):
        notice_from_iuv("02123456789012357", 3)


@given(notices())
def test_generated_notices_round_trip(notice: NoticeNumber) -> None:
    text = str(notice)
    assert len(text) == 18 and text.isdigit()
    assert NoticeNumber.parse(text) == notice
    assert iuv_from_notice(text) == notice.iuv
    assert notice_from_iuv(notice.iuv, notice.aux_digit, notice.application_code) == notice


@given(notices(), st.integers(min_value=1, max_value=17), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_breaks_the_check_digit(
    notice: NoticeNumber, position: int, delta: int
) -> None:
    # Position 0 (the aux digit) is excluded: changing it changes the layout, not the check.
    if notice.aux_digit == 1:
        return
    text = str(notice)
    changed = text[:position] + str((int(text[position]) + delta) % 10) + text[position + 1 :]
    with pytest.raises(InvalidNoticeNumber, match="check digit is"):
        NoticeNumber.parse(changed)


# --- deterministic IUV bases ------------------------------------------------------------------


def test_iuv_base_from_key_is_deterministic_and_counter_sensitive() -> None:
    key = "b21c4429-95e4-45d5-930f-44eb74136625"
    base = iuv_base_from_key(key)
    assert base == iuv_base_from_key(key, 0)
    assert len(base) == 13 and base.isdigit()
    assert iuv_base_from_key(key, 1) != base
    assert iuv_base_from_key(key + "x") != base
    assert len(iuv_base_from_key(key, length=15)) == 15
    notice = generate_notice(3, base, segregation_code="01")
    assert notice == generate_notice(3, iuv_base_from_key(key), segregation_code="01")


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("",), {}, "non-empty string"),
        (("k", -1), {}, "counter must be an int >= 0"),
        (("k",), {"length": 12}, "length must be 13, 15 or 17"),
    ],
)
def test_iuv_base_from_key_rejects_bad_input(
    args: tuple[object, ...], kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        iuv_base_from_key(*args, **kwargs)  # type: ignore[arg-type]


@given(st.text(min_size=1), st.integers(min_value=0, max_value=10**6))
def test_iuv_base_from_key_always_fits_13_digits(key: str, counter: int) -> None:
    base = iuv_base_from_key(key, counter)
    assert len(base) == 13 and base.isdigit()
    assert len(str(generate_notice(3, base, segregation_code="01"))) == 18
