"""What the owner's dashboard reads: the counts of a range of days, each beside the
range just before it. A breakdown sums the whole months of the range from the per-month
counts and only the days around them from the per-day counts (an index on day or month
and value), so a year of a busy site answers in milliseconds and exactly as the days
would. Today's consented visits are still raw rows; they are summed up as the page asks,
and rolled up tomorrow."""

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import fn

from engines.clock import today
from models.analytics import funnel, months, visits
from models.analytics.counts import DIMENSIONS, DayTotals, PageCount
from models.analytics.funnel import FunnelCount

TOTALS = ("visitors", "visits", "views", "bounces", "engaged_visits", "duration_seconds",
          "engaged_seconds")
TODAY, WEEK, MONTH_30, THIS_MONTH, YEAR, CUSTOM = (
    "today", "7d", "30d", "month", "12m", "custom")
RANGES = (TODAY, WEEK, MONTH_30, THIS_MONTH, YEAR, CUSTOM)
LONGEST = 800  # days in a custom range


@dataclass(frozen=True)
class Range:
    first: date
    last: date

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def before(self):
        """The range of as many days just before this one."""
        return Range(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def each_day(self):
        return [self.first + timedelta(days=number) for number in range(self.days)]

    def includes_today(self):
        return self.first <= today() <= self.last


def named_range(name, first=None, last=None):
    """The range `name` means today (custom: from `first` to `last`)."""
    day = today()
    if name == TODAY:
        return Range(day, day)
    if name == WEEK:
        return Range(day - timedelta(days=6), day)
    if name == THIS_MONTH:
        return Range(day.replace(day=1), day)
    if name == YEAR:
        return Range(day - timedelta(days=364), day)
    if name == CUSTOM and first and last and first <= last:
        return Range(first, min(last, first + timedelta(days=LONGEST - 1)))
    return Range(day - timedelta(days=29), day)


def _todays(chosen):
    return visits.todays_summary() if chosen.includes_today() else None


def _counted(dimension, chosen):
    """A query of (value, count) rows of `dimension` that together hold the range: one
    row per value and whole month, and the per-day rows of the days outside them."""
    daily, monthly = DIMENSIONS[dimension], months.MONTHLY[dimension]
    whole = months.whole_months(chosen.first, chosen.last)
    parts = [daily.select(daily.value, daily.count).where(daily.day.between(first, last))
             for first, last in months.days_outside(chosen.first, chosen.last, whole)]
    if whole:
        parts.append(monthly.select(monthly.value, monthly.count)
                     .where(monthly.month.in_(whole)))
    query = parts[0]
    for part in parts[1:]:
        query = query + part
    return query


def totals(chosen):
    """The range's sums: page views (the server's count) and the consented visits."""
    sums = DayTotals.select(*[fn.COALESCE(fn.SUM(getattr(DayTotals, name)), 0)
                              for name in TOTALS]).where(
        DayTotals.day.between(chosen.first, chosen.last)).tuples().get()
    found = dict(zip(TOTALS, (int(value) for value in sums), strict=True))
    todays = _todays(chosen)
    if todays is not None:
        for name in TOTALS:
            found[name] += todays.totals[name]
    rows = _counted("page", chosen)
    found["page_views"] = int(rows.select_from(fn.COALESCE(fn.SUM(rows.c.count), 0))
                              .scalar())
    return found


def breakdown(dimension, chosen, limit=10):
    """[(value, count)] of `dimension` over the range, the largest first."""
    counted = _counted(dimension, chosen)
    total = fn.SUM(counted.c.count)
    rows = dict(counted.select_from(counted.c.value, total).group_by(counted.c.value)
                .order_by(total.desc(), counted.c.value).limit(limit * 2).tuples())
    todays = _todays(chosen)
    if todays is not None:
        for value, number in todays.dimensions.get(dimension, {}).items():
            rows[value] = rows.get(value, 0) + number
    ordered = sorted(((value, int(number)) for value, number in rows.items()),
                     key=lambda pair: (-pair[1], pair[0]))
    return ordered[:limit]


def daily_views(chosen):
    """[(day, page views)] for every day of the range, days without any as 0."""
    found = dict(PageCount.select(PageCount.day, fn.SUM(PageCount.count))
                 .where(PageCount.day.between(chosen.first, chosen.last))
                 .group_by(PageCount.day).tuples())
    return [(day, int(found.get(day, 0))) for day in chosen.each_day()]


def funnel_steps(chosen, channel=None):
    """{step: count} over the range (of one channel, when given)."""
    query = (FunnelCount.select(FunnelCount.step, fn.SUM(FunnelCount.count))
             .where(FunnelCount.day.between(chosen.first, chosen.last)))
    if channel is not None:
        query = query.where(FunnelCount.channel == channel)
    found = dict(query.group_by(FunnelCount.step).tuples())
    return {step: int(found.get(step, 0)) for step in funnel.STEPS + funnel.OTHER_EVENTS}


def funnel_by(column, chosen):
    """[(channel or campaign, {step: count})], the most booked first."""
    field = getattr(FunnelCount, column)
    rows = (FunnelCount.select(field, FunnelCount.step, fn.SUM(FunnelCount.count))
            .where(FunnelCount.day.between(chosen.first, chosen.last))
            .group_by(field, FunnelCount.step).tuples())
    found = {}
    for value, step, number in rows:
        found.setdefault(value, dict.fromkeys(funnel.STEPS + funnel.OTHER_EVENTS, 0))
        found[value][step] = int(number)
    return sorted(found.items(), key=lambda pair: (-pair[1][funnel.BOOKED],
                                                   -pair[1][funnel.HOME], pair[0]))


def conversion(steps):
    """[(step, count, share of the step before, in whole per cent or None)]."""
    result, before = [], None
    for step in funnel.STEPS:
        number = steps[step]
        share = round(100 * number / before) if before else None
        result.append((step, number, share))
        before = number
    return result


def figures(found):
    """The headline figures of `totals()`: counts, and the rates of the visits (None
    where there were no visits to divide by)."""
    visits_seen = found["visits"]

    def share(number):
        return round(100 * number / visits_seen) if visits_seen else None

    return {
        "page_views": found["page_views"],
        "visitors": found["visitors"],
        "visits": visits_seen,
        "views_per_visit": (round(found["views"] / visits_seen, 1) if visits_seen else None),
        "bounce_rate": share(found["bounces"]),
        "engaged_rate": share(found["engaged_visits"]),
        "visit_seconds": (round(found["duration_seconds"] / visits_seen)
                          if visits_seen else None),
    }


def change(now, before):
    """The change from `before` to `now` in whole per cent, or None."""
    if now is None or before in (None, 0):
        return None
    return round(100 * (now - before) / before)


def daily_breakdown(dimension, chosen):
    """[(day, value, count)] of `dimension` over the range, day by day (for a CSV)."""
    model = DIMENSIONS[dimension]
    return list(model.select(model.day, model.value, model.count)
                .where(model.day.between(chosen.first, chosen.last))
                .order_by(model.day, model.count.desc(), model.value).tuples())
