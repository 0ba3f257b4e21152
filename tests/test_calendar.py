"""The back office's booking calendar: the day and week views, a booking's page and
every change staff make to it, bookings for customers who phone or walk in, the printed
day list. Each page and action plain and as HTMX."""

import logging
import re
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from peewee import IntegrityError
from support import (
    AINO,
    CLASSIC_30,
    CLASSIC_60,
    EERO,
    HOME_VISIT,
    HTMX,
    MAIJA,
    MATTI,
    next_weekday,
    post,
)

import models
from engines import clock
from engines.clock import HELSINKI, today
from engines.free_times import finnish_holidays
from models.booking.bookings import ARRIVED, CANCELLED, CONFIRMED, Booking
from models.booking.calendar_grid import Column, build_grid
from models.booking.schedule import SlotTaken, day_free_times
from models.booking.staff_bookings import (
    StaffBookingRequest,
    create_booking,
    staff_free_times,
)
from models.business.catalogue import Service, StaffMember
from models.people.customers import Customer
from models.privacy.audit import AuditEntry


@pytest.fixture
def staff(staff_client):
    """Aino's staff account, reading the back office in English."""
    staff_client.set_cookie("lang", "en")
    return staff_client


@pytest.fixture
def owner(owner_client):
    owner_client.set_cookie("lang", "en")
    return owner_client


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), HELSINKI)


