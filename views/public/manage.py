"""A customer's own booking, at the secret link its e-mails carry: the booking, its
calendar file, and until the cancellation deadline cancelling it or moving it to another
free time. No account and no password: the link is the key.

The routes are on the booking blueprint (views/public/booking.py imports this module)."""

from contextlib import nullcontext

from flask import abort, make_response, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from engines.calendar_file import booking_ics
from models.booking import customer_changes
from models.booking.bookings import CANCELLED, Booking
from models.booking.schedule import SlotTaken, TimeNotOffered
from models.booking.staff_bookings import BookingChanged, NotAllowed
from models.business import Business
from views.public.booking import (
    NOT_OFFERED,
    DayChoice,
    alternatives_for,
    blueprint,
    chosen_staff,
    chosen_time_ok,
    now,
)
from views.public.booking_forms import ChangeForm, MoveForm
from web.formatting import LANGUAGE_COOKIE, LANGUAGES, language
from web.limits import limiter
from web.rendering import redirect_after_post, render

# Links that lead nowhere, per address and hour: a customer who mistypes theirs has
# plenty of tries, someone guessing links (172 random bits each) gets nowhere.
GUESSES = "20 per hour"
CHANGED = "changed"
REFUSALS = {
    CHANGED: _l("Your booking was changed a moment ago, so nothing was done. Here it is "
                "as it is now: check it and choose again."),
    customer_changes.TOO_LATE: _l("The deadline for changes online has passed, so "
                                  "nothing was changed."),
    customer_changes.PASSED: _l("The appointment has passed, so it can no longer be "
                                "changed."),
    CANCELLED: _l("The booking has been cancelled, so it can no longer be changed."),
    "service_withdrawn": _l("This service can no longer be booked online, so the "
                            "booking cannot be moved here. Contact us to move it."),
}
MOVE_TAKEN = _l("Sorry, someone else booked this time a moment ago. Your booking is "
                "unchanged: choose another time below.")
LINK_PROBLEMS = {
    404: (_l("Booking not found"),
          _l("We found no booking behind this link. It may be mistyped or cut short: "
             "open it straight from your booking e-mail, or copy the whole link.")),
    429: (_l("Too many attempts"),
          _l("Too many booking links that lead nowhere were opened from this "
             "connection. Wait an hour, then open the link in your booking e-mail "
             "again.")),
}


def link_problem(status):
    """A clear page for a link that leads nowhere, or for too many of them."""
    title, text = LINK_PROBLEMS[status]
    return make_response(render_template(
        "booking/link_problem.html", title=title, text=text, business=Business.current(),
    ), status)


def unknown_link(response):
    return response.status_code == 404


link_limit = limiter.shared_limit(
    GUESSES, scope="booking-link", deduct_when=unknown_link,
    on_breach=lambda limit: link_problem(429),
)


@blueprint.after_request
def keep_link_private(response):
    """Pages at a booking's link are never stored by a cache, and the link is never
    sent on to another site as the referrer."""
    if "token" in (request.view_args or {}):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def booking_for(token):
    """The booking behind a link, or the page saying the link leads nowhere."""
    booking = Booking.by_token(token)
    if booking is None:
        abort(link_problem(404))
    return booking


def in_customer_language(booking):
    """A booking's pages speak the language it was made in, until the visitor
    chooses a language on the site."""
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return nullcontext()
    return force_locale(booking.language)


def show(booking, token, page, fragment=None, status=200, fragment_headers=None, **context):
    """A page (or for HTMX its fragment) about the booking, in its customer's language."""
    business = Business.current()
    with in_customer_language(booking):
        return render(
            page, fragment, status=status, fragment_headers=fragment_headers,
            booking=booking, token=token,
            business=business, place=booking.place(business),
            standing=customer_changes.standing(booking, now(), business), **context,
        )


def refused(token, code):
    """The booking as it is now, with why the change was not made (409). An HTMX
    request gets the page's content in place of the part that asked."""
    return show(booking_for(token), token, "booking/manage.html",
                "partials/booking/manage.html", status=409, notice=REFUSALS[code],
                fragment_headers={"HX-Retarget": "#main", "HX-Reswap": "innerHTML",
                                  "HX-Push-Url": url_for(".confirmed", token=token)})


def client_address():
    return request.remote_addr or ""


