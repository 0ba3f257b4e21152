"""Which appointment start times are free: a pure computation in Helsinki time.

Working hours and breaks are Helsinki wall-clock times; everything else is real time.
Wall-clock times are turned into instants and all arithmetic is done in UTC, so that an
appointment lasts its real duration across the DST changes. A wall-clock time means the
first instant at which Helsinki clocks read that time or later: on the autumn night the
first of the two 03.30s, and on the spring night, for a 03.30 that never exists, the
instant the clocks jump to 04.00. A start time is offered only if it exists, and once.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache

import holidays

from engines.clock import HELSINKI, local

_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Span:
    """A half-open stretch of real time [start, end) between aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("a Span needs timezone-aware datetimes")
        if _utc(self.end) < _utc(self.start):
            raise ValueError("a Span cannot end before it starts")

    def overlaps(self, other: "Span") -> bool:
        """Whether the spans share an instant (an empty span shares none)."""
        # Compared in UTC: two Helsinki datetimes would be compared by wall clock,
        # which confuses the two 03.30s of the autumn night.
        latest_start = max(_utc(self.start), _utc(other.start))
        earliest_end = min(_utc(self.end), _utc(other.end))
        return latest_start < earliest_end


@dataclass(frozen=True)
class StaffWeek:
    """One staff member's usual week and the real-time spans that keep them busy."""

    staff_id: int
    hours: Mapping[int, Sequence[tuple[time, time]]]
    breaks: Mapping[int, Sequence[tuple[time, time]]] = field(default_factory=dict)
    time_off: Sequence[Span] = ()
    busy: Sequence[Span] = ()
    # Working time beyond the weekly hours on particular dates, wall clock.
    extra_hours: Mapping[date, Sequence[tuple[time, time]]] = field(default_factory=dict)
    # Busy as `busy` is, given as [start, end) in microseconds since the epoch (UTC):
    # how the database's bookings are loaded, without a Span made for each.
    busy_micros: Sequence[tuple[int, int]] = ()


@dataclass(frozen=True)
class BookingRules:
    """When customers may book: the grid of start times, the notice, how far ahead."""

    slot_step: timedelta = timedelta(minutes=15)
    min_notice: timedelta = timedelta(hours=2)
    horizon_days: int = 60

    def __post_init__(self) -> None:
        if self.slot_step <= timedelta(0):
            raise ValueError("slot_step must be positive")


@dataclass(frozen=True)
class FreeTime:
    """A start time that can be booked, with every staff member free then."""

    start: datetime
    end: datetime
    staff_ids: tuple[int, ...]


def finnish_holidays(years: Iterable[int]) -> dict[date, str]:
    """Finnish public holidays of the given years, by date, with their Finnish names."""
    found: dict[date, str] = {}
    for year in set(years):
        found.update(_finnish_holidays_of(year))
    return dict(sorted(found.items()))


@cache
def _finnish_holidays_of(year: int) -> tuple[tuple[date, str], ...]:
    return tuple(holidays.country_holidays("FI", years=year, language="fi").items())


def closed_days(
    first: date,
    last: date,
    opened: Container[date] = (),
    closed: Iterable[date] = (),
) -> set[date]:
    """The closed days in [first, last]: public holidays the owner has not opened,
    and the extra closed days."""
    public = finnish_holidays(range(first.year, last.year + 1))
    shut = {day for day in public if first <= day <= last and day not in opened}
    shut.update(day for day in closed if first <= day <= last)
    return shut


def free_times(
    day: date,
    staff: Sequence[StaffWeek],
    duration: timedelta,
    buffer: timedelta,
    rules: BookingRules,
    now: datetime,
    closed: Container[date] = frozenset(),
) -> list[FreeTime]:
    """The free start times of `day`, each with every staff member free then."""
    return free_times_between(day, day, staff, duration, buffer, rules, now, closed)[day]


def free_times_between(
    first: date,
    last: date,
    staff: Sequence[StaffWeek],
    duration: timedelta,
    buffer: timedelta,
    rules: BookingRules,
    now: datetime,
    closed: Container[date] = frozenset(),
) -> dict[date, list[FreeTime]]:
    """The free times of every day in [first, last], days without any included."""
    _check(duration, buffer, now)
    found: dict[date, list[FreeTime]] = {day: [] for day in _days(first, last)}
    days = _open_days(first, last, rules, now, closed)
    found.update(_free_times_of_days(days, staff, duration, buffer, rules, now))
    return found


def working_days(
    first: date, last: date, staff: Sequence[StaffWeek], closed: Container[date] = frozenset()
) -> set[date]:
    """The days of [first, last] that are not closed and on which someone works: a
    day among them without free times is full, any other is closed."""
    return {
        day
        for day in _days(first, last)
        if day not in closed
        and any(member.hours.get(day.weekday()) or member.extra_hours.get(day)
                for member in staff)
    }


