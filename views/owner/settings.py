"""The owner's pages: the business and its booking rules, services, staff and their
hours, closed days, accounts, and the audit log.

Each section of a page is a form that works on its own; with HTMX it is saved in place
(the section comes back with a note), without it the page is loaded again (303)."""

from functools import partial

from babel.dates import get_day_names
from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from engines import clock
from engines.clock import local, today
from engines.images import MAX_BYTES
from engines.spreadsheet import NUMBER, TEXT, Column, Table
from models.accounts.administration import (
    AccountRefused,
    accounts,
    disable,
    enable,
    invite_again,
    invite_new_user,
)
from models.accounts.users import User
from models.business import Business
from models.business.brand import WIDTHS, images, remove_image, set_brand_colour, store_image
from models.business.catalogue import Service, StaffMember
from models.business.settings import (
    add_closed_day,
    add_extra_hours,
    add_time_off,
    categories_in_use,
    coming_extra_hours,
    coming_holidays,
    coming_time_off,
    extra_closed_days,
    remove_closed_day,
    remove_extra_hours,
    remove_time_off,
    save_service,
    save_staff_member,
    service_ids_of,
    services,
    set_holiday_open,
    set_week,
    staff_ids_of,
    staff_members,
    update_business,
    week_of,
)
from models.paging import page_number
from models.privacy.audit_log import entries, entries_page
from views.owner.settings_forms import (
    ROLE_NAMES,
    AuditFilterForm,
    BrandColourForm,
    BusinessForm,
    ClosedDayForm,
    ExtraHoursForm,
    HolidayForm,
    ImageForm,
    InviteForm,
    RulesForm,
    ServiceForm,
    StaffMemberForm,
    TimeOffForm,
    WeekForm,
    message_for,
    new_service,
)
from web.access import audit, owner_only
from web.audit_words import actor, details_text
from web.downloads import csv_download
from web.formatting import FORMAT_LOCALES, date_text, language
from web.rendering import fragment_or_redirect, redirect_after_post, render
from web.wording import ACTION_LABELS

blueprint = owner_only(Blueprint("owner", __name__, url_prefix="/staff"))


BUSINESS_FORM = "partials/owner/business_form.html"
LOOK = "partials/owner/look.html"
RULES_FORM = "partials/owner/rules_form.html"
SERVICE_FORM = "partials/owner/service_form.html"
STAFF_DETAILS = "partials/owner/staff_details.html"
WEEK_HOURS = "partials/owner/week_hours.html"
TIME_OFF = "partials/owner/time_off.html"
EXTRA_HOURS = "partials/owner/extra_hours.html"
HOLIDAYS = "partials/owner/holidays.html"
CLOSED_DAYS = "partials/owner/closed_days.html"
ACCOUNTS = "partials/owner/accounts.html"
AUDIT_LOG = "partials/owner/audit_log.html"


def day_names():
    """Maanantai, tiistai, …: weekdays named on their own, as a heading."""
    names = get_day_names("wide", context="stand-alone", locale=FORMAT_LOCALES[language()])
    return [names[weekday].capitalize() for weekday in range(7)]


@blueprint.context_processor
def owner_helpers():
    return {"action_labels": ACTION_LABELS,
            "role_names": ROLE_NAMES, "day_names": day_names}


def after_change(message, location, page, category="success", status=200):
    """HTMX gets the changed section back in place with the message; a plain form
    goes back to its page (303), where the message waits."""
    return fragment_or_redirect(
        location, lambda: page(status=status, notice=message, notice_category=category),
        message=message, category=category)


def settings_changed(what, changed):
    """Write "settings.update" naming what changed (names only, never values)."""
    if changed:
        audit("settings.update", details=f"{what}: {', '.join(changed)}")


# The overview, the business and its rules ---------------------------------------

