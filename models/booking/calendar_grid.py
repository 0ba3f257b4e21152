"""The calendar as staff see it: columns (a staff member on a day) of quarter-hour rows,
each booking spanning the rows it takes and drawn to scale within them (its top and
bottom in STEP-minute steps from the edges of its cell), an empty quarter hour of
working time that has not begun a place to book, and the row of "now" marked.

`build_grid` is a pure layout of plain inputs; `day_grid`, `week_grid` and `day_list`
load what the day view, the week view and the printed day list show, each in a fixed
number of queries however many bookings there are.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from engines.clock import HELSINKI, local
from models.booking.bookings import CANCELLED
from models.booking.schedule import closed_between, staff_weeks
from models.booking.staff_bookings import bookings_between
from models.business.catalogue import StaffMember

ROW_MINUTES = 15
# A booking's edges are drawn to this many minutes.
STEP = 5
DAY_MINUTES = 24 * 60
# The rows shown when nobody works and nothing is booked.
QUIET_DAY = (8 * 60, 17 * 60)


@dataclass(frozen=True)
class Column:
    """One staff member on one day: the bookings and when they work, in minutes from
    the day's midnight (Helsinki wall clock)."""

    staff: object
    day: date
    bookings: Sequence = ()  # active bookings touching the day, with .start and .end
    working: Sequence[tuple[int, int]] = ()
    away: Sequence[tuple[int, int]] = ()  # breaks and time off within working time
    closed: bool = False
    today: bool = False
    # The first minute of the day a new booking may start at (today: now; a past
    # day: none, DAY_MINUTES).
    bookable_from: int = 0


@dataclass(frozen=True)
class Placed:
    """A booking within its cell: `top` and `bottom` in STEP-minute steps from the
    cell's edges; `lane` of `lanes` side by side when bookings overlap."""

    booking: object
    top: int = 0
    bottom: int = 0
    lane: int = 0
    lanes: int = 1


@dataclass(frozen=True)
class Cell:
    """A table cell: bookings that share rows (an overbooking and what it overlaps)
    spanning `rowspan` rows, or an empty quarter hour, working or not, and whether a
    booking can be made there (working time, not yet begun)."""

    rowspan: int = 1
    bookings: tuple = ()
    working: bool = False
    placed: tuple = ()  # a Placed per booking, in the order of `bookings`
    bookable: bool = False


@dataclass(frozen=True)
class Row:
    minute: int
    cells: tuple  # a Cell per column, or None where a booking above spans this row
    now: int | None = None  # minutes from the row's start to now, when now is in it

    @property
    def label(self):
        return f"{self.minute // 60}.{self.minute % 60:02d}"

    @property
    def on_the_hour(self):
        return self.minute % 60 == 0


@dataclass(frozen=True)
class Grid:
    columns: tuple
    rows: tuple

    @property
    def empty(self):
        return not any(column.bookings for column in self.columns)


def minute_of(moment, day):
    """Minutes from `day`'s midnight to `moment` on Helsinki clocks, within the day."""
    there = moment if moment.tzinfo is HELSINKI else local(moment)
    if there.date() < day:
        return 0
    if there.date() > day:
        return DAY_MINUTES
    return there.hour * 60 + there.minute


