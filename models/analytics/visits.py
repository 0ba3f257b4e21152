"""The consented level: the script's reports of views and foreground time, the day's
salt that makes the visitor's keyed hash, and the roll-up into per-day counts.

The salt is random, one per Helsinki day, kept in the database so that every app server
hashes alike, and deleted 48 hours after its day began; the address is never stored,
only hashed with the user agent under the salt. A raw row lives until the roll-up after
its day (the worker runs it every hour; at the latest 48 hours), then only the counts
stay. A visit ends after 30 minutes without a report.
"""

import hashlib
import hmac
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from peewee import CharField, DateField, DateTimeField, IntegerField

from engines.clock import local, naive_utc, now, today
from engines.clock import now as clock_now
from models import BaseModel, db, is_sqlite, write_transaction
from models.analytics import counts, months
from models.analytics.counts import FLOW_ARROW, DayTotals
from models.privacy.declaration import ANALYTICS_VISITS, PersonalData

KEPT = timedelta(hours=48)
VISIT_ENDS = timedelta(minutes=30)
# A visit is engaged when it saw two pages or more, or a page stayed in front this long.
ENGAGED = timedelta(seconds=10)
VIEW, LEAVE = "view", "leave"
SCREENS = ((600, "≤ 600"), (1000, "≤ 1000"), (1920, "≤ 1920"))
LARGER = "> 1920"
PATH_LENGTH = 200


class Salt(BaseModel):
    day = DateField(unique=True)
    salt = CharField(max_length=64)

    class Meta:
        table_name = "analytics_salt"

    # The key that ties a hash to an address and browser while it lives.
    personal_data = PersonalData({"salt": ANALYTICS_VISITS}, not_personal=("id", "day"))


class Hit(BaseModel):
    """One report of the script: a view, or how long a page was in front."""

    visitor = CharField(max_length=64)
    at = DateTimeField()
    kind = CharField(max_length=5)
    path = CharField(max_length=PATH_LENGTH)
    screen = CharField(max_length=8, default="")
    engaged_ms = IntegerField(default=0)

    class Meta:
        table_name = "analytics_hit"
        indexes = ((("at",), False),)

    # The hash is pseudonymous personal data while its day's salt lives (48 hours after
    # the day began), and so is what the row says about that visitor.
    personal_data = PersonalData(
        dict.fromkeys(("visitor", "at", "path", "screen", "engaged_ms"), ANALYTICS_VISITS),
        not_personal=("id", "kind"))


def screen_bucket(width):
    for limit, name in SCREENS:
        if width <= limit:
            return name
    return LARGER


def day_salt(day=None):
    """The salt of `day` (today in Helsinki), made by whichever server asks first; a
    new day's salt takes the ones older than yesterday's away."""
    day = day or today()
    found = Salt.get_or_none(Salt.day == day)
    if found is not None:
        return found.salt
    with db.atomic():
        Salt.insert(day=day, salt=secrets.token_hex(32)).on_conflict_ignore().execute()
        Salt.delete().where(Salt.day < day - timedelta(days=1)).execute()
    return Salt.get(Salt.day == day).salt


def visitor_hash(address, user_agent, day=None):
    return hmac.new(bytes.fromhex(day_salt(day)), f"{address}\n{user_agent}".encode(),
                    hashlib.sha256).hexdigest()


def record(address, user_agent, kind, path, width=0, engaged_ms=0):
    """The script's report, kept as a raw row under the visitor's hash of today."""
    Hit.create(visitor=visitor_hash(address, user_agent), at=naive_utc(now()), kind=kind,
               path=path[:PATH_LENGTH], screen=screen_bucket(width) if kind == VIEW else "",
               engaged_ms=max(0, min(engaged_ms, 4 * 3600 * 1000)))


@dataclass
class DaySummary:
    """One day's raw rows summed up: the totals and each dimension's counts."""

    totals: Counter = field(default_factory=Counter)
    dimensions: dict = field(default_factory=lambda: defaultdict(Counter))
    visitors: set = field(default_factory=set)


