"""'My data': a customer sees everything held about them and makes requests about it.

No account: the person gives their e-mail address; if the register knows it, a link
that works once, for 30 minutes, is e-mailed (the page answers the same either way).
Opening the link (a button press, so that a mail scanner fetching it does not use it up)
gives a view key that shows the data for 30 minutes. Every view and download is in the
audit log. Throttled per connection and per address, and guessed links per connection."""

import json
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, abort, g, make_response, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from engines.clock import now
from models.booking import bookings
from models.booking.bookings import CONFIRMED, Booking
from models.people import contact_requests
from models.people.customers import Customer, InvalidValue, normalise_email
from models.privacy import consents, data_requests, my_data
from models.privacy.consents import Consent
from models.privacy.my_data import EXPIRED, UNKNOWN, USED, LinkProblem
from models.privacy.own_copy import personal_data_of
from views.owner.settings import ACTION_LABELS
from views.public.contact import EXPIRED as FORM_EXPIRED
from views.public.my_data_forms import REQUEST_FORMS, AskForm
from web.access import audit
from web.formatting import LANGUAGE_COOKIE, LANGUAGES, date_text, language, time_text
from web.limits import limiter
from web.rendering import redirect_after_post, render
from web.tokens import link_token, new_form_token, read_form_token
from web.wording import BASIS_NAMES_PLAIN, CATEGORY_NAMES, PURPOSE_NAMES, REQUEST_KIND_NAMES

blueprint = Blueprint("my_data", __name__)

FORM_MAX_AGE = 24 * 3600
SENDER_LIMIT = "5 per hour"
ADDRESS_LIMIT = "3 per hour"
# Links and keys that lead nowhere, per connection: a person who mistypes one has
# plenty of tries; someone guessing (256 random bits each) gets nowhere.
GUESSES = "20 per hour"

TOO_MANY = _l("Several links have been asked for from here or for this address in a "
              "short time, so no new one was sent. Wait an hour and ask again, or use "
              "the link you already got.")
LINK_PROBLEMS = {
    UNKNOWN: (404, _l("Link not found"),
              _l("This link leads nowhere. It may be mistyped or cut short: open it "
                 "straight from the e-mail, or ask for a new link below.")),
    USED: (410, _l("This link has been used"),
           _l("Each link works only once, and this one has been opened already. Ask "
              "for a new link below.")),
    EXPIRED: (410, _l("This link has run out"),
              _l("A link works for 30 minutes after it is sent, and this one is older. "
                 "Ask for a new link below.")),
    "view_expired": (410, _l("Your view of your data has closed"),
                     _l("Your data is shown for 30 minutes after you open the link, and "
                        "that time has passed. Ask for a new link below.")),
    "too_many": (429, _l("Too many attempts"),
                 _l("Too many links that lead nowhere were opened from this connection. "
                    "Wait an hour, then open the link in your e-mail again.")),
}


# The sections of the page, in the order a person looks for them.
SECTION_ORDER = ("contact", "booking", "message", "note", "contact_request", "consent",
                 "data_request", "email", "audit")
BOOKING_STATUS_NAMES = {
    bookings.CONFIRMED: _l("Confirmed"), bookings.ARRIVED: _l("Arrived"),
    bookings.COMPLETED: _l("Completed"), bookings.NO_SHOW: _l("Did not come"),
    bookings.CANCELLED: _l("Cancelled"),
}
CONTACT_STATUS_NAMES = {
    contact_requests.NEW: _l("Waiting for an answer"),
    contact_requests.ANSWERED: _l("Answered"),
    contact_requests.CLOSED: _l("Closed"),
}
REQUEST_STATUS_NAMES = {
    data_requests.OPEN: _l("Being handled"),
    data_requests.DONE: _l("Done"),
    data_requests.REFUSED: _l("Refused"),
}
EVENT_NAMES = {
    data_requests.RECEIVED: _l("Received"),
    data_requests.EXTENDED: _l("Time to answer extended"),
    data_requests.NOTED: _l("Note"),
    data_requests.ACTED: _l("Acted on"),
    data_requests.COMPLETED: _l("Done"),
    data_requests.REFUSAL: _l("Refused"),
}


