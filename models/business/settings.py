"""The owner's settings and the rules for changing them: the business and its booking
rules, services, the staff's weekly hours, time off and extra hours, closed days.

Every change is checked here and written at once, with the calendar's generation
moved on in the same transaction (models/booking/generation.py), so the free times an
app server keeps are dropped and a change shows there immediately. Each saving function
returns the names of what changed, for the audit log (names, never values).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from engines.clock import HELSINKI, naive_utc
from engines.free_times import finnish_holidays
from models import db
from models.booking.generation import calendar_changed
from models.business import Business, DayException
from models.business.catalogue import (
    Break,
    ExtraHours,
    Service,
    StaffMember,
    StaffService,
    TimeOff,
    WorkingHours,
)

# The smallest and largest whole number each setting accepts.
LIMITS = {
    "min_notice_minutes": (0, 14 * 24 * 60),
    "horizon_days": (1, 730),
    "slot_step_minutes": (5, 240),
    "cancellation_hours": (0, 30 * 24),
    "reminder_hours": (0, 7 * 24),
    "idle_timeout_hours": (1, 24),
    "duration_minutes": (5, 12 * 60),
    "buffer_minutes": (0, 240),
    "position": (0, 999),
}
PRICE_MAX_CENTS = 100_000_00
HOLIDAYS_AHEAD = timedelta(days=365)


class InvalidSetting(ValueError):
    """A value the rules refuse; `code` names the rule, `values` fill its message."""

    def __init__(self, code, **values):
        super().__init__(code)
        self.code = code
        self.values = values


# Reading what the owner typed ----------------------------------------------------

def parse_whole_number(text, key):
    """A whole number within the limits of the setting `key`."""
    lowest, highest = LIMITS[key]
    if not re.fullmatch(r"-?[0-9]{1,9}", text.strip()):
        raise InvalidSetting("number_invalid")
    number = int(text)
    if not lowest <= number <= highest:
        raise InvalidSetting("number_range", min=lowest, max=highest)
    return number


def parse_price(text):
    """Euros as typed in Finland or elsewhere ("45,00", "45.00", "45 €") in cents."""
    compact = re.sub(r"[\s\u00a0€]", "", text).replace(",", ".")
    if compact.startswith("-") and re.fullmatch(r"-[0-9]+(\.[0-9]*)?", compact):
        raise InvalidSetting("price_negative")
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,2})?", compact):
        raise InvalidSetting("price_invalid")
    cents = int(Decimal(compact) * 100)
    if cents > PRICE_MAX_CENTS:
        raise InvalidSetting("price_too_high", max=PRICE_MAX_CENTS // 100)
    return cents


def parse_vat(text):
    """A VAT rate in per cent, with at most one decimal ("25,5")."""
    compact = re.sub(r"[\s%]", "", text).replace(",", ".")
    if not re.fullmatch(r"-?[0-9]{1,3}(\.[0-9])?", compact):
        raise InvalidSetting("vat_invalid")
    rate = Decimal(compact)
    if not Decimal(0) <= rate <= Decimal(100):
        raise InvalidSetting("vat_range")
    return rate


def parse_time_of_day(text):
    """A wall-clock time, "9.00", "09:00" or "9"; a day has no 24.00."""
    match = re.fullmatch(r"([0-9]{1,2})(?:[.:]([0-9]{2}))?", text.strip())
    if match is None or int(match.group(2) or 0) > 59:
        raise InvalidSetting("time_invalid")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23:
        raise InvalidSetting("time_outside_day")
    return time(hour, minute)


def parse_day(text):
    """A date as a date input sends it (2026-11-24) or as a Finn writes it (24.11.2026),
    in this century (a year like 9999 is a typing error, and has no day after it)."""
    text = text.strip()
    finnish = re.fullmatch(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})", text)
    try:
        if finnish:
            day, month, year = (int(part) for part in finnish.groups())
            found = date(year, month, day)
        else:
            found = date.fromisoformat(text)
    except ValueError as error:
        raise InvalidSetting("date_invalid") from error
    if not 2000 <= found.year <= 2099:
        raise InvalidSetting("date_invalid")
    return found


# The business -------------------------------------------------------------------

def changed_fields(instance, values):
    return [name for name, value in values.items() if getattr(instance, name) != value]


def update_business(values):
    """Save the business's details or booking rules; the names of what changed."""
    with db.atomic():
        business = Business.current()
        changed = changed_fields(business, values)
        for name in changed:
            setattr(business, name, values[name])
        if changed or business.id is None:
            business.save()
            calendar_changed()
    return changed


# Services -------------------------------------------------------------------------

def services():
    return Service.select().order_by(Service.position, Service.id)