def summarise(hits):
    """{Helsinki day: DaySummary} of `hits` (each with visitor, at, kind, path, screen,
    engaged_ms), visits cut at 30 minutes without a report."""
    by_visitor = defaultdict(list)
    for hit in hits:
        by_visitor[(local(hit.at).date(), hit.visitor)].append(hit)
    days = defaultdict(DaySummary)
    for (day, visitor), rows in by_visitor.items():
        rows.sort(key=lambda row: row.at)
        summary = days[day]
        summary.visitors.add(visitor)
        for visit in _visits(rows):
            _add_visit(summary, visit)
    for summary in days.values():
        summary.totals["visitors"] = len(summary.visitors)
    return dict(days)


def _visits(rows):
    visit = [rows[0]]
    for row in rows[1:]:
        if row.at - visit[-1].at > VISIT_ENDS:
            yield visit
            visit = []
        visit.append(row)
    yield visit


def _add_visit(summary, visit):
    views = [row for row in visit if row.kind == VIEW]
    if not views:
        return
    totals, dimensions = summary.totals, summary.dimensions
    engaged_ms = sum(row.engaged_ms for row in visit)
    totals["visits"] += 1
    totals["views"] += len(views)
    totals["bounces"] += len(views) == 1
    totals["engaged_visits"] += len(views) > 1 or engaged_ms >= ENGAGED.total_seconds() * 1000
    totals["duration_seconds"] += int((visit[-1].at - visit[0].at).total_seconds())
    totals["engaged_seconds"] += engaged_ms // 1000
    dimensions["entry"][views[0].path] += 1
    dimensions["exit"][views[-1].path] += 1
    for row in views:
        dimensions["screen"][row.screen] += 1
    for before, after in zip(views, views[1:], strict=False):
        dimensions["flow"][f"{before.path}{FLOW_ARROW}{after.path}"] += 1


def roll_up(moment=None, *, now=None):
    """Roll the raw rows of the days before today up into the counts and delete them,
    with every salt older than yesterday's and every row older than 48 hours; then the
    counts older than the owner's period (`now`, as the worker's duties are given it:
    the moment to roll up at), and the months over into the per-month counts. How many
    raw rows were rolled up."""
    from models.analytics.settings import first_day_kept

    moment = moment or now or clock_now()
    day_begins = naive_utc(local(moment).replace(hour=0, minute=0, second=0,
                                                 microsecond=0))
    # Two roll-ups at once (two workers, or the command beside one) take the rows in
    # turn: the later finds them gone, so nothing is counted twice.
    with write_transaction():
        taken = Hit.select().where(Hit.at < day_begins)
        done = list(taken if is_sqlite() else taken.for_update())
        for day, summary in summarise(done).items():
            _store(day, summary)
        Hit.delete().where(Hit.at < day_begins).execute()
        Hit.delete().where(Hit.at < naive_utc(moment - KEPT)).execute()
        Salt.delete().where(Salt.day < local(moment).date() - timedelta(days=1)).execute()
        first_kept = first_day_kept(local(moment).date())
        counts.delete_before(first_kept)
        months.delete_before(first_kept)
        months.roll_up_months(local(moment).date(), first_kept)
    return len(done)


def _store(day, summary):
    row, _ = DayTotals.get_or_create(day=day)
    for name in ("visitors", "visits", "views", "bounces", "engaged_visits",
                 "duration_seconds", "engaged_seconds"):
        setattr(row, name, getattr(row, name) + summary.totals[name])
    row.save()
    for name, counted in summary.dimensions.items():
        for value, number in counted.items():
            counts.add(counts.VISIT_DIMENSIONS[name], day, value, number)


def todays_summary(moment=None):
    """Today's raw rows summed up, for the dashboard (they are rolled up tomorrow)."""
    moment = moment or now()
    return summarise(Hit.select()).get(local(moment).date(), DaySummary())
