"""The staff's queue of people's requests about their data through the Flask test
client, plain and as HTMX: entering a request made by phone, the list by due date with
what is due soon or late, the owner's extension, answering an access request with the
copy of the data, a correction, a restriction and what it stops, refusals, and that a
step sent twice is taken once. E-mail goes through a real SMTP server."""

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from support import HTMX, MATTI, post, send

import models
from engines.clock import HELSINKI
from models.booking.bookings import Booking
from models.booking.schedule import BookingRequest, book
from models.business.catalogue import Service, StaffMember
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.people.customers import Customer, CustomerDetails
from models.people.notes import CustomerNote
from models.people.register import fingerprint
from models.privacy.audit import AuditEntry
from models.privacy.data_requests import (
    ACCESS,
    COMPLETED,
    CORRECTION,
    DONE,
    ERASURE,
    LIFTED,
    NOTED,
    OBJECTION,
    OPEN,
    REFUSED,
    RESTRICTION,
    DataRequest,
    DataRequestEvent,
    due_for,
    months_after,
    receive,
)

BACK_OFFICE_LANGUAGE = "en"  # the staff and the owner read the back office in English here

MATTI_EMAIL = "matti@asiakas.example"


def data_request(kind=ACCESS, customer=MATTI, days_ago=0, **given):
    now = datetime.now(UTC) - timedelta(days=days_ago)
    values = {"language": "en", "source": "phone", "identity_check": "called back"}
    with models.db.connection_context():
        return receive(kind, customer=customer, now=now, **{**values, **given})


def fetch(item):
    with models.db.connection_context():
        return DataRequest.get_by_id(item.id)


def customer(customer_id=MATTI):
    with models.db.connection_context():
        return Customer.get_by_id(customer_id)


def entries(action):
    with models.db.connection_context():
        return list(AuditEntry.select().where(AuditEntry.action == action)
                    .order_by(AuditEntry.id))


def events(item, what=None):
    with models.db.connection_context():
        query = DataRequestEvent.select().where(DataRequestEvent.request == item.id)
        if what:
            query = query.where(DataRequestEvent.what == what)
        return list(query.order_by(DataRequestEvent.id))


def messages(kind):
    with models.db.connection_context():
        return list(OutboxMessage.select().where(OutboxMessage.kind == kind))


def text_of(message):
    return message.get_body(("plain",)).get_content()


def html_of(message):
    return message.get_body(("html",)).get_content()


def follow(client, response):
    assert response.status_code == 303, response.text[:2000]
    return unescape(client.get(response.headers["Location"]).text)


def new_request_form(**changes):
    return {"kind": ACCESS, "customer": str(MATTI), "source": "phone", "language": "en",
            "identity_check": "Called back the number in the register.",
            "details": "", "name": "", "email": "", "phone": "", **changes}


# Who may enter -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/staff/requests/", "/staff/requests/new",
                                  "/staff/requests/1", "/staff/requests/1/correct"])
def test_anonymous_visitor_is_sent_to_login(client, shop, path):
    data_request(CORRECTION)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_anonymous_visitor_cannot_complete_a_request(client, shop):
    item = data_request()
    response = client.post(f"/staff/requests/{item.id}/complete", data={"outcome": "x"})
    assert response.status_code in (302, 400)
    assert fetch(item).status == OPEN


def test_staff_and_owner_both_use_the_queue(staff_client, owner_client):
    item = data_request()
    for each in (staff_client, owner_client):
        assert each.get("/staff/requests/").status_code == 200
        assert each.get(f"/staff/requests/{item.id}").status_code == 200


def test_unknown_request_is_not_found(staff_client):
    assert staff_client.get("/staff/requests/999").status_code == 404
    assert post(staff_client, "/staff/requests/999/complete",
                {"outcome": "x"}).status_code == 404


def test_step_without_the_csrf_token_is_refused(staff_client):
    item = data_request()
    response = staff_client.post(f"/staff/requests/{item.id}/complete",
                                 data={"outcome": "Done"})
    assert response.status_code == 400
    assert fetch(item).status == OPEN


# A request made by phone -----------------------------------------------------------


