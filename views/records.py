"""The owner's privacy records: the record of processing activities (GDPR Art 30),
derived from the personal-data declaration and the business settings, and the breach
log with the 72-hour clock of each open breach (Art 33)."""

import csv
import io
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, make_response, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from models import periods, schema
from models.breaches import Breach, clock, newest_first, save_breach
from models.business import Business
from models.customers import display_phone
from models.free_times import HELSINKI
from models.privacy import LegalBasis
from models.processing import ACCOUNTING, CUSTOMERS, EMAIL_SERVICE, HOSTING, STAFF_MEMBERS
from models.processing import activities as declared_activities

from .access import audit, owner_only
from .owner import spreadsheet_safe
from .public import CATEGORY_NAMES, PURPOSE_NAMES
from .records_forms import MOMENT_HINT, RISK_NAMES, RISK_SHORT_NAMES, BreachForm
from .rendering import redirect_after_post, render

blueprint = owner_only(Blueprint("records", __name__, url_prefix="/staff/records"))

BREACH_FORM = "partials/records/breach_form.html"

# The customer-facing names of the privacy page, with the one category that page leaves
# out (it is not about customers).
RECORD_CATEGORY_NAMES = {**CATEGORY_NAMES, "staff": _l("Staff accounts and working times")}
BASIS_NAMES = {
    LegalBasis.CONTRACT: _l("Contract with the person (GDPR Art 6(1)(b))"),
    LegalBasis.LEGAL_OBLIGATION: _l("Legal obligation (GDPR Art 6(1)(c))"),
    LegalBasis.LEGITIMATE_INTEREST: _l("Legitimate interest of the business "
                                       "(GDPR Art 6(1)(f))"),
    LegalBasis.CONSENT: _l("Consent (GDPR Art 6(1)(a))"),
}
SUBJECT_NAMES = {CUSTOMERS: _l("Customers"), STAFF_MEMBERS: _l("Staff")}
RECIPIENT_NAMES = {
    HOSTING: _l("Server hosting in the EU/EEA (the server and its backups)"),
    EMAIL_SERVICE: _l("E-mail service (sending e-mail)"),
    ACCOUNTING: _l("Accounting program (invoices)"),
}
STAFF_RECIPIENTS = _l("The business's own staff, each with an account of their own")
NO_TRANSFERS = _l("None: nothing is moved outside the EU/EEA")
SECURITY_MEASURES = (
    _l("Encrypted connections only (TLS); session cookies are sent only over them, "
       "closed to scripts (HttpOnly, SameSite)"),
    _l("Passwords stored as argon2id hashes; common passwords refused"),
    _l("Logins throttled against guessing"),
    _l("Two-step login with a code app (TOTP), which the owner can require of everyone"),
    _l("Strict Content-Security-Policy and security headers; no inline scripts"),
    _l("An audit log of every opening, change and export of a customer's data, which "
       "cannot be changed or deleted"),
    _l("No requests to third parties from any page: no CDN, web fonts, analytics or "
       "trackers"),
    _l("Staff accounts with roles; a session ends after the idle time the owner sets"),
)
FIELD_NAMES = {
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone number"),
    "street": _l("Street address"),
    "postal_code": _l("Postal code"),
    "town": _l("Town"),
    "reference": _l("Booking reference"),
    "customer": _l("The customer it concerns"),
    "booking": _l("The booking it concerns"),
    "service": _l("Service booked"),
    "staff": _l("Staff member"),
    "starts_at": _l("Start time"),
    "ends_at": _l("End time"),
    "blocked_until": _l("Time reserved until"),
    "status": _l("Status"),
    "message": _l("Message"),
    "internal_note": _l("Staff's note on the booking"),
    "cancel_reason": _l("Reason for cancelling"),
    "language": _l("Language"),
    "price_cents": _l("Price"),
    "created_at": _l("When it was made"),
    "updated_at": _l("When it was last changed"),
    "reason": _l("Reason for time off"),
    "text": _l("Note"),
    "user": _l("Staff member who acted"),
    "ip": _l("IP address"),
    "at": _l("Time"),
    "sent_to": _l("Recipient's address"),
    "subject": _l("Subject"),
    "details": _l("Details of the message"),
    "sent_at": _l("When it was sent"),
    "reply_note": _l("Note on the reply"),
    "answered_at": _l("When it was answered"),
    "closed_at": _l("When it was closed"),
    "created_by": _l("Who recorded it"),
    "identity_check": _l("How the person's identity was checked"),
    "outcome": _l("The answer given"),
    "extension_reason": _l("Reason for extending the answer time"),
    "received_at": _l("When it was received"),
    "given_at": _l("When it was given"),
    "withdrawn_at": _l("When it was withdrawn"),
    "visitor": _l("Random key of the visitor's cookie choice"),
    "used_at": _l("When it was used"),
    "note": _l("Note"),
}


def now():
    return datetime.now(UTC)


def today():
    return datetime.now(HELSINKI).date()


def found(breach_id):
    breach = Breach.get_or_none(Breach.id == breach_id)
    if breach is None:
        abort(404)
    return breach


@blueprint.context_processor
def record_helpers():
    return {"risk_names": RISK_SHORT_NAMES, "risk_options": RISK_NAMES,
            "moment_hint": MOMENT_HINT}


# The record of processing activities --------------------------------------------------

