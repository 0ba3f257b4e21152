"""The public booking flow: service, staff and day, time, details, confirmation."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from models.bookings import Booking
from models.business import Business
from models.calendar_file import appointment_ics
from models.catalogue import Service
from models.free_times import HELSINKI
from models.schedule import (
    BookingRequest,
    SlotTaken,
    TimeNotOffered,
    book,
    day_free_times,
    next_free_day,
    staff_member,
    week_of_times,
)

from .booking_forms import BookingForm
from .formatting import language
from .rendering import redirect_after_post, render
from .security import link_token, new_form_token, read_form_token

blueprint = Blueprint("booking", __name__)

FORM_MAX_AGE = 24 * 3600
TAKEN = _l("Sorry, someone else booked this time a moment ago. "
           "Choose another time below; what you typed is kept.")
NOT_OFFERED = _l("This time cannot be booked (it has passed or is not open). "
                 "Choose another time below.")
EXPIRED = _l("The form was open for a long time. Check your details and "
             "confirm again.")


def now():
    return datetime.now(UTC)


def offered_service(service_id):
    service = Service.get_or_none((Service.id == service_id) & Service.active)
    if service is None:
        abort(404)
    return service


@blueprint.get("/book")
def services():
    return render_template("booking/services.html", services=list(Service.offered()))


@dataclass
class DayChoice:
    """The staff member and day a customer asked for, and what was wrong with them."""

    service: Service
    staff: object = None
    staff_key: str = "any"
    day: date | None = None
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, service, args):
        choice = cls(service)
        key = args.get("staff", "any")
        if key != "any":
            member = staff_member(int(key)) if key.isdigit() and len(key) < 10 else None
            if member is None or member.id not in {s.id for s in service.staff()}:
                choice.errors["staff"] = _l("Choose one of the people listed.")
            else:
                choice.staff, choice.staff_key = member, key
        if args.get("day"):
            try:
                choice.day = date.fromisoformat(args["day"])
            except ValueError:
                choice.errors["day"] = _l("Choose a day from the calendar, "
                                          "e.g. 24.11.2026.")
        return choice

    def overview(self, moment):
        """The chosen day's free times and the week from it, for the times page. With
        no day chosen, the first day that has free times."""
        today = moment.astimezone(HELSINKI).date()
        day = max(self.day or today, today)
        week = week_of_times(self.service, self.staff, day, moment)
        if self.day is None and not week.free[day] and week.next_day:
            day = week.next_day
            week = week_of_times(self.service, self.staff, day, moment)
        return {
            "day": day,
            "times": week.free[day],
            "week": [(d, len(week.free[d]), d in week.open_days) for d in sorted(week.free)],
            "next_day": week.next_day,
            "previous_day": day - timedelta(days=1) if day > today else None,
            "today": today,
        }


@blueprint.get("/book/<int:service_id>")
def times(service_id):
    service = offered_service(service_id)
    choice = DayChoice.from_args(service, request.args)
    return render(
        "booking/times.html",
        "partials/booking/free_times.html",
        status=422 if choice.errors else 200,
        service=service,
        choice=choice,
        **choice.overview(now()),
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
    if not (chosen_time_ok(form) and fields_valid):
        return details_page(form, status=422)
    submission_key = read_form_token(form.form_token.data, FORM_MAX_AGE)
    if submission_key is None:
        form.form_token.data = new_form_token()
        return details_page(form, status=422, notice=EXPIRED)
    return make_booking(form, submission_key)


def make_booking(form, submission_key):
    staff_id = form.chosen_staff_id()
    try:
        booking = book(BookingRequest(
            service=form.service,
            staff=None if staff_id == "any" else staff_member(staff_id),
            start=form.chosen_start(),
            details=form.details(),
            message=(form.message.data or "").strip(),
            language=language(),
            submission_key=submission_key,
            token=link_token(submission_key),
        ))
    except SlotTaken:
        return details_page(form, status=409, notice=TAKEN)
    except TimeNotOffered:
        form.start.errors = [NOT_OFFERED]
        return details_page(form, status=422)
    return redirect_after_post(
        url_for(".confirmed", token=link_token(booking.submission_key))
    )


def chosen_time_ok(form):
    """Whether the hidden time and staff fields hold something bookable; if not, the
    error is put on the field and the customer is offered the day's times."""
    staff_id = form.chosen_staff_id()
    if staff_id is None or (staff_id != "any" and staff_member(staff_id) is None):
        form.staff.errors = [_l("The chosen person was not found. Choose a time "
                                "again below.")]
        form.staff.data = "any"
        return False
    start = form.chosen_start()
    if start is None or start < now():
        form.start.errors = [NOT_OFFERED]
        return False
    return True


def details_page(form, status, notice=None):
    """The details form, with the day's remaining free times to choose from when
    the chosen time could not be booked."""
    start = form.chosen_start()
    staff_id = form.chosen_staff_id()
    staff = staff_member(staff_id) if isinstance(staff_id, int) else None
    alternatives = []
    if notice is TAKEN or form.start.errors or form.staff.errors:
        moment = now()
        day = (start or moment).astimezone(HELSINKI).date()
        day = max(day, moment.astimezone(HELSINKI).date())
        alternatives = day_free_times(form.service, staff, day, moment)
        if not alternatives:
            later = next_free_day(form.service, staff, day, moment)
            if later:
                alternatives = day_free_times(form.service, staff, later, moment)
    return render(
        "booking/details.html",
        "partials/booking/details_form.html",
        status=status,
        form=form,
        service=form.service,
        staff=staff,
        start=start,
        notice=notice,
        alternatives=alternatives,
        business=Business.current(),
    )


def booking_by_token(token):
    booking = Booking.by_token(token)
    if booking is None:
        abort(404)
    return booking


@blueprint.get("/booking/<token>")
def confirmed(token):
    booking = booking_by_token(token)
    business = Business.current()
    response = make_response(render_template(
        "booking/confirmed.html", booking=booking, business=business, token=token,
        place=appointment_place(booking, business),
    ))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.get("/booking/<token>/calendar.ics")
def calendar_file(token):
    booking = booking_by_token(token)
    business = Business.current()
    service_name = booking.service.name(language())
    body = appointment_ics(
        uid=f"{booking.reference}@vuoro",
        summary=f"{service_name} – {business.name}",
        start=booking.start,
        end=booking.end,
        location=appointment_place(booking, business),
        description=str(_l("Booking reference %(reference)s",
                           reference=booking.display_reference)),
    )
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="booking-{booking.reference}.ics"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def appointment_place(booking, business):
    if booking.service.needs_address:
        customer = booking.customer
        return f"{customer.street}, {customer.postal_code} {customer.town}"
    return f"{business.name}, {business.street}, {business.postal_code} {business.town}"