def next_day_with_free_times(
    after: date,
    staff: Sequence[StaffWeek],
    duration: timedelta,
    buffer: timedelta,
    rules: BookingRules,
    now: datetime,
    closed: Container[date] = frozenset(),
) -> date | None:
    """The first day after `after`, within the horizon, that has a free time."""
    _check(duration, buffer, now)
    days = _open_days(after + _ONE_DAY, None, rules, now, closed)
    found = _free_times_of_days(days, staff, duration, buffer, rules, now)
    return next((day for day, times in found if times), None)


def _check(duration: timedelta, buffer: timedelta, now: datetime) -> None:
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    if buffer < timedelta(0):
        raise ValueError("buffer cannot be negative")
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _days(first: date, last: date) -> Iterator[date]:
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        yield date.fromordinal(ordinal)


def _open_days(
    first: date,
    last: date | None,
    rules: BookingRules,
    now: datetime,
    closed: Container[date],
) -> list[date]:
    """The days of [first, last] (or up to the horizon) that are neither closed, past
    nor beyond the horizon."""
    today = local(now).date()
    horizon = today + timedelta(days=rules.horizon_days)
    last = horizon if last is None else min(last, horizon)
    return [day for day in _days(max(first, today), last) if day not in closed]


def _free_times_of_days(
    days: list[date],
    staff: Sequence[StaffWeek],
    duration: timedelta,
    buffer: timedelta,
    rules: BookingRules,
    now: datetime,
) -> Iterator[tuple[date, list[FreeTime]]]:
    """The free times of each of `days` in turn, the spans sorted once for them all.
    From here on instants are whole microseconds since the epoch (ints), converted once
    at the edge, so that the loops compare ints rather than datetimes."""
    if not days:
        return
    prepared = _prepare(staff, days[0], days[-1], buffer)
    earliest = _micros(_utc(now) + rules.min_notice)
    for day in days:
        yield day, _free_times_of_day(day, prepared, duration, rules.slot_step, earliest)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _whole(stretch: timedelta) -> int:
    return stretch // _ONE_MICROSECOND


