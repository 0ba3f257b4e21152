"""The public booking flow through the Flask test client, plain and as HTMX."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar
from support import CLASSIC_60, HOME_VISIT, HTMX, form_fields, next_weekday, translated

import models
import worker
from engines.clock import HELSINKI
from models.booking.bookings import Booking
from models.business import Business
from models.people.customers import Customer


@pytest.fixture
def client(app):
    """A customer who reads the site in English; the Finnish default is tested
    on its own below."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def start_param(day, hour, minute=0):
    start = datetime.combine(day, time(hour, minute), HELSINKI)
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def details_form(client, service=CLASSIC_60, start=None, staff="any"):
    """Open the details form of a time; return the fields it hands out."""
    start = start or start_param(next_weekday(1), 10)
    response = client.get(f"/book/{service}/details", query_string={
        "staff": staff, "start": start})
    assert response.status_code == 200, response.text
    return form_fields(response.text)


def customer(**changes):
    values = {"name": "Liisa Laine", "email": "liisa@example.com",
              "phone": "040 765 4321"}
    return {**values, **changes}


def submit(client, fields, headers=None, service=CLASSIC_60, **changes):
    return client.post(f"/book/{service}/details", data={**fields, **customer(**changes)},
                       headers=headers or {})


def bookings():
    with models.db.connection_context():
        return list(Booking.select())


def test_home_page_shows_business_services_hours_and_contact(app, shop):
    page = app.test_client().get("/").text  # in Finnish
    assert "Hyvän Olon Hieronta (demo)" in page
    assert "Klassinen hieronta 60 min" in page
    assert "65,00\xa0€" in page
    assert "9.00–18.00" in page  # Aino from 9, Eero until 18
    assert "Esimerkkikatu 1 A" in page and "tel:+358401234567" in page
    assert 'href="/book"' in page


def test_service_list_shows_duration_price_and_vat(client, shop):
    page = client.get("/book").text
    assert "60 min" in page and "39,00\xa0€" in page and "25,5 %" in page


def test_times_page_lists_free_times_of_the_day(client, shop):
    day = next_weekday(0)  # a Monday: Aino works 9–17, lunch 12–12.30
    page = client.get(f"/book/{CLASSIC_60}", query_string={"day": day.isoformat()}).text
    times = re.findall(r'class="time"[^>]*>(\d+\.\d\d)<', page)
    assert times[0] == "9.00" and times[-1] == "16.00"
    assert "11.30" not in times and "12.00" not in times  # would run into lunch
    assert "12.30" in times


def test_times_fragment_for_htmx_and_whole_page_without(client, shop):
    url = f"/book/{CLASSIC_60}?day={next_weekday(1).isoformat()}"
    fragment = client.get(url, headers=HTMX)
    page = client.get(url)
    assert fragment.text.lstrip().startswith('<div id="booking-times">')
    assert 'id="times-status"' in fragment.text and 'data-hx-swap-oob="true"' in fragment.text
    assert "<html" not in fragment.text
    assert "<html" in page.text and 'id="free-times"' in page.text
    for response in (fragment, page):
        assert "HX-Request" in response.headers["Vary"]


def test_closed_day_says_so_and_points_to_next_day_with_times(client, shop):
    sunday = next_weekday(6)
    page = client.get(f"/book/{CLASSIC_60}", query_string={"day": sunday.isoformat()}).text
    monday = sunday + timedelta(days=1)
    assert 'class="time"' not in page.split('id="free-times"')[1].split("day-nav")[0]
    assert f"day={monday.isoformat()}" in page.split("day-nav")[1]


def test_public_holiday_is_closed_unless_the_owner_opens_it(client, shop):
    from engines.free_times import finnish_holidays
    from models.business.settings import set_holiday_open

    today = datetime.now(HELSINKI).date()
    weekday_holidays = sorted(
        day for day in finnish_holidays([today.year, today.year + 1])
        if today + timedelta(days=3) < day < today + timedelta(days=55)
        and day.weekday() < 5
    )
    if not weekday_holidays:
        pytest.skip("no weekday public holiday within the booking horizon today")
    holiday = weekday_holidays[0]
    url = f"/book/{CLASSIC_60}?day={holiday.isoformat()}"
    assert 'class="time"' not in client.get(url, headers=HTMX).text.split("day-nav")[0]
    with models.db.connection_context():
        set_holiday_open(holiday, True)
    assert 'class="time"' in client.get(url, headers=HTMX).text


