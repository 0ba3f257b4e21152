"""The business's public pages: home, privacy, and the language switch."""

from flask import Blueprint, abort, redirect, render_template, request
from peewee import DatabaseError

from models.booking.schedule import opening_hours
from models.business import Business, setup
from models.business.catalogue import Service
from views.public import statement
from web.formatting import LANGUAGE_COOKIE, LANGUAGES
from web.opening import opens_soon_page
from web.security import local_path

# The names of the declaration's categories and purposes, long imported from here.

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def home():
    if not setup.is_open():
        return opens_soon_page()
    return render_template(
        "public/home.html",
        services=list(Service.offered()),
        hours=opening_hours(),
    )


@blueprint.get("/privacy")
def privacy():
    if not setup.is_open():
        return opens_soon_page(503)
    return statement.show_current()


@blueprint.get("/privacy/<int:version>")
def privacy_version(version):
    if not setup.is_open():
        return opens_soon_page(503)
    return statement.show_version(version)


@blueprint.get("/language/<code>")
def choose_language(code):
    """Remember the language in a cookie and go back where the visitor was."""
    if code not in LANGUAGES:
        abort(404)
    response = redirect(local_path(request.args.get("next"), "/"), 303)
    response.set_cookie(
        LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
        secure=request.is_secure, httponly=True,
    )
    return response


@blueprint.app_context_processor
def business_on_every_page():
    try:
        business = Business.current()
        return {"business": business, "site_open": setup.is_open(business)}
    except DatabaseError:  # the error page of a database outage still renders
        return {"business": None, "site_open": False}


@blueprint.get("/health")
def health():
    """For the load balancer and the benchmarks: answers without the database."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    return "ok", 200, headers
