"""Visitors' choices: the cookie banner and the cookie settings page, and stopping the
news by e-mail from the link in every news message (or in one click from the mail
program, RFC 8058).

Both work without a session and without JavaScript: the unsubscribe link's key is its
own proof, and the cookie choice is a plain form that the cross-site check guards.
"""

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from models.privacy.consents import (
    UNSUBSCRIBE,
    CookieChoice,
    active,
    consent_with_key,
    withdraw,
)
from web import cookies
from web.access import audit
from web.rendering import redirect_after_post
from web.security import local_path

blueprint = Blueprint("consent", __name__)

CHOICES = {"accept": True, "reject": False}
UNKNOWN_LINK = _l("This link to stop the e-mails is not known to us. The e-mail it came "
                  "in may be very old, or the link was cut short. If you still get news "
                  "from us, answer any of the messages and we will stop them.")


@blueprint.app_context_processor
def cookie_banner():
    return {"cookie_banner": cookies.banner_needed,
            "statistics_asked": cookies.statistics_asked}


@blueprint.after_app_request
def keep_optional_cookies_out(response):
    return cookies.keep_optional_cookies_out(response)


# Cookies -----------------------------------------------------------------------------

@blueprint.get("/cookies")
def cookie_settings():
    return cookie_page()


def cookie_page(status=200, problem=False):
    return make_response(render_template(
        "consent/cookies.html", cookie_list=cookies.COOKIES, problem=problem,
        optional=cookies.anything_optional(), choice=cookies.visitor_choice()), status)


@blueprint.post("/cookies")
def choose_cookies():
    """The visitor's answer, from the banner or the settings page: recorded, kept in the
    choice cookie, and on a "no" the optional cookies are deleted."""
    if not cookies.anything_optional():
        return redirect_after_post(url_for(".cookie_settings"))
    answer = request.form.get("choice")
    if answer not in CHOICES:
        return cookie_page(status=422, problem=True)
    choice = cookies.new_choice(CHOICES[answer])
    CookieChoice.create(visitor=choice.visitor, choice=choice.choice,
                        banner_version=choice.banner_version)
    response = redirect_after_post(
        local_path(request.form.get("next"), url_for(".cookie_settings")))
    response.set_cookie(cookies.CHOICE.name, choice.value, max_age=cookies.CHOICE_MAX_AGE,
                        samesite="Lax", secure=request.is_secure, httponly=True)
    if not choice.accepted:
        cookies.delete_optional_cookies(response)
    return response


# Stopping the news -------------------------------------------------------------------

def consent_of(key):
    """The consent whose messages carry `key`, or a clear page saying the link is not
    known."""
    consent = consent_with_key(key)
    if consent is None:
        abort(make_response(render_template("consent/unknown_link.html",
                                            text=UNKNOWN_LINK), 404))
    return consent


@blueprint.get("/unsubscribe/<key>")
def unsubscribe(key):
    consent = consent_of(key)
    return render_template("consent/unsubscribe.html", key=key,
                           stopped=active(consent.customer) is None)


@blueprint.post("/unsubscribe/<key>")
def stop_news(key):
    """The button on the page, or the mail program's one-click request: both stop
    the news, and a second time changes nothing."""
    consent = consent_of(key)
    if withdraw(consent.customer, via=UNSUBSCRIBE):
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        audit("consent.withdraw", customer=consent.customer,
              details="one-click from the mail program" if one_click
              else "the link in a news e-mail")
    return redirect_after_post(url_for(".unsubscribe", key=key))
