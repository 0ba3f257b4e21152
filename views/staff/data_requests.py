"""The staff's queue of people's requests about their data (GDPR Art 15–21): the open
requests by due date, entering one made by phone, letter or in person, and a request's
page with its history and the steps that answer it."""


from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from engines import clock
from engines.clock import local
from models import whole_number, write_transaction
from models.paging import page_number
from models.people.customers import Customer, InvalidValue
from models.people.register import (
    ChangedMeanwhile,
    DuplicateEmail,
    fingerprint,
    tidy_query,
)
from models.privacy import data_requests as requests
from models.privacy.data_requests import (
    CORRECTION,
    DUE_SOON_DAYS,
    EXTENSION_MAX_MONTHS,
    OBJECTION,
    DataRequest,
    NotAllowed,
)
from views.staff.customer_forms import EMAIL_TAKEN, LABELS
from views.staff.data_requests_forms import (
    KIND_NAMES,
    KIND_SHORT_NAMES,
    OBJECTABLE,
    SOURCE_NAMES,
    STAFF_SOURCES,
    CorrectionForm,
    ExtendForm,
    MessageForm,
    NewRequestForm,
    NoteForm,
    ObjectionForm,
    OutcomeForm,
    RefuseForm,
)
from web import picker
from web.access import audit, staff_only
from web.formatting import date_text
from web.rendering import fragment_or_redirect, redirect_after_post, render
from web.wording import PURPOSE_NAMES

blueprint = staff_only(Blueprint("data_requests", __name__, url_prefix="/staff/requests"))

EVENT_NAMES = {
    requests.RECEIVED: _l("Received"),
    requests.EXTENDED: _l("Time to answer extended"),
    requests.NOTED: _l("Note"),
    requests.ACTED: _l("Acted on"),
    requests.COMPLETED: _l("Completed"),
    requests.REFUSAL: _l("Refused"),
    requests.LIFTED: _l("Restriction lifted"),
}
# What the step of each kind of request did, in the history.
ACTED_NAMES = {
    requests.ACCESS: _l("Sent the copy of their data"),
    requests.PORTABILITY: _l("Sent the copy of their data"),
    requests.CORRECTION: _l("Corrected their details"),
    requests.RESTRICTION: _l("Restricted the use of their data"),
}
STATUS_NAMES = {requests.OPEN: _l("Open"), requests.DONE: _l("Done"),
                requests.REFUSED: _l("Refused")}
URGENCY_NAMES = {"overdue": _l("Overdue"), "due_soon": _l("Due soon")}
ALREADY_CLOSED = _l("This request was closed already, so nothing more was done.")
REFUSALS = {
    "closed": ALREADY_CLOSED,
    "extended": _l("The time to answer had just been extended (perhaps the form was sent "
                   "twice), so it was not extended again."),
    "too_long": _l("The time to answer can be extended by at most %(num)d months in all.",
                   num=EXTENSION_MAX_MONTHS),
    "no_customer": _l("The request is not linked to a customer in the register, so "
                      "there is no data to act on. Complete it with an outcome instead."),
    "kind": _l("This step does not fit a request of this kind."),
    "months": _l("Choose how many months more."),
}
CHANGED = _l("Someone else changed this customer while you had the form open, so nothing "
             "was saved. What you typed is kept in the form; the details now in the "
             "register are shown here. Save again to replace them with yours.")
CUSTOMER_GONE = _l("The chosen customer is not in the register any more. Find them again.")
# The forms of a request's page, each in its own fragment, and the class of each.
ACTION_FORMS = {"complete": OutcomeForm, "refuse": RefuseForm, "note": NoteForm,
                "export": MessageForm, "restrict": MessageForm, "accept": ObjectionForm}


@blueprint.app_context_processor
def requests_needing_attention():
    """The count of open requests due soon or overdue, for the navigation: a function,
    so that only pages that show it run its one COUNT query."""
    return {"urgent_data_requests": requests.count_due_soon_or_overdue}


@blueprint.context_processor
def request_names():
    return {"kind_names": KIND_NAMES, "kind_short_names": KIND_SHORT_NAMES,
            "source_names": SOURCE_NAMES, "event_names": EVENT_NAMES,
            "acted_names": ACTED_NAMES, "field_labels": LABELS,
            "status_names": STATUS_NAMES, "urgency_names": URGENCY_NAMES,
            "purpose_names": purpose_names(),
            "urgency": requests.urgency, "days_left": requests.days_left,
            "due_soon_days": DUE_SOON_DAYS, "extension_max": EXTENSION_MAX_MONTHS,
            "local": local}


def purpose_names():
    return {purpose.value: PURPOSE_NAMES[purpose] for purpose in PURPOSE_NAMES}


# The queue --------------------------------------------------------------------------