def start_param(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def add_booking(day, hour, minute=0, staff=AINO, service=CLASSIC_60, customer=MATTI,
                **fields):
    """A booking written straight into the database, for a test to act on."""
    with models.db.connection_context():
        offered = Service.get_by_id(service)
        start = at(day, hour, minute)
        duration = timedelta(minutes=offered.duration_minutes)
        return Booking.create(
            customer=customer, service=service, staff=staff,
            starts_at=clock.naive_utc(start),
            ends_at=clock.naive_utc(start + duration),
            blocked_until=clock.naive_utc(
                start + duration + timedelta(minutes=offered.buffer_minutes)),
            price_cents=offered.price_cents, **fields,
        )


def fresh(booking):
    with models.db.connection_context():
        return Booking.get_by_id(booking.id)


def entries(action=None):
    """The audit log's entries (of `action`), leaving out the logins."""
    with models.db.connection_context():
        query = AuditEntry.select().where(AuditEntry.action != "user.login")
        query = query.order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(query)


def assert_fragment(response, root):
    assert "<html" not in response.text
    assert response.text.lstrip().startswith(root), response.text[:200]
    assert "HX-Request" in response.headers["Vary"]


def assert_page(response):
    assert "<html" in response.text
    assert "HX-Request" in response.headers["Vary"]


# The day view


def test_day_view_shows_every_staff_member_side_by_side_with_their_bookings(staff, shop):
    day = next_weekday(1)  # a Tuesday: Aino and Eero both work
    add_booking(day, 10, staff=AINO, customer=MATTI)
    add_booking(day, 14, 30, staff=EERO, service=CLASSIC_30, customer=MAIJA)
    response = staff.get(f"/staff/calendar/{day.isoformat()}")
    assert response.status_code == 200
    assert_page(response)
    head = response.text.split("<thead>")[1].split("</thead>")[0]
    assert head.index("Aino Esimerkki") < head.index("Eero Esimerkki")
    body = response.text.split("<tbody>")[1]
    assert "10.00–11.00" in body and "Matti Meikäläinen" in body
    assert "Classic massage 60 min" in body and "Confirmed" in body
    assert "14.30–15.00" in body and "Maija Meikäläinen" in body
    assert 'rowspan="4"' in body and 'rowspan="2"' in body  # an hour, half an hour


def test_day_view_defaults_to_today(staff, shop):
    page = staff.get("/staff/calendar/").text
    assert f'value="{today().isoformat()}"' in page
    assert 'aria-current="date"' in page  # the "Today" link


def test_day_view_as_htmx_is_the_calendar_fragment(staff, shop):
    response = staff.get(f"/staff/calendar/{next_weekday(1).isoformat()}", headers=HTMX)
    assert_fragment(response, '<section id="calendar"')


def test_previous_next_and_today_are_real_links_swapped_by_htmx(staff, shop):
    day = next_weekday(2)
    page = staff.get(f"/staff/calendar/{day.isoformat()}").text
    for other in (day - timedelta(days=1), day + timedelta(days=1), today()):
        url = f"/staff/calendar/{other.isoformat()}"
        assert f'href="{url}" data-hx-get="{url}" data-hx-target="#calendar"' in page
    assert 'data-hx-push-url="true"' in page


def test_date_picker_goes_to_the_days_own_address(staff, shop):
    day = next_weekday(3)
    plain = staff.get("/staff/calendar/", query_string={"day": day.isoformat()})
    assert plain.status_code == 303
    assert plain.headers["Location"].endswith(f"/staff/calendar/{day.isoformat()}")
    htmx = staff.get("/staff/calendar/", query_string={"day": day.isoformat()}, headers=HTMX)
    assert htmx.status_code == 200
    assert htmx.headers["HX-Push-Url"] == f"/staff/calendar/{day.isoformat()}"
    assert_fragment(htmx, '<section id="calendar"')
    assert f'value="{day.isoformat()}"' in htmx.text


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_unreadable_day_in_the_picker_is_told_at_the_field(staff, shop, headers):
    response = staff.get("/staff/calendar/?day=2026-02-30", headers=headers)
    assert response.status_code == 422
    assert 'id="calendar-day-error"' in response.text
    assert 'value="2026-02-30"' in response.text  # what was typed is kept


@pytest.mark.parametrize("day", ["2026-02-30", "yesterday", "1800-01-01"])
def test_day_address_that_is_not_a_day_is_not_found(staff, shop, day):
    assert staff.get(f"/staff/calendar/{day}").status_code == 404


def test_closed_day_says_so(staff, shop):
    holiday = min(d for d in finnish_holidays([today().year + 1]))  # New Year's Day
    page = staff.get(f"/staff/calendar/{holiday.isoformat()}").text
    assert "The business is closed on this day" in page
    assert 'class="work"' not in page


def test_cancelled_bookings_are_listed_apart_from_the_grid(staff, shop):
    day = next_weekday(1)
    add_booking(day, 10, status=CANCELLED)
    page = staff.get(f"/staff/calendar/{day.isoformat()}").text
    assert "Matti Meikäläinen" not in page.split("<tbody>")[1].split("</tbody>")[0]
    assert "Cancelled bookings" in page and "Matti Meikäläinen" in page


def test_day_view_queries_do_not_grow_with_the_bookings(staff, shop):
    class Counter(logging.Handler):
        count = 0

        def emit(self, record):
            Counter.count += 1

    def queries(day):
        logger = logging.getLogger("peewee")
        handler, level = Counter(), logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        Counter.count = 0
        try:
            assert staff.get(f"/staff/calendar/{day.isoformat()}").status_code == 200
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        return Counter.count

    quiet, busy = next_weekday(1), next_weekday(1, weeks_ahead=3)
    add_booking(quiet, 9)
    for hour in range(9, 17):
        add_booking(busy, hour, service=CLASSIC_30, customer=MATTI if hour % 2 else MAIJA)
        add_booking(busy, hour, staff=EERO, service=CLASSIC_30) if hour >= 10 else None
    assert queries(busy) == queries(quiet)


def test_anonymous_visitor_is_sent_to_log_in(client, shop):
    response = client.get("/staff/calendar/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


# The week view


def test_week_view_shows_one_staff_member_monday_to_sunday(staff, shop):
    wednesday = next_weekday(2)
    add_booking(wednesday, 11, staff=EERO, customer=MAIJA)
    add_booking(wednesday, 11, staff=AINO, customer=MATTI)
    response = staff.get(f"/staff/calendar/week/{EERO}/{wednesday.isoformat()}")
    assert response.status_code == 200
    assert_page(response)
    head = response.text.split("<thead>")[1].split("</thead>")[0]
    monday = wednesday - timedelta(days=2)
    days = re.findall(r'href="/staff/calendar/(\d{4}-\d\d-\d\d)"', head)
    assert days == [(monday + timedelta(days=n)).isoformat() for n in range(7)]
    body = response.text.split("<tbody>")[1]
    assert "Maija Meikäläinen" in body and "Matti Meikäläinen" not in body
    assert "Eero Esimerkki" in response.text.split("<h1")[1].split("</h1>")[0]


def test_week_view_as_htmx_with_links_to_the_weeks_around(staff, shop):
    monday = next_weekday(0)
    response = staff.get(f"/staff/calendar/week/{AINO}/{monday.isoformat()}", headers=HTMX)
    assert_fragment(response, '<section id="calendar"')
    for other in (monday - timedelta(days=7), monday + timedelta(days=7)):
        url = f"/staff/calendar/week/{AINO}/{other.isoformat()}"
        assert f'href="{url}" data-hx-get="{url}"' in response.text


def test_week_view_default_and_picker(staff, shop):
    assert staff.get(f"/staff/calendar/week/{AINO}/").status_code == 200
    day = next_weekday(4)
    picked = staff.get(f"/staff/calendar/week/{AINO}/", query_string={"day": day.isoformat()})
    assert picked.status_code == 303
    assert picked.headers["Location"].endswith(f"/staff/calendar/week/{AINO}/{day.isoformat()}")
    bad = staff.get(f"/staff/calendar/week/{AINO}/?day=31.2.2026", headers=HTMX)
    assert bad.status_code == 422 and 'value="31.2.2026"' in bad.text


def test_week_of_unknown_staff_member_is_not_found(staff, shop):
    assert staff.get(f"/staff/calendar/week/99/{next_weekday(0).isoformat()}").status_code == 404


# A booking's page


def test_booking_page_shows_details_history_and_actions(staff, shop):
    booking = add_booking(next_weekday(1), 10, message="Selkä on jumissa.",
                          internal_note="Prefers a firm touch")
    response = staff.get(f"/staff/calendar/booking/{booking.id}")
    assert response.status_code == 200
    assert_page(response)
    page = response.text
    assert f'href="/staff/customers/{MATTI}"' in page and "Matti Meikäläinen" in page
    assert "050 123 4567" in page and "matti@asiakas.example" in page
    assert "Classic massage 60 min" in page and "Aino Esimerkki" in page
    assert "10.00" in page and "11.00" in page and booking.display_reference in page
    assert "Selkä on jumissa." in page and "Prefers a firm touch" in page
    assert "Confirmed" in page and "History" in page
    for action in ("status", "note", "cancel"):
        assert f'action="/staff/calendar/booking/{booking.id}/{action}"' in page
    assert f'href="/staff/calendar/booking/{booking.id}/move"' in page
    assert f'name="version" value="{booking.version}"' in page
    assert entries() == []  # opening the page changes nothing


def test_booking_page_as_htmx_is_its_fragment(staff, shop):
    booking = add_booking(next_weekday(1), 10)
    response = staff.get(f"/staff/calendar/booking/{booking.id}", headers=HTMX)
    assert_fragment(response, '<div id="booking-detail"')


def test_unknown_booking_is_not_found(staff, shop):
    assert staff.get("/staff/calendar/booking/999").status_code == 404
    assert post(staff, "/staff/calendar/booking/999/note", {"version": "1"}).status_code == 404


# Status, note, cancel


@pytest.mark.parametrize("htmx", [False, True])
def test_marking_arrived_saves_raises_version_and_is_audited(staff, shop, htmx):
    booking = add_booking(today(), 0, 15)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/status",
                    {"version": "1", "status": ARRIVED}, htmx=htmx)
    location = f"/staff/calendar/booking/{booking.id}"
    if htmx:
        assert response.status_code == 200 and response.headers["HX-Redirect"] == location
    else:
        assert response.status_code == 303 and response.headers["Location"] == location
    changed = fresh(booking)
    assert (changed.status, changed.version) == (ARRIVED, 2)
    [entry] = entries("booking.status")
    assert entry.booking_id == booking.id and entry.customer_id == MATTI
    assert entry.details == "status: confirmed → arrived"
    assert entry.user.email == "aino@hieronta.example" and entry.ip == "127.0.0.1"
    page = staff.get(location).text
    assert "Saved." in page and "Status changed" in page


def test_arrival_cannot_be_marked_before_the_appointments_day(staff, shop):
    booking = add_booking(next_weekday(1), 10)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/status",
                    {"version": "1", "status": "completed"}, htmx=True)
    assert response.status_code == 422
    assert_fragment(response, '<div id="booking-detail"')
    assert "from the day of the appointment on" in response.text
    assert fresh(booking).status == CONFIRMED and entries() == []


