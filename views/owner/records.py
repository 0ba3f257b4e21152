"""The owner's privacy records: the record of processing activities (GDPR Art 30),
derived from the personal-data declaration and the business settings, and the breach
log with the 72-hour clock of each open breach (Art 33)."""

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from engines.clock import naive_utc, now, today
from engines.spreadsheet import BOM, csv_line
from models import duties, schema
from models.analytics import settings as analytics_settings
from models.business import Business
from models.people.customers import display_phone
from models.privacy import periods, retention, statements
from models.privacy.breaches import Breach, clock, newest_first, save_breach
from models.privacy.declaration import ANALYTICS_COUNTS, ANALYTICS_VISITS, CATEGORIES
from models.privacy.processing import (
    ACCOUNTING,
    CUSTOMERS,
    EMAIL_SERVICE,
    HOSTING,
    STAFF_MEMBERS,
    VISITORS,
)
from models.privacy.processing import activities as declared_activities
from views.owner.records_forms import (
    MOMENT_HINT,
    RISK_NAMES,
    RISK_SHORT_NAMES,
    SERVICE_OPTIONS,
    BreachForm,
    ProcessorForm,
    RetentionForm,
)
from web.access import audit, owner_only
from web.downloads import csv_text_download
from web.formatting import country_name
from web.rendering import redirect_after_post, render
from web.retention_wording import PURGED_NAMES, RECORD_CATEGORY_NAMES, retention_text
from web.wording import BASIS_NAMES_FOR_STAFF, PURPOSE_NAMES, SECURITY_MEASURES
from worker import next_run

blueprint = owner_only(Blueprint("records", __name__, url_prefix="/staff/records"))

BREACH_FORM = "partials/records/breach_form.html"

SUBJECT_NAMES = {CUSTOMERS: _l("Customers"), STAFF_MEMBERS: _l("Staff"),
                 VISITORS: _l("Visitors to the website")}
# What the server's counts read from each page request; none of it is stored as such.
COUNTED_DATA = _l("Read from each page request as it is served and kept only as per-day "
                  "counts without any identifier: the page, the site that linked to it, "
                  "the campaign, the browser and its version, the operating system, the "
                  "device class and model, the browser's language")
# Said of both kinds of statistics in the record.
STATISTICS_NOTES = {
    "analytics_counts": _l("Each dimension is a table of its own, so counts cannot be put "
                           "together about one visit. Nothing is joined to customers, "
                           "bookings or contact requests, and nothing is sent to another "
                           "host."),
    "analytics_visits": _l("Only with the visitor's consent, given in the cookie question; "
                           "Global Privacy Control and Do Not Track count as a no. The "
                           "address itself is never stored. After their day the rows are "
                           "rolled up into per-day counts without any identifier. Nothing "
                           "is joined to customers, bookings or contact requests, and "
                           "nothing is sent to another host."),
}
RECIPIENT_NAMES = {
    HOSTING: _l("Server hosting in the EU/EEA (the server and its backups)"),
    EMAIL_SERVICE: _l("E-mail service (sending e-mail)"),
    ACCOUNTING: _l("Accounting program (invoices)"),
}
STAFF_RECIPIENTS = _l("The business's own staff, each with an account of their own")
OTHER_RECIPIENT = _l("Other partner")
NO_TRANSFERS = _l("None: nothing is moved outside the EU/EEA")
FIELD_NAMES = {
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone number"),
    "street": _l("Street address"),
    "postal_code": _l("Postal code"),
    "town": _l("Town"),
    "reference": _l("Booking reference"),
    "customer": _l("The customer it concerns"),
    "buyer_name": _l("Buyer's name"),
    "buyer_street": _l("Buyer's street address"),
    "buyer_postal_code": _l("Buyer's postal code"),
    "buyer_town": _l("Buyer's town"),
    "buyer_email": _l("Buyer's e-mail address"),
    "buyer_business_id": _l("Buyer's business ID"),
    "buyer_ovt": _l("Buyer's e-invoice address"),
    "buyer_operator": _l("Buyer's e-invoice operator"),
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
    "intro_fi": _l("Introduction on the home page, in Finnish"),
    "intro_sv": _l("Introduction on the home page, in Swedish"),
    "intro_en": _l("Introduction on the home page, in English"),
    "text": _l("Note"),
    "user": _l("Staff member who acted"),
    "ip": _l("IP address"),
    "at": _l("Time"),
    "sent_to": _l("Recipient's address"),
    "subject": _l("Subject"),
    "details": _l("Details of the message"),
    "attachments": _l("Files attached to the message"),
    "sent_at": _l("When it was sent"),
    "reply_note": _l("Note on the reply"),
    "answer": _l("The answer sent by e-mail"),
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
    "last_seen_at": _l("When the session was last used"),
    "ended_at": _l("When the session ended"),
    "key_hash": _l("Hash of the address or e-mail an attempt was counted by"),
    "expires_at": _l("When the attempt stops counting"),
    "path": _l("Page address"),
    "screen": _l("Screen width, in one of four classes"),
    "engaged_ms": _l("How long the page was in front"),
    "salt": _l("The day's random salt of the visitor's hash"),
}
# Where one model's field means something else than a field of the same name elsewhere.
MODEL_FIELD_NAMES = {
    ("Hit", "visitor"): _l("Keyed hash of the address and browser, under the day's salt"),
}