def test_staff_record_a_phone_request_with_how_identity_was_checked(staff_client,
                                                                  staff_account):
    found = staff_client.get("/staff/requests/new?q=matti").text
    assert f'href="/staff/requests/new?customer={MATTI}"' in found
    form = staff_client.get(f"/staff/requests/new?customer={MATTI}").text
    assert "Matti Meikäläinen" in form and "Choose another person" in form

    response = post(staff_client, "/staff/requests/new", new_request_form(
        kind=RESTRICTION, details="Please stop using my data until I have checked it."))

    page = follow(staff_client, response)
    with models.db.connection_context():
        item = DataRequest.get()
    assert (item.kind, item.source, item.customer_id) == (RESTRICTION, "phone", MATTI)
    assert item.identity_check == "Called back the number in the register."
    assert item.created_by_id == staff_account.id
    assert item.due_at == due_for(item.received_at)
    assert "The request is recorded. It must be answered by" in page
    assert "Called back the number in the register." in page
    assert "Please stop using my data" in page
    [entry] = entries("request.receive")
    assert entry.customer_id == MATTI and entry.user_id == staff_account.id
    assert entry.details == f"data request #{item.id}: restriction, phone"
    assert "Matti" not in entry.details


def test_request_of_someone_not_in_the_register(staff_client):
    response = post(staff_client, "/staff/requests/new", new_request_form(
        customer="", kind=ACCESS, source="letter", name="Liisa Laine",
        email="Liisa@Example.FI", phone="040 765 4321"))
    follow(staff_client, response)
    with models.db.connection_context():
        item = DataRequest.get()
    assert item.customer_id is None
    assert (item.name, item.email, item.phone) == ("Liisa Laine", "liisa@example.fi",
                                                   "+358407654321")


def test_new_request_needs_identity_check_and_keeps_what_was_typed(staff_client):
    response = post(staff_client, "/staff/requests/new", new_request_form(
        customer="", kind=CORRECTION, identity_check="", name="Liisa Laine",
        email="liisa@example", details=""))
    assert response.status_code == 422
    page = response.text
    assert "Write down how you made sure the request is from the person themselves" in page
    assert "This is not an e-mail address." in page
    assert "Write down what is wrong and what is right." in page
    assert 'value="Liisa Laine"' in page and 'value="liisa@example"' in page
    assert re.search(r'value="correction"\s+checked', page)
    with models.db.connection_context():
        assert DataRequest.select().count() == 0


def test_new_request_needs_a_kind_a_source_and_a_person(staff_client):
    response = post(staff_client, "/staff/requests/new", new_request_form(
        customer="", kind="", source="", name="", email="", phone=""))
    assert response.status_code == 422
    for message in ("Choose what the person asks for.", "Choose how the request came.",
                    "Give the person's name, or find them in the register above.",
                    "Give an e-mail address or a phone number"):
        assert message in unescape(response.text)


def test_objection_names_the_use_objected_to(staff_client):
    response = post(staff_client, "/staff/requests/new", new_request_form(
        kind=OBJECTION, details="No analysis of my visits, please."))
    assert response.status_code == 422
    assert "Choose the use they object to." in response.text
    response = post(staff_client, "/staff/requests/new", new_request_form(
        kind=OBJECTION, details="No analysis of my visits, please.", purpose="development"))
    page = follow(staff_client, response)
    assert "developing our service" in page


def test_chosen_customer_no_longer_in_the_register_is_refused(staff_client):
    response = post(staff_client, "/staff/requests/new", new_request_form(customer="999"))
    assert response.status_code == 422
    assert "The chosen customer is not in the register any more." in response.text


def test_search_as_one_types_finds_the_person(staff_client):
    url = "/staff/requests/new/customers?q=meikäläinen"
    fragment = staff_client.get(url, headers=HTMX)
    plain = staff_client.get(url)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="customer-results"')
    assert "Matti Meikäläinen" in fragment.text and "Maija Meikäläinen" in fragment.text
    assert plain.status_code == 303
    assert "Matti Meikäläinen" in staff_client.get(plain.headers["Location"]).text
    nobody = staff_client.get("/staff/requests/new/customers?q=zzzz", headers=HTMX).text
    assert "No customer in the register matches “zzzz”." in nobody


# The list ------------------------------------------------------------------------


def listed(html):
    return re.findall(r'<th scope="row"><a href="/staff/requests/(\d+)">', html)


