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
from functools import cache

import holidays

from engines.clock import HELSINKI

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
    today = now.astimezone(HELSINKI).date()
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
    """The free times of each of `days` in turn, the spans sorted once for them all."""
    if not days:
        return
    prepared = _prepare(staff, days[0], days[-1], buffer)
    earliest = _utc(now) + rules.min_notice
    for day in days:
        step = rules.slot_step
        yield day, _free_times_of_day(day, prepared, duration, buffer, step, earliest)


class _Blocks:
    """Disjoint UTC intervals in order, built once and searched by bisection."""

    __slots__ = ("ends", "starts")

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        for start, end in sorted(
            interval for interval in intervals if interval[0] < interval[1]
        ):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def end_of_overlap(self, start: datetime, end: datetime) -> datetime | None:
        """The end of the interval that [start, end) overlaps, or None if none does."""
        # The first interval ending after `start` is the only one that can overlap:
        # those before it end too early, those after it start later than it does.
        index = bisect_right(self.ends, start)
        if index < len(self.starts) and self.starts[index] < end:
            return self.ends[index]
        return None


@dataclass(frozen=True)
class _PreparedStaff:
    """A staff member's spans cut to the days asked for, sorted and merged once."""

    staff_id: int
    hours: Mapping[int, Sequence[tuple[time, time]]]
    breaks: Mapping[int, Sequence[tuple[time, time]]]
    time_off: _Blocks
    busy: _Blocks
    extra_hours: Mapping[date, Sequence[tuple[time, time]]]


def _prepare(
    staff: Sequence[StaffWeek], first: date, last: date, buffer: timedelta
) -> list[_PreparedStaff]:
    # An appointment's buffer may run past midnight into the next day's bookings.
    window_start = _first_instant(datetime.combine(first, time()))
    window_end = _first_instant(datetime.combine(last + _ONE_DAY, time())) + buffer
    return [
        _PreparedStaff(
            member.staff_id,
            member.hours,
            member.breaks,
            _blocks_within(member.time_off, window_start, window_end),
            _blocks_within(member.busy, window_start, window_end),
            member.extra_hours,
        )
        for member in staff
    ]


def _blocks_within(spans: Iterable[Span], start: datetime, end: datetime) -> _Blocks:
    return _Blocks(
        (_utc(span.start), _utc(span.end))
        for span in spans
        if span.start < end and span.end > start
    )


def _wall_clock(instant: datetime) -> datetime:
    """What Helsinki clocks read at `instant`, as a naive datetime."""
    return instant.astimezone(HELSINKI).replace(tzinfo=None)


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


class _DayClock:
    """The instants of one day's wall-clock times, each worked out once."""

    def __init__(self, day: date, step: timedelta) -> None:
        self.day = day
        self.step = step
        self._instants: dict[time, datetime] = {}
        self._grids: dict[tuple[time, time], list[datetime]] = {}

    def instant(self, wall: time) -> datetime:
        if wall not in self._instants:
            self._instants[wall] = _first_instant(datetime.combine(self.day, wall))
        return self._instants[wall]

    def starts(self, begin: time, finish: time) -> list[datetime]:
        """The instants of the wall times begin, begin + step, … before `finish` that
        exist, in order. None is before the instant of `begin`: a later wall time that
        exists is shown later, as clocks only skip an hour or repeat it."""
        key = (begin, finish)
        if key not in self._grids:
            starts = []
            wall = datetime.combine(self.day, begin)
            last = datetime.combine(self.day, finish)
            while wall < last:
                instant = _instant_if_shown(wall)
                if instant is not None:
                    starts.append(instant)
                wall += self.step
            self._grids[key] = starts
        return self._grids[key]


def _free_times_of_day(
    day: date,
    staff: Sequence[_PreparedStaff],
    duration: timedelta,
    buffer: timedelta,
    step: timedelta,
    earliest: datetime,
) -> list[FreeTime]:
    clock = _DayClock(day, step)
    free: dict[datetime, set[int]] = {}
    for member in staff:
        for start in _free_starts(member, clock, duration, buffer, earliest):
            free.setdefault(start, set()).add(member.staff_id)
    return [
        FreeTime(
            start.astimezone(HELSINKI),
            (start + duration).astimezone(HELSINKI),
            tuple(sorted(staff_ids)),
        )
        for start, staff_ids in sorted(free.items())
    ]


def _free_starts(
    member: _PreparedStaff,
    clock: _DayClock,
    duration: timedelta,
    buffer: timedelta,
    earliest: datetime,
) -> Iterator[datetime]:
    """The instants at which `member` can start an appointment on the clock's day."""
    weekday = clock.day.weekday()
    breaks = _Blocks(
        (clock.instant(begin), clock.instant(finish))
        for begin, finish in member.breaks.get(weekday, ())
    )
    ranges = (*member.hours.get(weekday, ()), *member.extra_hours.get(clock.day, ()))
    for begin, finish in ranges:
        range_end = clock.instant(finish)
        starts = clock.starts(begin, finish)
        index = bisect_left(starts, earliest)
        while index < len(starts):
            start = starts[index]
            end = start + duration
            if end > range_end:
                break
            blocked_until = (
                breaks.end_of_overlap(start, end)
                or member.time_off.end_of_overlap(start, end)
                or member.busy.end_of_overlap(start, end + buffer)
            )
            if blocked_until is None:
                yield start
                index += 1
            else:
                # Every later start before `blocked_until` overlaps the same interval.
                index = bisect_left(starts, blocked_until, index + 1)
