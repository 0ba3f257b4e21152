"""Free times from the database, and making a booking without ever double booking.

The computation itself is the pure module `free_times`; this module loads its inputs
(working hours, breaks, time off, closed days, existing bookings) and writes bookings in
one transaction that checks and inserts.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from peewee import Case, IntegrityError, OperationalError, Value

from engines import clock
from engines.clock import local, naive_utc
from engines.free_times import (
    HELSINKI,
    Span,
    StaffWeek,
    closed_days,
    free_times,
    free_times_between,
    next_day_with_free_times,
    working_days,
)
from models import db, write_transaction
from models.booking.bookings import (
    CANCELLED,
    LONGEST_BOOKING,
    Booking,
    busy_spans,
    token_hash,
)
from models.booking.generation import BoundedCache, calendar_changed
from models.business import Business, DayException
from models.business.catalogue import Break, ExtraHours, StaffMember, TimeOff, WorkingHours
from models.messages import outbox
from models.people.customers import customer_for_booking
from models.privacy import consents
from models.privacy.audit import record
from models.written import create_written, run_written


class SlotTaken(Exception):
    """The time was free when the customer chose it but someone else booked it first."""


class TimeNotOffered(Exception):
    """The time is not one the business offers at all (past, closed, out of hours)."""


def _day_bounds(first_day, last_day):
    start = datetime.combine(first_day, time(), HELSINKI)
    end = datetime.combine(last_day + timedelta(days=1), time(), HELSINKI)
    return start, end


# What a row of the two queries of staff_weeks is.
EXTRA, HOURS, BREAK, OPENED, CLOSED = 0, 1, 2, 3, 4
BOOKED, ABSENT = 0, 1


# Reading the columns: PostgreSQL's driver gives dates and times as such, SQLite gives
# text in ISO form, which fromisoformat reads some 20 times faster than peewee's fields
# (strptime over a list of formats); anything else goes to the field as it would.
def _reader(kind, field):
    def read(value):
        if isinstance(value, str):
            try:
                return kind.fromisoformat(value)
            except ValueError:
                return field.python_value(value)
        return value
    return read


_read_date = _reader(date, ExtraHours.day)
_read_time = _reader(time, WorkingHours.start)
_read_naive = _reader(datetime, TimeOff.starts_at)


def _read_utc(value):
    """A naive UTC time of the database as an aware one."""
    return _read_naive(value).replace(tzinfo=UTC)


_NAIVE_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _read_micros(value):
    """A naive UTC time of the database as microseconds since the epoch (_read_naive
    written out: this runs for every booking of the days asked for)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = Booking.starts_at.python_value(value)
    return (value - _NAIVE_EPOCH) // _MICROSECOND


def _day_ranges(staff_ids, first_day, last_day, with_days=False):
    """The wall-clock ranges of these staff members in one query, as plain tuples:
    (kind, staff id, weekday or None, date or None, start, end). Extra hours come first:
    on SQLite the first part of the union says how each column is read. With
    `with_days`, the business's opened and closed days of first..last as well (kind
    OPENED or CLOSED, the date, the rest None)."""
    params = [EXTRA, None, *staff_ids, first_day, last_day, HOURS, None, *staff_ids, BREAK,
              None, *staff_ids]
    if with_days:
        params += [OPENED, CLOSED, None, None, None, None, first_day, last_day]
    rows = run_written(
        ("day ranges", len(staff_ids), with_days),
        lambda: _day_ranges_query(staff_ids, first_day, last_day, with_days),
        params,
    )
    return [(kind, staff_id, weekday, None if day is None else _read_date(day),
             _read_time(start), _read_time(end))
            for kind, staff_id, weekday, day, start, end in rows]


def _day_ranges_query(staff_ids, first_day, last_day, with_days):
    extra = ExtraHours.select(
        Value(EXTRA), ExtraHours.staff, Value(None), ExtraHours.day, ExtraHours.start,
        ExtraHours.end,
    ).where(ExtraHours.staff.in_(staff_ids) & ExtraHours.day.between(first_day, last_day))
    weekly = [
        model.select(Value(kind), model.staff, model.weekday, Value(None), model.start,
                     model.end).where(model.staff.in_(staff_ids))
        for kind, model in ((HOURS, WorkingHours), (BREAK, Break))
    ]
    query = extra.union_all(weekly[0]).union_all(weekly[1])
    if with_days:
        query = query.union_all(DayException.select(
            Case(None, [(DayException.is_open, OPENED)], CLOSED), Value(None), Value(None),
            DayException.day, Value(None), Value(None),
        ).where(DayException.day.between(first_day, last_day)))
    return query