def test_unknown_status_is_refused(staff, shop):
    booking = add_booking(today(), 0, 15)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/status",
                    {"version": "1", "status": "cancelled"})
    assert response.status_code == 422 and "Choose one of the statuses offered" in response.text
    assert fresh(booking).status == CONFIRMED


@pytest.mark.parametrize("htmx", [False, True])
def test_internal_note_is_saved_and_audited_without_its_text(staff, shop, htmx):
    booking = add_booking(next_weekday(1), 10)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/note",
                    {"version": "1", "note": "  Allergic to almond oil  "}, htmx=htmx)
    assert response.status_code in (200, 303)
    assert fresh(booking).internal_note == "Allergic to almond oil"
    [entry] = entries("booking.note")
    assert entry.details == "internal_note" and "almond" not in entry.details


@pytest.mark.parametrize("htmx", [False, True])
def test_too_long_note_is_told_at_the_field_and_kept(staff, shop, htmx):
    booking = add_booking(next_weekday(1), 10)
    note = "x" * 2001
    response = post(staff, f"/staff/calendar/booking/{booking.id}/note",
                    {"version": "1", "note": note}, htmx=htmx)
    assert response.status_code == 422
    assert 'id="note-error"' in response.text and "At most 2000 characters" in response.text
    assert note in response.text
    assert fresh(booking).internal_note == "" and entries() == []


@pytest.mark.parametrize("htmx", [False, True])
def test_cancelling_needs_a_reason(staff, shop, htmx):
    booking = add_booking(next_weekday(1), 10)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/cancel",
                    {"version": "1", "reason": " ", "shared": "y"}, htmx=htmx)
    assert response.status_code == 422
    assert 'id="reason-error"' in response.text and "Write why" in response.text
    assert "<details class=\"cancel-booking\" open" in response.text
    assert 'name="shared" value="y" checked' in response.text
    assert fresh(booking).status == CONFIRMED


