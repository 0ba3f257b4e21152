"""The per-month counts: each dimension's per-day counts of a whole month, summed, so
that the dashboard reads a year as twelve months of rows instead of 365 days of them.

A month is rolled up once it is over (by the same roll-up as the consented visits), and
the last month over is rolled up again on every run, so that counts written late into
its last day (a page view waiting in memory at midnight, yesterday's visits) are in it.
`MonthRolled` names the months whose rows are whole; the dashboard reads only those from
here and every other day from the per-day counts. A month goes when its first day is
past the owner's period, with the days."""

from datetime import timedelta

from peewee import BigIntegerField, CharField, DateField, fn

from models import BaseModel, db
from models.analytics.counts import DIMENSIONS, VALUE_LENGTH
from models.privacy.declaration import PersonalData


class MonthlyCount(BaseModel):
    """How many times `value` was seen in the month that begins on `month`."""

    month = DateField()
    value = CharField(max_length=VALUE_LENGTH)
    count = BigIntegerField(default=0)

    personal_data = PersonalData({}, not_personal=("id", "month", "value", "count"))


def _dimension(daily):
    name = daily.__name__.replace("Count", "MonthCount")
    meta = type("Meta", (), {"table_name": f"{daily._meta.table_name}_month",
                             "indexes": ((("month", "value"), True),)})
    return type(name, (MonthlyCount,), {"Meta": meta, "__module__": __name__})


MONTHLY = {name: _dimension(daily) for name, daily in DIMENSIONS.items()}


class MonthRolled(BaseModel):
    """A month whose per-month counts hold all of its days."""

    month = DateField(unique=True)

    class Meta:
        table_name = "analytics_month_rolled"

    personal_data = PersonalData({}, not_personal=("id", "month"))


def month_of(day):
    return day.replace(day=1)


def next_month(day):
    """The first day of the month after `day`'s."""
    return month_of(month_of(day) + timedelta(days=31))


def month_end(month):
    return next_month(month) - timedelta(days=1)


def roll_up_months(today, first_kept):
    """Roll up every month over before `today` that begins on `first_kept` or later and
    is not yet rolled up, and the last month over again. How many months were."""
    last = month_of(month_of(today) - timedelta(days=1))
    rolled = {row.month for row in MonthRolled.select()}
    month = first_kept if first_kept.day == 1 else next_month(first_kept)
    due = []
    while month <= last:
        if month not in rolled or month == last:
            due.append(month)
        month = next_month(month)
    for month in due:
        _roll_up(month)
    return len(due)


def _roll_up(month):
    counted = False
    with db.atomic():
        for name, daily in DIMENSIONS.items():
            monthly = MONTHLY[name]
            monthly.delete().where(monthly.month == month).execute()
            summed = (daily.select(daily.value, fn.SUM(daily.count))
                      .where(daily.day.between(month, month_end(month)))
                      .group_by(daily.value).tuples())
            rows = [{"month": month, "value": value, "count": number}
                    for value, number in summed]
            for start in range(0, len(rows), 500):
                monthly.insert_many(rows[start:start + 500]).execute()
            counted = counted or bool(rows)
        # A month without any count stays to be rolled up: days written into it later
        # (the demo's made-up traffic) would otherwise never be read.
        if counted:
            MonthRolled.insert(month=month).on_conflict_ignore().execute()


def delete_before(first_kept):
    """Delete the months that begin before `first_kept` (their days are going); how many
    rows went."""
    deleted = MonthRolled.delete().where(MonthRolled.month < first_kept).execute()
    for monthly in MONTHLY.values():
        deleted += monthly.delete().where(monthly.month < first_kept).execute()
    return deleted


def whole_months(first, last):
    """The rolled-up months that lie wholly within `first`…`last`, in order."""
    return [month for (month,) in MonthRolled.select(MonthRolled.month).where(
        MonthRolled.month >= first, MonthRolled.month <= last).order_by(
        MonthRolled.month).tuples() if month_end(month) <= last]


def days_outside(first, last, months):
    """The spans of days (first, last) of `first`…`last` that `months` do not hold."""
    spans, start = [], first
    for month in months:
        if start < month:
            spans.append((start, month - timedelta(days=1)))
        start = month_end(month) + timedelta(days=1)
    if start <= last:
        spans.append((start, last))
    return spans