def field_name(model, name):
    return FIELD_NAMES.get(name) or model._meta.fields[name].verbose_name


def retention_text(category):
    """How long a category is kept (the period in force), in the owner's words."""
    months, after = periods.months(category), category.retention.after
    if after == "employment_end" and months == 0:
        return _("Until the employment ends")
    texts = {
        "last_booking": ngettext("%(num)d month after the customer's last booking",
                                 "%(num)d months after the customer's last booking", months),
        "appointment": ngettext("%(num)d month after the appointment",
                                "%(num)d months after the appointment", months),
        "closing": ngettext("%(num)d month after the matter is closed",
                            "%(num)d months after the matter is closed", months),
        "sent": ngettext("%(num)d month after sending", "%(num)d months after sending",
                         months),
        "withdrawal": ngettext("%(num)d month after it is withdrawn",
                               "%(num)d months after it is withdrawn", months),
        "entry": ngettext("%(num)d month after the entry is written",
                          "%(num)d months after the entry is written", months),
        "employment_end": ngettext("%(num)d month after the employment ends",
                                   "%(num)d months after the employment ends", months),
    }
    return texts.get(after) or ngettext("%(num)d month", "%(num)d months", months)


def processing_record():
    """One row per category of the declaration, with every name the owner reads."""
    rows = []
    for activity in declared_activities(schema.MODELS):
        category = activity.category
        fields = dict.fromkeys(str(field_name(model, name))
                               for model, name in activity.fields)
        rows.append({
            "key": category.key,
            "name": RECORD_CATEGORY_NAMES.get(category.key, category.key),
            "purposes": [PURPOSE_NAMES[purpose] for purpose in category.purposes],
            "basis": BASIS_NAMES[category.basis],
            "subjects": [SUBJECT_NAMES[subject] for subject in activity.subjects],
            "fields": list(fields),
            "recipients": [STAFF_RECIPIENTS] + [RECIPIENT_NAMES[processor]
                                                for processor in activity.processors],
            "transfers": NO_TRANSFERS,
            "retention": retention_text(category),
        })
    return rows


def record_context():
    return {"business": Business.current(), "rows": processing_record(),
            "measures": SECURITY_MEASURES, "made_on": today()}


@blueprint.get("/")
def index():
    return render("records/index.html", open_breaches=sum(
        1 for breach in newest_first() if not breach.settled))


@blueprint.get("/processing")
def processing():
    return render("records/processing.html", **record_context())


@blueprint.get("/processing/print")
def processing_print():
    audit("records.export", details="record of processing: printable page")
    return render("records/processing_print.html", **record_context())


@blueprint.get("/processing.csv")
def processing_csv():
    audit("records.export", details="record of processing: CSV")
    response = make_response(record_csv(Business.current(), processing_record()))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="record-of-processing-{today().isoformat()}.csv"')
    return response


def record_csv(business, rows):
    """The record for a spreadsheet: the controller, one row per category, then the
    security measures; semicolons and a BOM, as Excel in Finland expects."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")

    def write(*cells):
        writer.writerow([spreadsheet_safe(cell) for cell in cells])

    address = ", ".join(part for part in (
        business.street, f"{business.postal_code} {business.town}".strip()) if part)
    write(_("Record of processing activities"), today().isoformat())
    write(_("Controller"), business.name)
    write(_("Business ID"), business.business_id)
    write(_("Address"), address)
    write(_("Phone"), display_phone(business.phone))
    write(_("E-mail"), business.email)
    write()
    write(_("Category of data"), _("Purposes"), _("Legal basis"), _("Data subjects"),
          _("Data"), _("Recipients"), _("Transfers outside the EU/EEA"), _("Kept for"))
    for row in rows:
        write(row["name"], ", ".join(map(str, row["purposes"])), row["basis"],
              ", ".join(map(str, row["subjects"])), ", ".join(row["fields"]),
              ", ".join(map(str, row["recipients"])), row["transfers"], row["retention"])
    write()
    for measure in SECURITY_MEASURES:
        write(_("Security measure"), measure)
    return "\ufeff" + out.getvalue()


# The breach log -----------------------------------------------------------------------

@blueprint.get("/breaches/")
def breaches():
    moment = now()
    shown = [(breach, clock(breach, moment)) for breach in newest_first()]
    return render("records/breaches.html", breaches=shown)


@blueprint.route("/breaches/new", methods=["GET", "POST"])
def new_breach():
    return breach_page(Breach())


@blueprint.route("/breaches/<int:breach_id>", methods=["GET", "POST"])
def edit_breach(breach_id):
    return breach_page(found(breach_id))


def breach_page(breach):
    """The form of a new or a recorded breach: shown, or saved."""
    is_new = breach.id is None
    form = BreachForm() if request.method == "POST" else BreachForm.of(breach)
    if not form.validate_on_submit() or not form.stored(save_breach, breach, now=now(),
                                                        user=current_user.id):
        return render("records/breach.html", BREACH_FORM,
                      status=422 if form.errors else 200, form=form, breach=breach,
                      clock=None if is_new else clock(breach, now()))
    if is_new:
        audit("breach.record", details=f"breach {breach.id}, risk {breach.risk}")
    elif form.result:
        audit("breach.update", details=f"breach {breach.id}: {', '.join(form.result)}")
    flash(_("The breach is recorded.") if is_new else _("The breach is saved."), "success")
    return redirect_after_post(url_for(".breaches"))
