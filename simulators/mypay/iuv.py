"""IUV and notice numbers for aux digit 3, with the mod-93 check digit (SACI "Schema A/B").

``notice = 3 <segregation code 2n> <IUV base 13n> <check 2n>``; the IUV is the notice
without the aux digit; the check digit is ``int("3" + segregation + base) % 93``.
"""

from __future__ import annotations

import itertools
import threading
import time

AUX_DIGIT = "3"


def check_digit(aux_digit: str, segregation_code: str, base: str) -> str:
    """The two-digit remainder of ``aux + segregation + base`` divided by 93."""
    return f"{int(aux_digit + segregation_code + base) % 93:02d}"


def notice_from_iuv(iuv: str) -> str:
    """The 18-digit notice number (codice avviso) of an aux-3 IUV."""
    return AUX_DIGIT + iuv


def iuv_from_notice(notice_number: str) -> str:
    """The IUV of an aux-3 notice number."""
    return notice_number[1:]


def make_iuv(segregation_code: str, base: str) -> str:
    """``segregation + base + check``: a 17-digit aux-3 IUV."""
    if len(segregation_code) != 2 or not segregation_code.isdigit():
        raise ValueError(f"segregation code must be 2 digits, got {segregation_code!r}")
    if len(base) != 13 or not base.isdigit():
        raise ValueError(f"IUV base must be 13 digits, got {base!r}")
    return segregation_code + base + check_digit(AUX_DIGIT, segregation_code, base)


def iuv_problem(iuv: str, segregation_code: str) -> str | None:
    """Why ``iuv`` is not a valid aux-3 IUV of this creditor, or None when it is."""
    if len(iuv) != 17 or not iuv.isdigit():
        return f"IUV [{iuv}] must be 17 digits (aux digit 3)"
    if not iuv.startswith(segregation_code):
        return f"IUV [{iuv}] does not start with the segregation code {segregation_code}"
    expected = check_digit(AUX_DIGIT, segregation_code, iuv[2:15])
    if iuv[15:] != expected:
        return f"IUV [{iuv}] has check digit {iuv[15:]}, expected {expected} (mod 93)"
    return None


class IuvGenerator:
    """Fresh IUVs for one segregation code, unique across simulator restarts.

    The 13-digit base starts from the current time in milliseconds, so a restarted
    simulator does not hand out a notice number an adapter already stored.
    """

    def __init__(self, segregation_code: str, start: int | None = None) -> None:
        self.segregation_code = segregation_code
        first = start if start is not None else int(time.time() * 1000)
        self._counter = itertools.count(first % 10**13)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            base = next(self._counter) % 10**13
        return make_iuv(self.segregation_code, f"{base:013d}")
