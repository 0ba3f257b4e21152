"""The booking calendar of the back office: the day and week views, a booking's page
and its changes, bookings for customers who phone or walk in, the printed day list."""

from datetime import timedelta

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import lazy_gettext as _l
from playhouse.flask_utils import get_object_or_404
from werkzeug.datastructures import MultiDict

from engines.clock import local, naive_utc, now, today
from models.booking.bookings import ARRIVED, CANCELLED, COMPLETED, CONFIRMED, NO_SHOW, Booking
from models.booking.calendar_grid import day_grid, day_list, week_grid
from models.booking.schedule import SlotTaken, TimeNotOffered
from models.booking.staff_bookings import (
    STAFF_STATUSES,
    BookingChanged,
    NotAllowed,
    StaffBookingRequest,
    cancel_booking,
    create_booking,
    history,
    move_booking,
    overlapping,
    set_note,
    set_status,
    staff_free_times,
    with_details,
)
from models.business.catalogue import Service, StaffMember
from models.people.register import DuplicateEmail
from views.staff.calendar_forms import (
    CHOOSE_DAY,
    CancelForm,
    ChoiceForm,
    MoveForm,
    NewBookingForm,
    NoteForm,
    StatusForm,
    parse_day,
)
from web import picker
from web.access import audit, staff_only
from web.formatting import language, start_param
from web.rendering import fragment_or_redirect, redirect_after_post, render

blueprint = staff_only(Blueprint("calendar", __name__, url_prefix="/staff/calendar"))

STATUS_NAMES = {
    CONFIRMED: _l("Confirmed"),
    ARRIVED: _l("Arrived"),
    COMPLETED: _l("Completed"),
    NO_SHOW: _l("No-show"),
    CANCELLED: _l("Cancelled"),
}
# What the buttons that set a status say.
STATUS_ACTIONS = {
    CONFIRMED: _l("Back to confirmed"),
    ARRIVED: _l("Arrived"),
    COMPLETED: _l("Completed"),
    NO_SHOW: _l("Did not come"),
}
ACTION_NAMES = {
    "booking.create": _l("Booked by staff"),
    "booking.overbook": _l("Booked anyway over another booking"),
    "booking.move": _l("Moved"),
    "booking.cancel": _l("Cancelled"),
    "booking.status": _l("Status changed"),
    "booking.note": _l("Internal note changed"),
}
NOT_ALLOWED = {
    "not_movable": _l("Only a confirmed booking can be moved."),
    "not_cancellable": _l("Only a confirmed booking can be cancelled."),
    "cancelled": _l("The booking is cancelled: its status cannot change any more."),
    "not_yet": _l("Arrival, completion and a missed appointment can be marked from the "
                  "day of the appointment on."),
    "unknown_status": _l("Choose one of the statuses offered."),
}
CHANGED = _l("Someone else changed this booking while you had it open, so nothing was "
             "saved. Its current state is shown; what you typed is kept. Check it and "
             "save again if it is still needed.")
TAKEN = _l("This time is not free any more. Choose another time.")
NOT_FREE = _l("This time is not free: it overlaps another booking.")
NOT_OFFERED = _l("This time is outside the working hours, on a closed day or past.")
CUSTOMER_RESTRICTED = _l("The use of this customer's data is restricted on their "
                         "request, so staff cannot book for them. They can still book "
                         "online themselves.")
CUSTOMER_EXISTS = _l("A customer with this e-mail address is already in the register.")
SAVED = _l("Saved.")
BOOKED = _l("Booked.")


@blueprint.context_processor
def calendar_names():
    return {"status_names": STATUS_NAMES, "action_names": ACTION_NAMES}


def day_in_path(text):
    day = parse_day(text)
    if day is None:
        abort(404)
    return day


def picked(view, endpoint, default, **values):
    """The answer to the date picker (?day=): the chosen day at its own address
    (`endpoint`), or None to show `default`; an unreadable day is shown as an error
    at the picker."""
    if "day" not in request.args:
        return None
    day = parse_day(request.args["day"])
    if day is None:
        return view(default, status=422, day_error=CHOOSE_DAY, **values)
    return fragment_or_redirect(url_for(endpoint, **values, day=day.isoformat()),
                                lambda: view(day, **values), push=True)


@blueprint.get("/")
def day():
    return picked(day_page, ".day_of", today()) or day_page(today())


@blueprint.get("/<day>")
def day_of(day):
    return day_page(day_in_path(day))


def day_page(day, status=200, day_error=None):
    grid, cancelled = day_grid(day, now())
    return render("calendar/day.html", "partials/calendar/day.html", status=status,
                  day=day, today=today(), grid=grid, cancelled=cancelled,
                  day_error=day_error, step=timedelta(days=1))