@blueprint.get("/")
def index():
    closed_tab = request.args.get("tab") == "closed"
    closed = requests.closed_requests(page_number(request.args.get("page"))) if (
        closed_tab) else None
    return render("requests/index.html", "partials/requests/list.html",
                  closed_tab=closed_tab, open_list=[] if closed_tab else
                  requests.open_requests(), closed=closed,
                  closed_count=requests.count_closed(),
                  now=clock.now())


# A new request ----------------------------------------------------------------------


@blueprint.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        form = NewRequestForm(formdata=None, customer=request.args.get("customer", ""))
        chosen_customer(form)
        if form.chosen_customer is not None:
            form.language.data = form.chosen_customer.language
        return new_page(form)
    form = NewRequestForm()
    if not chosen_customer(form) or not form.validate_on_submit():
        return new_page(form, status=422)
    customer = form.chosen_customer
    with write_transaction():
        made = requests.receive(
            form.kind.data, customer=customer,
            name=customer.name if customer else form.value("name"),
            email="" if customer else form.value("email"),
            phone="" if customer else form.value("phone"),
            language=form.language.data, source=form.source.data,
            identity_check=form.identity_check.data.strip(),
            details=(form.details.data or "").strip(),
            purpose=form.purpose.data if form.kind.data == OBJECTION else "",
            user=current_user.id)
        audit("request.receive", customer=customer,
              details=f"{requests.about(made)}: {made.kind}, {made.source}")
    flash(gettext("The request is recorded. It must be answered by %(date)s.",
                  date=date_text(local(made.due_at))), "success")
    return redirect_after_post(url_for(".show", request_id=made.id))


def chosen_customer(form):
    """Read the chosen customer into the form; False (with the error at the field) when
    it is no longer in the register."""
    value = (form.customer.data or "").strip()
    if not value:
        return True
    form.chosen_customer = Customer.get_or_none(Customer.id == (whole_number(value) or 0))
    if form.chosen_customer is None:
        form.customer.data = ""
        form.validate()
        form.customer.errors = [str(CUSTOMER_GONE)]
        return False
    return True


def new_page(form, status=200):
    return render("requests/new.html", status=status, form=form,
                  picker=None if form.chosen_customer else person_picker(),
                  sources=STAFF_SOURCES, objectable=[p.value for p in OBJECTABLE])


@blueprint.get("/new/customers")
def find_customer():
    """The register's search as one types; without htmx, the form with those found."""
    return fragment_or_redirect(
        url_for(".new", q=tidy_query(request.args.get("q")), _anchor="person"),
        lambda: render(picker.RESULTS, picker=person_picker()))


def person_picker():
    """The customer picker of a new request: choosing the person is a link."""
    return picker.customer_picker(
        request.args.get("q", ""), _l("Find the person in the customer register"),
        url_for(".new", _anchor="person"), url_for(".find_customer"),
        choose=lambda customer: url_for(".new", customer=customer.id))


# A request --------------------------------------------------------------------------


@blueprint.get("/<int:request_id>")
def show(request_id):
    found = get_object_or_404(requests.with_details(), DataRequest.id == request_id)
    audit("request.view", customer=found.customer_id, details=requests.about(found))
    return show_page(found)


def show_page(found, status=200, fragment=None, **forms):
    """A request's page with its history and the forms of the steps that fit it;
    `forms` holds the one that was sent with errors."""
    for name, form_class in ACTION_FORMS.items():
        forms.setdefault(name, form_class(formdata=None))
    forms.setdefault("extend", ExtendForm(formdata=None, already=found.extended_months,
                                          seen=found.extended_months))
    return render("requests/show.html", fragment, status=status, item=found,
                  events=requests.history(found), forms=forms,
                  now=clock.now(), erasure_url=url_for(".erasure_preview", request_id=found.id))


def take_step(request_id, name, step, done, field="outcome"):
    """Validate the form of step `name` and run `step(found, form)`; its refusal is
    shown at the form's field, a step already taken is said so."""
    found = get_object_or_404(requests.with_details(), DataRequest.id == request_id)
    form = ACTION_FORMS[name]()
    if not form.validate_on_submit():
        return refused(found, name, form)
    try:
        taken = step(found, form)
    except InvalidValue:
        return refused(found, name, form)
    except NotAllowed as refusal:
        if refusal.code == "closed":
            taken = False
        else:
            getattr(form, field).errors = [str(REFUSALS[refusal.code])]
            return refused(found, name, form)
    flash(str(done) if taken else str(ALREADY_CLOSED), "success" if taken else "info")
    return redirect_after_post(url_for(".show", request_id=found.id))


def refused(found, name, form):
    return show_page(found, status=422, fragment=f"partials/requests/{name}_form.html",
                     **{name: form})


@blueprint.post("/<int:request_id>/complete")
def complete(request_id):
    return take_step(request_id, "complete", lambda found, form: requests.complete(
        found, form.outcome.data, current_user.id, log=audit),
        _l("The request is completed; the person is told by e-mail."))