def categories_in_use():
    """{language: [category, …]} the services have, for choosing one again."""
    found = {}
    for language in ("fi", "sv", "en"):
        field = getattr(Service, f"category_{language}")
        found[language] = [name for (name,) in Service.select(field).where(field != "")
                           .distinct().order_by(field).tuples()]
    return found


def linked_ids(instance, own, other):
    """The ids at the `other` end of StaffService links from `instance` at `own`."""
    if instance.id is None:
        return set()
    return {linked for (linked,) in StaffService.select(other).where(own == instance).tuples()}


def _save_linked(instance, values, wanted_ids, own, other, links_name):
    """Save `instance` with `values` and link it to exactly `wanted_ids`."""
    changed = changed_fields(instance, values)
    wanted_ids = set(wanted_ids)
    with db.atomic():
        for name in changed:
            setattr(instance, name, values[name])
        if changed or instance.id is None:
            instance.save()
        if wanted_ids != linked_ids(instance, own, other):
            changed.append(links_name)
            StaffService.delete().where(own == instance).execute()
            for linked in sorted(wanted_ids):
                StaffService.insert({own: instance.id, other: linked}).execute()
        if changed:
            calendar_changed()
    return changed


def staff_ids_of(service):
    return linked_ids(service, StaffService.service, StaffService.staff)


def save_service(service, values, staff_ids):
    """Add or change a service and who offers it; the names of what changed."""
    return _save_linked(service, values, staff_ids, StaffService.service,
                        StaffService.staff, "staff")


# Staff members -------------------------------------------------------------------

def staff_members():
    return StaffMember.select().order_by(StaffMember.name, StaffMember.id)


def service_ids_of(member):
    return linked_ids(member, StaffService.staff, StaffService.service)


def save_staff_member(member, values, service_ids):
    """Add or change a staff member and the services they offer."""
    return _save_linked(member, values, service_ids, StaffService.staff,
                        StaffService.service, "services")


@dataclass(frozen=True)
class DayRange:
    """A range of a weekday: working time, or a break within it."""

    start: time
    end: time
    is_break: bool = False


def _overlapping(ranges):
    """The positions of ranges that overlap an earlier one (touching is fine)."""
    found = []
    ordered = sorted(enumerate(ranges), key=lambda item: (item[1].start, item[1].end))
    latest_end = None
    for position, current in ordered:
        if latest_end is not None and current.start < latest_end:
            found.append(position)
        latest_end = max(latest_end or current.end, current.end)
    return found


def check_day(ranges):
    """What is wrong with one weekday's ranges, as (position, code) pairs: an end not
    after its start, working ranges or breaks that overlap, a break outside work."""
    problems = [(index, "end_before_start") for index, r in enumerate(ranges)
                if r.end <= r.start]
    if problems:
        return problems
    for is_break in (False, True):
        positions = [index for index, r in enumerate(ranges) if r.is_break == is_break]
        same_kind = [ranges[index] for index in positions]
        problems += [(positions[found], "overlap") for found in _overlapping(same_kind)]
    working = [r for r in ranges if not r.is_break]
    problems += [
        (index, "break_outside_hours") for index, r in enumerate(ranges)
        if r.is_break and not any(w.start <= r.start and r.end <= w.end for w in working)
    ]
    return sorted(problems)


def week_of(member):
    """{weekday: [DayRange, …]} of a staff member's usual week, working time first."""
    week = {weekday: [] for weekday in range(7)}
    for model, is_break in ((WorkingHours, False), (Break, True)):
        for row in model.select().where(model.staff == member).order_by(model.start):
            week[row.weekday].append(DayRange(row.start, row.end, is_break))
    return week


def set_week(member, week):
    """Replace the usual week of a staff member; whether anything changed. Raises
    InvalidSetting when a day's ranges break a rule (check_day tells which)."""
    for ranges in week.values():
        if check_day(ranges):
            raise InvalidSetting("week_invalid")
    normal = {weekday: sorted(week.get(weekday, []), key=_range_order) for weekday in range(7)}
    before = {weekday: sorted(ranges, key=_range_order)
              for weekday, ranges in week_of(member).items()}
    if normal == before:
        return False
    with db.atomic():
        WorkingHours.delete().where(WorkingHours.staff == member).execute()
        Break.delete().where(Break.staff == member).execute()
        for weekday, ranges in normal.items():
            for r in ranges:
                model = Break if r.is_break else WorkingHours
                model.create(staff=member, weekday=weekday, start=r.start, end=r.end)
        calendar_changed()
    return True


def _range_order(r):
    return (r.is_break, r.start, r.end)


# Time off and extra hours --------------------------------------------------------

def _instant(day, wall_clock):
    return naive_utc(datetime.combine(day, wall_clock, HELSINKI))


