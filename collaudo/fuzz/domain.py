"""pagoPA domain values for fuzzing, right and wrong on purpose.

Valid values come from :mod:`adapters.pagopa`'s generators (mod-93 notice numbers,
11-digit and personal codici fiscali, Italian IBANs); invalid ones are the same values
with the check digit or character changed, so they keep the shape (and pass an XSD
pattern) while failing the domain check.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Literal

from hypothesis import strategies as st

from adapters.pagopa.fiscal_code import creditor_check_digit, generate_personal_fiscal_code
from adapters.pagopa.iban import generate_italian_iban
from adapters.pagopa.notice import generate_notice

DEMO_CREDITOR = "80000000002"  # Comune di Bugliano (DESIGN.md)
DEMO_SEGREGATION = "01"


def _other_digit(digit: str, shift: int) -> str:
    return str((int(digit) + 1 + shift % 9) % 10)


def creditor_fiscal_codes(valid: bool = True) -> st.SearchStrategy[str]:
    """11-digit creditor fiscal codes with a right (or wrong) check digit."""
    first = st.from_regex(r"[0-9]{10}", fullmatch=True).filter(lambda f: f.strip("0") != "")
    if valid:
        return st.one_of(st.just(DEMO_CREDITOR), first.map(lambda f: f + creditor_check_digit(f)))
    return st.tuples(first, st.integers(0, 8)).map(
        lambda t: t[0] + _other_digit(creditor_check_digit(t[0]), t[1])
    )


@st.composite
def personal_fiscal_codes(draw: st.DrawFn, valid: bool = True) -> str:
    """Personal codici fiscali (omocodia included); invalid ones break the check character."""
    surname = draw(st.sampled_from(["Rossi", "D'Angelo", "Àlvarez", "Xu", "De Luca"]))
    name = draw(st.sampled_from(["Mario", "Zoë", "Li", "Anna Maria"]))
    born = draw(st.dates(date(1920, 1, 1), date(2020, 12, 31)))
    sex: Literal["M", "F"] = draw(st.sampled_from(["M", "F"]))
    town = draw(st.sampled_from(["H501", "F205", "G702", "Z404"]))
    level = draw(st.integers(0, 7))
    code = generate_personal_fiscal_code(surname, name, born, sex, town, omocodia_level=level)
    if valid:
        return code
    wrong = draw(st.sampled_from([c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c != code[-1]]))
    return code[:-1] + wrong


def fiscal_codes(valid: bool = True) -> st.SearchStrategy[str]:
    """Either kind of fiscal code."""
    return st.one_of(creditor_fiscal_codes(valid), personal_fiscal_codes(valid))


@st.composite
def notice_numbers(draw: st.DrawFn, valid: bool = True) -> str:
    """18-digit notice numbers (aux 3, demo segregation code, or aux 0/1/2)."""
    aux = draw(st.sampled_from([3, 3, 0, 1, 2]))
    base_length = {0: 13, 1: 17, 2: 15, 3: 13}[aux]
    base = draw(st.integers(0, 10**base_length - 1))
    notice = generate_notice(
        aux,
        base,
        segregation_code=DEMO_SEGREGATION if aux == 3 else None,
        application_code="01" if aux == 0 else None,
    )
    text = str(notice)
    if valid or aux == 1:  # aux 1 has no check digits: always "valid"
        return text
    # Any other remainder (1..92 steps away, mod 93), or 93..99, which mod 93 never gives.
    wrong = draw(st.integers(1, 92 + 7))
    check = (int(text[-2:]) + wrong) % 93 if wrong <= 92 else wrong
    return text[:-2] + f"{check:02d}"


def iuvs(valid: bool = True) -> st.SearchStrategy[str]:
    """17-digit IUVs of aux-3 notices, right or wrong check digits."""
    return notice_numbers(valid).filter(lambda n: n.startswith("3")).map(lambda n: n[1:])


def ibans(valid: bool = True) -> st.SearchStrategy[str]:
    """Italian IBANs; invalid ones have their check digits changed."""
    seeded = st.integers(0, 2**32).map(lambda s: generate_italian_iban(rng=random.Random(s)))
    if valid:
        return seeded
    return st.tuples(seeded, st.integers(1, 96)).map(
        lambda t: t[0][:2] + f"{(int(t[0][2:4]) + t[1]) % 97:02d}" + t[0][4:]
    )


def either(
    strategy: st.SearchStrategy[str], wrong: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """Mostly right values, sometimes wrong ones."""
    return st.one_of(strategy, strategy, wrong)