def _micros(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch. (A timestamp's float is
    exact to well under a microsecond for centuries around now, and it is the cheapest
    conversion there is.)"""
    return round(moment.timestamp() * 1_000_000)


class _Blocks:
    """Disjoint intervals of microseconds in order, built once and searched by
    bisection."""

    __slots__ = ("ends", "starts")

    def __init__(self, intervals: Iterable[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(intervals):
            if self.ends and start <= self.ends[-1]:
                if end > self.ends[-1]:
                    self.ends[-1] = end
            else:
                self.starts.append(start)
                self.ends.append(end)


@dataclass(frozen=True)
class _PreparedStaff:
    """A staff member's spans cut to the days asked for, sorted and merged once."""

    staff_id: int
    hours: Mapping[int, Sequence[tuple[time, time]]]
    breaks: Mapping[int, tuple[tuple[time, time], ...]]
    # Time off, and bookings reaching back by the service's buffer: an appointment
    # [start, end) must end its buffer before a booking starts, so it is kept from
    # exactly the intervals that [start, end) overlaps.
    blocked: _Blocks
    extra_hours: Mapping[date, Sequence[tuple[time, time]]]


def _prepare(
    staff: Sequence[StaffWeek], first: date, last: date, buffer: timedelta
) -> list[_PreparedStaff]:
    # An appointment's buffer may run past midnight into the next day's bookings.
    window_start = _first_instant(datetime.combine(first, time()))
    window_end = _first_instant(datetime.combine(last + _ONE_DAY, time())) + buffer
    margin = _whole(buffer)
    prepared = []
    for member in staff:
        intervals = _within(member.time_off, window_start, window_end, 0)
        intervals += _within(member.busy, window_start, window_end, margin)
        intervals += _micros_within(member.busy_micros, window_start, window_end, margin)
        prepared.append(_PreparedStaff(
            member.staff_id,
            member.hours,
            {weekday: tuple(ranges) for weekday, ranges in member.breaks.items()},
            _Blocks(intervals),
            member.extra_hours,
        ))
    return prepared


def _within(
    spans: Iterable[Span], start: datetime, end: datetime, margin: int
) -> list[tuple[int, int]]:
    """The non-empty spans that meet [start, end) (UTC), as intervals of microseconds,
    each starting `margin` earlier."""
    # Compared as datetimes first: cheaper than converting every span of the calendar;
    # _micros written out, as this runs for every booking of the days asked for.
    found = []
    for span in spans:
        if span.start < end and span.end > start:
            begin = round(span.start.timestamp() * 1_000_000)
            finish = round(span.end.timestamp() * 1_000_000)
            if begin < finish:
                found.append((begin - margin, finish))
    return found


def _micros_within(
    intervals: Iterable[tuple[int, int]], start: datetime, end: datetime, margin: int
) -> list[tuple[int, int]]:
    """_within of intervals already in microseconds."""
    first, last = _micros(start), _micros(end)
    return [(begin - margin, finish) for begin, finish in intervals
            if begin < last and finish > first and begin < finish]


def _wall_clock(instant: datetime) -> datetime:
    """What Helsinki clocks read at `instant`, as a naive datetime."""
    return local(instant).replace(tzinfo=None)


def _instant_if_shown(wall: datetime) -> datetime | None:
    """The first instant (UTC) at which Helsinki clocks read exactly `wall`, if any."""
    instant = wall.replace(tzinfo=HELSINKI).astimezone(UTC)  # fold=0: the first one
    return instant if _wall_clock(instant) == wall else None


def _first_instant(wall: datetime) -> datetime:
    """The first instant (UTC) at which Helsinki clocks read `wall` or later."""
    instant = _instant_if_shown(wall)
    if instant is not None:
        return instant
    # `wall` lies in the spring-forward gap: find the instant the clocks jump past it.
    # Taken with the offset after the jump it is an instant before the jump, taken with
    # the offset before the jump one after it; halve the interval down to a microsecond.
    before = wall.replace(tzinfo=HELSINKI, fold=1).astimezone(UTC)
    after = wall.replace(tzinfo=HELSINKI, fold=0).astimezone(UTC)
    while after - before > _ONE_MICROSECOND:
        middle = before + (after - before) / 2
        if _wall_clock(middle) >= wall:
            after = middle
        else:
            before = middle
    return after


@lru_cache(maxsize=4096)
def _instant(day: date, wall: time) -> int:
    """The first instant at which Helsinki clocks read `wall` on `day` or later."""
    return _micros(_first_instant(datetime.combine(day, wall)))


@lru_cache(maxsize=4096)
def _grid(day: date, begin: time, finish: time, step: timedelta) -> tuple[int, ...]:
    """The instants of the wall times begin, begin + step, … before `finish` on `day`
    that exist, in order. None is before the instant of `begin`: a later wall time that
    exists is shown later, as clocks only skip an hour or repeat it."""
    starts = []
    wall = datetime.combine(day, begin)
    last = datetime.combine(day, finish)
    while wall < last:
        instant = _instant_if_shown(wall)
        if instant is not None:
            starts.append(_micros(instant))
        wall += step
    return tuple(starts)


@lru_cache(maxsize=4096)
def _breaks_of(day: date, breaks: tuple[tuple[time, time], ...]) -> _Blocks:
    instants = ((_instant(day, begin), _instant(day, finish)) for begin, finish in breaks)
    return _Blocks((begin, finish) for begin, finish in instants if begin < finish)


def _free_times_of_day(
    day: date,
    staff: Sequence[_PreparedStaff],
    duration: timedelta,
    step: timedelta,
    earliest: int,
) -> list[FreeTime]:
    length = _whole(duration)
    free: dict[int, set[int]] = {}
    for member in staff:
        for start in _free_starts(member, day, length, step, earliest):
            if start in free:
                free[start].add(member.staff_id)
            else:
                free[start] = {member.staff_id}
    found = []
    for start in sorted(free):
        shown = _EPOCH + timedelta(microseconds=start)
        found.append(
            FreeTime(local(shown), local(shown + duration), tuple(sorted(free[start])))
        )
    return found


def _free_starts(
    member: _PreparedStaff, day: date, length: int, step: timedelta, earliest: int
) -> list[int]:
    """The instants at which `member` can start an appointment of `length` on `day`."""
    weekday = day.weekday()
    ranges = (*member.hours.get(weekday, ()), *member.extra_hours.get(day, ()))
    if not ranges:
        return []
    breaks = _breaks_of(day, member.breaks.get(weekday, ()))
    found = []
    for begin, finish in ranges:
        starts = _grid(day, begin, finish, step)
        index = bisect_left(starts, earliest)
        stop = bisect_right(starts, _instant(day, finish) - length)
        while index < stop:
            start = starts[index]
            end = start + length
            # Of each set of blocks, the first interval ending after `start` is the only
            # one that can overlap: those before it end too early, those after it start
            # later than it does.
            blocked_until = None
            for blocks in (breaks, member.blocked):
                at = bisect_right(blocks.ends, start)
                if at < len(blocks.starts) and blocks.starts[at] < end:
                    blocked_until = blocks.ends[at]
                    break
            if blocked_until is None:
                found.append(start)
                index += 1
            else:
                # Every later start before `blocked_until` overlaps the same interval.
                index = bisect_left(starts, blocked_until, index + 1, stop)
    return found
