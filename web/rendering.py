"""The one place that decides between a whole page and the fragment HTMX asked for."""

from flask import flash, make_response, redirect, render_template
from htmx_flask import request


def fragment_requested():
    """An HTMX request that is not boosted and not restoring the history: it swaps a
    part of the page, so it gets the fragment."""
    return bool(request.htmx and not request.htmx.boosted
                and not request.htmx.history_restore_request)


def render(page, fragment=None, status=200, fragment_headers=None, **context):
    """Render `page`, or only `fragment` for an HTMX request that is not boosted (with
    `fragment_headers`, e.g. to swap it elsewhere than the part that asked).

    A page includes its fragments, so both answers hold the same markup. The response
    varies by the HX-Request header, so no cache hands one where the other is meant."""
    wants_fragment = fragment is not None and fragment_requested()
    response = make_response(
        render_template(fragment if wants_fragment else page, **context), status
    )
    if wants_fragment and fragment_headers:
        response.headers.update(fragment_headers)
    response.vary.add("HX-Request")
    return response


def fragment_or_redirect(location, answer, push=False, message=None, category="success"):
    """For an HTMX request that swaps a part of the page, `answer()` (a response from
    `render` with that part; with `push`, `location` goes to the address bar); for any
    other, a 303 to `location`, where the whole page is, with `message` flashed there."""
    if fragment_requested():
        response = answer()
        if push:
            response.headers["HX-Push-Url"] = location
    else:
        if message is not None:
            flash(message, category)
        response = redirect_after_post(location)
    response.vary.add("HX-Request")
    return response


def redirect_after_post(location):
    """After a successful POST: a 303 to the result, or for HTMX the same location as
    HX-Redirect, so the browser loads the whole result page and its address."""
    if request.htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
    else:
        response = redirect(location, 303)
    response.vary.add("HX-Request")
    return response