@blueprint.get("/settings/")
def settings():
    return render("owner/settings.html", services=list(services()),
                  staff=list(staff_members()), closed=list(extra_closed_days(today())),
                  holidays=coming_holidays(today()))


def business_page(status=200, fragment=None, **context):
    current = Business.current()
    context.setdefault("form", BusinessForm.of(current))
    context.setdefault("rules_form", RulesForm.of(current))
    context.setdefault("colour_form", BrandColourForm.of(current))
    for kind in WIDTHS:
        context.setdefault(f"{kind}_form", ImageForm(kind, formdata=None))
    return render("owner/business.html", fragment, status=status, images=images(),
                  max_upload_mb=MAX_BYTES // 2**20, **context)


# An upload may be larger than any other request (app.py's MAX_CONTENT_LENGTH): the
# owner's, up to the largest picture taken and a little for the rest of the form.
UPLOADS = {"owner.upload_image"}


@blueprint.url_value_preprocessor
def allow_uploads(endpoint, values):
    """Before the CSRF check reads the form (url_value_preprocessors run before any
    before_request), let the owner's upload be as large as a picture may be."""
    if endpoint in UPLOADS and current_user.is_authenticated and current_user.is_owner:
        request.max_content_length = MAX_BYTES + 256 * 1024


@blueprint.get("/settings/business")
def business():
    return business_page()


@blueprint.post("/settings/business")
def save_business():
    form = BusinessForm()
    if not form.validate_on_submit():
        return business_page(422, BUSINESS_FORM, form=form)
    settings_changed("business", update_business(form.values()))
    return after_change(_("The business details are saved."), url_for(".business"),
                        partial(business_page, fragment=BUSINESS_FORM))


@blueprint.post("/settings/rules")
def save_rules():
    form = RulesForm()
    if not form.validate_on_submit():
        return business_page(422, RULES_FORM, rules_form=form)
    settings_changed("booking rules", update_business(form.values()))
    return after_change(_("The booking rules are saved."), url_for(".business"),
                        partial(business_page, fragment=RULES_FORM))


@blueprint.post("/settings/look/colour")
def save_brand_colour():
    form = BrandColourForm()
    if not form.validate_on_submit() or not form.stored(set_brand_colour):
        return business_page(422, LOOK, colour_form=form)
    if form.result:
        settings_changed("look", ["brand colour"])
    return after_change(_("The brand colour is saved."), url_for(".business"),
                        partial(business_page, fragment=LOOK))


def known_kind(kind):
    if kind not in WIDTHS:
        abort(404)
    return kind


@blueprint.post("/settings/look/<kind>")
def upload_image(kind):
    """A new logo or picture: a plain form (a file), so the page comes back."""
    form = ImageForm(known_kind(kind))
    if not form.validate_on_submit() or not form.stored(store_image, kind):
        return business_page(422, **{f"{kind}_form": form})
    settings_changed("look", [kind])
    flash(_("The logo is saved.") if kind == "logo" else _("The picture is saved."),
          "success")
    return redirect_after_post(url_for(".business", _anchor="look-section"))


@blueprint.post("/settings/look/<kind>/remove")
def remove_brand_image(kind):
    if remove_image(known_kind(kind)):
        settings_changed("look", [f"{kind} removed"])
    message = _("The logo is removed.") if kind == "logo" else _("The picture is removed.")
    return after_change(message, url_for(".business"), partial(business_page, fragment=LOOK))


# Services ---------------------------------------------------------------------------

@blueprint.get("/settings/services/")
def service_list():
    return render("owner/services.html", services=list(services()))


@blueprint.route("/settings/services/new", methods=["GET", "POST"])
def add_service():
    return service_page(new_service())


@blueprint.route("/settings/services/<int:service_id>", methods=["GET", "POST"])
def edit_service(service_id):
    return service_page(get_object_or_404(Service, Service.id == service_id))


def service_page(service):
    """The form of a new or an existing service: shown, or saved."""
    is_new = service.id is None
    if request.method == "GET":
        form = ServiceForm.of(service, staff_ids_of(service))
    else:
        form = ServiceForm()
    if not form.validate_on_submit():
        return render("owner/service.html", SERVICE_FORM, status=422 if form.errors else 200,
                      form=form, service=service, categories=categories_in_use())
    changed = save_service(service, form.values(), form.staff.data or [])
    settings_changed(f"service {service.id}", ["added"] if is_new else changed)
    flash(_("The service is saved."), "success")
    return redirect_after_post(url_for(".service_list"))


# Staff members ------------------------------------------------------------------

@blueprint.get("/settings/staff/")
def staff_list():
    return render("owner/staff.html", staff=list(staff_members()))


@blueprint.route("/settings/staff/new", methods=["GET", "POST"])
def add_staff_member():
    member = StaffMember(active=True)
    form = StaffMemberForm() if request.method == "POST" else StaffMemberForm.of(member, [])
    if not form.validate_on_submit():
        return render("owner/staff_new.html", status=422 if form.errors else 200, form=form)
    save_staff_member(member, form.values(), form.services.data or [])
    settings_changed(f"staff {member.id}", ["added"])
    flash(_("%(name)s is added. Now give their working hours.", name=member.name), "success")
    return redirect_after_post(url_for(".staff_member", staff_id=member.id))


def staff_page(member, status=200, fragment=None, **context):
    context.setdefault("details_form", StaffMemberForm.of(member, service_ids_of(member)))
    context.setdefault("week_form", WeekForm.of(week_of(member)))
    context.setdefault("time_off_form", TimeOffForm(formdata=None))
    context.setdefault("extra_hours_form", ExtraHoursForm(formdata=None))
    return render("owner/staff_member.html", fragment, status=status, member=member,
                  time_off=list(coming_time_off(member, clock.now())),
                  extra_hours=list(coming_extra_hours(today(), member)), **context)


def staff_section_saved(member, message, fragment):
    return after_change(message, url_for(".staff_member", staff_id=member.id),
                        partial(staff_page, member, fragment=fragment))


@blueprint.get("/settings/staff/<int:staff_id>")
def staff_member(staff_id):
    return staff_page(get_object_or_404(StaffMember, StaffMember.id == staff_id))


@blueprint.post("/settings/staff/<int:staff_id>")
def save_staff_details(staff_id):
    member = get_object_or_404(StaffMember, StaffMember.id == staff_id)
    form = StaffMemberForm()
    if not form.validate_on_submit():
        return staff_page(member, 422, STAFF_DETAILS, details_form=form)
    settings_changed(f"staff {member.id}",
                     save_staff_member(member, form.values(), form.services.data or []))
    return staff_section_saved(member, _("Saved."), STAFF_DETAILS)


@blueprint.post("/settings/staff/<int:staff_id>/hours")
def save_week(staff_id):
    member = get_object_or_404(StaffMember, StaffMember.id == staff_id)
    form = WeekForm()
    if form.add_row.data:  # one more empty row to fill in; nothing is saved yet
        form.add_empty_row()
        return staff_page(member, 200, WEEK_HOURS, week_form=form)
    if form.copy_day.data:  # the day's rows on the other weekdays, to check and save
        return staff_page(member, 200, WEEK_HOURS, week_form=form.copied())
    if not form.validate_on_submit():
        return staff_page(member, 422, WEEK_HOURS, week_form=form)
    if set_week(member, form.week()):
        settings_changed(f"staff {member.id}", ["working hours"])
    return staff_section_saved(member, _("The working hours are saved."), WEEK_HOURS)


@blueprint.post("/settings/staff/<int:staff_id>/time-off")
def add_staff_time_off(staff_id):
    member = get_object_or_404(StaffMember, StaffMember.id == staff_id)
    form = TimeOffForm()
    if not form.validate_on_submit() or not form.stored(add_time_off, member):
        return staff_page(member, 422, TIME_OFF, time_off_form=form)
    settings_changed(f"staff {member.id}", ["time off added"])
    return staff_section_saved(member, _("The time off is added."), TIME_OFF)


@blueprint.post("/settings/staff/<int:staff_id>/time-off/<int:time_off_id>/remove")
def remove_staff_time_off(staff_id, time_off_id):
    member = get_object_or_404(StaffMember, StaffMember.id == staff_id)
    if remove_time_off(member, time_off_id):
        settings_changed(f"staff {member.id}", ["time off removed"])
    return staff_section_saved(member, _("The time off is removed."), TIME_OFF)


@blueprint.post("/settings/staff/<int:staff_id>/extra-hours")
def add_staff_extra_hours(staff_id):
    member = get_object_or_404(StaffMember, StaffMember.id == staff_id)
    form = ExtraHoursForm()
    if not form.validate_on_submit() or not form.stored(add_extra_hours, member,
                                                        today=today()):
        return staff_page(member, 422, EXTRA_HOURS, extra_hours_form=form)
    settings_changed(f"staff {member.id}", ["extra hours added"])
    return staff_section_saved(member, _("The extra hours are added."), EXTRA_HOURS)


@blueprint.post("/settings/staff/<int:staff_id>/extra-hours/<int:extra_id>/remove")
def remove_staff_extra_hours(staff_id, extra_id):
    member = get_object_or_404(StaffMember, StaffMember.id == staff_id)
    if remove_extra_hours(member, extra_id):
        settings_changed(f"staff {member.id}", ["extra hours removed"])
    return staff_section_saved(member, _("The extra hours are removed."), EXTRA_HOURS)


# Closed days ------------------------------------------------------------------------

def days_page(status=200, fragment=None, **context):
    context.setdefault("form", ClosedDayForm(formdata=None))
    return render("owner/days.html", fragment, status=status,
                  holidays=coming_holidays(today()), closed=list(extra_closed_days(today())),
                  extra_hours=list(coming_extra_hours(today())), **context)


def days_saved(message, fragment):
    return after_change(message, url_for(".days"), partial(days_page, fragment=fragment))


@blueprint.get("/settings/days")
def days():
    return days_page()


@blueprint.post("/settings/days/holiday")
def set_holiday():
    form = HolidayForm()
    if not form.validate_on_submit() or not form.stored(set_holiday_open):
        abort(400)  # only a tampered button sends a day that is no holiday
    day, is_open = form.day.parsed, form.state.data == "open"
    if form.result:
        settings_changed(f"holiday {day.isoformat()}", ["opened" if is_open else "closed"])
    if is_open:
        return days_saved(_("%(day)s is open for bookings.", day=date_text(day)), HOLIDAYS)
    return days_saved(_("%(day)s is closed.", day=date_text(day)), HOLIDAYS)


@blueprint.post("/settings/days/closed")
def close_day():
    form = ClosedDayForm()
    if not form.validate_on_submit() or not form.stored(add_closed_day, today=today()):
        return days_page(422, CLOSED_DAYS, form=form)
    settings_changed(f"closed day {form.day.parsed.isoformat()}", ["added"])
    return days_saved(_("%(day)s is closed.", day=date_text(form.day.parsed)), CLOSED_DAYS)


@blueprint.post("/settings/days/closed/<int:exception_id>/remove")
def open_day(exception_id):
    day = remove_closed_day(exception_id)
    if day is None:
        abort(404)
    settings_changed(f"closed day {day.isoformat()}", ["removed"])
    return days_saved(_("%(day)s is open again.", day=date_text(day)), CLOSED_DAYS)


# Accounts ------------------------------------------------------------------------------

def accounts_page(status=200, fragment=None, **context):
    context.setdefault("form", InviteForm(formdata=None))
    return render("owner/accounts.html", fragment, status=status, users=list(accounts()),
                  **context)


def with_link(user, token):
    """The accounts page with the one-time link on screen. Shown only in this answer:
    the link is a secret, so it is never put in a cookie or a URL to redirect to."""
    link = url_for("auth.invitation", token=token, _external=True)
    return accounts_page(fragment=ACCOUNTS, invited=user, link=link)


def account_refused(refusal):
    return after_change(message_for(refusal), url_for(".account_list"),
                        partial(accounts_page, fragment=ACCOUNTS), "warning", 409)


@blueprint.get("/accounts/")
def account_list():
    return accounts_page()


@blueprint.post("/accounts/")
def invite_user():
    form = InviteForm()
    if not form.validate_on_submit() or not form.stored(invite_new_user):
        return accounts_page(422, ACCOUNTS, form=form)
    user, token = form.result
    audit("user.invite", details=f"user {user.id}, role {user.role}")
    return with_link(user, token)


@blueprint.post("/accounts/<int:user_id>/invitation")
def invite_user_again(user_id):
    user = get_object_or_404(User, User.id == user_id)
    try:
        token = invite_again(user)
    except AccountRefused as refusal:
        return account_refused(refusal)
    audit("user.invite", details=f"user {user.id}, new link")
    return with_link(user, token)


@blueprint.post("/accounts/<int:user_id>/disable")
def disable_account(user_id):
    user = get_object_or_404(User, User.id == user_id)
    try:
        disable(user, by=current_user)
    except AccountRefused as refusal:
        return account_refused(refusal)
    audit("user.disable", details=f"user {user.id}")
    return after_change(_("%(name)s can no longer log in; their sessions have ended.",
                          name=user.name), url_for(".account_list"),
                        partial(accounts_page, fragment=ACCOUNTS))


@blueprint.post("/accounts/<int:user_id>/enable")
def enable_account(user_id):
    user = get_object_or_404(User, User.id == user_id)
    enable(user)
    audit("user.enable", details=f"user {user.id}")
    return after_change(_("%(name)s can log in again.", name=user.name),
                        url_for(".account_list"), partial(accounts_page, fragment=ACCOUNTS))


# The audit log ----------------------------------------------------------------------

@blueprint.get("/audit/")
def audit_log():
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render("owner/audit.html", AUDIT_LOG, status=422, form=form, shown=None)
    shown = entries_page(form.chosen(), page_number(request.args.get("page")))
    return render("owner/audit.html", AUDIT_LOG, form=form, shown=shown, query=form.query())


@blueprint.get("/audit/export.csv")
def audit_export():
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render("owner/audit.html", status=422, form=form, shown=None)
    chosen = form.chosen()
    audit("audit.export", details="filters: " + (", ".join(chosen.used()) or "none"))
    return csv_download(audit_table(entries(chosen).iterator()),
                        f"audit-log-{today().isoformat()}.csv")


AUDIT_COLUMNS = (
    ("helsinki", _l("Time (Helsinki)")), ("utc", _l("Time (UTC)")), ("user", _l("User")),
    ("action", _l("Action")), ("what", _l("What")), ("customer_id", _l("Customer number")),
    ("customer", _l("Customer")), ("booking_id", _l("Booking number")),
    ("ip", _l("IP address")), ("details", _l("Details")),
)


def audit_table(rows):
    """The entries for a spreadsheet, in the same words as the page (web/audit_words.py);
    times in Helsinki time and in UTC."""
    def cells(entry):
        return (local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                entry.user.email if entry.user_id else actor(entry), entry.action,
                ACTION_LABELS.get(entry.action, entry.action), entry.customer_id,
                entry.customer.name if entry.customer_id else "", entry.booking_id, entry.ip,
                details_text(entry.details))

    columns = tuple(Column(key, str(heading), NUMBER if key.endswith("_id") else TEXT)
                    for key, heading in AUDIT_COLUMNS)
    return Table("audit-log", str(_("Audit log")), columns, map(cells, rows))
