"""The dashboard's forms: a custom range of days (a GET, so the address can be kept),
and the owner's settings of the statistics."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import StopValidation

from models import whole_number
from models.analytics.reports import LONGEST
from models.analytics.settings import KEEP_LIMITS
from web.forms import Form

NOT_A_DAY = _l("Write the day as 2026-03-31 (year, month, day).")


def day_of(text):
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def a_day(form, field):
    if day_of(field.data) is None:
        raise StopValidation(str(NOT_A_DAY))


class RangeForm(Form):
    first = StringField(_l("First day"), validators=[a_day])
    last = StringField(_l("Last day"), validators=[a_day])

    class Meta:
        csrf = False

    def validate_last(self, field):
        first, last = day_of(self.first.data), day_of(field.data)
        if first and last and last < first:
            raise StopValidation(str(_l("The last day comes before the first.")))
        if first and last and (last - first).days >= LONGEST:
            raise StopValidation(str(_l("At most %(days)d days at a time.", days=LONGEST)))


def months_in_limits(form, field):
    low, high = KEEP_LIMITS
    months = whole_number(field.data, largest=high)
    if months is None or months < low:
        raise StopValidation(str(_l("A whole number of months from %(low)d to %(high)d.",
                                    low=low, high=high)))


class StatisticsSettingsForm(Form):
    keep_months = StringField(_l("Keep the daily counts for (months)"),
                              validators=[months_in_limits])
    staff_may_see = BooleanField(_l("Staff may see the statistics"))
    ask_consent = BooleanField(_l("Ask visitors' consent to measure their visits with "
                                  "the site's own script"))
