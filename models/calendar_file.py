"""An appointment as an iCalendar file (.ics) that any calendar program can add."""

from datetime import UTC, date, datetime

from icalendar import Calendar, Event


def booking_ics(booking, business, service_name, description):
    """The .ics of a booking; its version tells calendar programs that a moved
    appointment replaces the one they hold."""
    return appointment_ics(
        uid=f"{booking.reference}@vuoro",
        summary=f"{service_name} – {business.name}",
        start=booking.start,
        end=booking.end,
        location=booking.place(business),
        description=description,
        sequence=booking.version - 1,
    )


def appointment_ics(*, uid, summary, start, end, location, description, stamp=None,
                    sequence=0):
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
    event.add("sequence", sequence)
    calendar = Calendar.new(prodid="-//Vuoro//Booking//FI", subcomponents=[event])
    # The zone's rules around the appointment only: a calendar needs no more, and the
    # file stays small (the whole 1970–2038 history is some 4 kB and slow to write).
    calendar.add_missing_timezones(first_date=date(start.year - 1, 1, 1),
                                   last_date=date(end.year + 2, 1, 1))
    return calendar.to_ical()
