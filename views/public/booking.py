"""The public booking flow: service, staff and day, time, details, confirmation."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from engines.clock import local, now
from engines.free_times import working_days
from models.booking.customer_changes import change_deadline
from models.booking.schedule import (
    BookingRequest,
    SlotTaken,
    TimeNotOffered,
    book,
    bookable_days,
    closed_between,
    staff_ids_for,
    staff_weeks,
    times_near,
    week_of_times,
)
from models.business import Business
from models.business.catalogue import Service
from models.privacy import statements as versions
from views.public.booking_forms import BookingForm
from views.public.statement import current_statement
from web.formatting import date_text, language
from web.kept_pages import kept_by_generation
from web.opening import until_open
from web.rendering import redirect_after_post, render
from web.tokens import link_token, new_form_token, read_form_token

blueprint = Blueprint("booking", __name__)
blueprint.before_request(until_open)

FORM_MAX_AGE = 24 * 3600
TAKEN = _l("Sorry, someone else booked this time a moment ago. "
           "Choose another time below; what you typed is kept.")
NOT_OFFERED = _l("This time cannot be booked (it has passed or is not open). "
                 "Choose another time below.")
EXPIRED = _l("The form was open for a long time. Check your details and "
             "confirm again.")


@blueprint.get("/book")
def services():
    return render_template("booking/services.html", services=list(Service.offered()))


@dataclass
class DayChoice:
    """The staff member and day a customer asked for, and what was wrong with them.

    `people` are those the customer may choose from (everyone doing the service, or
    for a booking being `moving`, its own staff member); "any" means anyone free."""

    service: Service
    people: list
    staff: object = None
    staff_key: str = "any"
    day: date | None = None
    moving: object = None
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, service, args, moment, people=None, moving=None, default="any"):
        """The choice in the page's query, at `moment`."""
        people = service.staff() if people is None else people
        choice = cls(service, list(people), moving=moving)
        key = args.get("staff", default)
        if key != "any":
            member = next((p for p in choice.people if str(p.id) == key), None)
            if member is None:
                choice.errors["staff"] = _l("Choose one of the people listed.")
            else:
                choice.staff, choice.staff_key = member, key
        if args.get("day"):
            choice.choose_day(args["day"], moment)
        return choice

    def choose_day(self, text, moment):
        """The day asked for; a day that cannot be booked (a past one, or one beyond
        the booking horizon) gets the nearest that can, with a word at the field."""
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.errors["day"] = _l("Choose a day from the calendar, e.g. 24.11.2026.")
            return
        first, last = bookable_days(moment)
        if day < first:
            self.errors["day"] = _l("That day has passed. Here are the free times from "
                                    "today on.")
        elif day > last:
            self.errors["day"] = _l("Times can be booked until %(day)s. Here are the "
                                    "free times of that day.", day=date_text(last))
        self.day = min(max(day, first), last)

    def overview(self, moment, generation=None):
        """The chosen day's free times and the week from it, for the times page. With
        no day chosen, the first day that has free times. With the calendar's
        `generation`, the free-time inputs loaded for it are used again."""
        today, last_day = bookable_days(moment)
        day = self.day or today
        week = week_of_times(self.service, self.staff, day, moment, self.moving, generation)
        if self.day is None and not week.free[day] and week.next_day:
            day = week.next_day
            week = week_of_times(self.service, self.staff, day, moment, self.moving,
                                 generation)
        return {
            "day": day,
            "times": week.free[day],
            "time_groups": time_groups(week.free[day]),
            "week": self.day_strip(week, last_day),
            "next_day": week.next_day,
            "previous_day": day - timedelta(days=1) if day > today else None,
            "today": today,
            "last_day": last_day,
        }

    def day_strip(self, week, last_day):
        """The week's days with what each one's label says: `free` (with how many),
        `full`, `closed` (nobody works, or the business is closed), `off` (the chosen
        person does not work, though others do) or `later` (beyond the booking horizon,
        so not yet open for booking)."""
        days = sorted(week.free)
        team_days = set()
        if self.staff is not None:
            team = staff_weeks(staff_ids_for(self.service), days[0], days[-1],
                               with_bookings=False)
            team_days = working_days(days[0], days[-1], team,
                                     closed_between(days[0], days[-1]))
        strip = []
        for d in days:
            count = len(week.free[d])
            if d > last_day:
                kind = "later"
            elif count:
                kind = "free"
            elif d in week.open_days:
                kind = "full"
            elif d in team_days:
                kind = "off"
            else:
                kind = "closed"
            strip.append((d, count, kind))
        return strip


# The parts of the day the free times are grouped into, by the hour each one begins.
DAY_PARTS = ((0, _l("Morning")), (12, _l("Afternoon")), (17, _l("Evening")))


def time_groups(times):
    """The free times grouped into morning, afternoon and evening (only the parts
    that have any), in Helsinki time."""
    groups = []
    for slot in times:
        hour = local(slot.start).hour
        name = next(name for begins, name in reversed(DAY_PARTS) if hour >= begins)
        if not groups or groups[-1][0] is not name:
            groups.append((name, []))
        groups[-1][1].append(slot)
    return groups


