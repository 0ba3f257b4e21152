"""The back office at the counter, read in Finnish: the navigation in groups, the account
menu, no public footer; (further below) the customer page's summary, the week of working
hours, answering from the inbox and the wording of the audit log and a booking's
history."""

import re
import secrets
from datetime import UTC, datetime, time, timedelta

import pytest
from babel.dates import format_date
from support import (
    AINO,
    CLASSIC_60,
    EERO,
    ENGLISH,
    MATTI,
    next_weekday,
    post,
    send,
    translated,
)

import models
from engines.clock import HELSINKI, naive_utc
from models.booking import customer_changes
from models.booking.bookings import Booking
from models.business.catalogue import Break, Service, WorkingHours
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.people.contact_requests import (
    ANSWERED,
    NEW,
    ContactAnswer,
    ContactDetails,
    ContactRequest,
    receive,
)
from models.people.customers import Customer
from models.privacy.audit import AuditEntry
from web.formatting import LANGUAGE_COOKIE, start_param


def fi(message, **values):
    return translated("fi", message, **values)


# The navigation ------------------------------------------------------------------


def nav_groups(page):
    """The names of the navigation's groups (the <summary> of each menu)."""
    return [re.sub(r"<[^>]+>.*", "", summary).strip()
            for summary in re.findall(r'<summary[^>]*>(.*?)</summary>', page, re.S)]


def test_owner_navigation_is_grouped_with_an_account_menu(owner_client):
    page = owner_client.get("/staff/calendar/").text
    assert f'aria-current="page">{fi("Calendar")}</a>' in page
    assert fi("Customers") in page
    groups = nav_groups(page)
    assert groups[:3] == [fi("Messages"), fi("Money and reports"), fi("Settings")]
    assert "Olli Omistaja</summary>" in page
    # every page the owner reaches from the navigation is still one click inside a group
    for path in ("/staff/inbox/", "/staff/requests/", "/staff/news/", "/staff/mail/",
                 "/staff/money/", "/staff/exports/", "/staff/settings", "/staff/audit",
                 "/staff/records/", "/staff/backups/", "/staff/account/"):
        assert f'href="{path}' in page, path


def test_staff_navigation_has_no_owner_pages(staff_client):
    page = staff_client.get("/staff/customers/").text
    assert nav_groups(page)[:2] == [fi("Messages"), fi("Money and reports")]
    assert fi("Settings") not in nav_groups(page)
    assert 'href="/staff/audit' not in page and 'href="/staff/backups/' not in page


def test_the_group_of_the_open_page_is_marked(owner_client):
    page = owner_client.get("/staff/inbox/").text
    assert f'<summary class="current">{fi("Messages")}' in page
    assert f'aria-current="page">{fi("Inbox")}</a>' in page


def test_log_out_is_a_styled_button_in_a_form_of_the_account_menu(staff_client):
    page = staff_client.get("/staff/calendar/").text
    menu = page[page.index('class="nav-group account-menu"'):]
    menu = menu[:menu.index("</details>")]
    assert 'action="/staff/logout"' in menu and 'method="post"' in menu
    assert f'<button type="submit" class="button small">{fi("Log out")}</button>' in menu
    assert 'href="/staff/account/"' in menu and fi("Your account") in menu


def test_no_public_footer_inside_the_back_office(staff_client, client):
    assert 'class="site-footer"' not in staff_client.get("/staff/calendar/").text
    assert fi("My data") not in staff_client.get("/staff/customers/").text
    assert 'class="site-footer"' in client.get("/").text


# Answering from the inbox ---------------------------------------------------------


def contact_request(**changes):
    values = {"name": "Liisa Laine", "email": "liisa@example.fi", "phone": "",
              "subject": "booking", "message": "Onko perjantaina tilaa?\nTerveisin Liisa",
              "preferred_reply": "email", "language": "fi"}
    with models.db.connection_context():
        return receive(ContactDetails(**{**values, **changes}), secrets.token_hex(8))


