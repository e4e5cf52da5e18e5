"""IUV / notice numbers with the mod-93 check digit, implemented inside the simulator."""

from __future__ import annotations

from simulators.mypay.iuv import IuvGenerator, check_digit, iuv_problem, make_iuv, notice_from_iuv


def test_reference_example_from_saci() -> None:
    iuv = make_iuv("02", "1234567890123")
    assert iuv == "02123456789012356"
    assert notice_from_iuv(iuv) == "302123456789012356"
    assert check_digit("3", "02", "1234567890123") == "56"


def test_generated_iuvs_carry_segregation_code_and_valid_check_digit() -> None:
    generator = IuvGenerator("01", start=9_999_999_999_998)
    iuvs = [generator.next() for _ in range(5)]
    assert len(set(iuvs)) == 5
    for iuv in iuvs:
        assert len(iuv) == 17 and iuv.startswith("01")
        assert iuv_problem(iuv, "01") is None
    assert iuvs[2][2:15] == "0000000000000"  # the 13-digit base wraps around


def test_iuv_problems_are_specific() -> None:
    assert "17 digits" in (iuv_problem("123", "01") or "")
    assert "segregation code 01" in (iuv_problem("02123456789012356", "01") or "")
    assert "expected 56" in (iuv_problem("02123456789012357", "02") or "")