@blueprint.after_request
def keep_link_private(response):
    """Pages at a secret link are never stored by a cache, and the link is never sent
    on to another site as the referrer."""
    if {"token", "key"} & set(request.view_args or {}):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def problem_page(code):
    """A clear page about a link or view that shows nothing, with the form to ask
    again."""
    status, title, text = LINK_PROBLEMS[code]
    form = AskForm(formdata=None, data={"form_token": new_form_token()})
    return render("my_data/problem.html", status=status, title=title, text=text, form=form)


def leads_nowhere(response):
    return response.status_code == 404


link_limit = limiter.shared_limit(GUESSES, scope="my-data-link", deduct_when=leads_nowhere,
                                  on_breach=lambda limit: problem_page("too_many"))


# Asking for the link -----------------------------------------------------------

def _typed_address():
    typed = (request.form.get("email") or "").strip()
    try:
        return normalise_email(typed)
    except InvalidValue:
        return typed.lower()


def counts_as_asked(response):
    return g.get("link_asked", False)


def too_many(limit):
    return ask_page(AskForm(), status=429, notice=TOO_MANY)


per_sender = limiter.limit(SENDER_LIMIT, methods=["POST"], deduct_when=counts_as_asked,
                           on_breach=too_many)
per_address = limiter.limit(
    ADDRESS_LIMIT, key_func=lambda: f"my-data-email:{_typed_address()}", methods=["POST"],
    exempt_when=lambda: not _typed_address(), deduct_when=counts_as_asked,
    on_breach=too_many)


def ask_page(form, status=200, notice=None):
    return render("my_data/ask.html", status=status, form=form, notice=notice)


@blueprint.route("/my-data", methods=["GET", "POST"])
@per_sender
@per_address
def ask():
    if request.method == "GET":
        return ask_page(AskForm(formdata=None, data={"form_token": new_form_token()}))
    form = AskForm()
    if not form.validate():
        return ask_page(form, status=422)
    submission_key = read_form_token(form.form_token.data, FORM_MAX_AGE)
    if submission_key is None:
        form.form_token.data = new_form_token()
        return ask_page(form, status=422, notice=FORM_EXPIRED)
    customer = Customer.get_or_none(Customer.email == form.email.normalised)
    if customer is not None:
        my_data.send_link(customer, submission_key)
    g.link_asked = True
    return redirect_after_post(url_for(".asked"))


@blueprint.get("/my-data/sent")
def asked():
    return render("my_data/asked.html")


# Opening the link --------------------------------------------------------------

@blueprint.get("/my-data/<token>")
@link_limit
def open_link(token):
    link = my_data.link_for(token)
    code = my_data.link_problem(link, _naive(now()))
    if code is not None:
        return problem_page(code)
    with in_language_of(link.customer):
        return render("my_data/open.html", token=token)


@blueprint.post("/my-data/<token>")
@link_limit
def use_link(token):
    try:
        key, _ = my_data.redeem(token, now())
    except LinkProblem as problem:
        return problem_page(problem.code)
    return redirect_after_post(url_for(".view", key=key))