def offered_service(service_id):
    """The service of the address, or Not Found when there is none or it is no longer
    offered."""
    service = Service.active_one(service_id)
    if service is None:
        abort(404)
    return service


@blueprint.get("/book/<int:service_id>")
@kept_by_generation
def times(service_id, moment, generation):
    service = offered_service(service_id)
    choice = DayChoice.from_args(service, request.args, moment)
    return render(
        "booking/times.html",
        "partials/booking/free_times.html",
        status=422 if choice.errors else 200,
        service=service,
        choice=choice,
        times_url=url_for(".times", service_id=service.id),
        choose_url=url_for(".details", service_id=service.id),
        **choice.overview(moment, generation),
    )


@blueprint.route("/book/<int:service_id>/details", methods=["GET", "POST"])
def details(service_id):
    service = offered_service(service_id)
    if request.method == "GET":
        form = BookingForm(service, formdata=None, data={
            "start": request.args.get("start", ""),
            "staff": request.args.get("staff", "any"),
            "form_token": new_form_token(),
        })
        return details_page(form, status=200 if chosen_time_ok(form) else 422)
    form = BookingForm(service)
    fields_valid = form.validate()
    if request.form.get("check") in form.contact_fields():
        return check_page(form, request.form["check"])
    if not (chosen_time_ok(form) and fields_valid):
        return details_page(form, status=422)
    submission_key = read_form_token(form.form_token.data, FORM_MAX_AGE)
    if submission_key is None:
        form.form_token.data = new_form_token()
        return details_page(form, status=422, notice=EXPIRED)
    return make_booking(form, submission_key)


def check_page(form, checked):
    """The inline check of the field just left: for htmx its block (swapped in out of
    band) and a status line for screen readers; without JavaScript the whole form.
    Nothing is booked."""
    for each in form:
        if each.name != checked:
            each.errors = []
    return details_page(form, status=422 if form.errors else 200,
                        fragment="partials/booking/check.html", checked=checked)


def make_booking(form, submission_key):
    staff_id = form.chosen_staff_id()
    try:
        booking = book(BookingRequest(
            service=form.service,
            staff=None if staff_id == "any" else form.chosen_member(),
            start=form.chosen_start(),
            details=form.details(),
            message=(form.message.data or "").strip(),
            language=language(),
            submission_key=submission_key,
            token=link_token(submission_key),
            privacy_version=shown_statement(form),
            marketing=bool(form.marketing.data) and Business.current().marketing_enabled,
            ip=request.remote_addr or "",
        ))
    except SlotTaken:
        return details_page(form, status=409, notice=TAKEN)
    except TimeNotOffered:
        form.start.errors = [NOT_OFFERED]
        return details_page(form, status=422)
    return redirect_after_post(
        url_for(".confirmed", token=link_token(booking.submission_key), done="booked")
    )


def shown_statement(form):
    """The version of the privacy statement the form links to: the one it was handed
    out with, when that is a published one, else the one in force."""
    version = form.shown_privacy_version()
    if not (version and versions.is_published(version)):
        version = current_statement().version
    form.privacy_version.data = str(version)
    return version


def chosen_time_ok(form, people=None):
    """Whether the hidden time and staff fields hold something bookable (with one of
    `people`, when given); if not, the error is put on the field and the customer is
    offered the day's times."""
    staff_id = form.chosen_staff_id()
    if people is not None:
        known = staff_id == "any" or staff_id in {member.id for member in people}
    else:
        known = staff_id == "any" or form.chosen_member() is not None
    if not known:
        form.staff.errors = [_l("The chosen person was not found. Choose a time "
                                "again below.")]
        form.staff.data = "any"
        return False
    start = form.chosen_start()
    if start is None or start < now():
        form.start.errors = [NOT_OFFERED]
        return False
    return True


def chosen_staff(form):
    """The staff member the form chose, or None for anyone free."""
    return form.chosen_member()


def alternatives_for(form, taken, moving=None):
    """The times to offer when the chosen one was `taken` or is not right."""
    if not (taken or form.start.errors or form.staff.errors):
        return []
    moment = now()
    day = local(form.chosen_start() or moment).date()
    return times_near(form.service, chosen_staff(form), day, moment, moving)


def details_page(form, status, notice=None, fragment="partials/booking/details_form.html",
                 **context):
    """The details form, with the day's remaining free times to choose from when
    the chosen time could not be booked, and a warning when the chosen time could not
    be changed online once booked."""
    start, business = form.chosen_start(), Business.current()
    return render(
        "booking/details.html",
        fragment,
        status=status,
        form=form,
        service=form.service,
        staff=chosen_staff(form),
        start=start,
        inside_deadline=start is not None and change_deadline(start, business) <= now(),
        notice=notice,
        alternatives=alternatives_for(form, notice is TAKEN),
        business=business,
        statement_version=shown_statement(form),
        **context,
    )


# The customer's own booking pages share this blueprint (and its addresses).


# The booking's own page and its changes (views/public/manage.py) add their routes to this
# blueprint when imported.
from views.public import manage  # noqa: E402, F401
