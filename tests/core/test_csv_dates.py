"""The CSV import's day formats, read without strptime, give what strptime gave."""

from __future__ import annotations

from datetime import datetime

import pytest

from adapters.core import csv_rows


def _by_strptime(text: str, end_of_day: bool) -> datetime | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return csv_rows._at(day, end_of_day)
    return None


@pytest.mark.parametrize(
    "text",
    ["2026-12-31", "31/12/2026", "01/02/2027", "2028-02-29", "29/02/2028", "1/2/2027",
     "2027-1-5", " 05/06/2027 "],
)  # fmt: skip
@pytest.mark.parametrize("end_of_day", [False, True])
def test_days_read_as_strptime_reads_them(text: str, end_of_day: bool) -> None:
    expected = _by_strptime(text.strip(), end_of_day)
    assert expected is not None
    assert csv_rows.parse_datetime(text, "scadenza", end_of_day=end_of_day) == expected


@pytest.mark.parametrize("text", ["31/02/2027", "2027-02-30", "2027-13-01", "00/01/2027", "x"])
def test_impossible_days_are_still_refused_with_the_formats_named(text: str) -> None:
    with pytest.raises(ValueError, match="AAAA-MM-GG, GG/MM/AAAA"):  # Italian by default
        csv_rows.parse_datetime(text, "scadenza", end_of_day=True)


def test_iso_date_times_keep_their_own_reading() -> None:
    moment = csv_rows.parse_datetime("2027-03-01T10:30:00+01:00", "scadenza", end_of_day=True)
    assert moment.isoformat() == "2027-03-01T10:30:00+01:00"
