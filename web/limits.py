"""Throttling of logins and public forms (Flask-Limiter, and the `limits` library it
counts with).

The counts live where every app server process sees them: in the site's own database
by default (`database://`, models/rate_limits.py), or in Redis when
VUORO_RATELIMIT_STORAGE_URL says so (redis://localhost:6379). `memory://` counts in one
process only, for a test or a developer who asks for it.

Logins are throttled so that no one can lock a staff member out: failures count per
address and per (account, address); per account alone they only slow down the
addresses that have failed, and the right password from an address without failures
still gets in. Past 100 failures in a row (NIST SP 800-63B's most), an account takes
logins only from addresses it has logged in from before, until such a login or a new
password ends the run. An e-mail without an account is counted the same way, so the
answers never tell whether it has one.
"""

import math
import time

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse, parse_many

import models.rate_limits  # noqa: F401  (registers the database:// storage)
from models.privacy.audit import logged_in_from

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")

# Failed logins (and wrong codes, and wrong current passwords) from one address, for
# any account.
ADDRESS_LIMITS = parse_many("10 per minute;50 per hour;200 per day")
# Failures for one account from one address.
ACCOUNT_AT_ADDRESS_LIMITS = parse_many("5 per minute;20 per hour;60 per day")
# Failures for one account from anywhere: a wait only for addresses that have failed.
ACCOUNT_LIMITS = parse_many("5 per minute;20 per hour;60 per day")
# Failures in a row for one account, until a login or a new password.
IN_A_ROW = parse("100 per 30 days")


def init_app(app):
    limiter.init_app(app)
    app.after_request(add_retry_after)


def add_retry_after(response):
    """Every refusal for too many attempts says when to try again (RFC 9110 10.2.3)."""
    limit = limiter.current_limit
    if response.status_code == 429 and "Retry-After" not in response.headers and limit:
        wait = limit.window.reset_time - time.time()
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def _windows(items, *identifiers):
    return [(item, limiter.limiter.get_window_stats(item, *identifiers)) for item in items]


def _wait(windows):
    """Seconds until every window of `windows` has room again (0 when each has)."""
    now = time.time()
    return max((stats.reset_time - now for _, stats in windows if stats.remaining < 1),
               default=0)


class LoginWait:
    """How long a login must wait (`seconds`, 0: it may be tried now), and whether the
    account takes logins only from addresses it has logged in from (`known_only`)."""

    def __init__(self, seconds, known_only=False):
        self.seconds = math.ceil(seconds)
        self.known_only = known_only

    def __bool__(self):
        return self.seconds > 0


def login_wait(email):
    """How long a login (or a confirmation with the password) for the account `email`
    from the request's address must wait."""
    address = request.remote_addr or ""
    at_address = _windows(ADDRESS_LIMITS, "login-address", address)
    wait = max(_wait(at_address),
               _wait(_windows(ACCOUNT_AT_ADDRESS_LIMITS, "login-account-address", email,
                              address)))
    if wait:
        return LoginWait(wait)
    in_a_row = _windows([IN_A_ROW], "login-in-a-row", email)
    known_only = _wait(in_a_row) > 0
    failed_here = any(stats.remaining < item.amount for item, stats in at_address)
    if known_only or failed_here:
        if logged_in_from(email, address):
            return LoginWait(0)
        if known_only:
            return LoginWait(_wait(in_a_row), known_only=True)
        return LoginWait(_wait(_windows(ACCOUNT_LIMITS, "login-account", email)))
    return LoginWait(0)


def login_failed(email):
    """Count a wrong password or code for `email` from the request's address."""
    address = request.remote_addr or ""
    hits = [(ADDRESS_LIMITS, ("login-address", address)),
            (ACCOUNT_AT_ADDRESS_LIMITS, ("login-account-address", email, address)),
            (ACCOUNT_LIMITS, ("login-account", email)),
            ([IN_A_ROW], ("login-in-a-row", email))]
    for items, identifiers in hits:
        for item in items:
            limiter.limiter.hit(item, *identifiers)


def login_succeeded(email):
    """A login or a new password ends the account's run of failures."""
    limiter.limiter.clear(IN_A_ROW, "login-in-a-row", email)
