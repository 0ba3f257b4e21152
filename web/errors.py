"""Error pages in the visitor's language: a clear page, never a stack trace."""

from flask import current_app, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from peewee import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: (_l("The request could not be read"),
          _l("Something in the request was not right. Go back and try again.")),
    403: (_l("Not allowed"),
          _l("This request was refused. If you came from another site, open this "
             "site directly and try again.")),
    404: (_l("Page not found"),
          _l("There is no page at this address. It may have been moved or the "
             "link may be mistyped.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too much text"),
          _l("What you sent was too large. Shorten it and try again.")),
    429: (_l("Too many attempts"),
          _l("Please wait a moment before trying again.")),
    500: (_l("Something went wrong"),
          _l("The error was ours. Please try again in a moment.")),
    503: (_l("Temporarily unavailable"),
          _l("The service is busy or under maintenance and nothing was saved. "
             "Please try again in a moment.")),
}


def render_error(status):
    """The error page for `status`; a status without words of its own gets those of
    its kind (the request's, or ours)."""
    title, text = MESSAGES.get(status) or MESSAGES[500 if status >= 500 else 400]
    return render_template("errors/error.html", title=title, text=text), status


def _http_error(error):
    """Every HTTP error with its own status, and the headers that go with it (Allow
    for a 405, Content-Range for a 416)."""
    if error.response is not None:  # the view prepared its own answer (a throttled form)
        return error.response
    response = make_response(render_error(error.code or 500))
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def unreadable_address():
    return render_template("errors/error.html", title=MESSAGES[400][0], text=_l(
        "This address has characters that no link of ours has (invisible control "
        "characters), so it cannot be opened. Check the address, or start again from "
        "the home page.")), 400


def _database_unavailable(error):
    return render_error(503)


def _unexpected(error):
    return render_error(500)


def _form_expired(error):
    if not (request.is_secure or current_app.config["DEVELOPMENT"]):
        # The browser dropped the Secure session cookie over plain http: the form token
        # was lost with it. Say so, instead of blaming the form's age.
        return render_template("errors/error.html", title=_l("This site needs HTTPS"), text=_l(
            "Open the site at its https:// address. The back office keeps the login in "
            "a cookie that browsers send only over HTTPS, so over plain http nothing can "
            "be saved. On your own computer, run it with VUORO_DEVELOPMENT=1 "
            "(./dev.sh serve does).")), 400
    return render_template("errors/error.html", title=MESSAGES[400][0], text=_l(
        "The form was open too long or in another window, so it was not saved. "
        "Go back, reload the page and send it again.")), 400


def init_app(app):
    app.register_error_handler(CSRFError, _form_expired)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InternalServerError, _unexpected)