def test_whole_booking_ends_on_confirmation_page(app, shop):
    client = app.test_client()  # in Finnish
    day = next_weekday(1)
    fields = details_form(client, start=start_param(day, 14, 30))
    response = submit(client, fields)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    weekday = {0: "ma", 1: "ti", 2: "ke", 3: "to", 4: "pe"}[day.weekday()]
    assert f"{weekday} {day.day}.{day.month}.{day.year}" in page
    assert "14.30" in page
    assert "65,00\xa0€" in page
    booking = bookings()[-1]
    assert booking.display_reference in page
    assert booking.customer.phone == "+358407654321"  # stored as E.164
    assert booking.start.hour == 14 and booking.start.minute == 30


def test_confirmation_offers_calendar_file_in_helsinki_time(client, shop):
    day = next_weekday(2)
    response = submit(client, details_form(client, start=start_param(day, 10)))
    location = response.headers["Location"].removesuffix("?done=booked")
    ics = client.get(location + "/calendar.ics")
    assert ics.headers["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Helsinki"
    assert (start.date(), start.hour) == (day, 10)
    assert event.decoded("DTEND") - start == timedelta(minutes=60)


def test_booking_as_htmx_redirects_the_browser_to_confirmation(client, shop):
    response = submit(client, details_form(client), headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/booking/")
    assert len(bookings()) == 4  # three demo bookings and this one


def test_resubmitted_form_makes_one_booking(client, shop):
    fields = details_form(client)
    first = submit(client, fields)
    second = submit(client, fields)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(bookings()) == 4


def test_second_customer_gets_taken_message_with_free_times(client, shop):
    start = start_param(next_weekday(3), 9)
    first = details_form(client, start=start, staff="1")
    second = details_form(client, start=start, staff="1")
    assert submit(client, first).status_code == 303
    response = submit(client, second, name="Toinen Asiakas", email="toinen@example.com")
    assert response.status_code == 409
    assert "someone else booked this time" in response.text
    assert 'name="start" value=' in response.text and start not in response.text
    assert 'value="Toinen Asiakas"' in response.text  # what they typed is kept


def test_taken_message_as_htmx_is_the_form_fragment(client, shop):
    start = start_param(next_weekday(3), 9)
    first, second = details_form(client, start=start, staff="1"), details_form(
        client, start=start, staff="1")
    submit(client, first)
    response = submit(client, second, headers=HTMX, email="toinen@example.com")
    assert response.status_code == 409
    assert response.text.lstrip().startswith('<div id="booking-form">')


def test_anyone_free_books_the_other_staff_member(client, shop):
    start = start_param(next_weekday(2), 10)  # both Aino and Eero work then
    assert submit(client, details_form(client, start=start)).status_code == 303
    second = submit(client, details_form(client, start=start), email="b@example.com")
    assert second.status_code == 303
    staff = {b.staff_id for b in bookings() if b.starts_at.hour in (7, 8)
             and b.start.date() == next_weekday(2)}
    assert staff == {1, 2}


def test_home_visit_needs_an_address(client, shop):
    fields = details_form(client, service=HOME_VISIT, staff="1")
    response = submit(client, fields, service=HOME_VISIT)
    assert response.status_code == 422
    for field in ("street", "postal_code", "town"):
        assert f'id="{field}-error">The visit needs an address.' in response.text
    assert '<a href="#street">' in response.text  # the summary links to the field
    response = submit(client, fields, service=HOME_VISIT, street="Kotikuja 2",
                      postal_code="00500", town="Helsinki")
    assert response.status_code == 303
    assert "Kotikuja 2, 00500 Helsinki" in client.get(response.headers["Location"]).text


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"phone": "12"}, "phone", "This is not a phone number"),
    ({"phone": "soita minulle"}, "phone", "This is not a phone number"),
    ({"email": "liisa.example.com"}, "email", "This is not an e-mail address"),
    ({"email": "liisa@"}, "email", "This is not an e-mail address"),
    ({"name": ""}, "name", "Tell us your name."),
    ({"name": "   "}, "name", "Tell us your name."),
    ({"name": "x" * 10_000}, "name", "At most 100 characters; this has 10000."),
    ({"message": "y" * 10_000}, "message", "At most 2000 characters; this has 10000."),
])
def test_bad_input_gets_message_at_field_and_keeps_values(client, shop, changes,
                                                          field, message):
    response = submit(client, details_form(client), **changes)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}' in response.text
    assert f'id="{field}"' in response.text.split(f'id="{field}-error"')[1][:400]
    for value in customer(**changes).values():
        assert value.strip() == "" or value in response.text
    assert len(bookings()) == 3


