from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engines.free_times import (
    HELSINKI,
    BookingRules,
    FreeTime,
    Span,
    StaffWeek,
    closed_days,
    finnish_holidays,
    free_times,
    free_times_between,
    next_day_with_free_times,
)

TUESDAY = date(2026, 9, 15)
WEEK_BEFORE = datetime(2026, 9, 8, 12, tzinfo=HELSINKI)
EVERY_DAY = range(7)
NO_BUFFER = timedelta(0)
HOUR = timedelta(hours=1)
NO_NOTICE = BookingRules(min_notice=timedelta(0))
HALF_HOURLY = BookingRules(slot_step=timedelta(minutes=30))


def minutes(count):
    return timedelta(minutes=count)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), HELSINKI)


def booking(day, start, end, buffer=NO_BUFFER):
    """A busy span as the bookings module gives it: start to end plus buffer."""
    return Span(at(day, *start), at(day, *end).astimezone(UTC) + buffer)


def nine_to_five(staff_id=1, weekdays=EVERY_DAY, **spans):
    return StaffWeek(staff_id, {day: [(time(9), time(17))] for day in weekdays}, **spans)


def wall_times(result):
    return [slot.start.strftime("%H:%M") for slot in result]


def slot_at(result, wall_time):
    return next(slot for slot in result if slot.start.strftime("%H:%M") == wall_time)


def utc_times(result):
    return [slot.start.astimezone(UTC).strftime("%H:%M") for slot in result]


def real_duration(slot):
    # Subtracting two Helsinki datetimes would give the wall-clock difference.
    return slot.end.astimezone(UTC) - slot.start.astimezone(UTC)


def last_sunday(year, month):
    last = date(year, month, 31)  # March and October both have 31 days
    return last - timedelta(days=(last.weekday() - 6) % 7)


YEARS = range(2026, 2031)
SPRING_DAYS = [last_sunday(year, 3) for year in YEARS]
AUTUMN_DAYS = [last_sunday(year, 10) for year in YEARS]


def week_before(day):
    return at(day - timedelta(days=7), 12)


# The ordinary day


def test_basic_day_offers_expected_starts():
    staff = nine_to_five(
        breaks={1: [(time(12), time(12, 30))]},
        busy=[booking(TUESDAY, (10, 0), (11, 0))],
    )
    result = free_times(TUESDAY, [staff], HOUR, NO_BUFFER, HALF_HOURLY, WEEK_BEFORE)
    assert wall_times(result) == [
        "09:00", "11:00", "12:30", "13:00", "13:30",
        "14:00", "14:30", "15:00", "15:30", "16:00",
    ]  # fmt: skip


def test_free_time_runs_for_the_duration_in_helsinki_time():
    result = free_times(
        TUESDAY, [nine_to_five()], HOUR, NO_BUFFER, HALF_HOURLY, WEEK_BEFORE
    )
    assert result[0] == FreeTime(at(TUESDAY, 9), at(TUESDAY, 10), (1,))
    assert all(
        slot.start.tzinfo is HELSINKI and slot.end.tzinfo is HELSINKI for slot in result
    )


def test_break_is_never_offered():
    staff = nine_to_five(breaks={1: [(time(11, 45), time(12, 15))]})
    result = free_times(
        TUESDAY, [staff], minutes(30), NO_BUFFER, BookingRules(), WEEK_BEFORE
    )
    assert "11:15" in wall_times(result) and "12:15" in wall_times(result)
    assert not {"11:30", "11:45", "12:00"} & set(wall_times(result))


def test_appointment_must_end_by_the_end_of_working_hours():
    result = free_times(
        TUESDAY, [nine_to_five()], minutes(45), NO_BUFFER, BookingRules(), WEEK_BEFORE
    )
    assert wall_times(result)[-1] == "16:15"


def test_working_ranges_of_a_day_offer_only_their_own_times():
    staff = StaffWeek(1, {1: [(time(8), time(10)), (time(14), time(16))]})
    result = free_times(TUESDAY, [staff], HOUR, NO_BUFFER, HALF_HOURLY, WEEK_BEFORE)
    assert wall_times(result) == ["08:00", "08:30", "09:00", "14:00", "14:30", "15:00"]


