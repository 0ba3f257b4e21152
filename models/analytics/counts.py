"""The per-day counters: one table per dimension, so that no two dimensions of one page
view are ever stored together (nothing can be joined to single a visitor out).

A page view adds one to its day's row in each table (an upsert: one statement each,
however many app servers count at once). The counts the consented script adds (screen
sizes, entry and exit pages, the paths between pages, the day's visits) are written by
the roll-up (`visits.py`) in the same way.
"""

import threading
import time
from collections import Counter
from datetime import timedelta

from peewee import BigIntegerField, CharField, DateField, IntegerField

from engines.clock import today
from models import BaseModel, db
from models.privacy.declaration import PersonalData

VALUE_LENGTH = 200
# A count below this is shown as "fewer than this" (the dashboard) or left out (the
# owner's export), so that no one visitor can be picked out.
SMALLEST_SHOWN = 3
NOT_PERSONAL = PersonalData({}, not_personal=("id", "day", "value", "count"))


class DailyCount(BaseModel):
    """How many times `value` was seen on `day` (Helsinki)."""

    day = DateField()
    value = CharField(max_length=VALUE_LENGTH)
    count = BigIntegerField(default=0)

    personal_data = NOT_PERSONAL


def _dimension(name, table):
    meta = type("Meta", (), {"table_name": table,
                             "indexes": ((("day", "value"), True),)})
    return type(name, (DailyCount,), {"Meta": meta, "__module__": __name__})


# Counted on the server for every page view.
PageCount = _dimension("PageCount", "analytics_page")
ReferrerCount = _dimension("ReferrerCount", "analytics_referrer")
CampaignCount = _dimension("CampaignCount", "analytics_campaign")
ChannelCount = _dimension("ChannelCount", "analytics_channel")
BrowserCount = _dimension("BrowserCount", "analytics_browser")
SystemCount = _dimension("SystemCount", "analytics_system")
DeviceClassCount = _dimension("DeviceClassCount", "analytics_device_class")
DeviceModelCount = _dimension("DeviceModelCount", "analytics_device_model")
LanguageCount = _dimension("LanguageCount", "analytics_language")
# Written by the roll-up of the consented visits.
ScreenCount = _dimension("ScreenCount", "analytics_screen")
EntryCount = _dimension("EntryCount", "analytics_entry")
ExitCount = _dimension("ExitCount", "analytics_exit")
FlowCount = _dimension("FlowCount", "analytics_flow")

SERVER_DIMENSIONS = {
    "page": PageCount, "referrer": ReferrerCount, "campaign": CampaignCount,
    "channel": ChannelCount, "browser": BrowserCount, "system": SystemCount,
    "device_class": DeviceClassCount, "device_model": DeviceModelCount,
    "language": LanguageCount,
}
VISIT_DIMENSIONS = {"screen": ScreenCount, "entry": EntryCount, "exit": ExitCount,
                    "flow": FlowCount}
DIMENSIONS = {**SERVER_DIMENSIONS, **VISIT_DIMENSIONS}
# Between the two pages of a step in a flow's value.
FLOW_ARROW = " → "


class DayTotals(BaseModel):
    """A day's visits as the consented script saw them (rolled up)."""

    day = DateField(unique=True)
    visitors = IntegerField(default=0)
    visits = IntegerField(default=0)
    views = IntegerField(default=0)
    bounces = IntegerField(default=0)
    engaged_visits = IntegerField(default=0)
    duration_seconds = BigIntegerField(default=0)
    engaged_seconds = BigIntegerField(default=0)

    class Meta:
        table_name = "analytics_day"

    personal_data = PersonalData({}, not_personal=(
        "id", "day", "visitors", "visits", "views", "bounces", "engaged_visits",
        "duration_seconds", "engaged_seconds"))


def add(model, day, value, count=1):
    """Add `count` to `value`'s row of `day` in `model`."""
    model.insert(day=day, value=value[:VALUE_LENGTH], count=count).on_conflict(
        conflict_target=[model.day, model.value],
        update={model.count: model.count + count},
    ).execute()


def count_view(values, day=None):
    """One page view: `values` maps each server dimension's name to what it saw (an
    empty value is not counted)."""
    day = day or today()
    with db.atomic():
        for name, value in values.items():
            if value:
                add(SERVER_DIMENSIONS[name], day, value)


class PendingCounts:
    """The page views this process has counted but not yet written: added up in
    memory and written together, in one transaction, once `seconds` have passed since
    the last write (and when the process ends), so that a page pays a dictionary
    update, not a statement per dimension. What a crash loses is those seconds."""

    def __init__(self):
        self.counted = Counter()
        self.written_at = time.monotonic()
        self.lock = threading.Lock()

    def count_view(self, values, day=None):
        day = day or today()
        with self.lock:
            for name, value in values.items():
                if value:
                    self.counted[(name, day, value[:VALUE_LENGTH])] += 1

    def count_step(self, step, channel="", campaign="", day=None):
        with self.lock:
            self.counted[(FUNNEL, day or today(), (step, channel, campaign))] += 1

    def due(self, seconds):
        return bool(self.counted) and time.monotonic() - self.written_at >= seconds

    def write(self):
        with self.lock:
            taken, self.counted = self.counted, Counter()
            self.written_at = time.monotonic()
        from models.analytics.funnel import count_step

        if taken:
            with db.atomic():
                for (name, day, value), number in sorted(taken.items()):
                    if name == FUNNEL:
                        count_step(*value, day=day, count=number)
                    else:
                        add(SERVER_DIMENSIONS[name], day, value, number)
        return sum(taken.values())


PENDING = PendingCounts()
# The funnel's steps wait in the same place, under this name.
FUNNEL = "funnel"


def delete_before(first_kept):
    """Delete the counts of the days before `first_kept`; how many rows went."""
    from models.analytics.funnel import FunnelCount

    deleted = 0
    for model in (*DIMENSIONS.values(), DayTotals, FunnelCount):
        deleted += model.delete().where(model.day < first_kept).execute()
    return deleted


def months_ago(day, months):
    """The day `months` months before `day` (the month's last day when it is shorter)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    for shorter in range(4):
        try:
            return day.replace(year=year, month=month, day=day.day - shorter)
        except ValueError:
            continue
    return day - timedelta(days=30 * months)
