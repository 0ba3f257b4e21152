"""The customer register: the list with search, a customer's page, adding, correcting,
notes from customer meetings, and merging two records of one person."""


from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import IntegrityError
from playhouse.flask_utils import get_object_or_404

from engines.clock import now
from models import NotAllowed, write_transaction
from models.paging import page_number
from models.people.customers import Customer, InvalidValue, refuse_if_restricted
from models.people.register import (
    ChangedMeanwhile,
    DuplicateEmail,
    add_note,
    at_a_glance,
    create_customer,
    customer_bookings,
    customer_notes,
    fingerprint,
    likely_duplicates,
    merge_customers,
    merge_plan,
    register_page,
    update_customer,
)
from models.privacy.data_requests import lift_restriction
from views.staff.calendar import STATUS_NAMES
from views.staff.customer_forms import EMAIL_TAKEN, LABELS, CustomerForm, MergeForm, NoteForm
from views.staff.data_requests_forms import LiftRestrictionForm
from web.access import audit, staff_only
from web.rendering import redirect_after_post, render

blueprint = staff_only(Blueprint("customers", __name__, url_prefix="/staff/customers"))

# A customer's page lists this many of the newest bookings, with a link to all.
BOOKINGS_SHOWN = 50
CHANGED = _l("Someone else changed this customer while you had the form open, so nothing "
             "was saved. What you typed is kept in the form; the details now in the "
             "register are shown here. Save again to replace them with yours.")
RESTRICTED = _l("The use of this customer's data is restricted on their request: it is "
                "kept, but cannot be changed and no notes can be added, until the "
                "restriction is lifted on the customer's page.")
MERGE_RESTRICTED = _l("The use of this customer's data is restricted on their request, so "
                      "the record cannot be merged until the restriction is lifted.")
MERGE_GONE = _l("One of the two records is no longer in the register (perhaps it was "
                "merged already), so nothing was merged.")


@blueprint.context_processor
def register_names():
    # Translated once per page, not for every booking in a customer's list.
    return {"status_names": {key: str(name) for key, name in STATUS_NAMES.items()},
            "field_labels": LABELS}


@blueprint.get("/")
def index():
    page = register_page(request.args.get("q", ""), request.args.get("sort", ""),
                         page_number(request.args.get("page")))
    return render("customers/index.html", "partials/customers/results.html", listing=page)


@blueprint.route("/new", methods=["GET", "POST"])
def new():
    form = CustomerForm()
    if not form.validate_on_submit():
        return form_page(form, None, status=422 if form.errors else 200)
    try:
        with write_transaction():
            customer = create_customer(form.details(), form.language.data)
            audit("customer.create", customer=customer)
    except DuplicateEmail as duplicate:  # added by someone else a moment ago
        return duplicate_page(form, None, duplicate)
    flash(gettext("Customer added."), "success")
    return redirect_after_post(url_for(".detail", customer_id=customer.id))


@blueprint.get("/<int:customer_id>")
def detail(customer_id):
    customer = get_object_or_404(Customer, Customer.id == customer_id)
    audit("customer.view", customer=customer)
    if request.args.get("bookings") == "all":  # the link under the latest bookings
        return detail_page(customer, NoteForm(formdata=None), every_booking=True,
                           fragment="partials/customers/bookings.html")
    return detail_page(customer, NoteForm(formdata=None))


def detail_page(customer, note_form, status=200, fragment=None, lift_form=None,
                every_booking=False):
    """A customer's page with the latest BOOKINGS_SHOWN bookings (`every_booking`: all);
    an HTMX request for it gets the whole page too, unless a `fragment` (the notes,
    after a refused note; the bookings, all of them) is named."""
    bookings = customer_bookings(customer)
    shown = bookings if every_booking else bookings[:BOOKINGS_SHOWN]
    return render("customers/detail.html", fragment, status=status, customer=customer,
                  bookings=shown, booking_count=len(bookings),
                  glance=at_a_glance(bookings, now()),
                  notes=customer_notes(customer), note_form=note_form,
                  lift_form=lift_form or LiftRestrictionForm(formdata=None),
                  duplicates=likely_duplicates(customer, limit=3))


@blueprint.route("/<int:customer_id>/edit", methods=["GET", "POST"])
def edit(customer_id):
    customer = get_object_or_404(Customer, Customer.id == customer_id)
    if request.method == "GET":
        try:
            refuse_if_restricted(customer)
        except NotAllowed:
            flash(str(RESTRICTED), "warning")
            return redirect_after_post(url_for(".detail", customer_id=customer.id))
        audit("customer.view", customer=customer, details="edit form")
        form = CustomerForm(obj=customer, formdata=None, seen=fingerprint(customer))
        return form_page(form, customer)
    form = CustomerForm(customer_id=customer.id)
    if not form.validate_on_submit():
        return form_page(form, customer, status=422)
    try:
        with write_transaction():
            customer, changed = update_customer(customer.id, form.details(),
                                                form.language.data, form.seen.data)
            if changed:
                audit("customer.update", customer=customer, details=", ".join(changed))
    except DuplicateEmail as duplicate:
        return duplicate_page(form, customer, duplicate)
    except ChangedMeanwhile as conflict:
        form.seen.data = fingerprint(conflict.current)
        return form_page(form, conflict.current, status=409, notice=CHANGED)
    except NotAllowed:  # the customer's data is restricted
        return form_page(form, customer, status=409, refusal=RESTRICTED)
    except Customer.DoesNotExist:  # merged into another record meanwhile
        abort(404)
    flash(gettext("Saved.") if changed else gettext("Nothing was changed."), "success")
    return redirect_after_post(url_for(".detail", customer_id=customer.id))