def test_cancelling_frees_the_time_and_is_audited(staff, shop):
    day = next_weekday(1)
    booking = add_booking(day, 10)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/cancel",
                    {"version": "1", "reason": "Customer is ill", "shared": "y"})
    assert response.status_code == 303
    cancelled = fresh(booking)
    assert cancelled.status == CANCELLED and cancelled.cancel_reason == "Customer is ill"
    assert cancelled.cancel_reason_shared and cancelled.version == 2
    [entry] = entries("booking.cancel")
    assert "ill" not in entry.details and "reason shared" in entry.details
    with models.db.connection_context():
        times = staff_free_times(Service.get_by_id(CLASSIC_60), StaffMember.active_one(AINO), day,
                                 datetime.now(UTC))
    assert at(day, 10) in [slot.start for slot in times]
    page = staff.get(f"/staff/calendar/booking/{booking.id}").text
    assert "Customer is ill" in page and "Told to the customer." in page
    assert f"/booking/{booking.id}/cancel" not in page  # nothing more to cancel


def test_reason_not_shared_is_stored_so(staff, shop):
    booking = add_booking(next_weekday(1), 10)
    post(staff, f"/staff/calendar/booking/{booking.id}/cancel",
         {"version": "1", "reason": "Double booking by phone"})
    assert fresh(booking).cancel_reason_shared is False
    assert "reason not shared" in entries("booking.cancel")[0].details


def test_cancelled_booking_cannot_be_cancelled_or_moved_again(staff, shop):
    booking = add_booking(next_weekday(1), 10, status=CANCELLED)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/cancel",
                    {"version": "1", "reason": "again"})
    assert response.status_code == 422
    assert "Only a confirmed booking can be cancelled" in response.text
    day = next_weekday(1)
    moved = post(staff, f"/staff/calendar/booking/{booking.id}/move", {
        "version": "1", "staff": str(AINO), "day": day.isoformat(),
        "start": start_param(at(day, 14))})
    assert moved.status_code == 422 and "Only a confirmed booking can be moved" in moved.text


# Two people editing the same booking


def test_second_of_two_simultaneous_saves_is_told_the_booking_changed(staff, owner, shop):
    booking = add_booking(next_weekday(1), 10)
    url = f"/staff/calendar/booking/{booking.id}"
    for client in (staff, owner):  # both open the booking: version 1
        assert 'name="version" value="1"' in client.get(url).text
    first = post(staff, url + "/note", {"version": "1", "note": "Aino's note"})
    assert first.status_code == 303
    second = post(owner, url + "/note", {"version": "1", "note": "Olli's note"}, htmx=True)
    assert second.status_code == 409
    assert_fragment(second, '<div id="booking-detail"')
    assert "Someone else changed this booking" in second.text
    assert "Aino&#39;s note" in second.text  # the current state
    assert "Olli&#39;s note" in second.text  # and what Olli typed, kept
    assert 'name="version" value="2"' in second.text  # saving again is a knowing choice
    assert fresh(booking).internal_note == "Aino's note"
    assert len(entries("booking.note")) == 1


def test_cancel_based_on_an_old_version_overwrites_nothing(staff, owner, shop):
    booking = add_booking(today(), 0, 15)
    url = f"/staff/calendar/booking/{booking.id}"
    assert post(staff, url + "/status", {"version": "1", "status": ARRIVED}).status_code == 303
    response = post(owner, url + "/cancel", {"version": "1", "reason": "Phoned in"})
    assert response.status_code == 409 and "Someone else changed" in response.text
    assert "Arrived" in response.text and "was not saved: Phoned in" in response.text
    assert fresh(booking).status == ARRIVED and entries("booking.cancel") == []


def test_tampered_version_is_a_conflict_not_an_error(staff, shop):
    booking = add_booking(next_weekday(1), 10)
    for version in ("", "abc", "99"):
        response = post(staff, f"/staff/calendar/booking/{booking.id}/note",
                        {"version": version, "note": "x"})
        assert response.status_code == 409
    assert fresh(booking).version == 1


# Moving a booking


@pytest.mark.parametrize("htmx", [False, True])
def test_move_page_lists_the_free_times_of_the_chosen_person_and_day(staff, shop, htmx):
    day = next_weekday(1)
    booking = add_booking(day, 10)
    add_booking(day, 14, staff=EERO, customer=MAIJA)
    headers = HTMX if htmx else {}
    own = staff.get(f"/staff/calendar/booking/{booking.id}/move", headers=headers)
    assert own.status_code == 200
    if htmx:
        assert_fragment(own, '<div id="move-booking"')
    assert f'value="{start_param(at(day, 10, 15))}"' in own.text  # its own time is no obstacle
    eero = staff.get(f"/staff/calendar/booking/{booking.id}/move",
                     query_string={"staff": EERO, "day": day.isoformat(), "version": 1})
    assert f'value="{start_param(at(day, 14))}"' not in eero.text
    assert f'value="{start_param(at(day, 15, 15))}"' in eero.text


@pytest.mark.parametrize("htmx", [False, True])
def test_moving_to_a_free_time_saves_and_is_audited(staff, shop, htmx):
    day = next_weekday(1)
    booking = add_booking(day, 10)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/move", {
        "version": "1", "staff": str(EERO), "day": (day + timedelta(days=1)).isoformat(),
        "start": start_param(at(day + timedelta(days=1), 15))}, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    moved = fresh(booking)
    assert moved.start == at(day + timedelta(days=1), 15) and moved.staff_id == EERO
    assert moved.end == at(day + timedelta(days=1), 16) and moved.version == 2
    [entry] = entries("booking.move")
    assert entry.details == (f"starts_at: {start_param(at(day, 10))} → "
                             f"{start_param(at(day + timedelta(days=1), 15))}; "
                             f"staff: {AINO} → {EERO}")