def add_time_off(member, first_day, last_day=None, start=None, end=None, reason=""):
    """An absence in Helsinki time, stored in UTC: from `start` (or the beginning) of
    the first day to `end` (or the end) of the last day."""
    last_day = last_day or first_day
    starts_at = _instant(first_day, start or time())
    if end is None:
        ends_at = _instant(last_day + timedelta(days=1), time())
    else:
        ends_at = _instant(last_day, end)
    if ends_at <= starts_at:
        raise InvalidSetting("end_before_start")
    with db.atomic():
        time_off = TimeOff.create(staff=member, starts_at=starts_at, ends_at=ends_at,
                                  reason=reason)
        calendar_changed()
    return time_off


def coming_time_off(member, now):
    """Absences not yet over, soonest first."""
    return (TimeOff.select()
            .where((TimeOff.staff == member) & (TimeOff.ends_at > naive_utc(now)))
            .order_by(TimeOff.starts_at))


def remove_time_off(member, time_off_id):
    return _removed(TimeOff.delete().where(
        (TimeOff.id == time_off_id) & (TimeOff.staff == member)))


def _removed(deletion):
    """Run `deletion` of one row; whether it removed it (the generation then moves)."""
    with db.atomic():
        if deletion.execute() == 1:
            calendar_changed()
            return True
    return False


def add_extra_hours(member, day, start, end, today):
    """Working time on one date beyond the usual week. Refused in the past, on a
    closed day, and where it overlaps the usual hours or other extra hours."""
    if end <= start:
        raise InvalidSetting("end_before_start")
    if day < today:
        raise InvalidSetting("past_day")
    if is_closed(day):
        raise InvalidSetting("day_closed")
    wanted = DayRange(start, end)
    usual = [r for r in week_of(member)[day.weekday()] if not r.is_break]
    if _overlapping([*usual, wanted]):
        raise InvalidSetting("overlaps_usual_hours")
    others = [DayRange(row.start, row.end) for row in
              ExtraHours.select().where((ExtraHours.staff == member) & (ExtraHours.day == day))]
    if _overlapping([*others, wanted]):
        raise InvalidSetting("overlap")
    with db.atomic():
        extra = ExtraHours.create(staff=member, day=day, start=start, end=end)
        calendar_changed()
    return extra


def coming_extra_hours(today, member=None):
    query = ExtraHours.select(ExtraHours, StaffMember).join(StaffMember).where(
        ExtraHours.day >= today)
    if member is not None:
        query = query.where(ExtraHours.staff == member)
    return query.order_by(ExtraHours.day, ExtraHours.start)


def remove_extra_hours(member, extra_id):
    return _removed(ExtraHours.delete().where(
        (ExtraHours.id == extra_id) & (ExtraHours.staff == member)))


# Closed days ------------------------------------------------------------------------

def is_closed(day):
    exception = DayException.get_or_none(DayException.day == day)
    if exception is not None:
        return not exception.is_open
    return day in finnish_holidays([day.year])


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str
    is_open: bool


def coming_holidays(today):
    """The Finnish public holidays of the coming twelve months, each open or closed."""
    last = today + HOLIDAYS_AHEAD
    found = finnish_holidays(range(today.year, last.year + 1))
    opened = {row.day for row in DayException.select().where(
        DayException.is_open & DayException.day.between(today, last))}
    return [Holiday(day, name, day in opened) for day, name in found.items()
            if today <= day <= last]


def set_holiday_open(day, is_open):
    """Open a public holiday for bookings, or close it again; whether it changed."""
    if day not in finnish_holidays([day.year]):
        raise InvalidSetting("not_holiday")
    if not is_open:
        return _removed(DayException.delete().where(DayException.day == day))
    with db.atomic():
        if DayException.select().where(
                (DayException.day == day) & DayException.is_open).exists():
            return False
        DayException.insert(day=day, is_open=True).on_conflict(
            conflict_target=[DayException.day], update={DayException.is_open: True}
        ).execute()
        calendar_changed()
    return True


def extra_closed_days(today):
    return (DayException.select()
            .where(~DayException.is_open & (DayException.day >= today))
            .order_by(DayException.day))


def add_closed_day(day, note, today):
    """Close the business on a day that is otherwise open."""
    if day < today:
        raise InvalidSetting("past_day")
    if day in finnish_holidays([day.year]):
        raise InvalidSetting("holiday")
    with db.atomic():
        if DayException.select().where(DayException.day == day).exists():
            raise InvalidSetting("already_closed")
        closed = DayException.create(day=day, is_open=False, note=note)
        calendar_changed()
    return closed


def remove_closed_day(exception_id):
    """Open an extra closed day again; the day it was, or None."""
    with db.atomic():
        exception = DayException.get_or_none(
            (DayException.id == exception_id) & ~DayException.is_open)
        if exception is not None:
            exception.delete_instance()
            calendar_changed()
            return exception.day
    return None
