"""Counting the site's page views as they are served, and the booking funnel's steps,
without any identifier (models/analytics); and whether this visitor may be sent the
consented level's script.

A page view is a public GET answered 200 with a page (HTMX fragments are not, boosted
navigations are), from a browser (not a robot) that is not only prefetching. The page
is named by its route, with the numbers in it but never a link's secret. The funnel's
steps come from the route, the method and the answer: home, the times of a service,
the details form, its sending, and the booking (a redirect), the "just taken" answer
(409), a move and a cancellation.
"""

import atexit
import contextlib
import logging
import re
from urllib.parse import parse_qs, urlsplit

from flask import current_app, request
from peewee import DatabaseError, InterfaceError

from models import db
from models.analytics import funnel
from models.analytics.agents import read_agent
from models.analytics.counts import PENDING
from web import cookies
from web.rendering import fragment_requested

log = logging.getLogger(__name__)

LEFT_OUT = ("/staff", "/static", "/health", "/statistics")
PREFETCH = re.compile(r"prefetch|prerender", re.I)
LANGUAGE = re.compile(r"[a-z]{2,3}")
ROUTE_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
CAMPAIGN_KEYS = ("utm_source", "utm_medium", "utm_campaign")

PAGE_STEPS = {"public.home": funnel.HOME, "booking.times": funnel.SERVICE,
              "booking.details": funnel.TIME}
# A POST's endpoint: the step it always is, and what its redirect and its 409 mean.
POST_STEPS = {
    "booking.details": (funnel.DETAILS, funnel.BOOKED),
    "booking.move_booking": (None, funnel.MOVED),
    "booking.cancel_booking": (None, funnel.CANCELLED),
}


# How long a process adds page views up in memory before writing them (0: at once).
FLUSH_SECONDS = 5


def init_app(app):
    # A test reads what a page counted at once.
    app.config.setdefault("ANALYTICS_WRITE_SECONDS", 0 if app.testing else FLUSH_SECONDS)
    app.after_request(count_request)
    atexit.register(_write_pending)


def _write_pending():
    with contextlib.suppress(DatabaseError, InterfaceError), db.connection_context():
        PENDING.write()


def count_request(response):
    """Count the page view and the funnel's step this answer is, if any. A failure to
    count is logged and never spoils the answer."""
    if not _counted_at_all():
        return response
    try:
        if request.method == "GET":
            _count_page(response)
        elif request.method == "POST":
            _count_post(response)
        if PENDING.due(current_app.config["ANALYTICS_WRITE_SECONDS"]):
            PENDING.write()
    except DatabaseError:
        log.exception("a page view could not be counted")
    return response


def _counted_at_all():
    path = request.path
    if request.endpoint is None or any(
            path == prefix or path.startswith(prefix + "/") for prefix in LEFT_OUT):
        return False
    headers = request.headers
    if PREFETCH.search(headers.get("Sec-Purpose", "") + headers.get("Purpose", "")
                       + headers.get("X-Moz", "")):
        return False
    return not read_agent(headers.get("User-Agent", "")).bot


def is_page_view(response):
    return (response.status_code == 200 and not fragment_requested()
            and response.mimetype == "text/html")


def _count_page(response):
    if not is_page_view(response):
        return
    agent = read_agent(request.headers.get("User-Agent", ""))
    campaign = campaign_of_request()
    PENDING.count_view({
        "page": page_name(), "referrer": referrer_host(), "campaign": campaign,
        "channel": agent.channel, "browser": agent.browser, "system": agent.system,
        "device_class": agent.device_class, "device_model": agent.device_model,
        "language": browser_language(),
    })
    step = PAGE_STEPS.get(request.endpoint)
    if step:
        PENDING.count_step(step, agent.channel, campaign)


def _count_post(response):
    steps = POST_STEPS.get(request.endpoint)
    if steps is None:
        return
    always, on_success = steps
    agent = read_agent(request.headers.get("User-Agent", ""))
    campaign = campaign_of_request()
    if always:
        PENDING.count_step(always, agent.channel, campaign)
    redirected = response.status_code == 303 or "HX-Redirect" in response.headers
    if redirected:
        PENDING.count_step(on_success, agent.channel, campaign)
    elif response.status_code == 409:
        PENDING.count_step(funnel.TAKEN, agent.channel, campaign)


def page_name():
    """The page's route with its numbers filled in and its secrets left as names:
    /book/3, /booking/<token>."""
    values = request.view_args or {}

    def filled(found):
        converter, name = found[1], found[2]
        return str(values.get(name)) if converter == "int" else f"<{name}>"

    return ROUTE_PART.sub(filled, request.url_rule.rule)


def referrer_host():
    """The host of the page that linked here, when it is another site."""
    host = (urlsplit(request.headers.get("Referer", "")).hostname or "").lower()
    return "" if host in ("", request.host.split(":")[0].lower()) else host[:200]


def campaign_of_request():
    """The utm_ campaign of the address, or of the site's page before it (whose
    address the browser names, within the site): "source / medium / campaign"."""
    arguments = {key: request.args.get(key, "") for key in CAMPAIGN_KEYS}
    if not any(arguments.values()):
        referrer = urlsplit(request.headers.get("Referer", ""))
        if (referrer.hostname or "").lower() == request.host.split(":")[0].lower():
            query = parse_qs(referrer.query)
            arguments = {key: query.get(key, [""])[0] for key in CAMPAIGN_KEYS}
    parts = [" ".join(value.split())[:60] for value in arguments.values()]
    return " / ".join(part or "–" for part in parts) if any(parts) else ""


def browser_language():
    best = request.accept_languages.best or ""
    primary = best.split("-")[0].lower()
    return primary if LANGUAGE.fullmatch(primary) else ""


def may_measure_visits():
    """Whether this visitor has said yes to the consented level, the owner still asks
    for it, and the visitor's browser does not say no (GPC, DNT)."""
    choice = cookies.visitor_choice()
    return (choice is not None and choice.accepted and not cookies.refuses_tracking()
            and cookies.statistics_asked())


def statistics_page():
    """The page's name for the consented script, or None when this page is not
    measured for this visitor."""
    if request.url_rule is None or not _counted_at_all() or not may_measure_visits():
        return None
    return page_name()