def test_moving_a_quarter_later_overlapping_its_old_self_is_allowed(staff, shop):
    day = next_weekday(1)
    booking = add_booking(day, 10)
    response = post(staff, f"/staff/calendar/booking/{booking.id}/move", {
        "version": "1", "staff": str(AINO), "day": day.isoformat(),
        "start": start_param(at(day, 10, 15))})
    assert response.status_code == 303 and fresh(booking).start == at(day, 10, 15)


@pytest.mark.parametrize("htmx", [False, True])
def test_moving_to_a_time_taken_meanwhile_is_told(staff, shop, htmx):
    day = next_weekday(1)
    booking = add_booking(day, 10)
    add_booking(day, 14, customer=MAIJA)  # booked while the move page was open
    response = post(staff, f"/staff/calendar/booking/{booking.id}/move", {
        "version": "1", "staff": str(AINO), "day": day.isoformat(),
        "start": start_param(at(day, 14))}, htmx=htmx)
    assert response.status_code == 409
    assert "This time is not free any more" in response.text
    assert f'value="{start_param(at(day, 15, 15))}"' in response.text  # times still free
    assert fresh(booking).start == at(day, 10) and entries() == []


@pytest.mark.parametrize("data, message", [
    ({}, "Choose a new time from the list"),
    ({"start": "tomorrow"}, "Choose a new time from the list"),
    ({"staff": str(EERO)}, "This person does not do the chosen service"),
    ({"staff": "x"}, "Choose one of the people listed"),
    ({"day": "2026-13-01"}, "Choose a day from the calendar"),
])
def test_bad_move_is_told_at_the_field(staff, shop, data, message):
    day = next_weekday(1)
    booking = add_booking(day, 10, service=HOME_VISIT)  # Aino only
    response = post(staff, f"/staff/calendar/booking/{booking.id}/move", {
        "version": "1", "staff": str(AINO), "day": day.isoformat(), **data})
    assert response.status_code == 422 and message in response.text
    assert fresh(booking).version == 1


def test_move_page_with_bad_choice_is_422(staff, shop):
    booking = add_booking(next_weekday(1), 10)
    response = staff.get(f"/staff/calendar/booking/{booking.id}/move?day=soon", headers=HTMX)
    assert response.status_code == 422 and 'value="soon"' in response.text


def test_moving_an_old_version_is_a_conflict(staff, owner, shop):
    day = next_weekday(1)
    booking = add_booking(day, 10)
    post(staff, f"/staff/calendar/booking/{booking.id}/note", {"version": "1", "note": "n"})
    response = post(owner, f"/staff/calendar/booking/{booking.id}/move", {
        "version": "1", "staff": str(AINO), "day": day.isoformat(),
        "start": start_param(at(day, 14))})
    assert response.status_code == 409 and "Someone else changed" in response.text
    assert fresh(booking).start == at(day, 10)


# A new booking made by staff


def new_booking(day, **changes):
    return {"service": str(CLASSIC_60), "staff": str(AINO), "day": day.isoformat(),
            "start": start_param(at(day, 10)), **changes}


@pytest.mark.parametrize("htmx", [False, True])
def test_new_booking_page_shows_the_free_times_of_the_choice(staff, shop, htmx):
    day = next_weekday(0)
    add_booking(day, 14)
    response = staff.get("/staff/calendar/new", headers=HTMX if htmx else {}, query_string={
        "service": CLASSIC_60, "staff": AINO, "day": day.isoformat()})
    assert response.status_code == 200
    if htmx:
        assert_fragment(response, '<div id="new-booking"')
    times = re.findall(r'name="start" value="([^"]+)"', response.text)
    assert times[0] == start_param(at(day, 9)) and times[-1] == start_param(at(day, 16))
    assert start_param(at(day, 14)) not in times  # booked
    assert start_param(at(day, 12, 45)) in times  # ends with its buffer at 14.00
    assert start_param(at(day, 13)) not in times  # its buffer would run into 14.00
    assert start_param(at(day, 15, 15)) in times  # after 14.00–15.00 and its buffer


def test_new_booking_page_starts_on_today(staff, shop):
    page = staff.get("/staff/calendar/new").text
    assert f'id="new-day" name="day" value="{today().isoformat()}"' in page
    assert 'name="csrf_token"' in page and 'id="customer-q"' in page


def test_staff_book_without_the_minimum_notice(shop):
    day = next_weekday(1)
    now = at(day, 9)
    with models.db.connection_context():
        service, aino = Service.get_by_id(CLASSIC_60), StaffMember.active_one(AINO)
        online = day_free_times(service, aino, day, now)
        counter = staff_free_times(service, aino, day, now)
    assert online[0].start == at(day, 11)  # two hours' notice online
    assert counter[0].start == at(day, 9)  # the walk-in can start now