def _ceil(minutes, step):
    return -(-minutes // step) * step


def _bounds(columns):
    """The first and last minute shown: whole hours around all work and bookings."""
    starts = [start for column in columns for start, _ in column.working]
    ends = [end for column in columns for _, end in column.working]
    for column in columns:
        for booking in column.bookings:
            starts.append(minute_of(booking.start, column.day))
            ends.append(minute_of(booking.end, column.day))
    if not starts:
        return QUIET_DAY
    first = min(starts) // 60 * 60
    return first, max(_ceil(max(ends), 60), first + 60)


def _clusters(column, first, count):
    """The column's bookings as (top row, row after the last, bookings), bookings
    that share a row grouped together."""
    clusters = []
    for booking in sorted(column.bookings, key=lambda booking: booking.start):
        top = (minute_of(booking.start, column.day) - first) // ROW_MINUTES
        bottom = _ceil(minute_of(booking.end, column.day) - first, ROW_MINUTES) // ROW_MINUTES
        bottom = min(max(bottom, top + 1), count)
        if clusters and top < clusters[-1][1]:
            last_top, last_bottom, together = clusters[-1]
            clusters[-1] = (last_top, max(last_bottom, bottom), [*together, booking])
        else:
            clusters.append((top, bottom, [booking]))
    return clusters


def _place(column, first, top, bottom, bookings):
    """Where each booking of a cluster (rows top..bottom) is drawn in its cell."""
    start, end = first + top * ROW_MINUTES, first + bottom * ROW_MINUTES
    lanes = len(bookings)
    placed = []
    for lane, booking in enumerate(bookings):
        begins = max(start, minute_of(booking.start, column.day))
        ends = min(end, max(minute_of(booking.end, column.day), begins + STEP))
        placed.append(Placed(booking, top=round((begins - start) / STEP),
                             bottom=round((end - ends) / STEP), lane=lane, lanes=lanes))
    return tuple(placed)


def _working_rows(column, first, count):
    """For each row from minute `first`: whether its start is working time (not a
    break, time off or a closed day)."""
    rows = [False] * count
    if column.closed:
        return rows
    for ranges, value in ((column.working, True), (column.away, False)):
        for start, end in ranges:
            # The rows whose first minute is in start..end.
            for row in range(max(0, -(-(start - first) // ROW_MINUTES)),
                             min(count, -(-(end - first) // ROW_MINUTES))):
                rows[row] = value
    return rows


def build_grid(columns, now_minute=None):
    """The table of `columns`: one row per quarter hour of the hours shown; the row
    holding `now_minute` (minutes from midnight, when a column is today) says so."""
    first, last = _bounds(columns)
    count = (last - first) // ROW_MINUTES
    table = [[None] * len(columns) for _ in range(count)]
    for index, column in enumerate(columns):
        covered = set()
        for top, bottom, bookings in _clusters(column, first, count):
            table[top][index] = Cell(rowspan=bottom - top, bookings=tuple(bookings),
                                     placed=_place(column, first, top, bottom, bookings))
            covered.update(range(top, bottom))
        working = _working_rows(column, first, count)
        for row in set(range(count)) - covered:
            minute = first + row * ROW_MINUTES
            table[row][index] = Cell(working=working[row],
                                     bookable=working[row] and minute >= column.bookable_from)
    rows = tuple(
        Row(minute, tuple(cells),
            now_minute - minute if now_minute is not None
            and minute <= now_minute < minute + ROW_MINUTES else None)
        for minute, cells in ((first + number * ROW_MINUTES, cells)
                              for number, cells in enumerate(table))
    )
    return Grid(tuple(columns), rows)


def _minutes(wall_time):
    return wall_time.hour * 60 + wall_time.minute


def _bookable_from(day, now):
    """The first minute of `day` a booking may start at, `now` being aware."""
    there = local(now)
    if day < there.date():
        return DAY_MINUTES
    return there.hour * 60 + there.minute if day == there.date() else 0


def _now_minute(days, now):
    there = local(now)
    return there.hour * 60 + there.minute if there.date() in days else None


def _columns(pairs, bookings, now):
    """A Column for each (staff member, day), with the hours they work that day."""
    staff_ids = sorted({member.id for member, _ in pairs})
    days = sorted({day for _, day in pairs})
    weeks = {
        week.staff_id: week
        for week in staff_weeks(staff_ids, days[0], days[-1], with_bookings=False)
    }
    closed = closed_between(days[0], days[-1])
    by_staff = {}
    for booking in bookings:
        by_staff.setdefault(booking.staff_id, []).append(booking)
    columns = []
    for member, day in pairs:
        week = weeks[member.id]
        ranges = (*week.hours.get(day.weekday(), ()), *week.extra_hours.get(day, ()))
        away = [(_minutes(start), _minutes(end)) for start, end in
                week.breaks.get(day.weekday(), ())]
        away += [(minute_of(span.start, day), minute_of(span.end, day))
                 for span in week.time_off]
        columns.append(Column(
            staff=member,
            day=day,
            bookings=[booking for booking in by_staff.get(member.id, ())
                      if minute_of(booking.start, day) < minute_of(booking.end, day)],
            working=[(_minutes(start), _minutes(end)) for start, end in ranges],
            away=[(start, end) for start, end in away if start < end],
            closed=day in closed,
            today=day == local(now).date(),
            bookable_from=_bookable_from(day, now),
        ))
    return columns


def day_grid(day, now):
    """The day view: every active staff member (and anyone else booked that day) side
    by side; and the day's cancelled bookings, listed apart. `now`: aware."""
    bookings = bookings_between(day, day)
    active = [booking for booking in bookings if booking.status != CANCELLED]
    booked = {booking.staff_id for booking in active}
    staff = StaffMember.select().where(StaffMember.active | StaffMember.id.in_(booked))
    staff = list(staff.order_by(StaffMember.name, StaffMember.id))
    if not staff:
        return Grid((), ()), []
    grid = build_grid(_columns([(member, day) for member in staff], active, now),
                      _now_minute({day}, now))
    return grid, [booking for booking in bookings if booking.status == CANCELLED]


def week_grid(staff, monday, now):
    """The week view of one staff member: Monday to Sunday side by side."""
    days = [monday + timedelta(days=number) for number in range(7)]
    bookings = bookings_between(days[0], days[-1], staff_ids=[staff.id])
    active = [booking for booking in bookings if booking.status != CANCELLED]
    return build_grid(_columns([(staff, day) for day in days], active, now),
                      _now_minute(set(days), now))


def day_list(day):
    """The day's active bookings in order of time, for the printed list."""
    return [booking for booking in bookings_between(day, day) if booking.status != CANCELLED]