def test_answer_written_in_the_inbox_is_sent_and_the_request_keeps_the_thread(
        staff_client, staff_account):
    request = contact_request()
    path = f"/staff/inbox/{request.id}"
    response = post(staff_client, f"{path}/send", {"answer": "Perjantaina klo 14 on tilaa."})
    assert response.status_code == 303
    page = staff_client.get(path).text
    assert fi("Answered") in page  # the status
    thread = page[page.index('id="thread"'):page.index("</section>", page.index('id="thread"'))]
    assert "Onko perjantaina tilaa?" in thread
    assert fi("%(name)s asked, %(when)s", name="Liisa Laine", when="").rstrip() in thread
    assert "Perjantaina klo 14 on tilaa." in thread
    assert "Aino Esimerkki" in thread  # who answered
    with models.db.connection_context():
        stored = ContactRequest.get_by_id(request.id)
        assert stored.status == ANSWERED and stored.answered_by_id == staff_account.id
        [message] = OutboxMessage.select().where(OutboxMessage.kind == outbox.CONTACT_ANSWER)
        assert message.contact_request_id == request.id
        assert AuditEntry.select().where(AuditEntry.action == "contact.send_answer").count() == 1


def test_an_empty_answer_is_refused_at_the_field_as_htmx_and_plain(staff_client):
    request = contact_request()
    for htmx in (False, True):
        response = post(staff_client, f"/staff/inbox/{request.id}/send", {"answer": "  "},
                        htmx=htmx)
        assert response.status_code == 422
        assert fi("Write the answer to send.") in response.text
        assert ('<div id="send-form">' in response.text) and (
            ("<html" in response.text) != htmx)
    with models.db.connection_context():
        assert ContactAnswer.select().count() == 0
        assert ContactRequest.get_by_id(request.id).status == NEW


def test_a_request_without_an_address_offers_only_the_note(staff_client):
    request = contact_request(email="", phone="+358401234567", preferred_reply="phone")
    page = staff_client.get(f"/staff/inbox/{request.id}").text
    assert 'id="send-form"' not in page and 'id="answer-form"' in page
    response = post(staff_client, f"/staff/inbox/{request.id}/send", {"answer": "Hei"})
    assert response.status_code == 303
    assert fi("The sender gave no e-mail address: answer by phone and note it below.") in (
        staff_client.get(f"/staff/inbox/{request.id}").text)


def test_the_answer_arrives_from_the_business_with_replies_going_to_it(
        app, staff_client, mail_server):
    request = contact_request(language="sv")
    post(staff_client, f"/staff/inbox/{request.id}/send",
         {"answer": "Det finns en tid på fredag kl. 14."})
    app.config["MAIL_FROM"] = "noreply@vuoro.example"  # a sending address of its own
    send(app)
    [answer] = [message for message in mail_server.to("liisa@example.fi")
                if message["Subject"] == translated("sv", "Answer to your message")]
    assert "Hyvän Olon Hieronta" in answer["From"]
    assert answer["Reply-To"] == "info@hieronta.example"
    assert answer["Auto-Submitted"] is None  # a person wrote it
    body = answer.get_body(("plain",)).get_content()
    assert "Det finns en tid på fredag kl. 14." in body
    assert "Aino Esimerkki" in body and "> Onko perjantaina tilaa?" in body


def test_erasing_the_request_deletes_its_thread(staff_client):
    request = contact_request()
    post(staff_client, f"/staff/inbox/{request.id}/send", {"answer": "Kyllä on."})
    with models.db.connection_context():
        ContactRequest.delete().where(ContactRequest.id == request.id).execute()
        assert ContactAnswer.select().count() == 0


# Finnish throughout: the audit log and a booking's history ------------------------


def booking_on(day, hour, staff=AINO):
    with models.db.connection_context():
        service = Service.get_by_id(CLASSIC_60)
        start = datetime.combine(day, time(hour), HELSINKI)
        end = start + timedelta(minutes=service.duration_minutes)
        return Booking.create(
            customer=MATTI, service=service, staff=staff, starts_at=naive_utc(start),
            ends_at=naive_utc(end),
            blocked_until=naive_utc(end + timedelta(minutes=service.buffer_minutes)),
            price_cents=service.price_cents)