def test_postal_code_of_four_digits_is_refused(client, shop):
    fields = details_form(client, service=HOME_VISIT, staff="1")
    response = submit(client, fields, service=HOME_VISIT, street="Kotikuja 2",
                      postal_code="0050", town="Helsinki")
    assert response.status_code == 422
    assert "A postal code has five digits" in response.text
    assert 'value="0050"' in response.text


def test_bad_input_as_htmx_returns_form_fragment(client, shop):
    response = submit(client, details_form(client), headers=HTMX, phone="12")
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="booking-form">')


def test_time_in_the_past_is_refused_with_times_to_choose(client, shop):
    past = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%MZ")
    response = client.get(f"/book/{CLASSIC_60}/details", query_string={"start": past})
    assert response.status_code == 422
    fields = form_fields(response.text)
    response = submit(client, {**fields, "start": past})
    assert response.status_code == 422
    assert "This time cannot be booked" in response.text
    assert 'type="radio" name="start"' in response.text
    assert 'value="Liisa Laine"' in response.text


def test_time_outside_working_hours_is_refused(client, shop):
    fields = details_form(client)
    response = submit(client, {**fields, "start": start_param(next_weekday(1), 22)})
    assert response.status_code == 422
    assert "This time cannot be booked" in response.text


@pytest.mark.parametrize("tampered", [
    {"start": "not a time"},
    {"start": "2026-13-45T25:99Z"},
    {"start": "2030-01-01T10:00"},  # no zone
    {"staff": "999"},
    {"staff": "'; drop table booking;--"},
    {"staff": "9" * 40},
    {"form_token": "forged"},
])
def test_tampered_hidden_field_gets_a_message_never_a_500(client, shop, tampered):
    response = submit(client, {**details_form(client), **tampered})
    assert response.status_code == 422
    assert 'value="Liisa Laine"' in response.text
    assert len(bookings()) == 3


def test_expired_form_token_hands_out_a_new_one(client, shop):
    fields = details_form(client)
    response = submit(client, {**fields, "form_token": "forged"})
    assert "The form was open for a long time" in response.text
    renewed = form_fields(response.text)
    assert renewed["form_token"] != "forged"
    assert submit(client, renewed).status_code == 303


def test_unknown_service_gets_a_clear_404_page(client, shop):
    for url in ("/book/999", "/book/999/details"):  # a booking link: test_manage_booking
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in response.text


def test_unknown_staff_or_bad_day_on_times_page_is_422(client, shop):
    response = client.get(f"/book/{CLASSIC_60}?staff=999&day=2026-02-31")
    assert response.status_code == 422
    assert "Choose one of the people listed." in response.text
    assert "Choose a day from the calendar" in response.text


def test_hidden_service_cannot_be_booked(client, shop):
    from models.business.catalogue import Service

    with models.db.connection_context():
        Service.update(active=False).where(Service.id == CLASSIC_60).execute()
    assert client.get(f"/book/{CLASSIC_60}").status_code == 404


def test_new_customer_is_added_to_register_once(client, shop):
    submit(client, details_form(client, start=start_param(next_weekday(1), 9)))
    submit(client, details_form(client, start=start_param(next_weekday(2), 9)),
           email="LIISA@example.com")
    with models.db.connection_context():
        assert Customer.select().where(Customer.name == "Liisa Laine").count() == 1


def test_public_form_does_not_overwrite_register_details(client, shop):
    submit(client, details_form(client), email="matti@asiakas.example",
           phone="050 999 9999", name="Joku Muu")
    with models.db.connection_context():
        matti = Customer.get(Customer.email == "matti@asiakas.example")
    assert (matti.name, matti.phone) == ("Matti Meikäläinen", "+358501234567")