@pytest.mark.parametrize("htmx", [False, True])
def test_booking_for_a_customer_in_the_register(staff, shop, htmx):
    day = next_weekday(1)
    response = post(staff, "/staff/calendar/new", new_booking(
        day, customer=str(MAIJA), note="Phoned at 9"), htmx=htmx)
    with models.db.connection_context():
        booking = Booking.select().order_by(Booking.id.desc()).first()
    location = f"/staff/calendar/booking/{booking.id}"
    if htmx:
        assert response.headers["HX-Redirect"] == location
    else:
        assert response.status_code == 303 and response.headers["Location"] == location
    assert booking.customer_id == MAIJA and booking.staff_id == AINO
    assert booking.start == at(day, 10) and booking.end == at(day, 11)
    assert booking.source == "staff" and booking.internal_note == "Phoned at 9"
    assert not booking.overbooked and booking.language == "sv"  # Maija's language
    [entry] = entries("booking.create")
    assert (entry.booking_id, entry.customer_id) == (booking.id, MAIJA)
    assert "Booked." in staff.get(location).text


def test_booking_for_a_new_customer_added_inline(staff, shop):
    day = next_weekday(1)
    response = post(staff, "/staff/calendar/new", new_booking(
        day, name="Ville Vieras", email="", phone="040 555 1234"))
    assert response.status_code == 303
    with models.db.connection_context():
        customer = Customer.get(Customer.name == "Ville Vieras")
        assert customer.phone == "+358405551234" and customer.email is None
        assert customer.bookings.count() == 1
    created = entries("customer.create")
    assert [entry.customer_id for entry in created] == [customer.id]
    assert created[0].details == "name, phone"  # which fields, never their values
    assert len(entries("booking.create")) == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_new_customer_needs_a_name_and_a_way_to_reach_them(staff, shop, htmx):
    day = next_weekday(1)
    response = post(staff, "/staff/calendar/new", new_booking(
        day, name="", email="", phone="", note="Keep this"), htmx=htmx)
    assert response.status_code == 422
    if htmx:
        assert_fragment(response, '<div id="new-booking"')
    assert 'id="name-error"' in response.text and 'id="email-error"' in response.text
    assert "Keep this" in response.text
    assert f'value="{start_param(at(day, 10))}" checked' in response.text


@pytest.mark.parametrize("field, value, message", [
    ("email", "ville@", "This is not an e-mail address"),
    ("phone", "12", "This is not a phone number"),
    ("name", "x" * 101, "At most 100 characters"),
])
def test_new_customers_details_are_checked_like_the_public_forms(staff, shop, field, value,
                                                                 message):
    data = new_booking(next_weekday(1), name="Ville Vieras", email="ville@example.com")
    response = post(staff, "/staff/calendar/new", {**data, field: value})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert f'value="{value}"' in response.text
    with models.db.connection_context():
        assert Booking.select().count() == 3  # the demo bookings only


def test_new_customer_with_an_e_mail_in_the_register_is_offered_that_customer(staff, shop):
    day = next_weekday(1)
    response = post(staff, "/staff/calendar/new", new_booking(
        day, name="Matti M", email="MATTI@asiakas.example"))
    assert response.status_code == 422
    assert "already in the register" in response.text
    assert f"customer={MATTI}" in response.text
    with models.db.connection_context():
        assert Customer.select().count() == 2


