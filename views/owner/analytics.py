"""The owner's dashboard of the site's own visit statistics (models/analytics): a range
of days beside the one before it, each chart drawn on the server with its numbers in a
table, and the owner's settings. Staff see it when the owner allows."""

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from engines.spreadsheet import BOM, csv_line
from models.analytics import funnel, reports
from models.analytics import settings as analytics_settings
from models.analytics.counts import SMALLEST_SHOWN
from views.owner.analytics_forms import RangeForm, StatisticsSettingsForm, day_of
from web.access import audit, staff_only
from web.downloads import csv_text_download
from web.rendering import redirect_after_post, render
from web.wording import BREAKDOWNS

blueprint = staff_only(Blueprint("analytics", __name__, url_prefix="/staff/analytics"))

RANGE_NAMES = {
    reports.TODAY: _l("Today"), reports.WEEK: _l("7 days"), reports.MONTH_30: _l("30 days"),
    reports.THIS_MONTH: _l("This month"), reports.YEAR: _l("12 months"),
}
STEP_NAMES = {
    funnel.HOME: _l("Home page"), funnel.SERVICE: _l("Service chosen"),
    funnel.TIME: _l("Time chosen"), funnel.DETAILS: _l("Details sent"),
    funnel.BOOKED: _l("Booked"), funnel.TAKEN: _l("Time just taken"),
    funnel.MOVED: _l("Moved"), funnel.CANCELLED: _l("Cancelled"),
}
VALUE_NAMES = {
    "mobile_browser": _l("Mobile browser"), "browser": _l("Browser"), "app": _l("App"),
    "phone": _l("Phone"), "tablet": _l("Tablet"), "desktop": _l("Computer"),
}


def statistics_visible():
    return current_user.is_authenticated and (
        current_user.is_owner or analytics_settings.current().staff_may_see)


@blueprint.before_request
def owner_or_allowed_staff():
    if not statistics_visible():
        abort(403)


@blueprint.app_context_processor
def statistics_link():
    return {"statistics_visible": statistics_visible}


def chosen_range(form):
    name = request.args.get("range", reports.MONTH_30)
    if name == reports.CUSTOM and form.validate():
        return name, reports.named_range(name, day_of(form.first.data),
                                         day_of(form.last.data))
    if name == reports.CUSTOM:
        return name, None
    return (name if name in RANGE_NAMES else reports.MONTH_30), reports.named_range(name)


@blueprint.get("/")
def dashboard():
    form = RangeForm(request.args)
    name, chosen = chosen_range(form)
    if chosen is None:
        return page(name, reports.named_range(reports.MONTH_30), form, status=422)
    return page(name, chosen, form)


def page(name, chosen, form, status=200, settings_form=None):
    before = chosen.before()
    steps = reports.conversion(reports.funnel_steps(chosen))
    return render(
        "analytics/dashboard.html", status=status, range_name=name, chosen=chosen,
        before=before, form=form, range_names=RANGE_NAMES, step_names=STEP_NAMES,
        value_names=VALUE_NAMES, figures=reports.figures(reports.totals(chosen)),
        figures_before=reports.figures(reports.totals(before)), change=reports.change,
        figure_names=figure_names(chosen), daily=reports.daily_views(chosen),
        steps=steps,
        funnel_bars=[(step, number) for step, number, _share in steps],
        other_steps=reports.funnel_steps(chosen),
        steps_before=reports.funnel_steps(before),
        by_channel=reports.funnel_by("channel", chosen),
        by_campaign=reports.funnel_by("campaign", chosen),
        breakdowns=[(key, title, reports.breakdown(key, chosen)) for key, title in BREAKDOWNS],
        settings_form=settings_form or settings_form_now(),
    )


def figure_names(chosen):
    return {
        "page_views": _l("Page views"),
        # A visitor is known only within one day: over longer ranges, say so.
        "visitors": _l("Visitors") if chosen.days == 1 else _l("Visitor-days"),
        "visits": _l("Visits"), "views_per_visit": _l("Views per visit"),
        "bounce_rate": _l("Bounce rate"), "engaged_rate": _l("Engaged visits"),
        "visit_seconds": _l("Visit duration"),
    }


def settings_form_now():
    saved = analytics_settings.current()
    return StatisticsSettingsForm(formdata=None, keep_months=str(saved.keep_months),
                                  staff_may_see=saved.staff_may_see,
                                  ask_consent=saved.ask_consent)


@blueprint.post("/settings")
def save_settings():
    if not current_user.is_owner:
        abort(403)
    form = StatisticsSettingsForm()
    if not form.validate():
        return page(reports.MONTH_30, reports.named_range(reports.MONTH_30), RangeForm(),
                    status=422, settings_form=form)
    analytics_settings.save(int(form.keep_months.data), form.staff_may_see.data,
                            form.ask_consent.data)
    audit("settings.update", details=f"statistics: counts kept {form.keep_months.data} months, "
          f"staff {'may' if form.staff_may_see.data else 'may not'} see them, consent "
          f"{'asked' if form.ask_consent.data else 'not asked'}")
    flash(_l("The statistics settings are saved."))
    return redirect_after_post(url_for(".dashboard"))


def shown_count(number):
    """A count as the dashboard shows it: below 3 (but not none) as "< 3"."""
    return f"< {SMALLEST_SHOWN}" if 0 < number < SMALLEST_SHOWN else number


@blueprint.get("/<dimension>.csv")
def download(dimension):
    titles = dict(BREAKDOWNS)
    if dimension not in titles:
        abort(404)
    _name, chosen = chosen_range(RangeForm(request.args))
    chosen = chosen or reports.named_range(reports.MONTH_30)
    lines = [BOM + csv_line((_("Day"), str(titles[dimension]), _("Count")))]
    lines += [csv_line((day.isoformat(), value, str(shown_count(number))))
              for day, value, number in reports.daily_breakdown(dimension, chosen)]
    return csv_text_download(lines, f"statistics-{dimension}-{chosen.first}-{chosen.last}.csv")