def test_overlapping_working_ranges_offer_each_time_once():
    staff = StaffWeek(1, {1: [(time(9), time(13)), (time(11), time(15))]})
    result = free_times(TUESDAY, [staff], HOUR, NO_BUFFER, HALF_HOURLY, WEEK_BEFORE)
    assert len(wall_times(result)) == len(set(wall_times(result)))
    assert wall_times(result)[0] == "09:00" and wall_times(result)[-1] == "14:00"


def test_candidate_starts_are_aligned_to_the_start_of_the_range():
    staff = StaffWeek(1, {1: [(time(9, 10), time(11))]})
    result = free_times(TUESDAY, [staff], HOUR, NO_BUFFER, HALF_HOURLY, WEEK_BEFORE)
    assert wall_times(result) == ["09:10", "09:40"]


def test_order_of_the_busy_list_does_not_matter():
    busy = [booking(TUESDAY, (hour, 0), (hour, 45)) for hour in (15, 9, 12, 10)]
    in_order = sorted(busy, key=lambda span: span.start)
    rest = (minutes(30), minutes(10), BookingRules(), WEEK_BEFORE)
    shuffled = free_times(TUESDAY, [nine_to_five(busy=busy)], *rest)
    assert shuffled == free_times(TUESDAY, [nine_to_five(busy=in_order)], *rest)


def test_bookings_given_in_microseconds_keep_the_same_times_busy():
    busy = [booking(TUESDAY, (hour, 0), (hour, 45), buffer=minutes(15))
            for hour in (9, 12, 15)]
    micros = [(round(span.start.timestamp() * 1_000_000),
               round(span.end.timestamp() * 1_000_000)) for span in busy]
    rest = (minutes(30), minutes(10), BookingRules(), WEEK_BEFORE)
    as_spans = free_times(TUESDAY, [nine_to_five(busy=busy)], *rest)
    assert free_times(TUESDAY, [nine_to_five(busy_micros=micros)], *rest) == as_spans
    assert "09:45" not in wall_times(as_spans) and "10:00" in wall_times(as_spans)


# Buffers


def test_booking_buffer_blocks_the_slot_right_after():
    staff = nine_to_five(busy=[booking(TUESDAY, (10, 0), (11, 0), buffer=minutes(15))])
    result = free_times(TUESDAY, [staff], HOUR, NO_BUFFER, BookingRules(), WEEK_BEFORE)
    assert "11:00" not in wall_times(result)
    assert "11:15" in wall_times(result)


def test_own_buffer_may_not_run_into_the_next_booking():
    staff = nine_to_five(busy=[booking(TUESDAY, (11, 0), (12, 0))])
    result = free_times(TUESDAY, [staff], HOUR, minutes(15), BookingRules(), WEEK_BEFORE)
    assert "09:45" in wall_times(result)
    assert "10:00" not in wall_times(result)


def test_own_buffer_may_run_past_closing_time_and_into_a_break():
    staff = nine_to_five(breaks={1: [(time(12), time(13))]})
    result = free_times(TUESDAY, [staff], HOUR, minutes(30), HALF_HOURLY, WEEK_BEFORE)
    assert {"11:00", "16:00"} <= set(wall_times(result))


def test_own_buffer_may_not_run_into_a_booking_after_midnight():
    wednesday = TUESDAY + timedelta(days=1)
    staff = StaffWeek(
        1, {1: [(time(22), time(23, 59))]}, busy=[booking(wednesday, (0, 0), (1, 0))]
    )
    result = free_times(
        TUESDAY, [staff], minutes(30), minutes(45), HALF_HOURLY, WEEK_BEFORE
    )
    assert wall_times(result) == ["22:00", "22:30"]


# Time off and closed days


def test_time_off_hours_are_never_offered():
    staff = nine_to_five(time_off=[Span(at(TUESDAY, 13), at(TUESDAY, 15))])
    result = free_times(TUESDAY, [staff], HOUR, NO_BUFFER, HALF_HOURLY, WEEK_BEFORE)
    assert "12:00" in wall_times(result) and "15:00" in wall_times(result)
    assert not {"12:30", "13:00", "13:30", "14:00", "14:30"} & set(wall_times(result))


def test_whole_day_time_off_offers_nothing():
    whole_day = Span(at(TUESDAY, 0), at(TUESDAY + timedelta(days=1), 0))
    staff = nine_to_five(time_off=[whole_day])
    assert (
        free_times(TUESDAY, [staff], HOUR, NO_BUFFER, BookingRules(), WEEK_BEFORE) == []
    )