def _spans(staff_ids, start, end, with_bookings, excluding):
    """The real-time spans that keep these staff members from work between `start` and
    `end` (aware) in one query, as plain tuples (kind, staff id, from, to): time off
    (from and to as aware UTC times), and with `with_bookings` active bookings (to the
    end of their buffer, as microseconds since the epoch; the one with id `excluding`,
    being moved, left out)."""
    first, last = naive_utc(start), naive_utc(end)
    params = [ABSENT, *staff_ids, last, first]
    if with_bookings:
        params += [BOOKED, CANCELLED, *staff_ids, last, first - LONGEST_BOOKING, first]
        if excluding is not None:
            params.append(excluding)
    rows = run_written(
        ("spans", len(staff_ids), with_bookings, excluding is None),
        lambda: _spans_query(staff_ids, first, last, with_bookings, excluding),
        params,
    )
    return [(kind, staff_id, _read_micros(starts_at), _read_micros(ends_at)) if kind == BOOKED
            else (kind, staff_id, _read_utc(starts_at), _read_utc(ends_at))
            for kind, staff_id, starts_at, ends_at in rows]


def _spans_query(staff_ids, first, last, with_bookings, excluding):
    query = TimeOff.select(Value(ABSENT), TimeOff.staff, TimeOff.starts_at, TimeOff.ends_at
                           ).where(TimeOff.staff.in_(staff_ids) & (TimeOff.starts_at < last)
                                   & (TimeOff.ends_at > first))
    if with_bookings:
        booked = Booking.active().select(
            Value(BOOKED), Booking.staff, Booking.starts_at, Booking.blocked_until
        ).where(
            Booking.staff.in_(staff_ids) & (Booking.starts_at < last)
            & (Booking.starts_at > first - LONGEST_BOOKING) & (Booking.blocked_until > first)
        )
        if excluding is not None:
            booked = booked.where(Booking.id != excluding)
        query = query.union_all(booked)
    return query


def staff_weeks(staff_ids, first_day, last_day, with_bookings=True, excluding=None):
    """The free-time inputs of these staff members for the days first..last, in two
    queries; the booking with id `excluding` (one being moved) does not keep anyone
    busy."""
    return _staff_weeks_and_days(staff_ids, first_day, last_day, with_bookings,
                                 excluding)[0]


def _staff_weeks_and_days(staff_ids, first_day, last_day, with_bookings=True,
                          excluding=None, with_days=False):
    """staff_weeks, and with `with_days` the business's closed days of first..last as
    closed_between gives them, read in the same two queries (None without)."""
    staff_ids = list(staff_ids)
    hours, breaks, extra = (defaultdict(lambda: defaultdict(list)) for _ in range(3))
    tables = {HOURS: hours, BREAK: breaks}
    opened, closed = set(), []
    for kind, staff_id, weekday, day, start, end in _day_ranges(staff_ids, first_day,
                                                                  last_day, with_days):
        if kind == EXTRA:
            extra[staff_id][day].append((start, end))
        elif kind == OPENED:
            opened.add(day)
        elif kind == CLOSED:
            closed.append(day)
        else:
            tables[kind][staff_id][weekday].append((start, end))
    absences, busy = defaultdict(list), defaultdict(list)
    start, end = _day_bounds(first_day, last_day)
    for kind, staff_id, starts_at, ends_at in _spans(staff_ids, start, end, with_bookings,
                                                     excluding):
        if kind == ABSENT:
            absences[staff_id].append(Span(starts_at, ends_at))
        else:
            busy[staff_id].append((starts_at, ends_at))
    weeks = [
        StaffWeek(
            staff_id=staff_id,
            hours=dict(hours[staff_id]),
            breaks=dict(breaks[staff_id]),
            time_off=absences[staff_id],
            busy_micros=busy[staff_id],
            extra_hours=dict(extra[staff_id]),
        )
        for staff_id in staff_ids
    ]
    days = (closed_days(first_day, last_day, opened=opened, closed=closed) if with_days
            else None)
    return weeks, days


def closed_between(first_day, last_day):
    exceptions = list(DayException.select(DayException.day, DayException.is_open).where(
        DayException.day.between(first_day, last_day)
    ).tuples())
    opened = {day for day, is_open in exceptions if is_open}
    closed = [day for day, is_open in exceptions if not is_open]
    return closed_days(first_day, last_day, opened=opened, closed=closed)


def staff_ids_for(service, staff=None):
    """Who can do `service`: the chosen staff member, or everyone offering it (by name,
    as Service.staff gives them)."""
    offering = service.staff_ids()
    if staff is not None:
        return [staff.id] if staff.id in offering else []
    return offering


# The free-time inputs loaded for a generation of the calendar: the pages of free times
# use them again until a write moves the generation on. A week of a busy calendar is
# some 50 KB; the rest of the booking horizon (for the next day with free times) up to
# ten times that.
INPUTS = BoundedCache(64)