def test_open_requests_are_listed_by_due_date_with_what_is_due_soon_or_late(staff_client):
    fresh = data_request(days_ago=0)
    late = data_request(CORRECTION, days_ago=40)
    soon = data_request(ERASURE, days_ago=27)
    done = data_request(days_ago=50)
    with models.db.connection_context():
        DataRequest.update(status=DONE, closed_at=datetime.now()).where(
            DataRequest.id == done.id).execute()

    page = staff_client.get("/staff/requests/").text

    assert listed(page) == [str(late.id), str(soon.id), str(fresh.id)]
    rows = page.split('<th scope="row">')[1:]
    assert "Overdue" in rows[0] and "days late" in rows[0]
    assert "Due soon" in rows[1] and "days left" in rows[1]
    assert "Overdue" not in rows[2] and "Due soon" not in rows[2]
    assert "2 due soon or late" in page  # the navigation's count
    closed = staff_client.get("/staff/requests/?tab=closed").text
    assert listed(closed) == [str(done.id)]


def test_closed_tab_as_htmx_is_the_list_alone(staff_client):
    data_request()
    fragment = staff_client.get("/staff/requests/?tab=closed", headers=HTMX)
    assert fragment.text.lstrip().startswith('<div id="request-list"')
    assert "No closed requests." in fragment.text
    assert fragment.headers["Vary"] == "HX-Request" or "HX-Request" in fragment.headers["Vary"]


def test_navigation_count_shows_on_every_staff_page_only_when_something_is_due(staff_client):
    data_request()
    assert "due soon or late" not in staff_client.get("/staff/customers/").text
    data_request(days_ago=30)
    assert "1 due soon or late" in staff_client.get("/staff/customers/").text


def test_opening_a_request_shows_its_facts_and_history_and_is_audited(staff_client,
                                                                     staff_account):
    item = data_request(CORRECTION, details="My phone number is 040 111 2222.")
    page = staff_client.get(f"/staff/requests/{item.id}").text
    assert "Correction: Matti Meikäläinen" in page
    assert "My phone number is 040 111 2222." in page
    assert "called back" in page and "By phone" in page
    assert "Received" in page and "days left" in page
    [entry] = entries("request.view")
    assert entry.customer_id == MATTI and entry.details == f"data request #{item.id}"


def test_erasure_request_links_to_the_erasure_page(staff_client):
    item = data_request(ERASURE)
    page = staff_client.get(f"/staff/requests/{item.id}").text
    assert f'href="/staff/requests/{item.id}/erasure"' in page


# Extending the time to answer -------------------------------------------------------


def extend(client, item, months, reason="Many requests at once.", seen=None, headers=None):
    return post(client, f"/staff/requests/{item.id}/extend",
                {"months": str(months), "reason": reason,
                 "seen": str(fetch(item).extended_months if seen is None else seen)},
                headers)


def test_owner_extends_up_to_two_months_and_the_reason_is_emailed(app, owner_client,
                                                                 mail_server):
    item = data_request()
    follow(owner_client, extend(owner_client, item, 1, "The register is being moved."))
    assert fetch(item).extended_months == 1
    assert fetch(item).due_at == months_after(fetch(item).received_at, 2)
    follow(owner_client, extend(owner_client, item, 1, "Still moving."))
    extended = fetch(item)
    assert extended.extended_months == 2
    assert extended.due_at == months_after(extended.received_at, 3)
    assert extended.extension_reason == "Still moving."

    too_long = extend(owner_client, item, 1)
    assert too_long.status_code == 422
    assert "at most 2 months in all" in too_long.text
    assert fetch(item).extended_months == 2
    page = unescape(owner_client.get(f"/staff/requests/{item.id}").text)
    assert "it cannot be extended again" in page and 'name="months"' not in page

    assert len(entries("request.extend")) == 2
    send(app)
    first, second = mail_server.to(MATTI_EMAIL)
    assert first["Subject"] == "More time to answer your request about your data"
    assert "The register is being moved." in text_of(first)
    assert "Still moving." in text_of(second) and "Still moving." in html_of(second)
    due = extended.due.astimezone(HELSINKI)
    assert f"{due.day}.{due.month}.{due.year}" in text_of(second)


def test_two_months_at_once_then_no_more(owner_client):
    item = data_request()
    follow(owner_client, extend(owner_client, item, 2))
    assert fetch(item).extended_months == 2
    assert extend(owner_client, item, 1).status_code == 422


