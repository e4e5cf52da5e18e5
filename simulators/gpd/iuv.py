"""IUV and notice number (NAV) rules for aux digit 3, written from SACI's spec.

Notice number ``3 <segregation code 2n> <IUV base 13n> <check 2n>``; the IUV is the
notice number without the aux digit; the check digit is the remainder of the
division by 93 of ``3 <segregation code> <IUV base>``, on two digits.
"""

from __future__ import annotations

AUX_DIGIT = "3"
IUV_LENGTH = 17


class InvalidIuv(ValueError):
    """An IUV or notice number breaks the aux-digit-3 rules; the message says which."""


def check_digit(aux_digit: str, body: str) -> str:
    """The two-digit mod-93 check digit of ``aux_digit + body`` (body = segregation + base)."""
    if not (aux_digit + body).isdigit():
        raise InvalidIuv(f"check digit input must be digits, got {aux_digit + body!r}")
    return f"{int(aux_digit + body) % 93:02d}"


def make_iuv(segregation_code: str, base: str) -> str:
    """The 17-digit IUV for a 2-digit segregation code and a 13-digit IUV base."""
    if len(segregation_code) != 2 or not segregation_code.isdigit():
        raise InvalidIuv(f"segregation code must be 2 digits, got {segregation_code!r}")
    if len(base) != 13 or not base.isdigit():
        raise InvalidIuv(f"IUV base must be 13 digits, got {base!r}")
    return segregation_code + base + check_digit(AUX_DIGIT, segregation_code + base)


def notice_number(iuv: str) -> str:
    """The notice number (NAV) of an aux-digit-3 IUV."""
    return AUX_DIGIT + iuv


def validate_iuv(
    iuv: str, segregation_codes: tuple[str, ...] = (), *, verify_check_digit: bool = True
) -> None:
    """Raise :class:`InvalidIuv` unless ``iuv`` is a well-formed aux-digit-3 IUV."""
    if len(iuv) != IUV_LENGTH or not iuv.isdigit():
        raise InvalidIuv(
            f"iuv {iuv!r} must be {IUV_LENGTH} digits: segregation code (2), "
            "IUV base (13), check digit (2)"
        )
    if segregation_codes and iuv[:2] not in segregation_codes:
        raise InvalidIuv(
            f"iuv {iuv!r} starts with segregation code {iuv[:2]!r}, but this creditor's "
            f"segregation codes are {', '.join(segregation_codes)}"
        )
    if verify_check_digit:
        expected = check_digit(AUX_DIGIT, iuv[:15])
        if iuv[15:] != expected:
            raise InvalidIuv(
                f"iuv {iuv!r} has check digit {iuv[15:]!r}, expected {expected!r} "
                f"(remainder of {AUX_DIGIT}{iuv[:15]} divided by 93)"
            )


def validate_nav(nav: str, iuv: str) -> None:
    """Raise :class:`InvalidIuv` unless ``nav`` is the aux-digit-3 notice number of ``iuv``."""
    if nav != notice_number(iuv):
        raise InvalidIuv(
            f"nav {nav!r} does not match iuv {iuv!r}: expected {notice_number(iuv)!r} "
            f"(aux digit {AUX_DIGIT} followed by the IUV)"
        )