@pytest.mark.parametrize(
    "holiday",
    [
        date(2026, 12, 6),
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 6, 19),
    ],
)
def test_public_holiday_is_closed_unless_the_owner_opens_it(holiday):
    now = week_before(holiday)
    rest = ([nine_to_five()], HOUR, NO_BUFFER, BookingRules(), now)
    assert free_times(holiday, *rest, closed=closed_days(holiday, holiday)) == []
    opened = closed_days(holiday, holiday, opened={holiday})
    assert free_times(holiday, *rest, closed=opened) != []


def test_extra_closed_day_offers_nothing():
    closed = closed_days(TUESDAY, TUESDAY, closed=[TUESDAY])
    staff = [nine_to_five()]
    assert (
        free_times(TUESDAY, staff, HOUR, NO_BUFFER, BookingRules(), WEEK_BEFORE, closed)
        == []
    )


# Notice, horizon and the past


def test_nothing_is_offered_before_the_minimum_notice():
    now = at(TUESDAY, 9, 40)
    result = free_times(TUESDAY, [nine_to_five()], HOUR, NO_BUFFER, HALF_HOURLY, now)
    assert wall_times(result)[0] == "12:00"


def test_now_may_be_given_in_any_time_zone():
    now = at(TUESDAY, 9, 40)
    rest = ([nine_to_five()], HOUR, NO_BUFFER, HALF_HOURLY)
    assert free_times(TUESDAY, *rest, now) == free_times(
        TUESDAY, *rest, now.astimezone(UTC)
    )


def test_the_last_day_of_the_horizon_is_offered_and_the_next_is_not():
    now = datetime(2026, 9, 1, 12, tzinfo=HELSINKI)
    rules = BookingRules(horizon_days=14)
    rest = ([nine_to_five()], HOUR, NO_BUFFER, rules, now)
    assert free_times(date(2026, 9, 15), *rest) != []
    assert free_times(date(2026, 9, 16), *rest) == []


def test_horizon_counts_from_todays_date_in_helsinki():
    now = datetime(2026, 9, 1, 22, 30, tzinfo=UTC)  # already 2 September in Helsinki
    rules = BookingRules(horizon_days=14)
    assert (
        free_times(date(2026, 9, 16), [nine_to_five()], HOUR, NO_BUFFER, rules, now) != []
    )


def test_past_day_offers_nothing():
    now = at(TUESDAY + timedelta(days=1), 8)
    assert free_times(TUESDAY, [nine_to_five()], HOUR, NO_BUFFER, NO_NOTICE, now) == []


def test_today_offers_only_times_still_ahead():
    result = free_times(
        TUESDAY, [nine_to_five()], HOUR, NO_BUFFER, NO_NOTICE, at(TUESDAY, 12)
    )
    assert wall_times(result)[0] == "12:00"


# Several staff members


def test_free_staff_are_merged_into_one_time_in_ascending_order():
    first = nine_to_five(1, busy=[booking(TUESDAY, (10, 0), (11, 0))])
    second = nine_to_five(2, busy=[booking(TUESDAY, (13, 0), (14, 0))])
    result = free_times(
        TUESDAY, [second, first], HOUR, NO_BUFFER, HALF_HOURLY, WEEK_BEFORE
    )
    by_time = {slot.start.strftime("%H:%M"): slot.staff_ids for slot in result}
    assert by_time["09:00"] == (1, 2)
    assert by_time["10:00"] == (2,)
    assert by_time["13:00"] == (1,)
    assert len(by_time) == len(result)


def test_staff_member_without_hours_that_weekday_is_never_offered():
    mondays_only = nine_to_five(2, weekdays=[0])
    result = free_times(
        TUESDAY,
        [nine_to_five(1), mondays_only],
        HOUR,
        NO_BUFFER,
        BookingRules(),
        WEEK_BEFORE,
    )
    assert result and all(slot.staff_ids == (1,) for slot in result)


def test_no_staff_offers_nothing():
    assert free_times(TUESDAY, [], HOUR, NO_BUFFER, BookingRules(), WEEK_BEFORE) == []


# Several days


def test_week_lists_every_day_including_closed_and_empty_ones():
    monday = date(2026, 12, 21)
    sunday = monday + timedelta(days=6)
    closed = closed_days(monday, sunday)  # 24, 25 and 26 December
    rest = ([nine_to_five(weekdays=range(5))], HOUR, NO_BUFFER, BookingRules())
    week = free_times_between(monday, sunday, *rest, week_before(monday), closed)
    assert list(week) == [monday + timedelta(days=offset) for offset in range(7)]
    open_days = [day.day for day, found in week.items() if found]
    assert open_days == [21, 22, 23]
    assert week[monday] == free_times(monday, *rest, week_before(monday), closed)


