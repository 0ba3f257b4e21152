"""Many customers pressing "book" on the same time at the same moment, against the
app running in gunicorn: exactly one booking, everyone else told at once."""

import threading
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

import pytest
from support import form_fields, http_request, next_weekday, translated

import models
from models.bookings import Booking
from models.free_times import HELSINKI, finnish_holidays

CLIENTS = 32
ROUNDS = 8


def working_days(first, count):
    """`count` weekdays from `first` on that are not public holidays."""
    holidays = finnish_holidays([first.year, first.year + 1])
    days = (first + timedelta(days=n) for n in range(60))
    return [day for day in days if day.weekday() < 5 and day not in holidays][:count]


def race(base, start, staff):
    """All clients open the form first, then submit it at the same instant."""
    query = urlencode({"staff": staff, "start": start})
    forms = []
    for _ in range(CLIENTS):
        status, html = http_request(base, "GET", f"/book/2/details?{query}")
        assert status == 200
        forms.append(form_fields(html))
    barrier = threading.Barrier(CLIENTS)
    answers = [None] * CLIENTS

    def customer(number):
        body = urlencode({**forms[number], "name": f"Asiakas {number}",
                          "email": f"asiakas{number}@example.com",
                          "phone": f"040 100 {number:04d}"})
        barrier.wait()
        try:
            answers[number] = http_request(base, "POST", "/book/2/details", body)
        except OSError as error:  # kept, so that a failure says what went wrong
            answers[number] = (repr(error), "")

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


@pytest.mark.server
@pytest.mark.parametrize("staff", ["1", "any"])
def test_many_customers_same_time_exactly_one_booking_each_round(server, staff):
    days = working_days(next_weekday(0, weeks_ahead=3), 5)
    for round_number in range(ROUNDS):
        day = days[round_number % 5]
        hour = 9 if round_number < 5 else 14
        moment = datetime.combine(day, time(hour), HELSINKI)
        start = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
        answers = race(server.url, start, staff)
        statuses = sorted((status for status, _ in answers), key=str)
        # Anyone free: Aino works Mon–Fri from 9, Eero Tue–Sat from 10.
        both = staff == "any" and hour == 14 and 1 <= day.weekday() <= 4
        winners = 2 if both else 1
        assert statuses == [303] * winners + [409] * (CLIENTS - winners), statuses
        taken = translated("fi", "Sorry, someone else booked this time a moment ago. "
                           "Choose another time below; what you typed is kept.")
        for status, html in answers:
            if status == 409:
                assert taken in html
        with models.db.connection_context():
            made = Booking.select().where(
                Booking.starts_at == moment.astimezone(UTC).replace(tzinfo=None)
            ).count()
        assert made == winners
