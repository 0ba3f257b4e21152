"""The business's public pages: home, privacy, the language switch, and the business's
look: its brand colour as a small stylesheet and its logo and picture."""

import hashlib

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from peewee import DatabaseError

from engines.colour import text_on
from models.booking.schedule import opening_hours
from models.business import Business, setup
from models.business.brand import WIDTHS, header_logo, image_file, images
from models.business.catalogue import Service, StaffMember
from views.public import statement
from web.formatting import LANGUAGE_COOKIE, LANGUAGES, language
from web.opening import opens_soon_page
from web.security import local_path

# The names of the declaration's categories and purposes, long imported from here.

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def home():
    if not setup.is_open():
        return opens_soon_page()
    services = list(Service.offered())
    return render_template(
        "public/home.html",
        services=services,
        groups=by_category(services, language()),
        staff=list(StaffMember.select().where(StaffMember.active)
                   .order_by(StaffMember.name, StaffMember.id)),
        images=images(),
        hours=opening_hours(),
    )


def by_category(services, language):
    """[(category or "", [service, …]), …]: the services of one Finnish category
    together, named in `language`, in the order of the first of each."""
    groups = {}
    for service in services:
        key = service.category_fi.strip().casefold()
        if key not in groups:
            groups[key] = (service.category(language), [])
        groups[key][1].append(service)
    return list(groups.values())


# The business's look -----------------------------------------------------------------

YEAR = 365 * 24 * 3600


def brand_version(business):
    """What changes when the brand stylesheet does: its address carries it."""
    colour = business.brand_colour if business else ""
    return hashlib.sha256(colour.encode()).hexdigest()[:10]


def brand_stylesheet(business):
    if not business or not business.brand_colour:
        return "/* The site's own colours. */\n"
    colour = business.brand_colour
    return f":root{{--brand:{colour};--brand-text:{text_on(colour)}}}\n"


@blueprint.get("/brand.css")
def brand_css():
    """The brand colour as CSS variables for every page's stylesheet. Kept a year at
    the address of its version (?v=, as every page links it), else checked each time."""
    business = Business.current()
    response = make_response(brand_stylesheet(business))
    response.mimetype = "text/css"
    response.set_etag(brand_version(business))
    if request.args.get("v") == brand_version(business):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@blueprint.get("/brand/<kind>/<int:width>/<digest>.webp")
def brand_image(kind, width, digest):
    """The logo or the picture in one width; its address names its content."""
    if kind not in WIDTHS:
        abort(404)
    found = image_file(kind, width, digest)
    if found is None:
        abort(404)
    response = make_response(bytes(found.data))
    response.mimetype = found.content_type
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.set_etag(found.digest + str(found.width))
    return response.make_conditional(request)


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
        return {"business": business, "site_open": setup.is_open(business),
                # No colour of its own: the site's stylesheet has the colours, and a
                # page asks for one file less.
                "brand_css": (url_for("public.brand_css", v=brand_version(business))
                              if business.brand_colour else None),
                "header_logo": header_logo}
    except DatabaseError:  # the error page of a database outage still renders
        return {"business": None, "site_open": False,
                "brand_css": url_for("public.brand_css"), "header_logo": lambda: None}


@blueprint.get("/health")
def health():
    """For the load balancer and the benchmarks: answers without the database."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    return "ok", 200, headers
