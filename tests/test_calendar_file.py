"""The calendar file's time zone, read back by a parser that did not write it
(python-dateutil's tzical) and checked against the tz data (zoneinfo) at every change
of the clocks in the years the file covers."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from dateutil import tz
from icalendar import Calendar

from engines.calendar_file import appointment_ics
from engines.clock import HELSINKI


def calendar_file(start):
    return appointment_ics(uid="test@vuoro", summary="Hieronta", start=start,
                           end=start + timedelta(hours=1), location="Esimerkkikatu 1",
                           description="Varaustunnus K7M4-Q2XA")


def zone_part(ics):
    return ics[ics.index(b"BEGIN:VTIMEZONE"):ics.index(b"END:VTIMEZONE")].decode()


def clock_changes(first_year, last_year):
    """Each hour (UTC) at whose start zoneinfo's Helsinki offset differs from the
    hour before, in the years given."""
    hour = timedelta(hours=1)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    while moment < end:
        if moment.astimezone(HELSINKI).utcoffset() != (
                moment - hour).astimezone(HELSINKI).utcoffset():
            yield moment
        moment += hour


@pytest.mark.parametrize("start", [
    datetime(2026, 11, 24, 14, 30, tzinfo=HELSINKI),
    datetime(2031, 3, 30, 10, tzinfo=HELSINKI),  # the day after a spring change
    datetime(2029, 10, 28, 9, tzinfo=HELSINKI),  # the morning of an autumn change
])
def test_the_zone_of_the_file_keeps_every_clock_change_of_its_years(start):
    ics = calendar_file(start)
    zone = tz.tzical(io.StringIO(ics.decode())).get("Europe/Helsinki")
    years = (start.year - 1, start.year + 1)
    changes = list(clock_changes(*years))
    assert len(changes) == 2 * 3  # spring and autumn, each year
    checked = 0
    for change in changes:
        # Every quarter of an hour from two hours before the change to two after.
        for quarter in range(-8, 9):
            moment = change + quarter * timedelta(minutes=15)
            expected = moment.astimezone(HELSINKI)
            read = moment.astimezone(zone)
            assert (read.replace(tzinfo=None), read.utcoffset()) == (
                expected.replace(tzinfo=None), expected.utcoffset()), moment
            checked += 1
    # And the middle of every day of the years written.
    day = datetime(years[0], 1, 1, 10, tzinfo=UTC)
    while day.year <= years[1]:
        assert day.astimezone(zone).utcoffset() == day.astimezone(HELSINKI).utcoffset(), day
        day += timedelta(days=1)
    assert checked == 6 * 17
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == start


def test_the_clocks_change_at_three_in_spring_and_four_in_autumn_as_written():
    text = zone_part(calendar_file(datetime(2026, 11, 24, 14, 30, tzinfo=HELSINKI)))
    daylight = text[text.index("BEGIN:DAYLIGHT"):text.index("END:DAYLIGHT")]
    assert "DTSTART:20250330T030000" in daylight
    assert "RDATE:20260329T030000,20270328T030000" in daylight
    assert "TZOFFSETFROM:+0200" in daylight and "TZOFFSETTO:+0300" in daylight
    autumn = text[text.index("DTSTART:20251026"):]
    assert autumn.startswith("DTSTART:20251026T040000")
    assert "RDATE:20261025T040000,20271031T040000" in autumn
    assert "TZOFFSETFROM:+0300" in autumn and "TZOFFSETTO:+0200" in autumn
    # libical refuses a COMMENT there (RFC 5545 allows none in VTIMEZONE).
    assert "COMMENT" not in text