def test_extension_needs_a_reason_and_months(owner_client):
    item = data_request()
    response = extend(owner_client, item, 1, reason="")
    assert response.status_code == 422
    assert "Give the reason: the person is told it by e-mail." in response.text
    response = extend(owner_client, item, 3, reason="Busy.", headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="request-extend"')
    assert "Choose how many months more." in response.text
    assert 'Busy.</textarea>' in response.text
    assert fetch(item).extended_months == 0


def test_extension_sent_twice_extends_once(owner_client):
    item = data_request()
    form = {"months": "1", "reason": "Busy.", "seen": "0"}
    post(owner_client, f"/staff/requests/{item.id}/extend", form)
    again = post(owner_client, f"/staff/requests/{item.id}/extend", form)
    assert "so it was not extended again" in follow(owner_client, again)
    assert fetch(item).extended_months == 1
    assert len(messages(outbox.DATA_REQUEST_EXTENDED)) == 1


def test_staff_cannot_extend(staff_client):
    item = data_request()
    assert "Extend the time to answer" not in staff_client.get(
        f"/staff/requests/{item.id}").text
    assert extend(staff_client, item, 1).status_code == 403
    assert fetch(item).extended_months == 0


# Access: the copy of the data ------------------------------------------------------


def test_access_request_is_answered_with_the_data_as_json(app, staff_client, mail_server):
    item = data_request(ACCESS)
    page = follow(staff_client, post(staff_client, f"/staff/requests/{item.id}/export",
                                     {"outcome": "Here you are."}))
    assert "The copy of their data is on its way" in page
    assert fetch(item).status == DONE
    [entry] = entries("request.export")
    assert entry.customer_id == MATTI

    assert send(app).sent == 1
    [message] = mail_server.to(MATTI_EMAIL)
    assert message["Subject"] == "Your request about your data is done"
    assert "Here is a copy of all the data we hold about you." in text_of(message)
    assert "Here you are." in text_of(message)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/json"
    assert attachment.get_filename() == "my-data.json"
    copy = json.loads(attachment.get_content())
    with models.db.connection_context():
        references = {booking.reference for booking in
                      Booking.select().where(Booking.customer == MATTI)}
    assert references
    held = {item["booking"] for item in copy["sections"]["booking"]["items"]}
    assert references <= held
    assert "matti@asiakas.example" in json.dumps(copy)


def test_portability_request_also_sends_the_copy(app, staff_client, mail_server):
    item = data_request("portability")
    follow(staff_client, post(staff_client, f"/staff/requests/{item.id}/export"))
    send(app)
    [message] = mail_server.to(MATTI_EMAIL)
    assert "machine-readable form" in text_of(message)
    assert [part.get_filename() for part in message.iter_attachments()] == ["my-data.json"]


def test_copy_sent_twice_is_sent_once(staff_client):
    item = data_request(ACCESS)
    post(staff_client, f"/staff/requests/{item.id}/export")
    again = post(staff_client, f"/staff/requests/{item.id}/export")
    assert "This request was closed already" in follow(staff_client, again)
    assert len(messages(outbox.DATA_REQUEST_DONE)) == 1
    assert len(events(item, COMPLETED)) == 1
    assert len(entries("request.export")) == 1


def test_access_request_of_someone_not_in_the_register_offers_no_copy(staff_client):
    item = data_request(ACCESS, customer=None, name="Liisa", email="liisa@example.fi")
    page = staff_client.get(f"/staff/requests/{item.id}").text
    assert "Send the copy of their data" not in page
    assert "The person is not in the customer register" in page
    response = post(staff_client, f"/staff/requests/{item.id}/export")
    assert response.status_code == 422
    assert fetch(item).status == OPEN


# Correction ------------------------------------------------------------------------


def correction_form(client, item, **changes):
    page = client.get(f"/staff/requests/{item.id}/correct").text
    values = {"name": "Matti Meikäläinen", "email": MATTI_EMAIL, "phone": "050 123 4567",
              "street": "", "postal_code": "", "town": "", "language": "fi",
              "seen": re.search(r'name="seen" value="([^"]*)"', page).group(1)}
    return page, {**values, **changes}


def test_correction_form_is_prefilled_and_applied(app, staff_client, mail_server):
    item = data_request(CORRECTION, details="My phone number is 040 111 2222.")
    page, form = correction_form(staff_client, item, phone="040 111 2222",
                                 outcome="Thank you for telling us.")
    assert 'value="Matti Meikäläinen"' in page and f'value="{MATTI_EMAIL}"' in page
    assert "My phone number is 040 111 2222." in page

    result = follow(staff_client, post(staff_client, f"/staff/requests/{item.id}/correct",
                                       form))

    assert "The details are corrected and the request completed" in result
    assert customer().phone == "+358401112222"
    assert fetch(item).status == DONE
    [entry] = entries("request.correct")
    assert entry.customer_id == MATTI and entry.details == f"data request #{item.id}: phone"
    assert "040" not in entry.details
    send(app)
    [message] = mail_server.to(MATTI_EMAIL)
    assert "We have corrected your details as you asked." in text_of(message)
    assert "Thank you for telling us." in text_of(message)
    history = staff_client.get(f"/staff/requests/{item.id}").text.split('id="history-heading"')[1]
    assert "Corrected their details" in history and "Changed: Phone" in history


def test_correction_keeps_what_was_typed_when_someone_changed_the_customer(staff_client):
    item = data_request(CORRECTION)
    _, form = correction_form(staff_client, item, phone="040 111 2222")
    with models.db.connection_context():
        Customer.update(town="Turku").where(Customer.id == MATTI).execute()
    response = post(staff_client, f"/staff/requests/{item.id}/correct", form)
    assert response.status_code == 409
    assert "Someone else changed this customer" in response.text
    assert 'value="040 111 2222"' in response.text
    assert customer().phone == "+358501234567" and fetch(item).status == OPEN


def test_correction_with_a_bad_value_says_so_at_the_field(staff_client):
    item = data_request(CORRECTION)
    _, form = correction_form(staff_client, item, postal_code="123")
    response = post(staff_client, f"/staff/requests/{item.id}/correct", form,
                    headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="correction-form"')
    assert "A postal code has five digits" in response.text
    assert 'value="123"' in response.text
    assert fetch(item).status == OPEN


# Restriction -----------------------------------------------------------------------


def restrict(client):
    item = data_request(RESTRICTION)
    follow(client, post(client, f"/staff/requests/{item.id}/restrict"))
    return item


def matti_booking():
    with models.db.connection_context():
        return Booking.select().where(Booking.customer == MATTI).order_by(
            Booking.starts_at).first()


def test_restriction_is_set_and_told_to_the_person(app, staff_client, mail_server):
    item = restrict(staff_client)
    assert customer().restricted_at is not None
    assert fetch(item).status == DONE
    [entry] = entries("request.restrict")
    assert entry.customer_id == MATTI
    send(app)
    [message] = mail_server.to(MATTI_EMAIL)  # about their request: sent all the same
    assert "We have restricted the use of your data" in text_of(message)


def test_restricted_customer_cannot_be_edited_or_noted(staff_client):
    restrict(staff_client)
    details = customer()
    edit = staff_client.get(f"/staff/customers/{MATTI}/edit")
    assert "The use of this customer's data is restricted" in follow(staff_client, edit)
    response = post(staff_client, f"/staff/customers/{MATTI}/edit", {
        "name": "Matti Muutettu", "email": MATTI_EMAIL, "phone": "050 123 4567",
        "language": "fi", "seen": fingerprint(details)})
    assert response.status_code == 409
    assert "The use of this customer's data is restricted" in unescape(response.text)
    assert 'value="Matti Muutettu"' in response.text
    assert customer().name == "Matti Meikäläinen"

    note = post(staff_client, f"/staff/customers/{MATTI}/notes", {"text": "Visited"},
                headers=HTMX)
    assert note.status_code == 409
    assert "The use of this customer's data is restricted" in unescape(note.text)
    assert "Visited</textarea>" in note.text
    with models.db.connection_context():
        assert CustomerNote.select().where(CustomerNote.customer == MATTI).count() == 0


def test_restriction_shows_in_the_register_and_on_the_customers_page(staff_client):
    restrict(staff_client)
    register = staff_client.get("/staff/customers/?q=meikäläinen").text
    row = next(part for part in register.split('<th scope="row">') if "Matti" in part)
    assert "Restricted since" in row
    page = staff_client.get(f"/staff/customers/{MATTI}").text
    assert "Restricted since" in page and "Lift the restriction" in page
    assert "Correct the details" not in page


def test_staff_cannot_book_for_a_restricted_customer(staff_client):
    restrict(staff_client)
    start = datetime.now(UTC) + timedelta(days=20)
    day = start.date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    with models.db.connection_context():
        count = Booking.select().count()
    response = post(staff_client, "/staff/calendar/new", {
        "service": "1", "staff": "1", "day": day.isoformat(), "customer": str(MATTI),
        "other_time": "15.00"})
    assert response.status_code == 409
    assert "staff cannot book for them" in response.text
    with models.db.connection_context():
        assert Booking.select().count() == count


def test_no_reminders_or_booking_mail_for_a_restricted_customer(app, staff_client,
                                                                mail_server):
    restrict(staff_client)
    booking = matti_booking()
    send(app)  # the answer to the restriction request
    with models.db.connection_context():
        assert outbox.queue_reminders(booking.start - timedelta(hours=1), 2) == 0
        outbox.booking_event(booking, outbox.BOOKING_MOVED)
    result = send(app)
    assert result.skipped == 1 and result.sent == 0
    [dropped] = messages(outbox.BOOKING_MOVED)
    assert "restricted" in dropped.last_error
    assert len(mail_server.to(MATTI_EMAIL)) == 1


def test_restricted_customer_is_marked_in_the_calendars_search_and_cannot_be_merged(
        staff_client):
    restrict(staff_client)
    found = staff_client.get("/staff/calendar/customer-search?q=matti", headers=HTMX).text
    assert "Matti Meikäläinen" in found and "Restricted since" in found
    other = 2  # another customer of the demo register
    for page in (f"/staff/customers/{MATTI}/merge/{other}",
                 f"/staff/customers/{other}/merge/{MATTI}"):
        response = staff_client.get(page)
        assert response.status_code == 303
        assert "cannot be merged until the restriction is lifted" in unescape(
            staff_client.get(response.headers["Location"]).text)
    response = post(staff_client, f"/staff/customers/{other}/merge/{MATTI}",
                    {"keep": str(other)})
    assert response.status_code == 303
    assert customer().name == "Matti Meikäläinen"  # still there, not merged away


def test_restricted_person_can_still_book_online(app, staff_client):
    restrict(staff_client)
    start = matti_booking().start + timedelta(days=7, hours=4)
    with app.test_request_context(), models.db.connection_context():
        booking = book(BookingRequest(
            service=Service.get_by_id(1), staff=StaffMember.get_by_id(1), start=start,
            details=CustomerDetails("Matti Meikäläinen", MATTI_EMAIL, "+358501234567"),
            message="", language="fi", submission_key="own-key", token="t"))
    assert booking.customer_id == MATTI


def test_lifting_the_restriction_needs_a_reason_and_restores_use(app, staff_client):
    item = restrict(staff_client)
    refused = post(staff_client, f"/staff/customers/{MATTI}/unrestrict", {"reason": ""})
    assert refused.status_code == 422
    assert "Give the reason for lifting the restriction." in refused.text
    assert customer().restricted_at is not None

    page = follow(staff_client, post(staff_client, f"/staff/customers/{MATTI}/unrestrict",
                                     {"reason": "The customer checked the data."}))

    assert "The restriction is lifted" in page and "Restricted since" not in page
    assert customer().restricted_at is None
    [entry] = entries("request.unrestrict")
    assert entry.customer_id == MATTI and entry.details == "The customer checked the data."
    [lifted] = events(item, LIFTED)
    assert lifted.note == "The customer checked the data."
    history = staff_client.get(f"/staff/requests/{item.id}").text.split('id="history-heading"')[1]
    assert "Restriction lifted" in history and "The customer checked the data." in history
    assert staff_client.get(f"/staff/customers/{MATTI}/edit").status_code == 200
    booking = matti_booking()
    with models.db.connection_context():
        assert outbox.queue_reminders(booking.start - timedelta(hours=1), 2) == 1


def test_owner_can_lift_a_restriction_too(owner_client):
    restrict(owner_client)
    follow(owner_client, post(owner_client, f"/staff/customers/{MATTI}/unrestrict",
                              {"reason": "Agreed with the customer."}))
    assert customer().restricted_at is None


# Objection, completing, refusing, notes -----------------------------------------------


def test_objection_is_accepted_with_what_stops(app, staff_client, mail_server):
    item = data_request(OBJECTION, purpose="development")
    empty = post(staff_client, f"/staff/requests/{item.id}/accept", {"outcome": ""})
    assert empty.status_code == 422 and "Write what stops" in empty.text
    follow(staff_client, post(staff_client, f"/staff/requests/{item.id}/accept",
                              {"outcome": "Your visits are left out of our statistics."}))
    assert fetch(item).status == DONE
    assert len(entries("request.close")) == 1
    send(app)
    [message] = mail_server.to(MATTI_EMAIL)
    assert "Your visits are left out of our statistics." in text_of(message)


def test_request_is_completed_with_an_outcome(app, staff_client, mail_server):
    item = data_request(ERASURE, customer=None, name="Liisa Laine",
                        email="liisa@example.fi")
    empty = post(staff_client, f"/staff/requests/{item.id}/complete", {"outcome": " "})
    assert empty.status_code == 422
    assert "Write what was done" in empty.text
    follow(staff_client, post(staff_client, f"/staff/requests/{item.id}/complete",
                              {"outcome": "We held no data about you."}))
    done = fetch(item)
    assert (done.status, done.outcome) == (DONE, "We held no data about you.")
    send(app)
    [message] = mail_server.to("liisa@example.fi")
    assert "Hello Liisa Laine," in text_of(message)
    assert "We held no data about you." in text_of(message)


def test_refusal_needs_a_reason_and_tells_of_the_right_to_complain(app, staff_client,
                                                                  mail_server):
    item = data_request(ERASURE)
    empty = post(staff_client, f"/staff/requests/{item.id}/refuse", {"reason": ""},
                 headers=HTMX)
    assert empty.status_code == 422
    assert empty.text.lstrip().startswith('<div id="request-refuse"')
    assert "Give the reason" in empty.text
    assert fetch(item).status == OPEN

    done = post(staff_client, f"/staff/requests/{item.id}/refuse",
                {"reason": "Your invoices must be kept for six years."}, headers=HTMX)
    assert done.headers["HX-Redirect"] == f"/staff/requests/{item.id}"
    refused = fetch(item)
    assert (refused.status, refused.outcome) == (
        REFUSED, "Your invoices must be kept for six years.")
    [entry] = entries("request.refuse")
    assert entry.customer_id == MATTI
    send(app)
    [message] = mail_server.to(MATTI_EMAIL)
    for text in (text_of(message), html_of(message)):
        assert "Your invoices must be kept for six years." in text
        assert "Data Protection Ombudsman (Tietosuojavaltuutettu)" in text
        assert "tietosuoja.fi" in text


def test_completing_twice_completes_once(staff_client):
    item = data_request()
    post(staff_client, f"/staff/requests/{item.id}/complete", {"outcome": "Done."})
    again = post(staff_client, f"/staff/requests/{item.id}/complete", {"outcome": "Done."})
    assert "This request was closed already" in follow(staff_client, again)
    refused = post(staff_client, f"/staff/requests/{item.id}/refuse", {"reason": "No."})
    follow(staff_client, refused)
    assert fetch(item).status == DONE
    assert len(events(item, COMPLETED)) == 1
    assert len(messages(outbox.DATA_REQUEST_DONE)) == 1
    assert messages(outbox.DATA_REQUEST_REFUSED) == []
    assert len(entries("request.close")) == 1


def test_closed_request_shows_its_outcome_and_no_steps(staff_client):
    item = data_request()
    post(staff_client, f"/staff/requests/{item.id}/complete", {"outcome": "Sent by post."})
    page = staff_client.get(f"/staff/requests/{item.id}").text
    assert "Sent by post." in page and "Answer the request" not in page
    assert "Completed" in page


def test_notes_are_kept_in_the_history_once(staff_client, staff_account):
    item = data_request()
    empty = post(staff_client, f"/staff/requests/{item.id}/note", {"text": ""})
    assert empty.status_code == 422 and "Write the note first." in empty.text
    for _ in range(2):
        post(staff_client, f"/staff/requests/{item.id}/note",
             {"text": "Asked Olli about old invoices."})
    [noted] = events(item, NOTED)
    assert noted.user_id == staff_account.id
    page = staff_client.get(f"/staff/requests/{item.id}").text
    history = page.split('id="history-heading"')[1]
    assert history.index("Received") < history.index("Asked Olli about old invoices.")


def test_owner_sees_the_extension_staff_do_not(owner_client, staff_client):
    item = data_request()
    assert "Extend the time to answer" in owner_client.get(
        f"/staff/requests/{item.id}").text
    assert "Extend the time to answer" not in staff_client.get(
        f"/staff/requests/{item.id}").text
