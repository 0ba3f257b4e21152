"""Every cookie the site sets: its name, why, and for how long. The privacy statement's
list of cookies is this list; a cookie not in it is a failing test.

All of them are strictly necessary (no consent is asked for them): the staff's login
session and its form token, and the visitor's chosen language.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .formatting import LANGUAGE_COOKIE


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
COOKIES = (SESSION, LANGUAGE)


def optional_cookies():
    """Cookies that need the visitor's consent (none so far)."""
    return tuple(cookie for cookie in COOKIES if not cookie.necessary)