def test_week_computation_matches_the_days_computed_one_at_a_time():
    monday = date(2026, 9, 14)
    busy = [
        booking(monday + timedelta(days=offset), (9 + offset, 0), (10 + offset, 30))
        for offset in range(7)
    ]
    staff = [nine_to_five(1, busy=busy), nine_to_five(2, busy=busy[::2])]
    rest = (staff, minutes(45), minutes(15), BookingRules(), at(monday, 10))
    week = free_times_between(monday, monday + timedelta(days=6), *rest)
    assert week == {day: free_times(day, *rest) for day in week}


def test_next_day_with_free_times_skips_weekend_and_holidays():
    staff = [nine_to_five(weekdays=range(5))]
    now = datetime(2026, 12, 15, 12, tzinfo=HELSINKI)
    closed = closed_days(now.date(), date(2027, 2, 1))
    rest = (staff, HOUR, NO_BUFFER, BookingRules(), now, closed)
    assert next_day_with_free_times(date(2026, 12, 18), *rest) == date(2026, 12, 21)
    assert next_day_with_free_times(date(2026, 12, 23), *rest) == date(2026, 12, 28)


def test_next_day_with_free_times_is_strictly_after_the_given_day():
    staff = [nine_to_five()]
    assert next_day_with_free_times(
        TUESDAY, staff, HOUR, NO_BUFFER, BookingRules(), WEEK_BEFORE
    ) == TUESDAY + timedelta(days=1)


def test_next_day_with_free_times_is_none_when_nothing_is_free_within_the_horizon():
    mondays_only = [nine_to_five(weekdays=[0])]
    rules = BookingRules(horizon_days=5)
    now = at(TUESDAY, 12)
    assert (
        next_day_with_free_times(TUESDAY, mondays_only, HOUR, NO_BUFFER, rules, now)
        is None
    )
    assert (
        next_day_with_free_times(
            TUESDAY + timedelta(days=5), [nine_to_five()], HOUR, NO_BUFFER, rules, now
        )
        is None
    )


# Daylight saving time


def test_computed_dst_days_are_the_days_helsinki_changes_its_clocks():
    for day in SPRING_DAYS + AUTUMN_DAYS:
        assert at(day, 0).utcoffset() != at(day, 23).utcoffset()


def round_the_clock(day):
    return StaffWeek(1, {day.weekday(): [(time(0), time(23, 59))]})


@pytest.mark.parametrize("day", SPRING_DAYS, ids=str)
def test_spring_forward_day_offers_no_missing_wall_time(day):
    result = free_times(
        day,
        [round_the_clock(day)],
        minutes(30),
        NO_BUFFER,
        BookingRules(),
        week_before(day),
    )
    offered = wall_times(result)
    assert not [wall for wall in offered if wall.startswith("03:")]
    # Every quarter but 03.00-03.45, which never exist, and 23.30 and 23.45, too late.
    assert len(offered) == 24 * 4 - 4 - 2
    assert len({slot.start.astimezone(UTC) for slot in result}) == len(result)
    assert slot_at(result, "02:45").end.strftime("%H:%M") == "04:15"


@pytest.mark.parametrize("day", AUTUMN_DAYS, ids=str)
def test_fall_back_day_offers_each_wall_time_once(day):
    result = free_times(
        day,
        [round_the_clock(day)],
        minutes(30),
        NO_BUFFER,
        BookingRules(),
        week_before(day),
    )
    offered = wall_times(result)
    assert len(offered) == len(set(offered)) == 24 * 4 - 2
    assert len({slot.start.astimezone(UTC) for slot in result}) == len(result)
    first_three_oclock = slot_at(result, "03:00").start
    assert first_three_oclock.fold == 0 and first_three_oclock.astimezone(UTC).hour == 0


@pytest.mark.parametrize("day", SPRING_DAYS, ids=str)
def test_appointments_across_the_spring_gap_last_their_real_duration(day):
    staff = StaffWeek(1, {6: [(time(2), time(5))]})
    result = free_times(day, [staff], HOUR, NO_BUFFER, HALF_HOURLY, week_before(day))
    assert wall_times(result) == ["02:00", "02:30", "04:00"]
    assert utc_times(result) == ["00:00", "00:30", "01:00"]
    ends = [slot.end.strftime("%H:%M") for slot in result]
    assert ends == ["04:00", "04:30", "05:00"]


