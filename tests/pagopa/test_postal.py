"""Poste's data matrix payload: fixed widths, padding and cutting, as the decoders read it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.pagopa import (
    InvalidPostalAccount,
    ascii_fold,
    normalize_postal_account,
    poste_datamatrix_payload,
)

ARGS = {
    "notice_number": "301123456789012316",
    "postal_account": "1234567",
    "amount": Decimal("20.5"),
    "creditor_fiscal_code": "80000000002",
    "debtor_fiscal_code": "rssmra80a01h501u",
    "debtor_name": "Mario Rossi",
    "reason": "Diritti di segreteria",
}


def test_every_field_at_its_offset() -> None:
    payload = poste_datamatrix_payload(**ARGS)  # type: ignore[arg-type]
    assert len(payload) == 256
    assert payload[:13] == "codfase=NBPA;"
    assert payload[13:15] == "18" and payload[15:33] == "301123456789012316"
    assert payload[33:35] == "12" and payload[35:47] == "000001234567"
    assert payload[47:49] == "10" and payload[49:59] == "0000002050"
    assert payload[59:63] == "3896" and payload[63:66] == "1P1"
    assert payload[66:77] == "80000000002"
    assert payload[77:93] == "RSSMRA80A01H501U"
    assert payload[93:133] == "Mario Rossi".ljust(40)
    assert payload[133:243] == "Diritti di segreteria".ljust(110)
    assert payload[243:255] == " " * 12 and payload[255] == "A"


def test_long_text_is_cut_and_accents_folded_so_offsets_never_move() -> None:
    payload = poste_datamatrix_payload(
        **{
            **ARGS,
            "debtor_name": "Niccolò  Dell’Acqua " * 5,
            "reason": "Tàssa è " * 40,
            "debtor_fiscal_code": "80000000002",
        }  # type: ignore[arg-type]
    )
    assert len(payload) == 256 and payload.isascii() and payload.endswith("A")
    assert payload[77:93] == "80000000002     "  # a company's code, space-padded
    assert payload[93:133].startswith("Niccolo Dell Acqua Niccolo")  # ’ is not ASCII
    assert payload[133:243] == ("Tassa e " * 40)[:110]


def test_ascii_fold() -> None:
    assert ascii_fold("àèéìòù ÀÈ") == "aeeiou AE"
    assert ascii_fold("€\t") == "  "


@pytest.mark.parametrize(
    ("account", "message"),
    [("", "digits only"), ("12a", "digits only"), ("1" * 13, "at most 12"), ("000", "zeros")],
)
def test_bad_postal_accounts(account: str, message: str) -> None:
    with pytest.raises(InvalidPostalAccount, match=message):
        normalize_postal_account(account)


def test_spaces_in_the_account_are_dropped() -> None:
    assert normalize_postal_account(" 1234 5678 ") == "12345678"


def test_amounts_and_codes_that_do_not_fit_are_refused() -> None:
    with pytest.raises(ValueError, match="10 digits"):
        poste_datamatrix_payload(**{**ARGS, "amount": Decimal("100000000.00")})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="11 digits"):
        poste_datamatrix_payload(**{**ARGS, "creditor_fiscal_code": "123"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="18 digits"):
        poste_datamatrix_payload(**{**ARGS, "notice_number": "123"})  # type: ignore[arg-type]