def _inputs(service, staff, first_day, last_day, with_bookings=True, rules=None,
            excluding=None, generation=None):
    """The inputs of the free-time engine. With the calendar's `generation` (read
    before this call, so that what is loaded is at least as new), those loaded for
    the same generation before; never for a booking, which checks what is committed."""
    if generation is None:
        return _load_inputs(service, staff, first_day, last_day, with_bookings, rules,
                            excluding)
    key = (generation, service.id, staff.id if staff else None, first_day, last_day,
           with_bookings, rules, excluding)
    inputs = INPUTS.get(key)
    if inputs is None:
        inputs = _load_inputs(service, staff, first_day, last_day, with_bookings, rules,
                              excluding)
        INPUTS.put(key, inputs)
    return inputs


def _load_inputs(service, staff, first_day, last_day, with_bookings, rules, excluding):
    staff_ids = staff_ids_for(service, staff)
    weeks, closed = _staff_weeks_and_days(staff_ids, first_day, last_day, with_bookings,
                                          excluding, with_days=True)
    return {
        "staff": weeks,
        "duration": timedelta(minutes=service.duration_minutes),
        "buffer": timedelta(minutes=service.buffer_minutes),
        "rules": rules or Business.current().booking_rules,
        "closed": closed,
    }


def day_free_times(service, staff, day, now, rules=None, excluding=None):
    """The free times of `service` on `day` with `staff` (None: anyone), under the
    business's booking rules unless other `rules` are given (staff book with their
    own), not counting the booking with id `excluding`."""
    return free_times(day, now=now, **_inputs(service, staff, day, day, rules=rules,
                                              excluding=excluding))


@dataclass(frozen=True)
class WeekOfTimes:
    """A week of free times from its first day, for the public times page."""

    free: dict  # date -> [FreeTime]
    open_days: set  # the days someone works: a day without free times is full
    next_day: date | None  # the first later day with a free time, within the horizon


def week_of_times(service, staff, first_day, now, moving=None, generation=None):
    """The free times of seven days from `first_day`, which days are open, and the next
    later day with free times: the inputs loaded once for the week (or, with the
    calendar's `generation`, once for it). For a booking being `moving`, its own time
    keeps nobody busy and is not offered back to it."""
    rules = Business.current().booking_rules
    last_day = first_day + timedelta(days=6)
    excluding = moving.id if moving else None
    inputs = _inputs(service, staff, first_day, last_day, rules=rules, excluding=excluding,
                     generation=generation)
    free = {
        day: _other_than_own(slots, moving)
        for day, slots in free_times_between(first_day, last_day, now=now, **inputs).items()
    }
    later = [day for day in sorted(free) if day > first_day and free[day]]
    return WeekOfTimes(
        free=free,
        open_days=working_days(first_day, last_day, inputs["staff"], inputs["closed"]),
        next_day=later[0] if later else next_free_day(service, staff, last_day, now, rules,
                                                      excluding, generation),
    )


def bookable_days(now, rules=None):
    """The first and the last day a customer can book on: today in Helsinki, and the
    last day of the booking horizon."""
    rules = rules or Business.current().booking_rules
    today = local(now).date()
    return today, today + timedelta(days=rules.horizon_days)


def next_free_day(service, staff, after, now, rules=None, excluding=None, generation=None):
    """The first day after `after` with a free time, within the booking horizon."""
    rules = rules or Business.current().booking_rules
    _, last_day = bookable_days(now, rules)
    if last_day <= after:
        return None
    inputs = _inputs(service, staff, after + timedelta(days=1), last_day, rules=rules,
                     excluding=excluding, generation=generation)
    return next_day_with_free_times(after, now=now, **inputs)


def times_near(service, staff, day, now, moving=None):
    """The free times to offer instead of one that could not be had: those left on
    `day` (not before today), or else those of the next day with free times."""
    excluding = moving.id if moving else None
    day = max(day, local(now).date())
    times = _other_than_own(day_free_times(service, staff, day, now, excluding=excluding),
                            moving)
    if not times:
        later = next_free_day(service, staff, day, now, excluding=excluding)
        if later:
            times = _other_than_own(
                day_free_times(service, staff, later, now, excluding=excluding), moving
            )
    return times


def _other_than_own(slots, moving):
    """The free times without the time the booking being moved has now."""
    if moving is None:
        return slots
    return [slot for slot in slots if naive_utc(slot.start) != moving.starts_at]


@dataclass(frozen=True)
class BookingRequest:
    service: object
    staff: object  # a StaffMember, or None for anyone free
    start: datetime  # aware
    details: object  # CustomerDetails
    message: str
    language: str
    submission_key: str
    token: str
    # The version of the privacy statement the customer was shown, and whether they
    # ticked the box for news and offers by e-mail.
    privacy_version: int | None = None
    marketing: bool = False
    # The customer's address, for the audit log's entry of a consent given.
    ip: str = ""