@pytest.mark.parametrize("day", AUTUMN_DAYS, ids=str)
def test_appointments_across_the_autumn_repeat_last_their_real_duration(day):
    staff = StaffWeek(1, {6: [(time(2), time(5))]})
    result = free_times(day, [staff], HOUR, NO_BUFFER, HALF_HOURLY, week_before(day))
    assert wall_times(result) == ["02:00", "02:30", "03:00", "03:30", "04:00"]
    assert utc_times(result) == ["23:00", "23:30", "00:00", "00:30", "02:00"]
    assert all(real_duration(slot) == HOUR for slot in result)


@pytest.mark.parametrize("day", SPRING_DAYS, ids=str)
def test_working_range_starting_in_the_spring_gap_begins_when_clocks_jump(day):
    staff = StaffWeek(1, {6: [(time(3, 30), time(6))]})
    result = free_times(day, [staff], HOUR, NO_BUFFER, HALF_HOURLY, week_before(day))
    assert wall_times(result) == ["04:00", "04:30", "05:00"]


@pytest.mark.parametrize("day", SPRING_DAYS + AUTUMN_DAYS, ids=str)
def test_ten_oclock_stays_ten_oclock_helsinki_time_around_dst_changes(day):
    summer = day in SPRING_DAYS
    staff = [nine_to_five()]
    for offset, in_summer in ((-1, not summer), (0, summer), (1, summer)):
        around = day + timedelta(days=offset)
        result = free_times(
            around, staff, HOUR, NO_BUFFER, BookingRules(), week_before(day)
        )
        assert slot_at(result, "10:00").start.astimezone(UTC).hour == (
            7 if in_summer else 8
        )


def test_ten_oclock_after_the_dst_changes_of_2026_in_utc():
    staff = [nine_to_five()]
    for day, utc_hour in ((date(2026, 3, 30), 7), (date(2026, 10, 26), 8)):
        result = free_times(day, staff, HOUR, NO_BUFFER, BookingRules(), week_before(day))
        assert slot_at(result, "10:00").start == datetime.combine(
            day, time(utc_hour), UTC
        )


# Properties over random weeks


@cache
def clock_readings(day):
    """(UTC minute, Helsinki wall clock) for every minute around `day`, in order."""
    first = datetime.combine(day, time(), UTC) - timedelta(hours=4)
    moments = (first + minutes(count) for count in range(32 * 60))
    return tuple(
        (moment, moment.astimezone(HELSINKI).replace(tzinfo=None)) for moment in moments
    )


@cache
def clocks_reach(day, wall):
    """The first instant at which Helsinki clocks read `wall` or later on `day`."""
    target = datetime.combine(day, wall)
    return next(moment for moment, reading in clock_readings(day) if reading >= target)


@cache
def clocks_show(wall):
    """The first instant at which Helsinki clocks read exactly `wall`, or None."""
    return next(
        (moment for moment, reading in clock_readings(wall.date()) if reading == wall),
        None,
    )


def share_an_instant(start, end, other_start, other_end):
    return max(start, other_start) < min(end, other_end)


def instants_in_range(day, ranges):
    return [
        (clocks_reach(day, begin), clocks_reach(day, finish)) for begin, finish in ranges
    ]


def brute_force_free_times(day, staff, duration, buffer, rules, now, closed):
    """Every (start, staff id) free on `day`, checked one by one against every rule."""
    today = now.astimezone(HELSINKI).date()
    earliest = now.astimezone(UTC) + rules.min_notice
    if day in closed or not today <= day <= today + timedelta(days=rules.horizon_days):
        return {}
    free = {}
    for member in staff:
        breaks = instants_in_range(day, member.breaks.get(day.weekday(), ()))
        ranges = (*member.hours.get(day.weekday(), ()), *member.extra_hours.get(day, ()))
        for begin, finish in ranges:
            range_start, range_end = clocks_reach(day, begin), clocks_reach(day, finish)
            wall = datetime.combine(day, begin)
            while wall < datetime.combine(day, finish):
                start = clocks_show(wall)
                wall += rules.slot_step
                if start is None or start < earliest:
                    continue
                end = start + duration
                if start < range_start or end > range_end:
                    continue
                if any(share_an_instant(start, end, *rest) for rest in breaks):
                    continue
                if any(
                    share_an_instant(start, end, span.start, span.end)
                    for span in member.time_off
                ):
                    continue
                if any(
                    share_an_instant(start, end + buffer, span.start, span.end)
                    for span in member.busy
                ):
                    continue
                free.setdefault(start, set()).add(member.staff_id)
    return free


