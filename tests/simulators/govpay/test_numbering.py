"""Numero avviso generation and checks, per aux digit (pagoPA's mod-93 check digit)."""

from __future__ import annotations

import pytest

from simulators.govpay.numbering import (
    Numbering,
    NumeroAvvisoError,
    check_digit,
    iuv_of,
    verify,
)


def test_check_digit_is_the_remainder_by_93_on_two_digits() -> None:
    assert check_digit("3010000000000001") == f"{3010000000000001 % 93:02d}"
    assert check_digit("93") == "00"
    assert check_digit("5") == "05"


@pytest.mark.parametrize(
    ("numbering", "prefix", "checked"),
    [
        (Numbering(aux_digit=3, segregation_code=1), "301", True),
        (Numbering(aux_digit=3, segregation_code=47), "347", True),
        (Numbering(aux_digit=0, application_code=12), "012", True),
        (Numbering(aux_digit=2), "2", True),
        (Numbering(aux_digit=1), "1", False),
    ],
)
def test_generated_numbers_follow_the_aux_digit(
    numbering: Numbering, prefix: str, checked: bool
) -> None:
    for sequence in (1, 42, 9_999_999):
        numero = numbering.numero_avviso(sequence)
        assert len(numero) == 18 and numero.isdigit() and numero.startswith(prefix)
        if checked:
            assert numero[16:] == check_digit(numero[:16])
        verify(numero, numbering, "80000000002", "80000000002_01")


def test_iuv_of_each_aux_digit() -> None:
    assert iuv_of("301000000000000144") == "01000000000000144"
    assert iuv_of("012000000000004273") == "000000000004273"  # 15 digits after aux + app code
    assert iuv_of("100000000000000042") == "00000000000000042"
    for bad in ("30100000000000014", "30100000000000014x", "901000000000000144"):
        with pytest.raises(NumeroAvvisoError) as refused:
            iuv_of(bad)
        assert refused.value.code == "VER_017"


@pytest.mark.parametrize(
    ("numero", "code"),
    [
        ("302000000000000012", "VER_027"),  # segregation code 02, the ente has 01
        ("013000000000000012", "VER_026"),  # aux 0 with application code 13, the ente has 01
        ("201000000000000012", "VER_039"),  # aux digit 2, the ente uses 3
    ],
)
def test_verify_refuses_numbers_of_another_configuration(numero: str, code: str) -> None:
    numbering = Numbering(aux_digit=3, segregation_code=1, application_code=1)
    with pytest.raises(NumeroAvvisoError) as refused:
        verify(numero, numbering, "80000000002", "80000000002_01")
    assert refused.value.code == code


def test_sequence_limits() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        Numbering(aux_digit=3).numero_avviso(10**13)
    with pytest.raises(ValueError, match="aux digit"):
        Numbering(aux_digit=4).numero_avviso(1)
