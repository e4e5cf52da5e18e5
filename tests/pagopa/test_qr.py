"""The paper notice QR payload: PAGOPA|002|<notice>|<creditor CF>|<cents>."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.pagopa import (
    InvalidQrPayload,
    NoticeNumber,
    build_qr_payload,
    from_cents,
    generate_notice,
    parse_qr_payload,
)

NOTICE = "302123456789012356"
CREDITOR = "80000000002"


def test_build_known_payload() -> None:
    assert build_qr_payload(NOTICE, CREDITOR, Decimal("20.00")) == (
        "PAGOPA|002|302123456789012356|80000000002|2000"
    )
    notice = generate_notice(3, "1234567890123", segregation_code="02")
    assert build_qr_payload(notice, CREDITOR, "1.234,56").endswith("|123456")


def test_small_amounts_are_zero_padded_to_two_digits() -> None:
    assert build_qr_payload(NOTICE, CREDITOR, "0,05").endswith("|05")
    assert build_qr_payload(NOTICE, CREDITOR, "0,10").endswith("|10")


def test_parse_known_payload() -> None:
    payload = parse_qr_payload("PAGOPA|002|302123456789012356|80000000002|2000\n")
    assert payload.notice_number == NoticeNumber.parse(NOTICE)
    assert payload.creditor_fiscal_code == CREDITOR
    assert payload.amount == Decimal("20.00")
    assert payload.amount_cents == 2000
    assert str(payload) == "PAGOPA|002|302123456789012356|80000000002|2000"


@pytest.mark.parametrize(("amount", "euros"), [("5", "0.05"), ("0000015000", "150.00")])
def test_parse_tolerates_amount_widths_seen_in_the_wild(amount: str, euros: str) -> None:
    payload = parse_qr_payload(f"PAGOPA|002|{NOTICE}|{CREDITOR}|{amount}")
    assert payload.amount == Decimal(euros)


def test_legacy_samples_need_strict_false() -> None:
    sample = "PAGOPA|002|311111111112222222|77777777777|9999"
    with pytest.raises(InvalidQrPayload, match="check digit is 22, expected 47"):
        parse_qr_payload(sample)
    payload = parse_qr_payload(sample, strict=False)
    assert str(payload.notice_number) == "311111111112222222"
    assert payload.creditor_fiscal_code == "77777777777"
    assert str(payload) == sample
    with pytest.raises(InvalidQrPayload, match="77777777777.*check digit is 7, expected 0"):
        build_qr_payload(NOTICE, "77777777777", 10)
    assert build_qr_payload(NOTICE, "77777777777", 10, strict=False).endswith("|1000")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"PAGOPA|002|{NOTICE}|{CREDITOR}", "has 4 '|'-separated fields, expected 5"),
        (f"PAGOPA|002|{NOTICE}|{CREDITOR}|100|x", "has 6 '|'-separated fields"),
        (f"pagopa|002|{NOTICE}|{CREDITOR}|100", "identifier is 'pagopa', expected 'PAGOPA'"),
        (f"PAGOPA|001|{NOTICE}|{CREDITOR}|100", "version is '001', only '002' is defined"),
        (f"PAGOPA|002|30212345678901235|{CREDITOR}|100", "18 digits long, got 17"),
        (f"PAGOPA|002|{NOTICE}|8000000000|100", "must be 11 digits, got 10"),
        (f"PAGOPA|002|{NOTICE}|{CREDITOR}|", "amount is empty: expected 1 to 11 digits"),
        (f"PAGOPA|002|{NOTICE}|{CREDITOR}|123456789012", "has 12 digits, expected 1 to 11"),
        (f"PAGOPA|002|{NOTICE}|{CREDITOR}|12.50", "must be euro cents, digits only"),
        (f"PAGOPA|002|{NOTICE}|{CREDITOR}|00", "amount is zero"),
    ],
)
def test_parse_errors_name_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidQrPayload, match=message):
        parse_qr_payload(text)


def test_build_rejects_bad_input() -> None:
    with pytest.raises(InvalidQrPayload, match="is zero"):
        build_qr_payload(NOTICE, CREDITOR, 0)
    with pytest.raises(InvalidQrPayload, match="3 decimal places"):
        build_qr_payload(NOTICE, CREDITOR, "1.005")
    with pytest.raises(InvalidQrPayload, match="check digit is 12, expected 56"):
        build_qr_payload("302123456789012312", CREDITOR, 1)
    legacy = NoticeNumber.parse("302123456789012312", validate_check_digit=False)
    with pytest.raises(InvalidQrPayload, match="check digit is 12, expected 56"):
        build_qr_payload(legacy, CREDITOR, 1)


@given(
    st.sampled_from([0, 2, 3]),
    st.integers(min_value=0, max_value=10**13 - 1),
    st.integers(min_value=1, max_value=99_999_999_999),
)
def test_build_then_parse_round_trips(aux: int, base: int, cents: int) -> None:
    codes = {0: {"application_code": "01"}, 2: {}, 3: {"segregation_code": "01"}}[aux]
    notice = generate_notice(aux, base, **codes)
    text = build_qr_payload(notice, CREDITOR, from_cents(cents))
    fields = text.split("|")
    assert 2 <= len(fields[4]) <= 11
    payload = parse_qr_payload(text)
    assert payload.notice_number == notice
    assert payload.amount_cents == cents
    assert str(payload) == text