TUESDAY = 1
ENGLISH_NOTES = ("by the customer", "via the booking link", "starts_at", "internal_note",
                 "confirmed", "cancelled", "unknown user", "tuntematon käyttäjä")


def test_a_customers_own_cancellation_reads_in_finnish_with_who_did_it(owner_client):
    booking = booking_on(next_weekday(TUESDAY), 10)
    with models.db.connection_context():
        customer_changes.cancel(Booking.get_by_id(booking.id), 1, datetime.now(UTC))
    log = owner_client.get("/staff/audit/").text
    history = owner_client.get(f"/staff/calendar/booking/{booking.id}").text
    history = history[history.index('class="booking-history"'):]
    status_change = f'{fi("status")}: {fi("confirmed")} → {fi("cancelled")}'
    for page in (log, history):
        assert fi("the customer through their booking link") in page
        assert status_change in page
        for english in ENGLISH_NOTES:
            assert english not in page, english


def test_a_move_shows_the_old_and_the_new_time_and_person_in_finnish(staff_client):
    day = next_weekday(TUESDAY)
    booking = booking_on(day, 10)
    later = datetime.combine(day + timedelta(days=1), time(15), HELSINKI)
    post(staff_client, f"/staff/calendar/booking/{booking.id}/move", {
        "version": "1", "staff": str(EERO), "day": later.date().isoformat(),
        "start": start_param(later)})
    page = staff_client.get(f"/staff/calendar/booking/{booking.id}").text
    history = page[page.index('class="booking-history"'):]
    old = f"{format_date(day, 'EEE d.M.yyyy', locale='fi')} klo 10.00"
    new = f"{format_date(later.date(), 'EEE d.M.yyyy', locale='fi')} klo 15.00"
    assert f'{fi("time")}: {old} → {new}' in history
    assert f'{fi("staff member")}: Aino Esimerkki → Eero Esimerkki' in history
    assert "starts_at" not in history and "staff:" not in history


# The customer page at the counter --------------------------------------------------


def test_customer_page_offers_a_new_booking_for_them(staff_client):
    page = staff_client.get(f"/staff/customers/{MATTI}").text
    link = f'href="/staff/calendar/new?customer={MATTI}"'
    assert link in page
    assert fi("New booking for %(name)s", name="Matti Meikäläinen") in page
    booking_page = staff_client.get(f"/staff/calendar/new?customer={MATTI}")
    assert booking_page.status_code == 200
    assert "Matti Meikäläinen" in booking_page.text


def test_customer_page_shows_the_last_visit_and_the_number_of_visits(staff_client):
    day = next_weekday(TUESDAY, weeks_ahead=-3)
    booking = booking_on(day, 10)
    page = staff_client.get(f"/staff/customers/{MATTI}").text
    assert fi("no visits yet") in page
    with models.db.connection_context():
        Booking.update(status="completed").where(Booking.id == booking.id).execute()
    page = staff_client.get(f"/staff/customers/{MATTI}").text
    glance = page[page.index('class="customer-glance"'):page.index("</dl>")]
    assert fi("Last visit") in glance and format_date(day, "EEE d.M.yyyy", locale="fi") in glance
    assert fi("no visits yet") not in glance


def test_a_possible_duplicate_is_pointed_out_with_a_merge_link(staff_client):
    with models.db.connection_context():
        other = Customer.create(name="matti meikäläinen", phone="+358401112223")
    page = staff_client.get(f"/staff/customers/{MATTI}").text
    assert fi("%(num)d other record may be the same person:", num=1) in page
    assert f'href="/staff/customers/{MATTI}/merge/{other.id}"' in page
    assert fi("Compare and merge") in page