@blueprint.get("/<day>/print")
def print_day(day):
    chosen = day_in_path(day)
    return render("calendar/print.html", day=chosen, bookings=day_list(chosen))


@blueprint.get("/week/<int:staff_id>/")
def this_week(staff_id):
    return (picked(week_page, ".week", today(), staff_id=staff_id)
            or week_page(today(), staff_id))


@blueprint.get("/week/<int:staff_id>/<day>")
def week(staff_id, day):
    return week_page(day_in_path(day), staff_id)


def week_page(day, staff_id, status=200, day_error=None):
    member = get_object_or_404(StaffMember, StaffMember.id == staff_id)
    monday = day - timedelta(days=day.weekday())
    staff = StaffMember.select().where(StaffMember.active).order_by(StaffMember.name)
    return render("calendar/week.html", "partials/calendar/week.html", status=status,
                  member=member, day=day, monday=monday, sunday=monday + timedelta(days=6),
                  today=today(), grid=week_grid(member, monday, now()), day_error=day_error,
                  staff=staff, step=timedelta(days=7))


@blueprint.get("/booking/<int:booking_id>")
def booking(booking_id):
    return booking_page(get_object_or_404(with_details(), Booking.id == booking_id))


def booking_page(booking, status=200, notice=None, **forms):
    """A booking's details, history and actions; `forms` replaces the fresh forms
    with ones holding what was typed."""
    version = {"version": booking.version}
    forms = {
        "status_form": StatusForm(formdata=None, data=version),
        "note_form": NoteForm(formdata=None, data={**version, "note": booking.internal_note}),
        "cancel_form": CancelForm(formdata=None, data=version),
        **forms,
    }
    statuses = [(choice, STATUS_ACTIONS[choice]) for choice in STAFF_STATUSES
                if choice != booking.status]
    entries = [(entry, local(entry.at))
               for entry in history(booking)]
    return render("calendar/booking.html", "partials/calendar/booking.html", status=status,
                  booking=booking, history=entries, notice=notice,
                  statuses=statuses, today=today(), now_utc=naive_utc(now()), **forms)


def apply_change(booking, form, change, *args, page=None):
    """Make `change` based on the form's version; a conflict or a refusal shows the
    booking again with the form as typed, a success goes back to the booking."""
    page = page or (lambda found, **context: booking_page(
        found, **{form.name_in_page: form}, **context))
    try:
        change(booking, form.based_on(), *args, log=audit)
    except BookingChanged:
        current = get_object_or_404(with_details(), Booking.id == booking.id)
        form.version.data = current.version
        return page(current, status=409, notice=CHANGED)
    except NotAllowed as refusal:
        return page(booking, status=422, notice=NOT_ALLOWED[refusal.code])
    except (SlotTaken, TimeNotOffered):
        return page(booking, status=409, notice=TAKEN)
    flash(str(SAVED), "success")
    return redirect_after_post(url_for(".booking", booking_id=booking.id))


@blueprint.post("/booking/<int:booking_id>/status")
def status(booking_id):
    found, form = get_object_or_404(with_details(), Booking.id == booking_id), StatusForm()
    if not form.validate_on_submit():
        return booking_page(found, status=422, status_form=form)
    return apply_change(found, form, set_status, form.status.data, today())


@blueprint.post("/booking/<int:booking_id>/note")
def note(booking_id):
    found, form = get_object_or_404(with_details(), Booking.id == booking_id), NoteForm()
    if not form.validate_on_submit():
        return booking_page(found, status=422, note_form=form)
    return apply_change(found, form, set_note, (form.note.data or "").strip())


@blueprint.post("/booking/<int:booking_id>/cancel")
def cancel(booking_id):
    found, form = get_object_or_404(with_details(), Booking.id == booking_id), CancelForm()
    if not form.validate_on_submit():
        return booking_page(found, status=422, cancel_form=form)
    return apply_change(found, form, cancel_booking, form.reason.data.strip(),
                        form.shared.data)


@blueprint.route("/booking/<int:booking_id>/move", methods=["GET", "POST"])
def move(booking_id):
    found = get_object_or_404(with_details(), Booking.id == booking_id)
    if request.method == "GET":
        form = MoveForm(found.service, formdata=move_choice(found), meta={"csrf": False})
        return move_page(found, form, status=200 if form.check_choice() else 422)
    form = MoveForm(found.service)
    if not form.validate_on_submit():
        return move_page(found, form, status=422)
    return apply_change(found, form, move_booking, form.chosen_staff, form.chosen_start,
                        now(), page=lambda booking, **context: move_page(booking, form,
                                                                         **context))