def _naive(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


# The data ------------------------------------------------------------------------

def in_language_of(customer):
    """The person's pages speak their language, until they choose one on the site."""
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return nullcontext()
    return force_locale(customer.language)


def opened(key):
    """The view behind `key`, or the page saying why there is none."""
    try:
        return my_data.view_for(key, now())
    except LinkProblem as problem:
        abort(problem_page("view_expired" if problem.code == EXPIRED else UNKNOWN))


def log_for(customer):
    return partial(audit, customer=customer.id)


def manage_urls(customer):
    """The own page of each future booking, by reference (None for one made by staff
    that has had no e-mail yet, so has no page)."""
    bookings = Booking.select().where(
        (Booking.customer == customer.id) & (Booking.status == CONFIRMED)
        & (Booking.starts_at > _naive(now())))
    return {booking.reference: url_for("booking.confirmed",
                                       token=link_token(booking.submission_key))
            if booking.submission_key else None
            for booking in bookings}


def show(key, view, status=200, forms=None, sent=None):
    customer = view.customer
    data = personal_data_of(customer)
    new_forms = {kind: form_class(formdata=None, data={"form_token": new_form_token()})
                 for kind, form_class in REQUEST_FORMS.items()}
    active = Consent.select(Consent.id).where(
        (Consent.customer == customer.id) & Consent.withdrawn_at.is_null())
    with in_language_of(customer):
        return render(
            "my_data/view.html", status=status, view_key=key, customer=customer, data=data,
            view_until=view.view_expires_at.replace(tzinfo=UTC),
            manage_urls=manage_urls(customer),
            active_consents={consent.id for consent in active},
            forms={**new_forms, **(forms or {})}, sent=sent, problem=status == 422,
        )


@blueprint.get("/my-data/view/<key>")
@link_limit
def view(key):
    link = opened(key)
    audit("mydata.view", customer=link.customer_id, details="page")
    sent = request.args.get("sent")
    return show(key, link, sent=sent if sent in REQUEST_KIND_NAMES or sent == "consent" else None)


@blueprint.get("/my-data/view/<key>/data.json")
@link_limit
def download(key):
    link = opened(key)
    audit("mydata.download", customer=link.customer_id, details="json")
    body = json.dumps(personal_data_of(link.customer), ensure_ascii=False, indent=2)
    response = make_response(body, 200)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@blueprint.get("/my-data/view/<key>/print")
@link_limit
def printable(key):
    link = opened(key)
    audit("mydata.download", customer=link.customer_id, details="print")
    with in_language_of(link.customer):
        return render("my_data/print.html", customer=link.customer,
                      data=personal_data_of(link.customer))


@blueprint.post("/my-data/view/<key>/request/<kind>")
@link_limit
def make_request(key, kind):
    link = opened(key)
    if kind not in REQUEST_FORMS:
        abort(404)
    customer = link.customer
    with in_language_of(customer):
        form = REQUEST_FORMS[kind]()
        if not form.validate():
            return show(key, link, status=422, forms={kind: form})
        submission_key = read_form_token(form.form_token.data, FORM_MAX_AGE)
        if submission_key is None:
            form.form_token.data = new_form_token()
            form.form_token.errors = [FORM_EXPIRED]
            return show(key, link, status=422, forms={kind: form})
        purpose = form.purpose.data if kind == "objection" else ""
        my_data.make_request(kind, customer, submission_key, details=form.details(),
                             purpose=purpose, language=language(), log=log_for(customer))
    return redirect_after_post(url_for(".view", key=key, sent=kind) + "#requests")


@blueprint.post("/my-data/view/<key>/consent/<int:consent_id>/withdraw")
@link_limit
def withdraw_consent(key, consent_id):
    link = opened(key)
    consent = Consent.get_or_none((Consent.id == consent_id)
                                  & (Consent.customer == link.customer_id))
    if consent is None:
        abort(404)
    if consents.withdraw(link.customer, consent.purpose, via=consents.MY_DATA):
        audit("consent.withdraw", customer=link.customer_id,
              details=f"{consent.purpose}; via my data")
    return redirect_after_post(url_for(".view", key=key, sent="consent") + "#consents")


@blueprint.context_processor
def names():
    """Names the "my data" pages show: categories, purposes, kinds of request."""
    return {"category_names": CATEGORY_NAMES, "purpose_names": PURPOSE_NAMES,
            "purpose_by_value": {purpose.value: name for purpose, name in
                                 PURPOSE_NAMES.items()},
            "kind_names": REQUEST_KIND_NAMES, "action_labels": ACTION_LABELS,
            "section_order": SECTION_ORDER, "basis_names": BASIS_NAMES_PLAIN,
            "status_names": BOOKING_STATUS_NAMES, "contact_status_names": CONTACT_STATUS_NAMES,
            "request_status_names": REQUEST_STATUS_NAMES, "event_names": EVENT_NAMES,
            "iso_moment": iso_moment}


def iso_moment(text):
    """An ISO 8601 time of the export, as people read it: ti 24.11.2026 klo 14.30."""
    if not text:
        return ""
    moment = datetime.fromisoformat(text)
    return f"{date_text(moment.date())} {time_text(moment)}"