@blueprint.context_processor
def record_helpers():
    return {"risk_names": RISK_SHORT_NAMES, "risk_options": RISK_NAMES,
            "moment_hint": MOMENT_HINT}


# The record of processing activities --------------------------------------------------

def field_name(model, name):
    return (MODEL_FIELD_NAMES.get((model.__name__, name)) or FIELD_NAMES.get(name)
            or model._meta.fields[name].verbose_name)




def processor_text(kind, processor):
    return _("%(kind)s: %(name)s (%(country)s)", kind=kind, name=processor.name,
             country=country_name(processor.country))


def recipients(activity, listed):
    """Who receives a category's data: the staff, then for each kind of processor that
    handles it the ones the owner lists (the kind alone when none is listed), and the
    partners listed for other services."""
    names = [STAFF_RECIPIENTS]
    for service in activity.processors:
        named = [processor for processor in listed if processor.service == service]
        names += ([processor_text(RECIPIENT_NAMES[service], processor) for processor in named]
                  or [RECIPIENT_NAMES[service]])
    names += [processor_text(OTHER_RECIPIENT, processor) for processor in listed
              if processor.service == statements.OTHER]
    return names


def processing_record():
    """One row per category of the declaration, with every name the owner reads."""
    rows = []
    listed = statements.processors()
    months = {**periods.all_months(),
              ANALYTICS_COUNTS.key: analytics_settings.current().keep_months,
              ANALYTICS_VISITS.key: ANALYTICS_VISITS.retention.months}
    for activity in declared_activities(schema.MODELS):
        category = activity.category
        fields = dict.fromkeys(str(field_name(model, name))
                               for model, name in activity.fields)
        rows.append({
            "key": category.key,
            "name": RECORD_CATEGORY_NAMES.get(category.key, category.key),
            "purposes": [PURPOSE_NAMES[purpose] for purpose in category.purposes],
            "basis": BASIS_NAMES_FOR_STAFF[category.basis],
            "subjects": [SUBJECT_NAMES[subject] for subject in activity.subjects],
            "fields": list(fields) or ([str(COUNTED_DATA)]
                                       if category is ANALYTICS_COUNTS else []),
            "recipients": recipients(activity, listed),
            "transfers": NO_TRANSFERS,
            "retention": retention_text(category, months[category.key]),
            "note": STATISTICS_NOTES.get(category.key),
        })
    return rows


def record_context():
    return {"business": Business.current(), "rows": processing_record(),
            "measures": SECURITY_MEASURES, "made_on": today()}


@blueprint.get("/")
def index():
    return render("records/index.html", open_breaches=sum(
        1 for breach in newest_first() if not breach.settled),
        last_purge=duties.last_run(PURGE_DUTY))


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
    return csv_text_download(record_csv(Business.current(), processing_record()),
                             f"record-of-processing-{today().isoformat()}.csv")


def record_csv(business, rows):
    """The record for a spreadsheet, line by line: the controller, one row per category,
    then the security measures."""
    address = ", ".join(part for part in (
        business.street, f"{business.postal_code} {business.town}".strip()) if part)
    yield BOM
    for cells in (
        (_("Record of processing activities"), today().isoformat()),
        (_("Controller"), business.name),
        (_("Business ID"), business.business_id),
        (_("Address"), address),
        (_("Phone"), display_phone(business.phone)),
        (_("E-mail"), business.email),
        (),
        (_("Category of data"), _("Purposes"), _("Legal basis"), _("Data subjects"),
         _("Data"), _("Recipients"), _("Transfers outside the EU/EEA"), _("Kept for"),
         _("Remarks")),
    ):
        yield csv_line(cells)
    for row in rows:
        yield csv_line((row["name"], ", ".join(map(str, row["purposes"])), row["basis"],
                        ", ".join(map(str, row["subjects"])), ", ".join(row["fields"]),
                        ", ".join(map(str, row["recipients"])), row["transfers"],
                        row["retention"], row["note"] or ""))
    yield csv_line(())
    for measure in SECURITY_MEASURES:
        yield csv_line((_("Security measure"), measure))


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
    return breach_page(get_object_or_404(Breach, Breach.id == breach_id))


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


# Retention periods and the purge ------------------------------------------------------

