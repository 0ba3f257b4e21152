"""The consented level's reports: the site's own script sends each view and the time a
page stayed in front here (navigator.sendBeacon). A report is kept only while the
visitor's consent holds and their browser sends neither GPC nor DNT; the answer is the
same either way, so the script learns nothing. Guarded by the cross-site check of every
POST (web/security.py) instead of a form token, and throttled per visitor."""

from flask import Blueprint, request

from models import whole_number
from models.analytics import visits
from web import analytics
from web.limits import limiter

blueprint = Blueprint("statistics", __name__)

KINDS = {"v": visits.VIEW, "l": visits.LEAVE}
# A visitor's reports in a minute: two a page, and a page every second is a lot.
REPORTS = "120 per minute"


def _reporter():
    """The throttle's key: the visitor's hash of today, never the address itself."""
    return "statistics:" + visits.visitor_hash(request.remote_addr or "", "throttle")


def _number(name, largest):
    number = whole_number(request.form.get(name, "0"))
    return 0 if number is None else min(number, largest)


@blueprint.post("/statistics/report")
@limiter.limit(REPORTS, key_func=_reporter)
def report():
    kind = KINDS.get(request.form.get("k", ""))
    page = request.form.get("p", "")
    if kind and page.startswith("/") and len(page) <= 200 and page.isprintable() \
            and analytics.may_measure_visits():
        visits.record(request.remote_addr or "", request.headers.get("User-Agent", ""),
                      kind, page, width=_number("w", 100_000),
                      engaged_ms=_number("t", 10**9))
    return "", 204


@blueprint.app_context_processor
def statistics_script():
    return {"statistics_page": analytics.statistics_page}
