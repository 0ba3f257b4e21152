"""The owner's choices about the statistics: how long the per-day counts are kept,
whether staff see the dashboard, and whether visitors are asked for the consented
level (the cookie banner then asks)."""

from peewee import BooleanField, IntegerField

from models import BaseModel, read_scope
from models.analytics.counts import months_ago
from models.privacy.declaration import PersonalData

KEEP_MONTHS = 25
KEEP_LIMITS = (1, 25)


class AnalyticsSettings(BaseModel):
    keep_months = IntegerField(default=KEEP_MONTHS)
    staff_may_see = BooleanField(default=False)
    ask_consent = BooleanField(default=False)

    class Meta:
        table_name = "analytics_settings"

    personal_data = PersonalData({}, not_personal=(
        "id", "keep_months", "staff_may_see", "ask_consent"))


class OutOfLimits(ValueError):
    pass


# Written once, not built by peewee on every public page (the cookie banner asks).
CURRENT_SQL = 'SELECT * FROM "analytics_settings" WHERE "id" = 1'


SCOPE_KEY = "statistics settings"


def current():
    """The one row of settings (the defaults until the owner saves); read once per
    request that writes nothing (models.read_scope)."""
    return read_scope.once(SCOPE_KEY, lambda: next(
        iter(AnalyticsSettings.raw(CURRENT_SQL)), None) or AnalyticsSettings())


def save(keep_months, staff_may_see, ask_consent):
    low, high = KEEP_LIMITS
    if not low <= keep_months <= high:
        raise OutOfLimits(keep_months)
    row = current()
    row.id = 1
    row.keep_months, row.staff_may_see, row.ask_consent = (
        keep_months, staff_may_see, ask_consent)
    row.save(force_insert=AnalyticsSettings.get_or_none(AnalyticsSettings.id == 1) is None)
    return row


def first_day_kept(today):
    return months_ago(today, current().keep_months)