@blueprint.post("/<int:request_id>/accept")
def accept(request_id):
    def step(found, form):
        if found.kind != OBJECTION:
            raise NotAllowed("kind")
        return requests.complete(found, form.outcome.data, current_user.id, log=audit)

    return take_step(request_id, "accept", step,
                     _l("The objection is accepted; the person is told by e-mail."))


@blueprint.post("/<int:request_id>/refuse")
def refuse(request_id):
    return take_step(request_id, "refuse", lambda found, form: requests.refuse(
        found, form.reason.data, current_user.id, log=audit),
        _l("The request is refused; the person is told the reason and their right "
           "to complain."), field="reason")


@blueprint.post("/<int:request_id>/note")
def note(request_id):
    def step(found, form):
        requests.note(found, form.text.data, current_user.id)
        audit("request.note", customer=found.customer_id, details=requests.about(found))
        return True

    return take_step(request_id, "note", step, _l("Note added."), field="text")


@blueprint.post("/<int:request_id>/export")
def export(request_id):
    return take_step(request_id, "export", lambda found, form: requests.send_export(
        found, current_user.id, form.outcome.data, log=audit),
        _l("The copy of their data is on its way to the person by e-mail."))


@blueprint.post("/<int:request_id>/restrict")
def restrict(request_id):
    return take_step(request_id, "restrict", lambda found, form: requests.restrict(
        found, current_user.id, form.outcome.data, log=audit),
        _l("The customer's data is restricted: it is kept, but not used, until the "
           "restriction is lifted. The person is told by e-mail."))


@blueprint.post("/<int:request_id>/extend")
def extend(request_id):
    if not current_user.is_owner:
        abort(403)
    found = get_object_or_404(requests.with_details(), DataRequest.id == request_id)
    form = ExtendForm(already=found.extended_months)
    seen = form.seen_months()
    if seen is not None and seen != found.extended_months:
        flash(str(REFUSALS["extended"]), "info")
        return redirect_after_post(url_for(".show", request_id=found.id))
    if not form.validate_on_submit():
        return show_page(found, status=422, fragment="partials/requests/extend_form.html",
                         extend=form)
    try:
        requests.extend(found, form.chosen_months(), form.reason.data, current_user.id,
                        log=audit, seen=seen)
    except NotAllowed as refusal:
        form.months.errors = [str(REFUSALS[refusal.code])]
        return show_page(found, status=422, fragment="partials/requests/extend_form.html",
                         extend=form)
    flash(gettext("The time to answer is extended; the person is told the reason and "
                  "the new date by e-mail."), "success")
    return redirect_after_post(url_for(".show", request_id=found.id))


# A correction -----------------------------------------------------------------------


@blueprint.route("/<int:request_id>/correct", methods=["GET", "POST"])
def correct(request_id):
    found = get_object_or_404(requests.with_details(), DataRequest.id == request_id)
    if found.kind != CORRECTION or found.customer is None or not found.is_open:
        flash(str(REFUSALS["closed" if not found.is_open else (
            "kind" if found.kind != CORRECTION else "no_customer")]), "info")
        return redirect_after_post(url_for(".show", request_id=found.id))
    customer = found.customer
    if request.method == "GET":
        audit("customer.view", customer=customer, details=f"{requests.about(found)}: "
              "correction form")
        form = CorrectionForm(obj=customer, formdata=None, seen=fingerprint(customer))
        return correction_page(found, form, customer)
    form = CorrectionForm(customer_id=customer.id)
    if not form.validate_on_submit():
        return correction_page(found, form, customer, status=422)
    try:
        _, changed = requests.correct(found, form.details(), form.language.data,
                                      form.seen.data, current_user.id,
                                      form.outcome.data, log=audit)
    except DuplicateEmail as duplicate:
        form.email.errors = [EMAIL_TAKEN]
        form.existing = duplicate.existing
        return correction_page(found, form, customer, status=422)
    except ChangedMeanwhile as conflict:
        form.seen.data = fingerprint(conflict.current)
        return correction_page(found, form, conflict.current, status=409, notice=CHANGED)
    except NotAllowed:
        flash(str(ALREADY_CLOSED), "info")
        return redirect_after_post(url_for(".show", request_id=found.id))
    flash(gettext("The details are corrected and the request completed; the person is "
                  "told by e-mail.") if changed else
          gettext("Nothing needed changing; the request is completed and the person is "
                  "told by e-mail."), "success")
    return redirect_after_post(url_for(".show", request_id=found.id))


def correction_page(found, form, customer, status=200, notice=None):
    return render("requests/correct.html", "partials/requests/correction_form.html",
                  status=status, item=found, form=form, customer=customer, notice=notice)


# Carrying out an erasure request (views/staff/erasure.py) adds its routes to this
# blueprint when imported.
from views.staff import erasure  # noqa: E402, F401
