"""A customer sees, moves and cancels their own booking through its link, plain and as
HTMX: until the cancellation deadline, never over another booking, never over a change
staff made meanwhile; wrong, passed and cancelled links get clear pages."""

import json
import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

import pytest
from icalendar import Calendar
from support import AINO, CLASSIC_60, EERO, HTMX, at_once, form_fields, http_request, next_weekday

import models
from engines.clock import HELSINKI
from models.booking import staff_bookings
from models.booking.bookings import CANCELLED, CONFIRMED, Booking
from models.booking.schedule import BookingRequest, book
from models.business import Business
from models.business.catalogue import Service, StaffMember
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.people.customers import CustomerDetails
from models.privacy.audit import AuditEntry
from web.tokens import link_token

TUESDAY, WEDNESDAY = 1, 2


@pytest.fixture
def client(app):
    """A customer who reads the site in English."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), HELSINKI)


def start_param(day, hour, minute=0):
    return at(day, hour, minute).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def book_online(client, day, hour, minute=0, staff=str(AINO), email="liisa@example.com"):
    """Book through the public form; returns the booking's own address."""
    response = client.get(f"/book/{CLASSIC_60}/details", query_string={
        "staff": staff, "start": start_param(day, hour, minute)})
    response = client.post(f"/book/{CLASSIC_60}/details", data={
        **form_fields(response.text), "name": "Liisa Laine", "email": email,
        "phone": "040 765 4321"})
    assert response.status_code == 303, response.text
    return response.headers["Location"].removesuffix("?done=booked")


def booking_of(link):
    with models.db.connection_context():
        return Booking.by_token(link.rsplit("/", 1)[1])


def move_fields(client, link, day, hour, minute=0, staff=str(AINO)):
    """Open the confirmation of a new time; return the fields it hands out."""
    response = client.get(f"{link}/move/confirm", query_string={
        "staff": staff, "start": start_param(day, hour, minute)})
    assert response.status_code == 200, response.text
    return form_fields(response.text)


def messages_of(booking):
    with models.db.connection_context():
        return list(OutboxMessage.select().where(OutboxMessage.booking_id == booking.id)
                    .order_by(OutboxMessage.id))


def audit_of(booking):
    with models.db.connection_context():
        return list(AuditEntry.select().where(AuditEntry.booking == booking.id)
                    .order_by(AuditEntry.id))


def set_business(**values):
    with models.db.connection_context():
        Business.update(**values).execute()


def staff_log(*args, **kwargs):
    """What staff_bookings writes to the audit log for a staff member; not looked at."""


