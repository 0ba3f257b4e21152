"""The business's public pages: home, privacy, and the language switch."""

from flask import Blueprint, abort, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from peewee import DatabaseError

from models.business import Business
from models.catalogue import Service
from models.privacy import CATEGORIES, Purpose
from models.schedule import opening_hours

from .formatting import LANGUAGE_COOKIE, LANGUAGES

blueprint = Blueprint("public", __name__)

PURPOSE_NAMES = {
    Purpose.CUSTOMER_RELATIONSHIP: _l("looking after our customer relationship"),
    Purpose.SERVICE: _l("giving the service you booked"),
    Purpose.INVOICING: _l("invoicing"),
    Purpose.DEVELOPMENT: _l("developing our service"),
    Purpose.COMMUNICATION: _l("communicating with you about your bookings and what you ask us"),
    Purpose.MISUSE_PREVENTION: _l("noticing and preventing misuse"),
    Purpose.LEGAL_COMPLIANCE: _l("meeting our duties under the law, such as answering your "
                                 "requests about your data"),
    Purpose.MARKETING: _l("sending news and offers by e-mail to those who asked for them"),
}
CATEGORY_NAMES = {
    "contact": _l("Contact details"),
    "booking": _l("Bookings"),
    "message": _l("Messages you write to us"),
    "note": _l("Notes from your visits"),
    "audit": _l("Records of which of our staff handled your data and when"),
    "contact_request": _l("Contact requests you send us"),
    "email": _l("Records of the e-mail we send you"),
    "data_request": _l("Your requests about your data, and how we answered them"),
    "consent": _l("Your consent to news and offers by e-mail"),
}


@blueprint.get("/")
def home():
    return render_template(
        "public/home.html",
        services=list(Service.offered()),
        hours=opening_hours(),
    )


@blueprint.get("/privacy")
def privacy():
    return render_template(
        "public/privacy.html",
        categories=CATEGORIES,
        purpose_names=PURPOSE_NAMES,
        category_names=CATEGORY_NAMES,
    )


@blueprint.get("/language/<code>")
def choose_language(code):
    """Remember the language in a cookie and go back where the visitor was."""
    if code not in LANGUAGES:
        abort(404)
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target, 303)
    response.set_cookie(
        LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
        secure=request.is_secure, httponly=True,
    )
    return response


@blueprint.app_context_processor
def business_on_every_page():
    try:
        return {"business": Business.current()}
    except DatabaseError:  # the error page of a database outage still renders
        return {"business": None}


@blueprint.get("/health")
def health():
    """For the load balancer and the benchmarks: answers without the database."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    return "ok", 200, headers
