"""Marca da bollo: paper stamps, the digital stamp's document hash, amount and province."""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.pagopa import (
    DIGITAL_STAMP_AMOUNT,
    FIRST_STAMP_ISSUE_DATE,
    HISTORICAL_PROVINCE_CODES,
    PROVINCE_CODES,
    TIPO_BOLLO,
    InvalidStamp,
    PaperStamp,
    document_hash,
    normalize_document_hash,
    validate_digital_stamp_amount,
    validate_province_code,
    validate_stamp_identifier,
    validate_stamp_issue_date,
)

TODAY = date(2025, 6, 30)
EMPTY_SHA256_B64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
EMPTY_SHA256_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# --- paper stamps -----------------------------------------------------------------------------


def test_stamp_identifier() -> None:
    assert validate_stamp_identifier("01234567890123") == "01234567890123"
    assert validate_stamp_identifier(" 0123 4567 8901 23 ") == "01234567890123"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0123456789012", "has 13 digits, expected 14"),
        ("012345678901234", "has 15 digits, expected 14"),
        ("0123456789012A", "digits only, found 'A'"),
        ("   ", "is empty"),
    ],
)
def test_stamp_identifier_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidStamp, match=message):
        validate_stamp_identifier(text)


@pytest.mark.parametrize("text", ["2024-03-31", "31/03/2024", date(2024, 3, 31)])
def test_issue_date_accepts_iso_and_italian(text: str | date) -> None:
    assert validate_stamp_issue_date(text, today=TODAY) == date(2024, 3, 31)


def test_issue_date_boundaries() -> None:
    assert validate_stamp_issue_date(TODAY, today=TODAY) == TODAY
    assert validate_stamp_issue_date("01/09/2005", today=TODAY) == FIRST_STAMP_ISSUE_DATE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-07-01", "2025-07-01 is in the future \\(today is 2025-06-30\\)"),
        ("31/08/2005", "2005-08-31 is before 2005-09-01"),
        ("31/02/2024", "'31/02/2024' is not a real date"),
        ("2024/03/31", "must be YYYY-MM-DD .* or DD/MM/YYYY"),
        ("31-03-2024", "must be YYYY-MM-DD"),
        ("", "must be YYYY-MM-DD"),
    ],
)
def test_issue_date_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidStamp, match=message):
        validate_stamp_issue_date(text, today=TODAY)


def test_paper_stamp() -> None:
    stamp = PaperStamp.parse("0123 4567 8901 23", "15/01/2025", today=TODAY)
    assert stamp == PaperStamp("01234567890123", date(2025, 1, 15))
    with pytest.raises(AttributeError):
        stamp.identifier = "x"  # type: ignore[misc]
    with pytest.raises(InvalidStamp, match="must not contain spaces"):
        PaperStamp("0123 4567890123", date(2025, 1, 15))
    with pytest.raises(InvalidStamp, match="before 2005-09-01"):
        PaperStamp("01234567890123", date(2001, 1, 1))
    with pytest.raises(InvalidStamp, match="in the future"):
        PaperStamp.parse("01234567890123", "2025-07-01", today=TODAY)


# --- digital stamp ----------------------------------------------------------------------------


def test_constants() -> None:
    assert TIPO_BOLLO == "01"
    assert DIGITAL_STAMP_AMOUNT == Decimal("16.00")


def test_document_hash_is_base64_sha256() -> None:
    assert document_hash(b"") == EMPTY_SHA256_B64
    assert len(document_hash(b"istanza di residenza")) == 44


@pytest.mark.parametrize(
    "form",
    [f"sha256:{EMPTY_SHA256_HEX}", f"SHA256:{EMPTY_SHA256_HEX.upper()}", EMPTY_SHA256_HEX,
     EMPTY_SHA256_B64, f"  {EMPTY_SHA256_B64}\n"],
)  # fmt: skip
def test_normalize_document_hash_accepts_every_form(form: str) -> None:
    assert normalize_document_hash(form) == EMPTY_SHA256_B64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("md5:d41d8cd98f00b204e9800998ecf8427e", "uses 'md5': only sha256"),
        ("sha256:abc", "expected 64 hex digits, got 3 characters"),
        ("ciao", "decodes to 3 bytes, a SHA-256 digest has 32"),
        ("not base64!", "neither 'sha256:<hex>', 64 hex digits nor base64"),
    ],
)
def test_normalize_document_hash_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidStamp, match=message):
        normalize_document_hash(text)


@given(st.binary(max_size=256))
def test_every_hash_form_agrees(data: bytes) -> None:
    hex_digest = hashlib.sha256(data).hexdigest()
    expected = document_hash(data)
    assert base64.b64decode(expected) == hashlib.sha256(data).digest()
    assert normalize_document_hash(f"sha256:{hex_digest}") == expected
    assert normalize_document_hash(expected) == expected


def test_digital_stamp_amount() -> None:
    assert validate_digital_stamp_amount("16,00") == Decimal("16.00")
    assert validate_digital_stamp_amount(16) == Decimal("16.00")
    with pytest.raises(InvalidStamp, match="amount is 5.00, only 16.00 is supported"):
        validate_digital_stamp_amount("5")
    with pytest.raises(InvalidStamp, match="digital stamp amount: .*negative"):
        validate_digital_stamp_amount("-16")


# --- provinces --------------------------------------------------------------------------------


def test_province_list_is_complete() -> None:
    assert len(PROVINCE_CODES) == 107
    assert {"RM", "MI", "TO", "NA", "SU", "BT", "MB", "FM", "AO", "VB", "KR"} <= PROVINCE_CODES
    assert not PROVINCE_CODES & set(HISTORICAL_PROVINCE_CODES)


def test_province_codes() -> None:
    assert validate_province_code("RM") == "RM"
    assert validate_province_code(" mi ") == "MI"
    assert validate_province_code("OG", allow_historical=True) == "OG"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("OG", r"OG \(Ogliastra\) was abolished in 2016"),
        ("XX", "'XX' is not an Italian province"),
        ("R1", "must be 2 letters"),
        ("ROM", "must be 2 letters"),
    ],
)
def test_province_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidStamp, match=message):
        validate_province_code(text)