DST_DAYS = SPRING_DAYS + AUTUMN_DAYS
days = st.one_of(
    st.sampled_from(DST_DAYS), st.dates(date(2026, 1, 1), date(2030, 12, 31))
)
# Walls on a five-minute grid, often in the night when the clocks change.
walls = st.one_of(st.integers(0, 24 * 12 - 1), st.integers(1 * 12, 6 * 12)).map(
    lambda count: time(count // 12, count % 12 * 5)
)
wall_ranges = st.tuples(walls, walls).filter(lambda pair: pair[0] < pair[1])


def wall_after(begin, length):
    """The wall time `length` after `begin`, at most 23.59 of the same day."""
    end = datetime.combine(date.min, begin) + length
    return end.time() if end.date() == date.min else time(23, 59)


break_ranges = st.builds(
    lambda begin, count: (begin, wall_after(begin, minutes(5 * count))),
    walls,
    st.integers(1, 18),
)
steps = st.sampled_from([5, 10, 15, 20, 30, 45, 60]).map(minutes)
durations = st.integers(1, 24).map(lambda count: minutes(5 * count))
buffers = st.integers(0, 6).map(lambda count: minutes(5 * count))


@st.composite
def staff_weeks(draw, day, staff_id, breaks=True, spans=True):
    weekday = day.weekday()
    midnight = datetime.combine(day, time(), HELSINKI).astimezone(UTC)

    def span(lengths):
        return st.builds(
            lambda offset, length: Span(
                midnight + minutes(offset), midnight + minutes(offset + length)
            ),
            st.integers(-3 * 60, 27 * 60),
            lengths,
        )

    whole_day = Span(
        midnight, datetime.combine(day + timedelta(days=1), time(), HELSINKI)
    )
    time_off = st.one_of(span(st.integers(5, 300)), st.just(whole_day))
    return StaffWeek(
        staff_id,
        hours={weekday: draw(st.lists(wall_ranges, min_size=1, max_size=3))},
        breaks={weekday: draw(st.lists(break_ranges, max_size=2))} if breaks else {},
        time_off=draw(st.lists(time_off, max_size=1)) if spans else (),
        busy=draw(st.lists(span(st.integers(5, 150)), max_size=6)) if spans else (),
    )


@st.composite
def days_to_book(draw):
    day = draw(days)
    staff = [
        draw(staff_weeks(day, staff_id))
        for staff_id in range(1, draw(st.integers(1, 3)) + 1)
    ]
    rules = BookingRules(
        slot_step=draw(steps),
        min_notice=draw(st.sampled_from([timedelta(0), HOUR * 2])),
    )
    midnight = datetime.combine(day, time(), HELSINKI).astimezone(UTC)
    now = midnight + minutes(draw(st.integers(-2 * 24 * 60, 26 * 60)))
    closed = {day} if draw(st.integers(0, 9)) == 0 else set()
    return day, staff, draw(durations), draw(buffers), rules, now, closed


# Drawing the cases is slow on a shared machine: slowness is not what these test.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days_to_book())
def test_offered_times_respect_hours_breaks_time_off_and_bookings(case):
    day, staff, duration, buffer, rules, now, closed = case
    result = free_times(*case)
    starts = [slot.start.astimezone(UTC) for slot in result]
    assert starts == sorted(set(starts))
    members = {member.staff_id: member for member in staff}
    for slot, start in zip(result, starts, strict=True):
        assert slot.start.tzinfo is HELSINKI and real_duration(slot) == duration
        wall = slot.start.replace(tzinfo=None)
        assert clocks_show(wall) == start  # the wall time exists; its first occurrence
        assert start >= now.astimezone(UTC) + rules.min_notice and day not in closed
        assert list(slot.staff_ids) == sorted(set(slot.staff_ids)) and slot.staff_ids
        end = start + duration
        for member in (members[staff_id] for staff_id in slot.staff_ids):
            hours = member.hours[day.weekday()]
            assert any(
                clocks_reach(day, begin) <= start
                and end <= clocks_reach(day, finish)
                and (wall - datetime.combine(day, begin)) % rules.slot_step
                == timedelta(0)
                for begin, finish in hours
            )
            breaks = instants_in_range(day, member.breaks[day.weekday()])
            assert not any(share_an_instant(start, end, *other) for other in breaks)
            assert not any(
                share_an_instant(start, end, off.start, off.end)
                for off in member.time_off
            )
            assert not any(
                share_an_instant(start, end + buffer, span.start, span.end)
                for span in member.busy
            )


# Drawing the cases is slow on a shared machine: slowness is not what these test.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days_to_book())
def test_no_free_time_is_hidden(case):
    expected = brute_force_free_times(*case)
    result = free_times(*case)
    assert {
        slot.start.astimezone(UTC): set(slot.staff_ids) for slot in result
    } == expected


@st.composite
def busy_weeks(draw):
    """A week of a busy calendar: several staff members with weekly hours, breaks,
    extra hours, time off and many bookings on every day, some reaching past midnight,
    given in any order."""
    monday = draw(days)
    monday -= timedelta(days=monday.weekday())
    week = [monday + timedelta(days=offset) for offset in range(7)]
    midnight = datetime.combine(monday, time(), HELSINKI).astimezone(UTC)

    def spans(lengths, count):
        return st.lists(st.builds(
            lambda offset, length: Span(midnight + minutes(offset),
                                        midnight + minutes(offset + length)),
            st.integers(-60, 8 * 24 * 60), lengths), max_size=count)

    staff = [
        StaffWeek(
            staff_id,
            hours={weekday: draw(st.lists(wall_ranges, min_size=1, max_size=2))
                   for weekday in draw(st.sets(st.integers(0, 6), max_size=7))},
            breaks={weekday: draw(st.lists(break_ranges, max_size=2)) for weekday in range(7)},
            time_off=draw(spans(st.integers(5, 24 * 60), 2)),
            busy=draw(spans(st.integers(5, 150), 60)),
            extra_hours={day: draw(st.lists(wall_ranges, min_size=1, max_size=2))
                         for day in draw(st.sets(st.sampled_from(week), max_size=2))},
        )
        for staff_id in range(1, draw(st.integers(1, 4)) + 1)
    ]
    rules = BookingRules(slot_step=draw(steps), min_notice=draw(st.sampled_from(
        [timedelta(0), HOUR * 2])))
    now = midnight + minutes(draw(st.integers(-24 * 60, 3 * 24 * 60)))
    closed = draw(st.sets(st.sampled_from(week), max_size=2))
    return monday, week[-1], staff, draw(durations), draw(buffers), rules, now, closed


# Drawing the cases is slow on a shared machine: slowness is not what these test.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy_weeks())
def test_a_busy_week_offers_exactly_what_a_slot_by_slot_check_finds(case):
    first, last, *rest = case
    found = free_times_between(first, last, *rest)
    assert list(found) == [first + timedelta(days=offset) for offset in range(7)]
    for day, result in found.items():
        assert [slot.start.astimezone(UTC) for slot in result] == sorted(
            slot.start.astimezone(UTC) for slot in result)
        assert {slot.start.astimezone(UTC): set(slot.staff_ids) for slot in result} == (
            brute_force_free_times(day, *rest))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(days, st.data())
def test_every_grid_start_that_fits_is_offered_without_bookings_or_breaks(day, data):
    member = data.draw(staff_weeks(day, 1, breaks=False, spans=False))
    duration, step = data.draw(durations), data.draw(steps)
    rules = BookingRules(slot_step=step)
    result = free_times(day, [member], duration, NO_BUFFER, rules, week_before(day))
    offered = {slot.start.astimezone(UTC) for slot in result}
    for begin, finish in member.hours[day.weekday()]:
        wall = datetime.combine(day, begin)
        while wall < datetime.combine(day, finish):
            start = clocks_show(wall)
            if start is not None and start + duration <= clocks_reach(day, finish):
                assert start in offered
            wall += step


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(days, st.data())
def test_free_times_between_agrees_with_each_day(day, data):
    staff = [data.draw(staff_weeks(day, 1)), data.draw(staff_weeks(day, 2))]
    now = week_before(day)
    first, last = day - timedelta(days=1), day + timedelta(days=1)
    rest = (
        staff,
        data.draw(durations),
        data.draw(buffers),
        BookingRules(slot_step=data.draw(steps)),
        now,
    )
    assert free_times_between(first, last, *rest) == {
        first: free_times(first, *rest),
        day: free_times(day, *rest),
        last: free_times(last, *rest),
    }


# Spans


def test_touching_spans_do_not_overlap():
    assert not Span(at(TUESDAY, 9), at(TUESDAY, 10)).overlaps(
        Span(at(TUESDAY, 10), at(TUESDAY, 11))
    )
    assert Span(at(TUESDAY, 9), at(TUESDAY, 10, 1)).overlaps(
        Span(at(TUESDAY, 10), at(TUESDAY, 11))
    )


def test_spans_overlap_by_real_time_across_zones_and_the_repeated_hour():
    autumn = AUTUMN_DAYS[0]
    first_half_past_three = at(autumn, 3, 30)
    second_half_past_three = first_half_past_three.replace(fold=1)
    first = Span(first_half_past_three, first_half_past_three.replace(minute=45))
    second = Span(second_half_past_three, second_half_past_three.replace(minute=45))
    assert not first.overlaps(second)
    assert first.overlaps(Span(first.start.astimezone(UTC), first.end.astimezone(UTC)))


def test_empty_span_overlaps_nothing():
    assert not Span(at(TUESDAY, 10), at(TUESDAY, 10)).overlaps(
        Span(at(TUESDAY, 9), at(TUESDAY, 11))
    )


def test_span_refuses_naive_or_backwards_times():
    with pytest.raises(ValueError):
        Span(datetime(2026, 9, 15, 9), datetime(2026, 9, 15, 10))
    with pytest.raises(ValueError):
        Span(at(TUESDAY, 10), at(TUESDAY, 9))


def test_naive_now_and_empty_duration_are_refused():
    with pytest.raises(ValueError):
        free_times(
            TUESDAY,
            [nine_to_five()],
            HOUR,
            NO_BUFFER,
            BookingRules(),
            datetime(2026, 9, 8),
        )
    with pytest.raises(ValueError):
        free_times(
            TUESDAY,
            [nine_to_five()],
            timedelta(0),
            NO_BUFFER,
            BookingRules(),
            WEEK_BEFORE,
        )
    with pytest.raises(ValueError):
        BookingRules(slot_step=timedelta(0))


# Holidays


def test_finnish_holidays_have_their_finnish_names():
    found = finnish_holidays([2026, 2027])
    assert found[date(2026, 12, 6)] == "Itsenäisyyspäivä"
    assert found[date(2026, 6, 19)] == "Juhannusaatto"
    assert found[date(2026, 12, 24)] == "Jouluaatto"
    assert found[date(2026, 12, 25)] == "Joulupäivä"
    assert found[date(2026, 12, 26)] == "Tapaninpäivä"
    assert found[date(2027, 3, 26)] == "Pitkäperjantai"
    assert {day.year for day in found} == {2026, 2027}
    assert list(found) == sorted(found)


def test_closed_days_are_the_holidays_within_the_range():
    christmas = {date(2026, 12, day) for day in (24, 25, 26)}
    new_year = {date(2027, 1, 1), date(2027, 1, 6)}
    assert closed_days(date(2026, 12, 20), date(2027, 1, 10)) == christmas | new_year
    assert closed_days(date(2026, 12, 7), date(2026, 12, 23)) == set()


def test_opened_holiday_is_not_closed_and_extra_closed_days_are():
    extra = [date(2026, 12, 23), date(2026, 12, 31), date(2027, 2, 1)]
    closed = closed_days(
        date(2026, 12, 20),
        date(2026, 12, 31),
        opened={date(2026, 12, 24)},
        closed=extra,
    )
    assert closed == {
        date(2026, 12, 23),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 31),
    }


def test_extra_hours_open_a_day_outside_the_weekly_hours():
    saturday = date(2030, 1, 5)
    member = StaffWeek(
        staff_id=1,
        hours={0: [(time(9), time(17))]},
        extra_hours={saturday: [(time(10), time(12))]},
    )
    rules = BookingRules(slot_step=timedelta(minutes=30), min_notice=timedelta(0),
                         horizon_days=400)
    now = datetime(2029, 12, 1, tzinfo=HELSINKI)
    offered = free_times(saturday, [member], timedelta(minutes=60), timedelta(0), rules, now)
    assert [slot.start.strftime("%H.%M") for slot in offered] == ["10.00", "10.30", "11.00"]
    sunday = free_times(saturday + timedelta(days=1), [member], timedelta(minutes=60),
                        timedelta(0), rules, now)
    assert sunday == []
