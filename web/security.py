"""Headers every response carries, the checks of every request (the cross-site check on
every POST, and of what an address may hold), and the session-less form token of the
public forms."""

import re
from urllib.parse import urlsplit

from flask import abort, request

from web.errors import unreadable_address
from web.forms import UNSTORABLE

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)


def init_app(app):
    app.before_request(refuse_cross_site_posts)
    app.before_request(refuse_unreadable_addresses)
    app.after_request(add_security_headers)
    app.after_request(keep_back_office_out_of_caches)


# Answers a browser never shows as a document of its own, so that a policy for
# documents (what a page may load, run or frame) has nothing to act on: without those
# headers each of a page's files arrives some 300 bytes lighter.
INERT_TYPES = frozenset({"text/css", "text/javascript", "application/javascript",
                         "image/webp", "image/png", "image/jpeg", "font/woff2"})


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype not in INERT_TYPES:
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def keep_back_office_out_of_caches(response):
    """No back-office answer is kept by a browser or a proxy: pages, downloads and
    errors alike hold staff's view of people's data."""
    if request.path == "/staff" or request.path.startswith("/staff/"):
        response.headers["Cache-Control"] = "no-store"
    return response


# What a browser drops from an address anywhere before reading it (WHATWG URL).
DROPPED_BY_BROWSERS = re.compile(r"[\t\n\r]")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def local_path(target, default):
    """`target` when a browser reads it as a path on this site, else `default`: for
    every `next` the site follows. As browsers do, tabs and line breaks are dropped and
    a backslash read as a slash first, so that a slash, a tab and a slash (`/%09/`), or
    a slash and a backslash, are refused as the start of another site's address."""
    path = DROPPED_BY_BROWSERS.sub("", target or "").replace("\\", "/")
    if not path.startswith("/") or path.startswith("//") or CONTROL_CHARACTERS.search(path):
        return default
    return path


def refuse_cross_site_posts():
    """Refuse a POST that the browser says comes from another site.

    Browsers send Sec-Fetch-Site and Origin with every form and fetch; a POST made on
    another site's page says so there. This guards the public forms, which work
    without any cookie; the back office also has Flask-WTF's session token."""
    if request.method != "POST":
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        abort(403)
    origin = request.headers.get("Origin")
    foreign = origin not in (None, "null") and urlsplit(origin).netloc != request.host
    if site is None and foreign:
        abort(403)


def refuse_unreadable_addresses():
    """An address whose path or query holds what no link of this site holds (control
    characters, which no page could look up or store) gets a page that says so, before
    any view reads it. A form's fields are checked by the form, at the field."""
    typed = [text for pair in request.args.items(multi=True) for text in pair]
    typed += [value for value in (request.view_args or {}).values() if isinstance(value, str)]
    if any(UNSTORABLE.search(text) for text in typed):
        return unreadable_address()
