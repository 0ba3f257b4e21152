"""Many customers pressing "book" on the same time at the same moment, against the
app running in gunicorn: exactly one booking, everyone else told at once. And one
customer's form sent many times at once: one booking, and every copy answered with it."""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

import pytest
from support import at_once, form_fields, http_request, next_weekday, translated

import models
from engines.clock import HELSINKI
from engines.free_times import finnish_holidays
from models.booking.bookings import Booking
from models.messages import outbox
from models.messages.outbox import OutboxMessage

CLIENTS = 32
ROUNDS = 8
COPIES = 10
COPY_ROUNDS = 5


def working_days(first, count):
    """`count` weekdays from `first` on that are not public holidays."""
    holidays = finnish_holidays([first.year, first.year + 1])
    days = (first + timedelta(days=n) for n in range(60))
    return [day for day in days if day.weekday() < 5 and day not in holidays][:count]


def utc_text(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def naive(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


def booking_form(base, start, staff, number):
    """The details form of the time, opened and filled in by customer `number`."""
    query = urlencode({"staff": staff, "start": start})
    status, html, _ = http_request(base, "GET", f"/book/2/details?{query}")
    assert status == 200
    return urlencode({**form_fields(html), "name": f"Asiakas {number}",
                      "email": f"asiakas{number}@example.com",
                      "phone": f"040 100 {number:04d}"})


def race(base, start, staff):
    """All clients open the form first, then submit it at the same instant."""
    forms = [booking_form(base, start, staff, number) for number in range(CLIENTS)]
    return at_once(base, [("/book/2/details", form) for form in forms])


@pytest.mark.server
@pytest.mark.parametrize("staff", ["1", "any"])
def test_many_customers_same_time_exactly_one_booking_each_round(server, staff):
    days = working_days(next_weekday(0, weeks_ahead=3), 5)
    for round_number in range(ROUNDS):
        day = days[round_number % 5]
        hour = 9 if round_number < 5 else 14
        moment = datetime.combine(day, time(hour), HELSINKI)
        answers = race(server.url, utc_text(moment), staff)
        statuses = sorted((answer.status for answer in answers), key=str)
        # Anyone free: Aino works Mon–Fri from 9, Eero Tue–Sat from 10.
        both = staff == "any" and hour == 14 and 1 <= day.weekday() <= 4
        winners = 2 if both else 1
        assert statuses == [303] * winners + [409] * (CLIENTS - winners), statuses
        taken = translated("fi", "Sorry, someone else booked this time a moment ago. "
                           "Choose another time below; what you typed is kept.")
        for answer in answers:
            if answer.status == 409:
                assert taken in answer.body
        with models.db.connection_context():
            made = Booking.select().where(Booking.starts_at == naive(moment)).count()
        assert made == winners


def messages_of(kind, booking):
    return OutboxMessage.select().where((OutboxMessage.kind == kind)
                                        & (OutboxMessage.booking_id == booking.id)).count()


@pytest.mark.server
def test_every_copy_of_one_form_gets_the_same_booking_page(server):
    """A customer's form sent ten times at once (a double click, a resend without
    JavaScript shows the last answer): one booking and one confirmation, and every copy
    is led to the booking's page. Then its move form, ten times at once: one move, and
    every copy is led to the moved booking."""
    days = working_days(next_weekday(0, weeks_ahead=3), COPY_ROUNDS)
    for number, day in enumerate(days):
        moment = datetime.combine(day, time(9), HELSINKI)
        form = booking_form(server.url, utc_text(moment), "1", number)
        answers = at_once(server.url, [("/book/2/details", form)] * COPIES)
        [(status, link)] = {(answer.status, answer.location) for answer in answers}
        assert status == 303 and link.startswith("/booking/"), answers
        # Every copy is thanked for the booking on its page, as the first one is.
        assert link.endswith("?done=booked"), answers
        link = link.removesuffix("?done=booked")
        with models.db.connection_context():
            [booking] = Booking.select().where(Booking.starts_at == naive(moment))
            assert messages_of(outbox.BOOKING_CONFIRMED, booking) == 1

    new_time = datetime.combine(day, time(14), HELSINKI)
    query = urlencode({"staff": "1", "start": utc_text(new_time)})
    status, html, _ = http_request(server.url, "GET", f"{link}/move/confirm?{query}")
    assert status == 200
    move = (f"{link}/move/confirm", urlencode(form_fields(html)))
    answers = at_once(server.url, [move] * COPIES)
    assert {(answer.status, answer.location) for answer in answers} == {
        (303, f"{link}?done=moved")}, answers
    with models.db.connection_context():
        moved = Booking.get_by_id(booking.id)
        assert moved.starts_at == naive(new_time)
        assert messages_of(outbox.BOOKING_MOVED, moved) == 1