RETENTION_ROW = "partials/records/retention_category.html"
PURGE_DUTY = "retention"
COUNTS_FROM = {
    "appointment": _l("the appointment"),
    "last_booking": _l("the customer's last booking (with none, when they were added)"),
    "closing": _l("when the matter is closed"),
    "sent": _l("when the message is sent"),
    "entry": _l("when the entry is written"),
    "employment_end": _l("when the employment ends"),
    "withdrawal": _l("when the consent is withdrawn"),
    "financial_year_end": _l("the end of the financial year of the receipt or invoice"),
}


def category_of(key):
    category = next((category for category in CATEGORIES if category.key == key), None)
    if category is None:
        abort(404)
    return category


# Categories whose data goes when another's does (messages with their booking), with it.
GOES_WITH = {category.key: rule.category for rule in retention.RULES
             for category in rule.with_it}


def retention_row(category, months, form=None):
    """One category on the retention page: its period in force, its default, what it
    counts from, and its form when the owner may change it."""
    leader = GOES_WITH.get(category.key)
    return {
        "category": category,
        "name": RECORD_CATEGORY_NAMES.get(category.key, category.key),
        "months": months,
        "in_force": retention_text(category, months),
        "default": retention_text(category, (leader or category).retention.months),
        "counts_from": COUNTS_FROM.get(category.retention.after, ""),
        "goes_with": leader and RECORD_CATEGORY_NAMES.get(leader.key, leader.key),
        "form": form or (RetentionForm(prefix=category.key, formdata=None,
                                       data={"months": str(months)})
                         if category.retention.changeable else None),
    }


def purge_status(moment):
    """The last purge the worker recorded, when the next is due, and what a purge now
    would delete (a dry run), by category."""
    run = duties.last_run(PURGE_DUTY)
    due = next_run(PURGE_DUTY, run.last_run_at) if run else None
    counts = retention.purge(moment, dry_run=True)
    would = [(RECORD_CATEGORY_NAMES.get(key, key),
              [(PURGED_NAMES.get(what, what), number) for what, number in numbers.items()
               if number])
             for key, numbers in counts.items()]
    return {"run": run, "next": due, "overdue": due is not None and due < naive_utc(moment),
            "would": [(name, numbers) for name, numbers in would if numbers]}


def retention_page(changed=None, status=200):
    """The page, with `changed` (a row whose form was refused) in place of its row."""
    months = periods.all_months()
    rows = [changed if changed and changed["category"] == category
            else retention_row(category, months[category.key]) for category in CATEGORIES]
    # Only a refused row has a fragment of its own, for the form that htmx swaps.
    return render("records/retention.html", RETENTION_ROW if changed else None,
                  status=status, rows=rows, row=changed, purge=purge_status(now()))


@blueprint.get("/retention")
def retention_periods():
    return retention_page()


@blueprint.post("/retention/<key>")
def change_retention(key):
    category = category_of(key)
    old = periods.all_months()[key]
    form = RetentionForm(prefix=key)
    if not form.validate_on_submit() or not form.stored(category, current_user.id):
        return retention_page(retention_row(category, old, form), status=422)
    new = periods.all_months()[key]
    if new != old:
        audit("retention.update", details=f"{key}: {old} → {new} months")
    flash(_("The period of %(name)s is saved: %(period)s.",
            name=RECORD_CATEGORY_NAMES.get(key, key), period=retention_text(category, new)),
          "success")
    return redirect_after_post(url_for(".retention_periods"))


# The processors -------------------------------------------------------------------------

PROCESSOR_FORM = "partials/records/processor_form.html"


def processors_page(form=None, status=200):
    return render("records/processors.html", PROCESSOR_FORM, status=status,
                  processors=statements.processors(), form=form or ProcessorForm(),
                  service_names=SERVICE_OPTIONS, country_name=country_name)


@blueprint.get("/processors")
def processors():
    return processors_page()


@blueprint.post("/processors")
def add_processor():
    form = ProcessorForm()
    if not form.validate_on_submit():
        return processors_page(form, status=422)
    processor = statements.add_processor(form.name.data, form.service.data,
                                         form.country.data)
    audit("processor.update", details=f"added processor {processor.id} "
                                      f"({processor.service}, {processor.country})")
    flash(_("%(name)s is added to the list.", name=processor.name), "success")
    return redirect_after_post(url_for(".processors"))


@blueprint.route("/processors/<int:processor_id>/remove", methods=["GET", "POST"])
def remove_processor(processor_id):
    processor = get_object_or_404(statements.Processor,
                                  statements.Processor.id == processor_id)
    if request.method == "GET":
        return render("records/processor_remove.html", processor=processor,
                      service_names=SERVICE_OPTIONS, country_name=country_name)
    statements.remove_processor(processor.id)
    audit("processor.update", details=f"removed processor {processor.id} "
                                      f"({processor.service}, {processor.country})")
    flash(_("%(name)s is removed from the list.", name=processor.name), "success")
    return redirect_after_post(url_for(".processors"))