def move_choice(booking):
    """The staff member and day the move page looks at: the booking's own unless the
    page was asked for others."""
    defaults = {"staff": str(booking.staff_id), "day": booking.start.date().isoformat(),
                "version": str(booking.version)}
    return MultiDict({**defaults, **request.args.to_dict()})


def move_page(booking, form, status=200, notice=None):
    times = []
    if form.chosen_staff and form.chosen_day:
        times = staff_free_times(booking.service, form.chosen_staff, form.chosen_day, now(),
                                 excluding=booking.id)
    return render("calendar/move.html", "partials/calendar/move.html", status=status,
                  booking=booking, form=form, times=times, notice=notice,
                  staff=booking.service.staff())


@blueprint.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        asked = MultiDict({"day": today().isoformat(), **request.args.to_dict()})
        choice = ChoiceForm(formdata=asked, meta={"csrf": False})
        return new_page(choice, status=200 if choice.validate() else 422)
    form = NewBookingForm()
    if not form.validate_on_submit():
        return new_page(form, form, status=422)
    return make_booking(form)


@blueprint.get("/customer-search")
def customer_search():
    """Search the register as the staff member types (the results alone for HTMX)."""
    choice = ChoiceForm(formdata=request.args, meta={"csrf": False})
    return new_page(choice, status=200 if choice.validate() else 422,
                    fragment=picker.RESULTS)


def make_booking(form):
    try:
        booking = create_booking(StaffBookingRequest(
            service=form.chosen_service,
            staff=form.chosen_staff,
            start=form.chosen_start,
            customer=form.chosen_customer,
            new_customer=None if form.chosen_customer else form.new_customer(),
            note=(form.note.data or "").strip(),
            overbook=form.overbook_confirmed(),
        ), now(), log=audit)
    except (SlotTaken, TimeNotOffered) as refusal:
        conflict = NOT_FREE if isinstance(refusal, SlotTaken) else NOT_OFFERED
        return new_page(form, form, status=409, conflict=conflict, overlaps=overlapping(
            form.chosen_staff, form.chosen_start, form.chosen_service))
    except DuplicateEmail as found:
        form.existing_customer = found.existing
        form.email.errors = [str(CUSTOMER_EXISTS)]
        return new_page(form, form, status=422)
    except NotAllowed:  # the customer's data is restricted
        form.customer.errors = [str(CUSTOMER_RESTRICTED)]
        return new_page(form, form, status=409)
    flash(str(BOOKED), "success")
    return redirect_after_post(url_for(".booking", booking_id=booking.id))


def new_page(choice, form=None, status=200, fragment="partials/calendar/new_booking.html",
             **context):
    """The new-booking page for the choices made so far: the customers found, the
    people doing the service and the free times of the chosen day."""
    service, member, day = choice.chosen_service, choice.chosen_staff, choice.chosen_day
    times = staff_free_times(service, member, day, now()) if service and member and day else []
    free = {start_param(slot.start) for slot in times}
    if form is None and choice.chosen_time and day:
        form = slot_choice(choice.chosen_time, day, times)
    kept = form.start.data if form and form.start.data not in free else ""
    staff = service.staff() if service else StaffMember.select().where(
        StaffMember.active).order_by(StaffMember.name)
    return render(
        "calendar/new.html", fragment, status=status, choice=choice,
        form=form or NewBookingForm(formdata=None), times=times, kept_start=kept,
        picker=None if choice.chosen_customer else booking_customer_picker(choice),
        today=today(),
        service_options=[(option.id, option.name(language())) for option in
                         Service.offered()],
        staff_options=[(person.id, person.name) for person in staff],
        **context,
    )


def slot_choice(clock, day, times):
    """The booking form for a time chosen in the calendar: that free time chosen,
    or, when it is not among the free times (no service chosen yet, or the service
    does not fit there), written in as another time."""
    for slot in times:
        there = local(slot.start)
        if there.hour == clock.hour and there.minute == clock.minute:
            return NewBookingForm(formdata=None, data={"start": start_param(slot.start)})
    if times:
        return None
    return NewBookingForm(formdata=None, data={"other_time": f"{clock.hour}.{clock.minute:02d}"})


def booking_customer_picker(choice):
    """The customer picker of a new booking: choosing a customer keeps the service,
    person and day chosen so far."""
    return picker.customer_picker(
        choice.q.data, _l("Find a customer in the register"), url_for(".new"),
        url_for(".customer_search"),
        error=choice.q.errors[0] if choice.q.errors else None,
        choose=lambda customer: url_for(".new", **choice.query(customer=customer.id)),
        swap="#new-booking",
        keep={name: choice[name].data for name in ("service", "staff", "day", "time")
              if choice[name].data})
