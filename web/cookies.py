"""Every cookie the site sets: its name, why, and for how long. The privacy statement's
list of cookies is this list; a cookie not in it is a failing test.

All of them are strictly necessary (no consent is asked for them): the staff's login
session and its form token, the visitor's chosen language, and the visitor's answer to
the cookie banner. A cookie declared `necessary=False` is set only after the visitor
has accepted optional cookies: code asks `may_set(cookie)` first, and a response that
sets one without consent has it taken out (`keep_optional_cookies_out`). While no such
cookie exists, the banner is not shown at all.
"""

import re
import secrets
from dataclasses import dataclass

from flask import g, request
from flask_babel import lazy_gettext as _l
from peewee import DatabaseError

from models.analytics import settings as analytics_settings
from models.privacy.consents import ACCEPTED, REJECTED, WITHDRAWN
from web.formatting import LANGUAGE_COOKIE


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: object  # a lazy text
    lifetime: object  # a lazy text
    necessary: bool = True


SESSION = Cookie(
    "session",
    _l("Keeps a staff member logged in and protects their forms from forgery. Set only "
       "when someone logs in to the back office."),
    _l("Until the browser is closed, or the idle time the owner set has passed"),
)
LANGUAGE = Cookie(
    LANGUAGE_COOKIE,
    _l("Remembers the language you chose for the site."),
    _l("One year"),
)
CHOICE_MAX_AGE = 182 * 24 * 3600
CHOICE = Cookie(
    "cookie_choice",
    _l("Remembers whether you accepted or refused optional cookies, so that we do not "
       "ask again on every page. Set only when you answer."),
    _l("Six months; then we ask again"),
)
COOKIES = (SESSION, LANGUAGE, CHOICE)

# Raise it when the optional cookies or the banner's words change: earlier answers
# then no longer count, and the banner asks again.
BANNER_VERSION = 1
CHOICE_VALUE = re.compile(r"([0-9a-f]{32})-(accepted|rejected|withdrawn)-([0-9]{1,6})")


def optional_cookies():
    """Cookies that need the visitor's consent (none so far)."""
    return tuple(cookie for cookie in COOKIES if not cookie.necessary)


@dataclass(frozen=True)
class VisitorChoice:
    """What the visitor answered to the banner, as their choice cookie says."""

    visitor: str
    choice: str
    banner_version: int

    @property
    def current(self):
        return self.banner_version == BANNER_VERSION

    @property
    def accepted(self):
        return self.current and self.choice == ACCEPTED

    @property
    def value(self):
        return f"{self.visitor}-{self.choice}-{self.banner_version}"


def visitor_choice():
    """The visitor's answer (one given in this request first), or None."""
    if "cookie_choice" in g:
        return g.cookie_choice
    found = CHOICE_VALUE.fullmatch(request.cookies.get(CHOICE.name, ""))
    if found is None:
        return None
    return VisitorChoice(found[1], found[2], int(found[3]))


def new_choice(accepted):
    """The visitor's new answer, under the key they had (or a new random one), kept for
    the rest of this request. Choosing "no" after "yes" is a withdrawal."""
    earlier = visitor_choice()
    visitor = earlier.visitor if earlier else secrets.token_hex(16)
    withdrawing = not accepted and earlier is not None and earlier.accepted
    choice = ACCEPTED if accepted else WITHDRAWN if withdrawing else REJECTED
    g.cookie_choice = VisitorChoice(visitor, choice, BANNER_VERSION)
    return g.cookie_choice


def may_set(cookie):
    """Whether the site may set `cookie` for this visitor now."""
    if cookie.necessary:
        return True
    choice = visitor_choice()
    return choice is not None and choice.accepted


def statistics_asked():
    """Whether the owner has the site ask for the visit statistics' consented level
    (models/analytics): the banner then asks, though the statistics set no cookie."""
    if "statistics_asked" not in g:
        try:
            g.statistics_asked = analytics_settings.current().ask_consent
        except DatabaseError:  # the error page of a database outage asks too
            g.statistics_asked = False
    return g.statistics_asked


def anything_optional():
    """Whether there is anything to consent to: optional cookies or the statistics."""
    return bool(optional_cookies()) or statistics_asked()


def refuses_tracking():
    """Global Privacy Control or Do Not Track: the visitor's browser has said no
    already, so nothing optional is asked for or done."""
    return (request.headers.get("Sec-GPC", "").strip() == "1"
            or request.headers.get("DNT", "").strip() == "1")


def banner_needed():
    """The banner asks while there is something optional, the visitor has not answered
    (this version of) it, and their browser has not said no already."""
    if not anything_optional() or refuses_tracking():
        return False
    choice = visitor_choice()
    return choice is None or not choice.current


def keep_optional_cookies_out(response):
    """Take out of the response every optional cookie set without consent (deleting
    one stays allowed)."""
    optional = {cookie.name: cookie for cookie in optional_cookies()}
    if not optional:
        return response
    headers = response.headers.getlist("Set-Cookie")
    kept = [header for header in headers
            if _cookie_name(header) not in optional or _deletes(header)
            or may_set(optional[_cookie_name(header)])]
    if len(kept) != len(headers):
        response.headers.remove("Set-Cookie")
        for header in kept:
            response.headers.add("Set-Cookie", header)
    return response


def delete_optional_cookies(response):
    """Delete the optional cookies the visitor's browser holds."""
    for cookie in optional_cookies():
        if cookie.name in request.cookies:
            response.delete_cookie(cookie.name)


def _cookie_name(header):
    return header.partition("=")[0].strip()


def _deletes(header):
    return "max-age=0" in header.lower().replace(" ", "")
