"""Until the business has said who it is (its name, business ID, address, phone and
e-mail), the public site only says that it opens soon: no booking, no contact form that
nobody reads, no privacy statement naming a placeholder as the controller."""

from flask import make_response, render_template

from models.business import setup
from models.public_state import read_public_state

# A day: a monitor or a search engine asks again later, the opening is not far.
RETRY_AFTER_SECONDS = 24 * 3600


def opens_soon_page(status=200):
    response = make_response(render_template("public/opens_soon.html"), status)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def until_open():
    """For `blueprint.before_request`: the opening-soon page (503) while the site is not
    open; nothing, so the page itself answers, once it is. A GET reads what else it
    needs of the site's state in the same statement (models/public_state.py)."""
    read_public_state()
    if setup.is_open():
        return None
    return opens_soon_page(503)
