"""The one place that decides between a whole page and the fragment HTMX asked for."""

from flask import make_response, redirect, render_template
from htmx_flask import request


def render(page, fragment=None, status=200, **context):
    """Render `page`, or only `fragment` for an HTMX request that is not boosted.

    A page includes its fragments, so both answers hold the same markup. The response
    varies by the HX-Request header, so no cache hands one where the other is meant."""
    wants_fragment = (
        fragment is not None
        and request.htmx
        and not request.htmx.boosted
        and not request.htmx.history_restore_request
    )
    response = make_response(
        render_template(fragment if wants_fragment else page, **context), status
    )
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
