"""An appointment as an iCalendar file (.ics) that any calendar program can add."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from engines.clock import now


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
        stamp=stamp or now(),
    )
    event.add("sequence", sequence)
    # The zone's rules around the appointment only: a calendar needs no more, and the
    # file stays small (the whole 1970–2038 history is some 4 kB and slow to write).
    zone = vtimezone(start.tzinfo, range(start.year - 1, end.year + 2))
    calendar = Calendar.new(prodid="-//Vuoro//Booking//FI", subcomponents=[zone, event])
    return calendar.to_ical()


@dataclass(frozen=True)
class Onset:
    """The moment (UTC) from which the zone keeps an offset, and the offset before."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    summer: bool

    @property
    def local(self):
        """When it happens on the clocks before it, as RFC 5545 writes DTSTART."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def onsets(zone, years):
    """The zone's state at the start of the first of `years`, then each change of its
    offset until the end of the last, read from the tz data."""
    start = datetime(years[0], 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(years[-1] + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    found = [_onset(zone, start, start)]
    day = timedelta(days=1)
    moment = start
    while moment < end:
        after = min(moment + day, end)
        if after.astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            found.append(_onset(zone, _first_change(zone, moment, after), moment))
        moment = after
    return found


def _first_change(zone, before, after):
    """The first whole minute after `before` (a whole minute) with the offset `after`
    has; the tz data changes offsets on whole minutes."""
    minute = timedelta(minutes=1)
    offset = before.astimezone(zone).utcoffset()
    low, high = 0, (after - before) // minute
    while high - low > 1:
        middle = (low + high) // 2
        if (before + middle * minute).astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return before + high * minute


def _onset(zone, at, before):
    local = at.astimezone(zone)
    return Onset(at, before.astimezone(zone).utcoffset(), local.utcoffset(),
                 local.tzname(), bool(local.dst()))


def vtimezone(zone, years):
    """The VTIMEZONE of `zone` for `years` (consecutive): one DAYLIGHT or STANDARD part
    per kind of change, first onset as its DTSTART and the others as RDATEs."""
    kinds = {}
    for onset in onsets(zone, years):
        kinds.setdefault((onset.summer, onset.offset_from, onset.offset_to, onset.name),
                         []).append(onset)
    timezone = Timezone()
    timezone.add("tzid", str(zone))
    for (summer, offset_from, offset_to, name), each in kinds.items():
        part = TimezoneDaylight() if summer else TimezoneStandard()
        part.add("dtstart", each[0].local)
        if len(each) > 1:
            part.add("rdate", [onset.local for onset in each[1:]])
        part.add("tzname", name)
        part.add("tzoffsetfrom", offset_from)
        part.add("tzoffsetto", offset_to)
        timezone.add_component(part)
    return timezone