@pytest.mark.parametrize("changes, field, message", [
    ({"service": ""}, "new-service", "Choose one of the services listed"),
    ({"service": "99"}, "new-service", "Choose one of the services listed"),
    ({"staff": "abc"}, "new-staff", "Choose one of the people listed"),
    ({"service": str(HOME_VISIT), "staff": str(EERO)}, "new-staff",
     "This person does not do the chosen service"),
    ({"day": "30.2."}, "new-day", "Choose a day from the calendar"),
    ({"start": ""}, "start", "Choose a time from the list"),
    ({"start": "2020-01-01T08:00Z"}, "start", "This time is on another day"),
    ({"start": "", "other_time": "25.99"}, "other_time", "Write the time as hours"),
    ({"customer": "999"}, "customer", "not in the register any more"),
])
def test_bad_new_booking_is_told_at_the_field(staff, shop, changes, field, message):
    data = {**new_booking(next_weekday(1), customer=str(MATTI)), **changes}
    response = post(staff, "/staff/calendar/new", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    with models.db.connection_context():
        assert Booking.select().count() == 3


def test_bad_choice_on_the_new_booking_page_is_422(staff, shop):
    response = staff.get("/staff/calendar/new?service=abc&day=2026-99-01", headers=HTMX)
    assert response.status_code == 422
    assert 'id="new-service-error"' in response.text and 'value="2026-99-01"' in response.text


def test_another_time_that_is_free_is_booked(staff, shop):
    day = next_weekday(1)
    response = post(staff, "/staff/calendar/new", new_booking(
        day, start="", other_time="14.10", customer=str(MATTI)))
    assert response.status_code == 303
    with models.db.connection_context():
        booking = Booking.select().order_by(Booking.id.desc()).first()
    assert booking.start == at(day, 14, 10) and not booking.overbooked


# Overbooking


@pytest.mark.parametrize("htmx", [False, True])
def test_time_taken_meanwhile_is_booked_only_after_book_anyway(staff, shop, htmx):
    day = next_weekday(1)
    add_booking(day, 10, customer=MAIJA)  # taken while the form was open
    data = new_booking(day, customer=str(MATTI))
    first = post(staff, "/staff/calendar/new", data, htmx=htmx)
    assert first.status_code == 409
    assert "it overlaps another booking" in first.text
    assert "10.00–11.00 Maija Meikäläinen" in first.text
    key = re.search(r'name="overbook" value="([^"]+)"', first.text).group(1)
    assert key == f"{AINO}@{start_param(at(day, 10))}"
    assert f'name="start" value="{start_param(at(day, 10))}" checked' in first.text
    with models.db.connection_context():
        assert Booking.select().count() == 4
    second = post(staff, "/staff/calendar/new", {**data, "overbook": key}, htmx=htmx)
    assert second.status_code == (200 if htmx else 303)
    with models.db.connection_context():
        booking = Booking.select().order_by(Booking.id.desc()).first()
    assert booking.overbooked and booking.start == at(day, 10)
    assert booking.customer_id == MATTI
    [entry] = entries("booking.overbook")
    assert entry.booking_id == booking.id and entries("booking.create") == []
    page = staff.get(f"/staff/calendar/{day.isoformat()}").text
    assert "overbooked" in page and 'rowspan="4"' in page


def test_book_anyway_for_another_time_does_not_overbook_this_one(staff, shop):
    day = next_weekday(1)
    add_booking(day, 10, customer=MAIJA)
    key = f"{AINO}@{start_param(at(day, 14))}"
    response = post(staff, "/staff/calendar/new", new_booking(
        day, customer=str(MATTI), overbook=key))
    assert response.status_code == 409 and entries() == []


def test_time_outside_working_hours_needs_book_anyway_too(staff, shop):
    day = next_weekday(1)
    data = new_booking(day, start="", other_time="19.00", customer=str(MATTI))
    first = post(staff, "/staff/calendar/new", data)
    assert first.status_code == 409 and "outside the working hours" in first.text
    key = re.search(r'name="overbook" value="([^"]+)"', first.text).group(1)
    assert 'value="19.00"' in first.text
    assert post(staff, "/staff/calendar/new", {**data, "overbook": key}).status_code == 303
    assert len(entries("booking.overbook")) == 1


def test_staff_booking_the_same_time_at_once_get_it_exactly_once(shop):
    day = next_weekday(3)
    start = at(day, 15)
    barrier = threading.Barrier(8)
    outcomes = []

    def counter_clerk(customer):
        with models.db.connection_context():
            request = StaffBookingRequest(
                service=Service.get_by_id(CLASSIC_60), staff=StaffMember.active_one(EERO),
                start=start, customer=Customer.get_by_id(customer))
            barrier.wait()
            try:
                create_booking(request, datetime.now(UTC), log=lambda *a, **k: None)
                outcomes.append("booked")
            except SlotTaken:
                outcomes.append("taken")

    clerks = [threading.Thread(target=counter_clerk, args=(MATTI if n % 2 else MAIJA,))
              for n in range(8)]
    for clerk in clerks:
        clerk.start()
    for clerk in clerks:
        clerk.join()
    assert sorted(outcomes) == ["booked"] + ["taken"] * 7
    with models.db.connection_context():
        assert Booking.select().where(Booking.staff == EERO).count() == 1


def test_database_refuses_an_overlap_unless_flagged_overbooked(shop):
    day = next_weekday(1)
    add_booking(day, 10)
    with pytest.raises(IntegrityError):
        add_booking(day, 10, 30, customer=MAIJA)
    assert add_booking(day, 10, 30, customer=MAIJA, overbooked=True).overbooked


def test_an_overbooked_booking_still_keeps_its_time_from_others(shop):
    day = next_weekday(1)
    add_booking(day, 14)  # with its buffer until 15.15
    add_booking(day, 14, 30, overbooked=True)  # with its buffer until 15.45
    with models.db.connection_context():
        starts = [slot.start for slot in staff_free_times(
            Service.get_by_id(CLASSIC_30), StaffMember.active_one(AINO), day, at(day, 8))]
    assert at(day, 15, 15) not in starts and at(day, 15, 30) not in starts
    assert at(day, 15, 45) in starts


# The customer search


@pytest.mark.parametrize("typed", ["meikä", "MATTI", "asiakas.example", "050 123", "+35850"])
def test_customer_search_finds_by_name_e_mail_and_phone(staff, shop, typed):
    response = staff.get("/staff/calendar/customer-search", query_string={"q": typed},
                         headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, '<div id="customer-results"')
    assert "Matti Meikäläinen" in response.text


def test_customer_search_without_javascript_is_the_whole_page(staff, shop):
    day = next_weekday(1)
    response = staff.get("/staff/calendar/new", query_string={
        "q": "maija", "service": CLASSIC_60, "day": day.isoformat()})
    assert_page(response)
    assert 'id="customer-results"' in response.text and "Maija Meikäläinen" in response.text
    assert "Matti Meikäläinen" not in response.text
    link = re.search(r'href="(/staff/calendar/new\?[^"]*customer=2[^"]*)"', response.text)
    assert link and "service=2" in link.group(1) and day.isoformat() in link.group(1)
    chosen = staff.get(link.group(1).replace("&amp;", "&"))
    assert 'class="chosen-customer"' in chosen.text and 'name="customer" value="2"' in chosen.text
    plain = staff.get("/staff/calendar/customer-search?q=maija")
    assert_page(plain)


def test_customer_search_that_finds_nobody_says_so(staff, shop):
    response = staff.get("/staff/calendar/customer-search?q=nobody%25_", headers=HTMX)
    assert "No customer in the register matches" in response.text
    assert "Meikäläinen" not in response.text


def test_too_long_search_is_422(staff, shop):
    response = staff.get("/staff/calendar/customer-search", query_string={"q": "x" * 101},
                         headers=HTMX)
    assert response.status_code == 422 and 'id="customer-q-error"' in response.text


# The printed day list


def test_printed_day_list_has_time_staff_service_customer_and_phone(staff, shop):
    day = next_weekday(1)
    add_booking(day, 14, staff=EERO, customer=MAIJA)
    add_booking(day, 10, staff=AINO, customer=MATTI)
    add_booking(day, 12, 30, staff=AINO, customer=MAIJA, status=CANCELLED)
    response = staff.get(f"/staff/calendar/{day.isoformat()}/print")
    assert response.status_code == 200
    rows = response.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2  # the cancelled one is left out
    assert "10.00–11.00" in rows[0] and "Aino Esimerkki" in rows[0]
    assert "Matti Meikäläinen" in rows[0] and "050 123 4567" in rows[0]
    assert "Classic massage 60 min" in rows[0]
    assert "14.00–15.00" in rows[1] and "Eero Esimerkki" in rows[1]
    assert "044 123 4567" in rows[1]
    day_view = staff.get(f"/staff/calendar/{day.isoformat()}").text
    assert f'href="/staff/calendar/{day.isoformat()}/print"' in day_view


# The layout of the grid, on its own


class Appointment:
    def __init__(self, day, start, end):
        self.start, self.end = at(day, *start), at(day, *end)


def test_grid_spans_rows_groups_overlaps_and_marks_working_time():
    day = date(2026, 11, 24)
    column = Column(
        staff=None, day=day,
        bookings=[Appointment(day, (10, 0), (11, 0)), Appointment(day, (10, 30), (11, 30)),
                  Appointment(day, (14, 10), (14, 40))],
        working=[(9 * 60, 17 * 60)], away=[(12 * 60, 12 * 60 + 30)],
    )
    grid = build_grid([column])
    assert [row.label for row in grid.rows][:2] == ["9.00", "9.15"]
    assert grid.rows[-1].label == "16.45"
    by_label = {row.label: row.cells[0] for row in grid.rows}
    assert by_label["10.00"].rowspan == 6 and len(by_label["10.00"].bookings) == 2
    assert by_label["10.15"] is None and by_label["11.15"] is None
    assert by_label["11.30"].working and not by_label["12.15"].working
    assert by_label["14.00"].rowspan == 3  # 14.10–14.40 touches three quarters
    assert not by_label["9.00"].bookings


def test_grid_of_a_quiet_day_shows_the_usual_hours():
    grid = build_grid([Column(staff=None, day=date(2026, 11, 29))])
    assert grid.rows[0].label == "8.00" and grid.rows[-1].label == "16.45"
    assert grid.empty and not grid.rows[0].cells[0].working


def test_grid_draws_bookings_to_scale_marks_now_and_offers_only_coming_working_time():
    day = date(2026, 11, 24)
    column = Column(
        staff=None, day=day, today=True, bookable_from=10 * 60 + 5,
        bookings=[Appointment(day, (9, 0), (9, 25)), Appointment(day, (11, 0), (12, 0)),
                  Appointment(day, (11, 30), (11, 45))],
        working=[(9 * 60, 17 * 60)], away=[(12 * 60, 12 * 60 + 30)],
    )
    grid = build_grid([column], now_minute=10 * 60 + 7)
    by_label = {row.label: row for row in grid.rows}
    short = by_label["9.00"].cells[0].placed[0]
    # 25 minutes in a half-hour cell: the block ends 5 minutes (one step) above its bottom.
    assert (short.top, short.bottom, short.lanes) == (0, 1, 1)
    hour, overlap = by_label["11.00"].cells[0].placed
    assert (hour.top, hour.bottom, hour.lane, hour.lanes) == (0, 0, 0, 2)
    assert (overlap.top, overlap.bottom, overlap.lane) == (6, 3, 1)
    assert by_label["10.00"].now == 7 and by_label["10.15"].now is None
    assert not by_label["10.00"].cells[0].bookable  # begun already
    assert by_label["10.15"].cells[0].bookable
    assert not by_label["12.15"].cells[0].bookable  # a break