@blueprint.get("/booking/<token>")
@link_limit
def confirmed(token):
    """The booking's own page; `done` says which change was just made."""
    return show(booking_for(token), token, "booking/manage.html",
                "partials/booking/actions.html", done=request.args.get("done"))


@blueprint.get("/booking/<token>/cancel")
@link_limit
def cancel(token):
    """The question whether to cancel, with the button that does it."""
    return show(booking_for(token), token, "booking/manage.html",
                "partials/booking/actions.html", confirming_cancel=True)


@blueprint.post("/booking/<token>/cancel")
@link_limit
def cancel_booking(token):
    booking = booking_for(token)
    try:
        customer_changes.cancel(booking, ChangeForm().chosen_version(), now(),
                                ip=client_address())
    except BookingChanged:
        return refused(token, CHANGED)
    except NotAllowed as refusal:
        return refused(token, refusal.code)
    return redirect_after_post(url_for(".confirmed", token=token, done="cancelled"))


def people_for(booking):
    """Whom the moved booking may be with besides anyone free: its own staff member,
    while they still do the service."""
    return [member for member in booking.service.staff() if member.id == booking.staff_id]


def movable(booking, token):
    """None, or the page that says why the booking cannot be moved now."""
    code = customer_changes.refusal(booking, now(), Business.current(), moving=True)
    return refused(token, code) if code else None


@blueprint.get("/booking/<token>/move")
@link_limit
def move(token):
    """The free times of the booking's service to move it to, a day at a time."""
    booking = booking_for(token)
    if (refusal := movable(booking, token)) is not None:
        return refusal
    people = people_for(booking)
    choice = DayChoice.from_args(booking.service, request.args, now(), people=people,
                                 moving=booking, default=str(booking.staff_id) if people
                                 else "any")
    return show(booking, token, "booking/move.html", "partials/booking/free_times.html",
                status=422 if choice.errors else 200, service=booking.service,
                choice=choice, times_url=url_for(".move", token=token),
                choose_url=url_for(".new_time", token=token), **choice.overview(now()))


@blueprint.get("/booking/<token>/move/confirm")
@link_limit
def new_time(token):
    """The chosen new time beside the present one, with the button that moves."""
    booking = booking_for(token)
    if (refusal := movable(booking, token)) is not None:
        return refusal
    form = MoveForm(booking.service, formdata=None, data={
        "start": request.args.get("start", ""),
        "staff": request.args.get("staff", "any"),
        "version": booking.version,
    })
    status = 200 if chosen_time_ok(form, people_for(booking)) else 422
    return move_page(booking, token, form, status)


@blueprint.post("/booking/<token>/move/confirm")
@link_limit
def move_booking(token):
    booking = booking_for(token)
    form = MoveForm(booking.service)
    # Whether the booking may be moved is for the move to say: a copy of the same
    # form may have just moved it, which this copy is then told as if it had.
    if not chosen_time_ok(form, people_for(booking)):
        return movable(booking, token) or move_page(booking, token, form, 422)
    try:
        customer_changes.move(booking, form.chosen_version(), chosen_staff(form),
                              form.chosen_start(), now(), ip=client_address())
    except SlotTaken:
        return move_page(booking, token, form, 409, notice=MOVE_TAKEN)
    except TimeNotOffered:
        form.start.errors = [NOT_OFFERED]
        return move_page(booking, token, form, 422)
    except BookingChanged:
        return refused(token, CHANGED)
    except NotAllowed as refusal:
        return refused(token, refusal.code)
    return redirect_after_post(url_for(".confirmed", token=token, done="moved"))


def move_page(booking, token, form, status, notice=None):
    """The confirmation of the new time, or other times to choose from when the
    chosen one could not be had."""
    return show(
        booking, token, "booking/move_confirm.html", "partials/booking/move_form.html",
        status=status, form=form, start=form.chosen_start(), staff=chosen_staff(form),
        notice=notice, alternatives=alternatives_for(form, notice is MOVE_TAKEN, booking),
    )


@blueprint.get("/booking/<token>/calendar.ics")
@link_limit
def calendar_file(token):
    booking = booking_for(token)
    with in_customer_language(booking):
        service_name = booking.service.name(language())
        description = gettext("Booking reference %(reference)s",
                              reference=booking.display_reference)
    response = make_response(booking_ics(booking, Business.current(), service_name,
                                         description))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="booking-{booking.reference}.ics"'
    )
    return response