def test_language_switch_is_remembered(client, shop):
    response = client.get("/language/sv?next=/book")
    assert response.status_code == 303 and response.headers["Location"] == "/book"
    assert "lang=sv" in response.headers["Set-Cookie"]
    assert '<html lang="sv">' in client.get("/").text


def test_language_switch_never_redirects_elsewhere(client, shop):
    for target in ("https://evil.example/", "//evil.example/"):
        response = client.get("/language/en", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_messages_are_in_finnish_by_default_and_swedish_by_choice(app, shop):
    finnish, swedish = app.test_client(), app.test_client()
    swedish.set_cookie("lang", "sv")
    for visitor, language in ((finnish, "fi"), (swedish, "sv")):
        response = submit(visitor, details_form(visitor), phone="12")
        assert response.status_code == 422
        expected = translated(language, "This is not a phone number we can call. "
                              "Check it, e.g. 040 123 4567 or +358 40 123 4567.")
        assert expected in response.text
        assert expected != "This is not a phone number we can call. " \
            "Check it, e.g. 040 123 4567 or +358 40 123 4567."
    # The examples in a Finnish message are Finnish numbers.
    assert "+46" not in translated("fi", "This is not a phone number we can call. "
                                   "Check it, e.g. 040 123 4567 or +358 40 123 4567.")


def test_taken_message_in_finnish(app, shop):
    visitor = app.test_client()
    start = start_param(next_weekday(3), 9)
    first, second = (details_form(visitor, start=start, staff="1") for _ in range(2))
    submit(visitor, first)
    response = submit(visitor, second, email="toinen@example.com")
    assert translated("fi", "Sorry, someone else booked this time a moment ago. "
                      "Choose another time below; what you typed is kept.") in response.text


def test_site_without_any_business_data_still_answers(client):
    """A fresh `init-db` without the demo: the site says it opens soon (tests/
    test_first_run.py); once the business has given its details but no services yet,
    the booking page says there is nothing to book."""
    assert client.get("/").status_code == 200
    assert client.get("/book").status_code == 503
    with models.db.connection_context():
        Business.create(name="Kampaamo Kiharat", business_id="0112038-9",
                        street="Kauppakatu 3", postal_code="40100", town="Jyväskylä",
                        phone="+358141234567", email="info@kiharat.example")
    page = client.get("/book").text
    assert "No services can be booked online right now" in page


def test_a_time_inside_the_cancellation_deadline_is_warned_of_and_never_promised(
        app, client, shop, mail_server):
    fields = details_form(client)
    assert 'id="deadline-notice"' not in client.get(
        f"/book/{CLASSIC_60}/details", query_string={"start": fields["start"]}).text
    with models.db.connection_context():
        Business.update(cancellation_hours=30 * 24).execute()  # the time is two weeks on

    form = client.get(f"/book/{CLASSIC_60}/details", query_string={"start": fields["start"]})
    notice = re.search(r'id="deadline-notice">(.*?)</p>', form.text, re.S).group(1)
    assert ("This time is so soon that, once booked, it cannot be moved or cancelled "
            "online. To change it then, contact us.") in notice
    assert 'href="tel:+358401234567"' in notice and "mailto:" in notice

    response = submit(client, form_fields(form.text))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    passed = ("The booking can no longer be moved or cancelled online: the deadline has "
              "passed. To change it, contact us.")
    # Booked after the deadline: the page never says a deadline "has passed" that came
    # before the booking, nor until when it could have been changed.
    assert ("The booking was made so close to its time that it cannot be moved or "
            "cancelled online. To change it, contact us.") in page
    assert passed not in page and 'href="tel:+358401234567"' in page
    assert "until" not in page.split('id="booking-actions"')[1]

    with app.app_context(), models.db.connection_context():
        assert worker.send_due().sent == 1
    [message] = mail_server.to("liisa@example.com")
    for part in ("plain", "html"):
        body = " ".join(message.get_body((part,)).get_content().split())
        assert passed in body and "040 123 4567" in body
        assert "cancel the booking yourself until" not in body


# The phone layout's words: day labels, time groups, the inline check, headings ---------


def test_days_beyond_the_horizon_say_not_yet_open_and_a_day_off_names_the_person(client,
                                                                                  shop):
    with models.db.connection_context():
        horizon = Business.current().horizon_days
    last_day = datetime.now(HELSINKI).date() + timedelta(days=horizon)
    page = client.get(f"/book/{CLASSIC_60}", query_string={
        "day": (last_day - timedelta(days=1)).isoformat()}).text
    strip = page.split('class="day-strip"')[1].split("</nav>")[0]
    assert strip.count("not yet open for booking") == 5
    assert "full" not in strip
    assert f'max="{last_day.isoformat()}"' in page
    saturday = next_weekday(5)  # Aino works Monday to Friday
    page = client.get(f"/book/{CLASSIC_60}", query_string={
        "staff": "1", "day": saturday.isoformat()}).text
    assert "Aino Esimerkki is not working" in page.split('class="day-strip"')[1]
    assert "Aino Esimerkki is not working on this day." in page
    sunday_label = page.split(f'id="day-link-{(saturday + timedelta(days=1)).isoformat()}"')[1]
    assert "closed" in sunday_label.split("</a>")[0]


def test_times_are_grouped_into_morning_and_afternoon(client, shop):
    page = client.get(f"/book/{CLASSIC_60}", query_string={
        "day": next_weekday(0).isoformat()}).text
    morning, afternoon = page.split(">Morning<")[1].split(">Afternoon<")
    assert ">9.00<" in morning and ">12.30<" not in morning
    assert ">12.30<" in afternoon and ">9.00<" not in afternoon
    assert ">Evening<" not in page  # nobody works after 17 on a Monday


def test_inline_check_of_a_field_left_answers_with_its_block_only(client, shop):
    fields = details_form(client)
    before = len(bookings())
    response = client.post(f"/book/{CLASSIC_60}/details", headers=HTMX, data={
        **fields, "name": "", "email": "maija@", "phone": "", "check": "email"})
    assert response.status_code == 422
    assert 'id="booking-email-block" data-hx-swap-oob="true"' in response.text
    assert "This is not an e-mail address." in response.text
    assert "Tell us your name." not in response.text  # a field not yet left
    assert "<html" not in response.text and len(bookings()) == before
    plain = client.post(f"/book/{CLASSIC_60}/details", data={
        **fields, "name": "", "email": "maija@", "phone": "", "check": "email"})
    assert plain.status_code == 422 and "<html" in plain.text
    assert 'value="maija@"' in plain.text and len(bookings()) == before
    right = client.post(f"/book/{CLASSIC_60}/details", headers=HTMX, data={
        **fields, "email": "maija@example.fi", "check": "email"})
    assert right.status_code == 200 and 'id="email-error"' not in right.text
    assert len(bookings()) == before  # a check never books, even when all is right


def test_booking_link_thanks_only_right_after_booking(client, shop):
    response = submit(client, details_form(client))
    assert response.headers["Location"].endswith("?done=booked")
    first = client.get(response.headers["Location"]).text
    assert "<h1" in first and "Thank you, your booking is confirmed" in first
    assert "A confirmation is on its way to liisa@example.com." in first
    assert "Keep the e-mail: its link brings you back to this page" in first
    link = response.headers["Location"].removesuffix("?done=booked")
    later = client.get(link).text
    assert "Thank you" not in later and "Your booking is confirmed</h1>" in later
    question = client.get(f"{link}/cancel").text
    assert re.search(r"<h1[^>]*>Cancel this booking\?</h1>", question)
    assert "Thank you" not in question


def test_public_pages_have_a_meta_description(client, shop):
    for path in ("/book", f"/book/{CLASSIC_60}", "/contact"):
        page = client.get(path).text
        description = re.search(r'<meta name="description" content="([^"]+)">', page)
        assert description and "Hyvän Olon Hieronta" in description.group(1), path
    # The home page's is the start of the business's own text, and it is the only one.
    home = re.findall(r'<meta name="description" content="([^"]+)">', client.get("/").text)
    assert len(home) == 1 and "Massage and home visits in central Helsinki" in home[0]
    assert "Classic massage 60 min" in re.search(
        r'<meta name="description" content="([^"]+)">', client.get("/book").text).group(1)