def test_booking_link_shows_the_booking_and_what_can_be_done(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    response = client.get(link)
    page = response.text
    assert response.status_code == 200
    assert "Classic massage 60 min" in page and "10.00–11.00" in page
    assert "Aino Esimerkki" in page and "65,00\xa0€" in page
    assert booking_of(link).display_reference in page
    assert "Esimerkkikatu 1 A, 00100 Helsinki" in page
    deadline = day - timedelta(days=1)
    assert f"until {deadline.strftime('%a')} {deadline.day}.{deadline.month}." in page
    assert f'href="{link}/move"' in page and f'href="{link}/cancel"' in page
    assert f'href="{link}/calendar.ics"' in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_page_is_in_the_language_of_the_booking_until_the_visitor_chooses(app, client,
                                                                          shop):
    link = book_online(client, next_weekday(TUESDAY), 10)  # booked in English
    fresh = app.test_client()
    assert '<html lang="en">' in fresh.get(link).text
    fresh.set_cookie("lang", "sv")
    assert '<html lang="sv">' in fresh.get(link).text


def test_cancel_asks_first_and_then_cancels(client, shop, owner):
    link = book_online(client, next_weekday(TUESDAY), 10)
    before = booking_of(link)
    question = client.get(f"{link}/cancel")
    assert question.status_code == 200
    assert "Cancel this booking?" in question.text
    assert f'<form method="post" action="{link}/cancel"' in question.text
    assert booking_of(link).status == CONFIRMED  # asking changes nothing

    response = client.post(f"{link}/cancel", data=form_fields(question.text))
    assert response.status_code == 303
    assert response.headers["Location"] == f"{link}?done=cancelled"
    booking = booking_of(link)
    assert (booking.status, booking.version, booking.cancel_reason) == (CANCELLED, 2, "")
    assert booking.updated_at > before.updated_at
    page = client.get(response.headers["Location"]).text
    assert "This booking has been cancelled" in page
    assert "A confirmation is on its way to your e-mail." in page
    assert "Cancel the booking" not in page and f"{link}/move" not in page


def test_cancelling_queues_the_customers_and_the_staffs_messages(client, shop, owner,
                                                                 staff_account):
    link = book_online(client, next_weekday(TUESDAY), 10)
    question = client.get(f"{link}/cancel")
    client.post(f"{link}/cancel", data=form_fields(question.text))
    booking = booking_of(link)
    cancelled = [(m.kind, m.user_id, m.detail.get("by_customer"))
                 for m in messages_of(booking) if m.key.startswith("booking_cancelled")]
    assert sorted(cancelled, key=str) == sorted([
        (outbox.BOOKING_CANCELLED, None, True),
        (outbox.STAFF_CANCELLED, owner.id, True),
        (outbox.STAFF_CANCELLED, staff_account.id, True),
    ], key=str)


def test_cancelling_is_in_the_audit_log_without_personal_data(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    client.post(f"{link}/cancel", data=form_fields(client.get(f"{link}/cancel").text))
    [entry] = [e for e in audit_of(booking_of(link)) if e.action == "booking.cancel"]
    assert entry.user_id is None
    assert "by the customer via the booking link" in entry.details
    assert entry.customer_id == booking_of(link).customer_id
    for personal in ("Liisa", "liisa@example.com", "+358407654321"):
        assert personal not in entry.details


def test_cancel_as_htmx_swaps_the_question_and_redirects_after(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    question = client.get(f"{link}/cancel", headers=HTMX)
    assert question.text.lstrip().startswith('<section id="booking-actions"')
    assert "<html" not in question.text
    assert "HX-Request" in question.headers["Vary"]
    back = client.get(link, headers=HTMX)  # "No, keep the booking"
    assert back.text.lstrip().startswith('<section id="booking-actions"')
    assert "Move to another time" in back.text
    response = client.post(f"{link}/cancel", data=form_fields(question.text), headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"{link}?done=cancelled"
    assert booking_of(link).status == CANCELLED


def test_after_the_deadline_the_page_says_whom_to_call(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    with models.db.connection_context():  # booked long ago, before the deadline
        Booking.update(created_at=datetime.now(UTC).replace(tzinfo=None)
                       - timedelta(days=40)).execute()
    set_business(cancellation_hours=30 * 24)  # the deadline has passed
    page = client.get(link).text
    assert "can no longer be moved or cancelled online: the deadline has passed" in page
    assert 'href="tel:+358401234567"' in page and "040 123 4567" in page
    assert "info@hieronta.example" in page
    assert "Cancel the booking" not in page and "Move to another time" not in page
    assert "Cancel this booking?" not in client.get(f"{link}/cancel").text


def test_cancel_after_the_deadline_is_refused(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    fields = form_fields(client.get(f"{link}/cancel").text)
    set_business(cancellation_hours=30 * 24)
    response = client.post(f"{link}/cancel", data=fields)
    assert response.status_code == 409
    assert "The deadline for changes online has passed" in response.text
    assert "040 123 4567" in response.text
    assert booking_of(link).status == CONFIRMED
    assert client.get(f"{link}/move").status_code == 409


def test_move_after_the_deadline_is_refused(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    fields = move_fields(client, link, day, 14)
    set_business(cancellation_hours=30 * 24)
    response = client.post(f"{link}/move/confirm", data=fields)
    assert response.status_code == 409
    assert "The deadline for changes online has passed" in response.text
    assert booking_of(link).start == at(day, 10)


def test_move_offers_the_services_free_times_without_its_own(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    page = client.get(f"{link}/move", query_string={"day": day.isoformat()}).text
    times = re.findall(r'class="time"[^>]*>(\d+\.\d\d)<', page)
    assert "10.00" not in times  # its own time
    assert "10.15" in times  # overlaps its own time only
    assert 'id="staff-1"' in page and 'id="staff-2"' not in page  # Aino, or anyone
    assert f'href="{link}/move/confirm?staff=1&amp;start=' in page


def test_move_to_a_free_time(client, shop, owner):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    before = booking_of(link)
    fields = move_fields(client, link, day, 14)
    confirm = client.get(f"{link}/move/confirm", query_string={
        "staff": "1", "start": start_param(day, 14)}).text
    assert "at 10.00" in confirm and "at 14.00" in confirm  # current and new

    response = client.post(f"{link}/move/confirm", data=fields)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{link}?done=moved"
    booking = booking_of(link)
    assert booking.start == at(day, 14) and booking.end == at(day, 15)
    assert (booking.staff_id, booking.version, booking.status) == (AINO, 2, CONFIRMED)
    assert booking.updated_at > before.updated_at
    page = client.get(response.headers["Location"]).text
    assert "Your booking has been moved" in page and "14.00–15.00" in page


def test_moving_queues_messages_with_the_previous_time_and_logs_it(client, shop, owner):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    before = booking_of(link)
    client.post(f"{link}/move/confirm", data=move_fields(client, link, day, 14))
    booking = booking_of(link)
    moved = {m.kind: m for m in messages_of(booking) if "moved" in m.kind}
    assert set(moved) == {outbox.BOOKING_MOVED, outbox.STAFF_MOVED}
    assert moved[outbox.STAFF_MOVED].user_id == owner.id
    detail = moved[outbox.BOOKING_MOVED].detail
    assert detail["previous_start"] == before.starts_at.isoformat() + "Z"
    assert datetime.fromisoformat(detail["previous_start"]) == at(day, 10)
    assert (detail["previous_staff_id"], detail["by_customer"]) == (AINO, True)
    assert moved[outbox.BOOKING_MOVED].key == f"booking_moved:{booking.id}:2"
    [entry] = [e for e in audit_of(booking) if e.action == "booking.move"]
    assert entry.user_id is None
    utc_minute = staff_bookings.utc_minute
    assert entry.details == ("by the customer via the booking link; starts_at: "
                             f"{utc_minute(at(day, 10))} → {utc_minute(at(day, 14))}")


def test_moved_booking_calendar_file_replaces_the_old_one(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    client.post(f"{link}/move/confirm", data=move_fields(client, link, day, 14))
    ics = client.get(f"{link}/calendar.ics")
    assert ics.headers["Cache-Control"] == "no-store"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == at(day, 14)
    assert event.get("SEQUENCE") == 1


def test_move_by_a_quarter_hour_overlapping_its_own_time(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    response = client.post(f"{link}/move/confirm", data=move_fields(client, link, day, 10, 15))
    assert response.status_code == 303
    assert booking_of(link).start == at(day, 10, 15)


def test_anyone_free_keeps_the_same_person_when_free(client, shop):
    day = next_weekday(WEDNESDAY)  # Aino and Eero both work from 10
    link = book_online(client, day, 10)
    fields = move_fields(client, link, day, 11, staff="any")
    assert client.post(f"{link}/move/confirm", data=fields).status_code == 303
    assert booking_of(link).staff_id == AINO


def test_anyone_free_moves_to_whoever_is_free(client, shop):
    day = next_weekday(WEDNESDAY)
    link = book_online(client, day, 10)
    book_online(client, day, 14, email="toinen@example.com")  # Aino is busy at 14
    fields = move_fields(client, link, day, 14, staff="any")
    assert client.post(f"{link}/move/confirm", data=fields).status_code == 303
    booking = booking_of(link)
    assert (booking.start, booking.staff_id) == (at(day, 14), EERO)
    [message] = [m for m in messages_of(booking) if m.kind == outbox.BOOKING_MOVED]
    assert message.detail["previous_staff_id"] == AINO


def test_move_to_a_time_just_taken_is_409_with_other_times(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    fields = move_fields(client, link, day, 14)
    book_online(client, day, 14, email="toinen@example.com")  # someone is quicker
    response = client.post(f"{link}/move/confirm", data=fields)
    assert response.status_code == 409
    assert "someone else booked this time a moment ago" in response.text
    assert "Your booking is unchanged" in response.text
    offered = re.findall(r'type="radio" name="start" value="([^"]+)"', response.text)
    assert offered and start_param(day, 14) not in offered
    assert start_param(day, 10) not in offered  # its own time
    booking = booking_of(link)
    assert (booking.start, booking.version) == (at(day, 10), 1)
    assert not [m for m in messages_of(booking) if m.kind == outbox.BOOKING_MOVED]

    chosen = {**form_fields(response.text), "start": offered[0]}
    assert client.post(f"{link}/move/confirm", data=chosen).status_code == 303


def test_taken_time_as_htmx_is_the_form_fragment(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    fields = move_fields(client, link, day, 14)
    book_online(client, day, 14, email="toinen@example.com")
    response = client.post(f"{link}/move/confirm", data=fields, headers=HTMX)
    assert response.status_code == 409
    assert response.text.lstrip().startswith('<div id="move-form">')
    assert 'role="alert"' in response.text


def test_the_database_refuses_an_overlap_the_check_missed(client, shop, monkeypatch):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    fields = move_fields(client, link, day, 14)
    book_online(client, day, 14, email="toinen@example.com")
    # As if the check had read the calendar before the other booking was committed.
    monkeypatch.setattr(staff_bookings, "free_staff_at", lambda *args, **kwargs: AINO)
    response = client.post(f"{link}/move/confirm", data=fields)
    assert response.status_code == 409
    assert "someone else booked this time a moment ago" in response.text
    assert booking_of(link).start == at(day, 10)


def test_move_as_htmx(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    times = client.get(f"{link}/move", query_string={"day": day.isoformat()}, headers=HTMX)
    assert times.text.lstrip().startswith('<div id="booking-times">')
    assert "HX-Request" in times.headers["Vary"]
    plain = client.get(f"{link}/move", query_string={"day": day.isoformat()})
    assert "<html" in plain.text and 'id="times-status"' in plain.text
    response = client.post(f"{link}/move/confirm", data=move_fields(client, link, day, 14),
                           headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"{link}?done=moved"


def test_move_after_staff_changed_the_booking_shows_it_again(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    fields = move_fields(client, link, day, 14)
    with models.db.connection_context():  # staff move it meanwhile
        booking = booking_of(link)
        staff_bookings.move_booking(booking, booking.version, booking.staff,
                                    at(day, 15), datetime.now(UTC), staff_log)
    response = client.post(f"{link}/move/confirm", data=fields)
    assert response.status_code == 409
    assert "Your booking was changed a moment ago, so nothing was done" in response.text
    assert "15.00–16.00" in response.text  # the booking as it is now
    assert booking_of(link).start == at(day, 15)


def test_stale_form_as_htmx_replaces_the_page_content(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    fields = form_fields(client.get(f"{link}/cancel").text)
    with models.db.connection_context():
        booking = booking_of(link)
        staff_bookings.set_note(booking, booking.version, "Asiakas soitti", staff_log)
    response = client.post(f"{link}/cancel", data=fields, headers=HTMX)
    assert response.status_code == 409
    assert response.text.lstrip().startswith('<div id="booking-page"')
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Push-Url"] == link
    assert booking_of(link).status == CONFIRMED


def test_cancelling_twice_says_it_is_cancelled(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    fields = form_fields(client.get(f"{link}/cancel").text)
    assert client.post(f"{link}/cancel", data=fields).status_code == 303
    again = client.post(f"{link}/cancel", data=fields)
    assert again.status_code == 409
    assert "The booking has been cancelled" in again.text
    assert len([m for m in messages_of(booking_of(link))
                if m.kind == outbox.BOOKING_CANCELLED]) == 1


@pytest.mark.parametrize(("tampered", "status"), [
    ({"start": "not a time"}, 422),
    ({"start": "2030-01-01T10:00"}, 422),  # no zone
    ({"start": "9999-12-31T23:59Z"}, 422),
    ({"start": "2020-01-07T08:00Z"}, 422),  # passed
    ({"staff": str(EERO)}, 422),  # not the booking's own person
    ({"staff": "'; drop table booking;--"}, 422),
    ({"staff": "9" * 40}, 422),
    ({"version": "abc"}, 409),
    ({"version": "0"}, 409),
])
def test_tampered_move_gets_a_message_never_a_500(client, shop, tampered, status):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    response = client.post(f"{link}/move/confirm",
                           data={**move_fields(client, link, day, 14), **tampered})
    assert response.status_code == status
    assert booking_of(link).version == 1


def test_time_outside_working_hours_is_refused_with_times(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    fields = {**move_fields(client, link, day, 14), "start": start_param(day, 22)}
    response = client.post(f"{link}/move/confirm", data=fields)
    assert response.status_code == 422
    assert "This time cannot be booked" in response.text
    assert 'type="radio" name="start"' in response.text


@pytest.mark.parametrize("new_time", [
    lambda day: at(day, 14, 5),  # off the business's 15-minute grid
    lambda day: at(day + timedelta(weeks=12), 14),  # beyond the 60-day horizon
])
def test_time_off_the_grid_or_beyond_the_horizon_is_refused(client, shop, new_time):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    start = new_time(day).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    fields = {**move_fields(client, link, day, 14), "start": start}
    response = client.post(f"{link}/move/confirm", data=fields)
    assert response.status_code == 422
    assert "This time cannot be booked" in response.text
    assert booking_of(link).version == 1


def test_time_before_the_minimum_notice_is_refused(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=30)
    response = client.get(f"{link}/move/confirm", query_string={
        "staff": "any", "start": soon.strftime("%Y-%m-%dT%H:%MZ")})
    assert response.status_code == 200  # a time in the future, checked when moving
    response = client.post(f"{link}/move/confirm", data=form_fields(response.text))
    assert response.status_code == 422
    assert booking_of(link).version == 1


def test_tampered_time_in_the_booking_form_is_refused_too(client, shop):
    response = client.get(f"/book/{CLASSIC_60}/details", query_string={
        "start": "9999-12-31T23:59Z"})
    assert response.status_code == 422
    assert "This time cannot be booked" in response.text


def test_withdrawn_service_can_be_cancelled_but_not_moved(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    with models.db.connection_context():
        Service.update(active=False).where(Service.id == CLASSIC_60).execute()
    page = client.get(link).text
    assert "This service can no longer be booked online" in page
    assert "Move to another time" not in page and "Cancel the booking" in page
    response = client.get(f"{link}/move")
    assert response.status_code == 409
    assert "the booking cannot be moved here" in response.text
    fields = form_fields(client.get(f"{link}/cancel").text)
    assert client.post(f"{link}/cancel", data=fields).status_code == 303


def test_unknown_link_gets_a_helpful_404_page(client, shop):
    response = client.get("/booking/" + "0" * 43)
    assert response.status_code == 404
    assert "Booking not found" in response.text
    assert "may be mistyped" in response.text
    assert 'href="tel:+358401234567"' in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    for url in ("/booking/x/cancel", "/booking/x/move", "/booking/x/move/confirm",
                "/booking/x/calendar.ics"):
        assert client.get(url).status_code == 404
    assert client.post("/booking/x/cancel", data={"version": "1"}).status_code == 404


def test_passed_appointment_shows_the_booking_without_actions(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=30)
    with models.db.connection_context():
        Booking.update(starts_at=past, ends_at=past + timedelta(hours=1),
                       blocked_until=past + timedelta(hours=1, minutes=15)).where(
            Booking.id == booking_of(link).id).execute()
    response = client.get(link)
    assert response.status_code == 200
    assert "This appointment has passed" in response.text
    assert booking_of(link).display_reference in response.text
    assert "Cancel the booking" not in response.text and ".ics" not in response.text
    assert "Book a new time" in response.text
    refused = client.post(f"{link}/cancel", data={"version": "1"})
    assert refused.status_code == 409
    assert "The appointment has passed" in refused.text


def test_booking_cancelled_by_staff_shows_the_shared_reason(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    with models.db.connection_context():
        booking = booking_of(link)
        staff_bookings.cancel_booking(booking, booking.version, "Hieroja sairastui", True,
                                      staff_log)
    page = client.get(link).text
    assert "This booking has been cancelled" in page and "Hieroja sairastui" in page
    assert "Cancel the booking" not in page and "Move to another time" not in page
    assert "A confirmation is on its way" not in client.get(f"{link}?done=moved").text
    assert client.get(f"{link}/move").status_code == 409


def test_wrong_links_are_throttled_but_own_link_is_not(client, shop):
    link = book_online(client, next_weekday(TUESDAY), 10)
    for _ in range(25):  # a customer's own link never counts
        assert client.get(link).status_code == 200
    statuses = [client.get(f"/booking/{n:043x}").status_code for n in range(21)]
    assert statuses == [404] * 20 + [429]
    throttled = client.get(f"/booking/{'f' * 43}")
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.text and "040 123 4567" in throttled.text
    assert throttled.headers["Cache-Control"] == "no-store"
    assert 0 < int(throttled.headers["Retry-After"]) <= 3600
    # Once throttled, a right guess is not told from a wrong one either.
    assert client.get(link).status_code == 429
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get(link, environ_base=elsewhere).status_code == 200
    assert client.get("/booking/" + "0" * 43, environ_base=elsewhere).status_code == 404


def test_outbox_details_hold_no_personal_data(client, shop):
    day = next_weekday(TUESDAY)
    link = book_online(client, day, 10)
    client.post(f"{link}/move/confirm", data=move_fields(client, link, day, 14))
    for message in messages_of(booking_of(link)):
        assert "Liisa" not in message.details and "liisa@" not in message.details
        json.loads(message.details)


def booked_directly(app, start, number):
    """A booking as the public form makes it, with Aino; returns its own address."""
    key = f"race-{number}"
    with app.test_request_context():
        token = link_token(key)
    with models.db.connection_context():
        book(BookingRequest(
            service=Service.get_by_id(CLASSIC_60), staff=StaffMember.get_by_id(AINO),
            start=start, message="", language="fi", submission_key=key, token=token,
            details=CustomerDetails(f"Asiakas {number}", f"asiakas{number}@example.com",
                                    f"+35840100{number:04d}"),
        ))
    return f"/booking/{token}"


@pytest.mark.server
def test_customers_moving_to_one_time_at_once_one_gets_it(app, server):
    """Against the app in gunicorn: every customer opens the confirmation of the same
    new time, then all press "move" at the same instant."""
    target = at(next_weekday(TUESDAY), 14)
    links = [booked_directly(app, at(next_weekday(n % 5, weeks_ahead=3), 9 + 2 * (n // 5)),
                             n) for n in range(8)]
    query = urlencode({"staff": str(AINO), "start": target.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%MZ")})
    forms = []
    for link in links:
        status, html, _ = http_request(server.url, "GET", f"{link}/move/confirm?{query}")
        assert status == 200, html
        forms.append((f"{link}/move/confirm", urlencode(form_fields(html))))
    answers = at_once(server.url, forms)
    statuses = sorted((answer.status for answer in answers), key=str)
    assert statuses == [303] + [409] * (len(links) - 1), statuses
    with models.db.connection_context():
        moved = Booking.select().where(Booking.starts_at == target.astimezone(UTC)
                                       .replace(tzinfo=None)).count()
    assert moved == 1
