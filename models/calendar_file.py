"""An appointment as an iCalendar file (.ics) that any calendar program can add."""

from datetime import UTC, datetime

from icalendar import Calendar, Event


def appointment_ics(*, uid, summary, start, end, location, description, stamp=None):
    """The .ics bytes of one appointment; `start` and `end` are aware datetimes and
    keep their zone (Europe/Helsinki), with its VTIMEZONE included."""
    event = Event.new(
        uid=uid,
        summary=summary,
        start=start,
        end=end,
        location=location,
        description=description,
        stamp=stamp or datetime.now(UTC),
    )
    calendar = Calendar.new(prodid="-//Vuoro//Booking//FI", subcomponents=[event])
    calendar.add_missing_timezones()
    return calendar.to_ical()
