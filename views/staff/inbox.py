"""The staff's inbox of contact requests: the list by status, a request with everything
it says, answering, closing and reopening it, and tying it to the customer register."""

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from models.paging import page_number
from models.people.contact_requests import (
    ANSWERED,
    CLOSED,
    NEW,
    STATUSES,
    ContactRequest,
    NotAllowed,
    about,
    close,
    count_new,
    counts_by_status,
    create_customer_from,
    inbox_page,
    likely_customers,
    link_customer,
    mark_answered,
    reopen,
    send_answer,
    thread,
    with_details,
)
from models.people.customers import Customer
from models.people.register import DuplicateEmail
from views.staff.inbox_forms import AnswerForm, LinkForm, SendAnswerForm
from web import picker
from web.access import audit, staff_only
from web.rendering import fragment_or_redirect, redirect_after_post, render
from web.wording import CONTACT_SUBJECTS, REPLY_NAMES

blueprint = staff_only(Blueprint("inbox", __name__, url_prefix="/staff/inbox"))

STATUS_NAMES = {NEW: _l("New"), ANSWERED: _l("Answered"), CLOSED: _l("Closed")}
IS_CLOSED = _l("This request is closed. Reopen it first to record an answer.")
CANNOT_SEND = {
    "closed": IS_CLOSED,
    "no_email": _l("The sender gave no e-mail address: answer by phone and note it below."),
    "restricted": _l("This customer's data is restricted: no e-mail is sent to them "
                     "until the restriction is lifted."),
}
CUSTOMER_GONE = _l("That customer is no longer in the register (perhaps the record was "
                   "merged). Search again.")
EMAIL_TAKEN = _l("A customer with this e-mail address is already in the register, so no "
                 "new customer was added. Link the request to that customer instead.")


@blueprint.app_context_processor
def new_requests_count():
    """The count of new requests for the back office's navigation: a function, so that
    only pages that show it (for a logged-in user) run its one COUNT query."""
    return {"new_contact_requests": count_new}


@blueprint.context_processor
def inbox_names():
    return {"status_names": STATUS_NAMES, "subject_names": CONTACT_SUBJECTS,
            "reply_names": REPLY_NAMES}


@blueprint.get("/")
def index():
    status = request.args.get("tab", NEW)
    status = status if status in STATUSES else NEW
    page = inbox_page(status, page_number(request.args.get("page")))
    return render("inbox/index.html", "partials/inbox/list.html", listing=page,
                  tab=status, counts=counts_by_status())


@blueprint.get("/<int:request_id>")
def show(request_id):
    contact = get_object_or_404(with_details(), ContactRequest.id == request_id)
    audit("contact.view", customer=contact.customer_id, details=about(contact))
    return show_page(contact, AnswerForm(formdata=None, note=contact.reply_note))


def show_page(contact, answer_form, status=200, fragment=None, notice=None, existing=None,
              send_form=None):
    """A request's page (or, for htmx, the `fragment` that changed), with the customers
    found by the search in the address (`q`)."""
    return render("inbox/show.html", fragment, status=status, contact=contact,
                  answer_form=answer_form, send_form=send_form or SendAnswerForm(formdata=None),
                  answers=thread(contact), picker=link_picker(contact),
                  likely=[] if contact.customer_id else likely_customers(contact),
                  notice=notice, existing=existing)


def link_picker(contact):
    """The customer picker of a request not yet linked: each customer found is linked
    with a button."""
    if contact.customer_id:
        return None
    return picker.customer_picker(
        request.args.get("q", ""), _l("Find a customer in the register"),
        url_for(".show", request_id=contact.id, _anchor="customer"),
        url_for(".find_customer", request_id=contact.id),
        button="partials/inbox/link_button.html")


@blueprint.get("/<int:request_id>/customers")
def find_customer(request_id):
    """The register's search as one types; without htmx, the request's page with the
    customers found."""
    def results():
        contact = get_object_or_404(with_details(), ContactRequest.id == request_id)
        return render(picker.RESULTS, contact=contact,
                      picker=link_picker(contact))

    return fragment_or_redirect(url_for(".show", request_id=request_id,
                                        q=request.args.get("q", ""), _anchor="customer"),
                                results)


@blueprint.post("/<int:request_id>/answer")
def answer(request_id):
    contact = get_object_or_404(with_details(), ContactRequest.id == request_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return show_page(contact, form, status=422, fragment="partials/inbox/answer_form.html")
    try:
        mark_answered(contact, form.note.data, current_user.id, audit)
    except NotAllowed:
        flash(str(IS_CLOSED), "warning")
    else:
        flash(gettext("Marked as answered."), "success")
    return redirect_after_post(url_for(".show", request_id=contact.id))


@blueprint.post("/<int:request_id>/send")
def send(request_id):
    """Send the answer written here by e-mail; the request is then answered."""
    contact = get_object_or_404(with_details(), ContactRequest.id == request_id)
    form = SendAnswerForm()
    if not form.validate_on_submit():
        return show_page(contact, AnswerForm(formdata=None, note=contact.reply_note),
                         status=422, fragment="partials/inbox/send_form.html", send_form=form)
    try:
        send_answer(contact, form.answer.data, current_user.id, audit)
    except NotAllowed as refusal:
        flash(str(CANNOT_SEND[refusal.code]), "warning")
    else:
        flash(gettext("The answer is on its way to %(email)s.", email=contact.email),
              "success")
    return redirect_after_post(url_for(".show", request_id=contact.id))


@blueprint.post("/<int:request_id>/close")
def close_request(request_id):
    return change_status(request_id, close, gettext("The request is closed."),
                         gettext("The request was closed already."))


@blueprint.post("/<int:request_id>/reopen")
def reopen_request(request_id):
    return change_status(request_id, reopen, gettext("The request is open again."),
                         gettext("The request was open already."))


def change_status(request_id, change, done, already):
    """Close or reopen; saying so, or that someone had done it already."""
    contact = get_object_or_404(with_details(), ContactRequest.id == request_id)
    if change(contact, audit):
        flash(done, "success")
    else:
        flash(already, "info")
    return redirect_after_post(url_for(".show", request_id=contact.id))


@blueprint.post("/<int:request_id>/link")
def link(request_id):
    contact = get_object_or_404(with_details(), ContactRequest.id == request_id)
    customer_id = LinkForm().chosen_customer_id()
    customer = Customer.get_or_none(Customer.id == customer_id) if customer_id else None
    if customer is None:
        return show_page(contact, AnswerForm(formdata=None, note=contact.reply_note),
                         status=422, notice=CUSTOMER_GONE)
    link_customer(contact, customer, audit)
    flash(gettext("The request is linked to %(name)s.", name=customer.name), "success")
    return redirect_after_post(url_for(".show", request_id=contact.id))


@blueprint.post("/<int:request_id>/customer")
def add_customer(request_id):
    """Add the sender to the register from the request's details, and link them."""
    contact = get_object_or_404(with_details(), ContactRequest.id == request_id)
    try:
        customer = create_customer_from(contact, audit)
    except DuplicateEmail as duplicate:
        return show_page(contact, AnswerForm(formdata=None, note=contact.reply_note),
                         status=409, notice=EMAIL_TAKEN, existing=duplicate.existing)
    except NotAllowed:
        flash(gettext("The request is linked to a customer already."), "info")
    else:
        flash(gettext("%(name)s was added to the register and linked to this request.",
                      name=customer.name), "success")
    return redirect_after_post(url_for(".show", request_id=contact.id))