def form_page(form, customer, status=200, notice=None, refusal=None):
    """The form to add a customer (`customer` None) or to correct one; `refusal` says
    why nothing can be saved."""
    return render("customers/form.html", "partials/customers/form.html", status=status,
                  form=form, customer=customer, notice=notice, refusal=refusal)


def duplicate_page(form, customer, duplicate):
    form.email.errors = [EMAIL_TAKEN]
    form.existing = duplicate.existing
    return form_page(form, customer, status=422)


@blueprint.post("/<int:customer_id>/notes")
def note(customer_id):
    customer = get_object_or_404(Customer, Customer.id == customer_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return detail_page(customer, form, status=422,
                           fragment="partials/customers/notes.html")
    try:
        with write_transaction():
            add_note(customer, current_user.id, form.text.data, form.confidential.data)
            audit("customer.note", customer=customer,
                  details="confidential" if form.confidential.data else "")
    except NotAllowed:  # the customer's data is restricted
        form.text.errors = [str(RESTRICTED)]
        return detail_page(customer, form, status=409,
                           fragment="partials/customers/notes.html")
    flash(gettext("Note added."), "success")
    return redirect_after_post(url_for(".detail", customer_id=customer.id))


@blueprint.post("/<int:customer_id>/unrestrict")
def unrestrict(customer_id):
    """Lift the restriction of the customer's data, with a reason."""
    customer = get_object_or_404(Customer, Customer.id == customer_id)
    form = LiftRestrictionForm()
    if not form.validate_on_submit():
        return detail_page(customer, NoteForm(formdata=None), status=422, lift_form=form)
    try:
        lifted = lift_restriction(customer, form.reason.data, current_user.id, log=audit)
    except InvalidValue:
        return detail_page(customer, NoteForm(formdata=None), status=422, lift_form=form)
    flash(gettext("The restriction is lifted: the customer's data is in use again.")
          if lifted else gettext("The customer's data was not restricted."), "success")
    return redirect_after_post(url_for(".detail", customer_id=customer.id))


@blueprint.get("/<int:customer_id>/merge")
def merge(customer_id):
    """Choose the other record of the same person."""
    customer = get_object_or_404(Customer, Customer.id == customer_id)
    page = register_page(request.args.get("q", ""), number=page_number(request.args.get("page")))
    return render("customers/merge.html", "partials/customers/merge_candidates.html",
                  customer=customer, listing=page, duplicates=likely_duplicates(customer))


@blueprint.get("/<int:customer_id>/merge/<int:other_id>")
def merge_preview(customer_id, other_id):
    customer, other = merge_pair(customer_id, other_id)
    try:
        refuse_if_restricted(customer, other)
    except NotAllowed:
        return merge_refused(customer_id)
    kept, removed = (other, customer) if request.args.get("keep") == str(other.id) else (
        customer, other)
    for each in (customer, other):
        audit("customer.view", customer=each, details="merge preview")
    form = MergeForm(formdata=None, keep=kept.id)
    return render("customers/merge_preview.html", "partials/customers/merge_plan.html",
                  customer=customer, other=other, plan=merge_plan(kept, removed), form=form)


@blueprint.post("/<int:customer_id>/merge/<int:other_id>")
def merge_confirm(customer_id, other_id):
    customer, other = merge_pair(customer_id, other_id)
    form = MergeForm()
    if not form.validate_on_submit() or form.keep.data not in (str(customer.id),
                                                                str(other.id)):
        abort(400)
    kept_id = int(form.keep.data)
    removed_id = other.id if kept_id == customer.id else customer.id
    try:
        with write_transaction():
            plan = merge_customers(kept_id, removed_id)
            audit("customer.merge", customer=plan.kept,
                  details=f"merged customer {removed_id}" + (
                      f"; filled {', '.join(plan.filled)}" if plan.filled else ""))
    except (Customer.DoesNotExist, IntegrityError):
        flash(str(MERGE_GONE), "warning")
        return redirect_after_post(url_for(".index"))
    except NotAllowed:  # the data of one of the two is restricted
        return merge_refused(customer_id)
    flash(gettext("The two records are now one."), "success")
    return redirect_after_post(url_for(".detail", customer_id=kept_id))


def merge_pair(customer_id, other_id):
    """The two records to merge."""
    if customer_id == other_id:
        abort(404)
    return tuple(get_object_or_404(Customer, Customer.id == each)
                 for each in (customer_id, other_id))


def merge_refused(customer_id):
    flash(str(MERGE_RESTRICTED), "warning")
    return redirect_after_post(url_for(".detail", customer_id=customer_id))