def test_language_names_are_in_the_readers_language(staff_client):
    with models.db.connection_context():
        Customer.update(language="sv").where(Customer.id == MATTI).execute()
    page = staff_client.get(f"/staff/customers/{MATTI}").text
    assert f"<dd>{fi('Swedish')}</dd>" in page and "På svenska</dd>" not in page
    staff_client.set_cookie("lang", "sv")
    page = staff_client.get(f"/staff/customers/{MATTI}").text
    assert f"<dd>{translated('sv', 'Swedish')}</dd>" in page


def test_create_user_asks_for_the_password_in_finnish(runner, shop):
    good = "sininen kettu loikkaa aidan yli 42"
    result = runner.invoke(args=["create-user", "uusi@hieronta.example", "--role", "staff"],
                           input=f"eka salasana joka on pitkä\ntoinen\n{good}\n{good}\n")
    assert result.exit_code == 0, result.output
    assert f'{fi("Password")}: ' in result.output
    assert f'{fi("The password again")}: ' in result.output
    assert fi("The two passwords differ. Type them again.") in result.output
    assert "Repeat for confirmation" not in result.output


# No English in the Finnish back office ----------------------------------------------

BACK_OFFICE_PAGES = ("/staff/calendar/", "/staff/calendar/week/1/", "/staff/customers/",
                     f"/staff/customers/{MATTI}", "/staff/inbox/", "/staff/requests/",
                     "/staff/money/", "/staff/settings", "/staff/audit/",
                     "/staff/account/", "/staff/calendar/new")


def visible_text(page):
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_back_office_in_finnish_or_swedish_has_no_english_words_or_field_names(
        owner_client, staff_client, language):
    owner_client.set_cookie(LANGUAGE_COOKIE, language)
    booking = booking_on(next_weekday(TUESDAY), 10)
    request = contact_request()
    post(staff_client, f"/staff/inbox/{request.id}/send", {"answer": "Kyllä on tilaa."})
    with models.db.connection_context():
        customer_changes.cancel(Booking.get_by_id(booking.id), 1, datetime.now(UTC))
    for path in (*BACK_OFFICE_PAGES, f"/staff/inbox/{request.id}",
                 f"/staff/calendar/booking/{booking.id}"):
        response = owner_client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert f'<html lang="{language}"' in response.text, path
        found = ENGLISH.findall(visible_text(response.text))
        assert not found, (path, found)


# Working hours as a week -----------------------------------------------------------


def test_a_days_hours_are_copied_to_the_other_weekdays_then_saved(owner_client):
    path = f"/staff/settings/staff/{AINO}/hours"
    monday = {"days-0-rows-0-kind": "work", "days-0-rows-0-start": "08:00",
              "days-0-rows-0-end": "16:00", "days-0-rows-1-kind": "break",
              "days-0-rows-1-start": "12:00", "days-0-rows-1-end": "12:30"}
    response = post(owner_client, path, {**monday, "copy_day": "0"})
    assert response.status_code == 200
    page = response.text
    for weekday in range(5):
        assert f'name="days-{weekday}-rows-0-start" value="08:00"' in page, weekday
        assert f'name="days-{weekday}-rows-1-kind"' in page
    assert 'name="days-5-rows-0-start" value="08:00"' not in page  # the weekend stays
    assert fi("Copy to Monday–Friday") in page
    copied = dict(re.findall(r'name="(days-\d-rows-\d-(?:start|end))" value="([^"]*)"', page))
    kinds = {name.replace("-start", "-kind"): "break" if start == "12:00" else "work"
             for name, start in copied.items() if name.endswith("-start") and start}
    assert post(owner_client, path, {**copied, **kinds}).status_code == 303
    with models.db.connection_context():
        tuesday = WorkingHours.select().where((WorkingHours.staff == AINO)
                                              & (WorkingHours.weekday == 1))
        assert [(row.start.strftime("%H:%M"), row.end.strftime("%H:%M")) for row in tuesday] \
            == [("08:00", "16:00")]
        breaks = Break.select().where((Break.staff == AINO) & (Break.weekday == 4))
        assert [row.start.strftime("%H:%M") for row in breaks] == ["12:00"]