def book(request, now=None):
    """Book the time for the customer, or raise SlotTaken or TimeNotOffered.

    Every copy of one submission (the same submission key: a double click, a form sent
    again) gets the one booking the first copy made. A lost race, whichever way the
    database reports it, is a SlotTaken after the time has been checked again; but
    first the key is looked up again, in a transaction of its own: a copy sent at the
    same moment may have made the booking after this copy looked for it."""
    now = now or clock.now()
    for _ in range(3):
        try:
            return _book_once(request, now)
        except SlotTaken:
            if (made := _made_by_a_copy(request)) is not None:
                return made
            raise
        except (IntegrityError, OperationalError) as error:
            if isinstance(error, OperationalError) and not lost_race(error):
                raise
            if (made := _made_by_a_copy(request)) is not None:
                return made
    raise SlotTaken


def _made_by_a_copy(request):
    with db.atomic():
        return _booking_of_submission(request.submission_key)


def _booking_of_submission(key):
    """The booking the form with submission `key` made, if any (looked up with SQL
    written once: every booking asks, inside its transaction)."""
    rows = run_written(("submission",), lambda: Booking.select(Booking.id).where(
        Booking.submission_key == key), [key])
    return Booking.get_by_id(rows[0][0]) if rows else None


def lost_race(error):
    """Whether a database error means another transaction got there first."""
    text = str(error).lower()
    return any(
        sign in text for sign in ("locked", "busy", "deadlock", "could not serialize")
    )


def _book_once(request, now):
    with write_transaction():
        existing = _booking_of_submission(request.submission_key)
        if existing is not None:
            return existing
        staff_id = free_staff_at(request.service, request.staff, request.start, now)
        service = request.service
        duration = timedelta(minutes=service.duration_minutes)
        blocked = duration + timedelta(minutes=service.buffer_minutes)
        booking = create_written(
            Booking,
            customer=customer_for_booking(request.details, request.language),
            service=service,
            staff=staff_id,
            starts_at=naive_utc(request.start),
            ends_at=naive_utc(request.start + duration),
            blocked_until=naive_utc(request.start + blocked),
            message=request.message,
            language=request.language,
            price_cents=service.price_cents,
            submission_key=request.submission_key,
            token_hash=token_hash(request.token),
            privacy_version=request.privacy_version,
        )
        if request.marketing:
            consents.give(booking.customer, via=consents.BOOKING_FORM,
                          statement_version=request.privacy_version)
            record("consent.give", customer=booking.customer, booking=booking,
                   details="the booking form", ip=request.ip)
        outbox.booking_event(booking, outbox.BOOKING_CONFIRMED, by_customer=True)
        calendar_changed()
        return booking


def free_staff_at(service, staff, start, now, rules=None, excluding=None, prefer=None):
    """The staff member to book for `service` at `start`, checked against what is
    committed right now; raises SlotTaken or TimeNotOffered. `rules` and `excluding`
    as for day_free_times; of several free staff members, `prefer` (a staff id: the
    one a moved booking had) if free, else the least booked."""
    # Compare instants in UTC: two Helsinki times that share a tzinfo compare by wall
    # clock, and the autumn night shows 03.30 twice.
    wanted = start.astimezone(UTC)
    day = local(start).date()
    for slot in day_free_times(service, staff, day, now, rules, excluding):
        if slot.start.astimezone(UTC) == wanted:
            if prefer in slot.staff_ids:
                return prefer
            return _least_booked(slot.staff_ids, day)
    inputs = _inputs(service, staff, day, day, with_bookings=False, rules=rules)
    offered = free_times(day, now=now, **inputs)
    if any(slot.start.astimezone(UTC) == wanted for slot in offered):
        raise SlotTaken
    raise TimeNotOffered


def _least_booked(staff_ids, day):
    """Of several free staff members, the one with the fewest bookings that day, so
    that "anyone free" spreads the work."""
    if len(staff_ids) == 1:
        return staff_ids[0]
    start, end = _day_bounds(day, day)
    counts = busy_spans(staff_ids, start, end)
    return min(staff_ids, key=lambda staff_id: (len(counts[staff_id]), staff_id))


def opening_hours():
    """For each weekday (0 = Monday) the earliest start and latest end of anyone's
    working hours, for the home page."""
    days = {}
    rows = (
        WorkingHours.select(WorkingHours.weekday, WorkingHours.start, WorkingHours.end)
        .join(StaffMember)
        .where(StaffMember.active)
        .tuples()
    )
    for weekday, start, end in rows:
        first, last = days.get(weekday, (start, end))
        days[weekday] = (min(first, start), max(last, end))
    return dict(sorted(days.items()))
