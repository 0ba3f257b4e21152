"""The first-run setup: the owner's steps from a fresh install to a site that takes
bookings. Each step is one of the owner's own pages (the business details, services,
staff and their hours, the partners who process data); this page only lists them, with
what is done, and a short progress list follows the owner onto those pages."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from models.business import setup
from views.owner.settings_forms import BusinessForm
from web.access import owner_only
from web.rendering import render

blueprint = owner_only(Blueprint("setup", __name__, url_prefix="/staff"))

# Each step: its title, what it asks for, and the page where it is done.
STEP_TEXTS = {
    setup.BUSINESS: (_l("Business details"),
                     _l("The name, business ID, address, phone and e-mail. The public site "
                        "opens to customers, and the privacy statement is published, once "
                        "these are given."),
                     "owner.business"),
    setup.SERVICES: (_l("Services and prices"),
                     _l("What customers can book, how long it takes and what it costs."),
                     "owner.service_list"),
    setup.STAFF: (_l("Staff and their working hours"),
                  _l("Who gives the services, which ones, and on which hours of the week."),
                  "owner.staff_list"),
    setup.PROCESSORS: (_l("Partners who process data"),
                       _l("The server's host, the e-mail service, the accounting program: "
                          "the privacy statement names them."),
                       "records.processors"),
}


@blueprint.app_context_processor
def setup_helpers():
    return {"setup_progress": setup_progress, "setup_step_texts": STEP_TEXTS}


def setup_progress():
    """The steps while the setup is not finished; None once every step is done."""
    steps = setup.steps()
    return None if all(step.done for step in steps) else steps


@blueprint.get("/setup")
def index():
    form = BusinessForm(formdata=None)
    missing = [form[name].label.text for name in setup.missing_details()]
    return render("owner/setup.html", steps=setup.steps(), missing=missing,
                  site_open=not missing)
