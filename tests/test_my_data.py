"""'My data': the export derived from the declaration, and the customer's own pages
through the Flask test client with a real SMTP server: asking for the link (the same
answer for an unknown address), the e-mail in the customer's language, the link that
works once and for 30 minutes, the view with everything held (but confidential notes),
the JSON and printable downloads, the audit log, the throttles, and the requests a
person makes from their data."""

import json
import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import money_support
import pytest
from support import next_weekday, send, translated

import models
from engines import clock
from engines.clock import HELSINKI
from models import schema
from models.accounts.users import User
from models.booking.bookings import Booking
from models.booking.schedule import BookingRequest, book
from models.business.catalogue import Service, StaffMember
from models.messages import outbox
from models.messages.outbox import (
    DATA_REQUEST_RECEIVED,
    MY_DATA_LINK,
    STAFF_NEW_DATA_REQUEST,
    OutboxMessage,
)
from models.money import invoicing
from models.money.counter import make_sale
from models.money.rows import Line
from models.people.contact_requests import ContactAnswer, ContactDetails, ContactRequest
from models.people.contact_requests import receive as receive_contact
from models.people.customers import Customer, CustomerDetails
from models.people.notes import CustomerNote
from models.privacy import consents, data_requests, my_data
from models.privacy import own_copy as exports
from models.privacy.audit import AuditEntry
from models.privacy.data_requests import DataRequest
from models.privacy.declaration import (
    CATEGORIES,
    STAFF,
    VISITOR_CATEGORIES,
    undeclared_fields,
    withholding_problems,
)
from models.privacy.my_data import AccessLink
from web.tokens import link_token

EMAIL = "liisa@example.com"
CONFIDENTIAL = "Staff only: asks for discounts"
OPEN_NOTE = "Prefers a firm touch"
CONTACT_MESSAGE = "Do you have gift cards?"


@pytest.fixture
def client(client, shop):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def owner_account(shop):
    with models.db.connection_context():
        return User.create(email="olli@hieronta.example", name="Olli Omistaja", role="owner")


@pytest.fixture
def liisa(app, shop):
    """A customer with one of everything: a future booking with a message, notes (one
    confidential), a contact request, a consent and an earlier request about her data.
    She reads Swedish."""
    start = datetime.combine(next_weekday(1), time(10), HELSINKI)
    with app.test_request_context():
        token = link_token("liisa-key")
    with models.db.connection_context():
        booking = book(BookingRequest(
            service=Service.get_by_id(2), staff=StaffMember.get_by_id(1), start=start,
            details=CustomerDetails("Liisa Laine", EMAIL, "+358407654321"),
            message="Niska jumissa", language="sv", submission_key="liisa-key",
            token=token))
        customer = booking.customer
        staff = User.create(email="aino@hieronta.example", name="Aino Esimerkki",
                            role="staff")
        CustomerNote.create(customer=customer, author=staff, text=OPEN_NOTE)
        CustomerNote.create(customer=customer, author=staff, text=CONFIDENTIAL,
                            confidential=True)
        receive_contact(ContactDetails("Liisa Laine", EMAIL, "", "other", CONTACT_MESSAGE,
                                       "email", "sv"), "contact-key")
        consents.give(customer)
        data_requests.receive(data_requests.ACCESS, customer=customer, name="Liisa Laine",
                              email=EMAIL, source=data_requests.PHONE,
                              identity_check="Called back the number in the register")
        AuditEntry.create(action="customer.view", user=staff, customer=customer,
                          ip="192.0.2.7")
        return Customer.get_by_id(customer.id), booking


def form_token(client, path="/my-data"):
    page = client.get(path)
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def ask(client, email=EMAIL, address="127.0.0.1"):
    token = form_token(client)
    return client.post("/my-data", data={"email": email, "form_token": token},
                       environ_base={"REMOTE_ADDR": address})


def link_in(message):
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/my-data/[A-Za-z0-9_-]{40,})", text).group(1)


def link_mails(mail_server):
    return [message for message in mail_server.to(EMAIL)
            if "/my-data/" in message.get_body(("plain",)).get_content()]


def mailed_link(client, app, mail_server, now=None):
    assert ask(client).status_code == 303
    send(app, now)
    return link_in(link_mails(mail_server)[-1])


def open_view(client, app, mail_server):
    """Ask, follow the e-mailed link, press the button: the view's address."""
    link = mailed_link(client, app, mail_server)
    pressed = client.post(link)
    assert pressed.status_code == 303
    return pressed.headers["Location"]


def rows(model, *where):
    with models.db.connection_context():
        query = model.select()
        if where:
            query = query.where(*where)
        return list(query.order_by(model.id))


# The export and the declaration -------------------------------------------------


def test_every_category_about_customers_is_in_the_export(app, liisa):
    customer, _ = liisa
    with models.db.connection_context():
        data = exports.personal_data_of(customer)
    expected = {category.key for category in CATEGORIES if category is not STAFF}
    assert set(data["sections"]) == expected
    for key, section in data["sections"].items():
        category = next(category for category in CATEGORIES if category.key == key)
        assert section["category"] == key
        assert section["purposes"] == [purpose.value for purpose in category.purposes]
        assert section["legal_basis"] == category.basis.value
        assert section["kept_months"] == category.retention.months


def test_every_model_about_people_is_a_source_of_the_export():
    """A new model holding customers' data must be exported (or said to be tied to no
    customer): it cannot be forgotten."""
    for model in schema.MODELS:
        # The site's statistics are about visitors no one knows, never a customer.
        categories = set(model.personal_data.fields.values()) - {STAFF, *VISITOR_CATEGORIES}
        if categories:
            assert model in exports.SOURCES or model in exports.NOT_ABOUT_A_CUSTOMER, \
                model.__name__


def vouchers_of(customer):
    """A receipt and an issued invoice (to a business buyer) of the customer."""
    money_support.seller()
    line = Line("Lahjakortti", clock.today(), 5000, Decimal(1), "general")
    make_sale(customer, [], [line], "cash")
    invoice = invoicing.create_draft(money_support.past_booking(customer.id))
    invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(
        name="Liisan Yritys Oy", street="Katu 1", postal_code="00100", town="Helsinki",
        email="laskut@yritys.example", business_id="2077474-0", ovt="003720774740",
        operator="003723327487"))
    invoicing.issue(invoice.id, clock.today())


def test_every_shown_field_of_every_source_is_exported(app, liisa):
    customer, _ = liisa
    with models.db.connection_context():
        Booking.update(internal_note="Bring a towel", cancel_reason="–").execute()
        DataRequest.update(outcome="Sent", extension_reason="Many asks").execute()
        vouchers_of(customer)
        models.privacy.data_requests.DataRequestEvent.update(note="Checked").execute()
        ContactAnswer.create(contact_request=ContactRequest.get(), answer="Kyllä on.")
        my_data.redeem(my_data.create_link(customer, datetime.now(UTC)), datetime.now(UTC))
        sender = outbox.new_sender()
        for message in OutboxMessage.select():
            outbox.claim(message.id, sender, datetime.now(UTC))
            outbox.mark_sent(message, sender, datetime.now(UTC), EMAIL, "Subject")
        data = exports.personal_data_of(customer)
    keys = {name for section in data["sections"].values() for item in section["items"]
            for name in item}
    for model in exports.SOURCES:
        shown = set(model.personal_data.shown_fields()) - {"customer"}
        assert shown <= keys, (model.__name__, shown - keys)


def test_withheld_names_are_declared_fields():
    for model in schema.MODELS:
        assert withholding_problems(model) == [], model.__name__
        assert undeclared_fields(model) == set()
    assert CustomerNote.personal_data.withheld_if == "confidential"
    assert "ip" in AuditEntry.personal_data.withheld


def test_confidential_notes_and_addresses_are_not_exported(app, liisa):
    customer, _ = liisa
    with models.db.connection_context():
        text = json.dumps(exports.personal_data_of(customer), ensure_ascii=False)
    assert OPEN_NOTE in text and CONTACT_MESSAGE in text and "Niska jumissa" in text
    assert CONFIDENTIAL not in text
    assert "192.0.2.7" not in text
    assert "Aino Esimerkki" in text  # who handled her data


def test_times_are_helsinki_iso_8601(app, liisa):
    customer, booking = liisa
    with models.db.connection_context():
        [item] = exports.personal_data_of(customer)["sections"]["booking"]["items"]
    assert datetime.fromisoformat(item["starts_at"]) == booking.start
    assert item["starts_at"].endswith(("+02:00", "+03:00"))
    assert item["staff"] == "Aino Esimerkki" and item["price_cents"] == booking.price_cents


# Asking for the link -------------------------------------------------------------


def test_page_is_in_the_footer_and_links_to_the_privacy_statement(client):
    home = client.get("/")
    assert 'href="/my-data"' in home.text
    page = client.get("/my-data")
    assert page.status_code == 200 and 'href="/privacy"' in page.text
    assert 'type="email"' in page.text


def test_link_arrives_in_the_customers_language(client, app, liisa, mail_server):
    response = ask(client, email="  LIISA@Example.com ")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "If the address is in our register, a link is on its way" in page.text
    send(app)
    [message] = link_mails(mail_server)
    assert '<html lang="sv">' in message.get_body(("html",)).get_content()
    assert message["Subject"] == translated("sv", "Your link to see your data")
    link = link_in(message)
    html = message.get_body(("html",)).get_content()
    assert f'href="http://127.0.0.1:5000{link}"' in html
    with models.db.connection_context():
        [stored] = AccessLink.select()
    token = link.rsplit("/", 1)[1]
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert stored.expires_at - stored.created_at == timedelta(minutes=30)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, app, liisa, mail_server):
    known = ask(client)
    unknown = ask(client, email="nobody@example.com", address="10.0.0.2")
    assert unknown.status_code == known.status_code == 303
    assert unknown.headers["Location"] == known.headers["Location"]
    assert len(rows(OutboxMessage, OutboxMessage.kind == MY_DATA_LINK)) == 1
    send(app)
    assert mail_server.to("nobody@example.com") == []


def test_bad_address_is_told_at_the_field_with_what_was_typed(client, liisa):
    response = client.post("/my-data", data={"email": "liisa@", "form_token":
                                             form_token(client)})
    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    assert "This is not an e-mail address" in response.text
    assert 'value="liisa@"' in response.text
    assert rows(OutboxMessage, OutboxMessage.kind == MY_DATA_LINK) == []


def test_a_form_sent_twice_sends_one_link(client, liisa):
    token = form_token(client)
    for _ in range(2):
        client.post("/my-data", data={"email": EMAIL, "form_token": token})
    assert len(rows(OutboxMessage, OutboxMessage.kind == MY_DATA_LINK)) == 1


def test_sixth_ask_from_one_connection_in_an_hour_waits(client, liisa):
    for number in range(5):
        assert ask(client, email=f"p{number}@example.com").status_code == 303
    refused = ask(client, email="sixth@example.com")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "Several links have been asked for" in refused.text
    assert 'value="sixth@example.com"' in refused.text


def test_fourth_ask_for_one_address_in_an_hour_waits(client, liisa):
    for number in range(3):
        assert ask(client, address=f"10.0.0.{number}").status_code == 303
    refused = ask(client, email="LIISA@example.com", address="10.0.1.1")
    assert refused.status_code == 429
    assert 'value="LIISA@example.com"' in refused.text
    assert len(rows(OutboxMessage, OutboxMessage.kind == MY_DATA_LINK)) == 3


# The link ---------------------------------------------------------------------------


def test_link_opens_once(client, app, liisa, mail_server):
    link = mailed_link(client, app, mail_server)
    for _ in range(2):  # a mail scanner fetching the link does not use it up
        page = client.get(link)
        assert page.status_code == 200 and "Show my data" in page.text
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"
    pressed = client.post(link)
    assert pressed.status_code == 303
    assert pressed.headers["Location"].startswith("/my-data/view/")

    again = client.post(link)
    assert again.status_code == 410
    assert "This link has been used" in again.text
    assert 'name="email"' in again.text  # the form to ask for a new one
    assert client.get(link).status_code == 410


def test_link_runs_out_after_30_minutes(client, app, liisa, mail_server, clock):
    link = mailed_link(client, app, mail_server)
    clock.shift(minutes=31)
    page = client.get(link)
    assert page.status_code == 410 and "This link has run out" in page.text
    assert client.post(link).status_code == 410


def test_link_sent_late_counts_from_its_sending(client, app, liisa, mail_server, clock):
    """The link is made when the message goes (a retry an hour later still works)."""
    assert ask(client).status_code == 303
    clock.shift(minutes=60)
    send(app, now=datetime.now(UTC) + timedelta(minutes=60))
    link = link_in(link_mails(mail_server)[-1])
    assert client.post(link).status_code == 303


def test_view_closes_after_30_minutes(client, app, liisa, mail_server, clock):
    view = open_view(client, app, mail_server)
    assert client.get(view).status_code == 200
    clock.shift(minutes=31)
    page = client.get(view)
    assert page.status_code == 410
    assert "Your view of your data has closed" in page.text and 'name="email"' in page.text
    assert client.get(view + "/data.json").status_code == 410


def test_wrong_links_are_throttled(client, liisa):
    for number in range(20):
        assert client.get(f"/my-data/{'x' * 43}{number}").status_code == 404
    refused = client.get(f"/my-data/{'y' * 44}")
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert client.get(f"/my-data/view/{'z' * 43}").status_code == 429


# The view ---------------------------------------------------------------------------


def test_view_shows_everything_but_confidential_notes(client, app, liisa, mail_server):
    customer, booking = liisa
    client.delete_cookie("lang")  # in the customer's language (Swedish)
    page = client.get(open_view(client, app, mail_server))
    assert page.status_code == 200
    assert '<html lang="sv">' in page.text
    assert "Liisa Laine" in page.text and EMAIL in page.text
    assert booking.display_reference in page.text and "Niska jumissa" in page.text
    assert OPEN_NOTE in page.text and CONTACT_MESSAGE in page.text
    assert CONFIDENTIAL not in page.text and "192.0.2.7" not in page.text
    assert translated("sv", "Your link to see your data") in page.text  # the e-mail sent
    # The future booking links to its own page.
    with app.test_request_context():
        assert f'href="/booking/{link_token("liisa-key")}"' in page.text
    # Each section says why and how long.
    assert page.text.count(translated("sv", "Why we keep it")) == 10


def test_viewing_and_downloading_are_in_the_audit_log(client, app, liisa, mail_server):
    customer, _ = liisa
    view = open_view(client, app, mail_server)
    client.get(view)
    download = client.get(view + "/data.json")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/json; charset=utf-8"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.data.decode())
    assert {"contact", "booking", "message", "note", "contact_request", "consent",
            "data_request", "email", "audit"} <= set(data["sections"])
    assert data["sections"]["contact"]["items"][0]["email"] == EMAIL
    assert OPEN_NOTE in download.data.decode() and CONFIDENTIAL not in download.data.decode()

    printed = client.get(view + "/print")
    assert printed.status_code == 200 and OPEN_NOTE in printed.text
    assert "Stop" not in printed.text and 'name="form_token"' not in printed.text

    entries = rows(AuditEntry, AuditEntry.action.startswith("mydata."))
    assert [(entry.action, entry.details) for entry in entries] == [
        ("mydata.view", "page"), ("mydata.download", "json"), ("mydata.download", "print")]
    assert all(entry.customer_id == customer.id and entry.user_id is None
               for entry in entries)


def test_consent_is_stopped_from_the_page(client, app, liisa, mail_server):
    customer, _ = liisa
    view = open_view(client, app, mail_server)
    page = client.get(view)
    action = re.search(r'action="(/my-data/view/[^"]+/consent/\d+/withdraw)"', page.text)
    done = client.post(action.group(1))
    assert done.status_code == 303
    with models.db.connection_context():
        assert consents.active(customer) is None
        [consent] = consents.Consent.select()
    assert consent.withdrawn_via == consents.MY_DATA
    assert rows(AuditEntry, AuditEntry.action == "consent.withdraw")
    after = client.get(done.headers["Location"])
    assert "we no longer send you news and offers" in after.text
    assert "/withdraw" not in after.text


# Requests ---------------------------------------------------------------------------


def request_token(page, kind):
    form = re.search(rf'action="[^"]+/request/{kind}".*?name="form_token" value="([^"]+)"',
                     page, re.S)
    return form.group(1)


def test_correction_needs_both_what_is_wrong_and_what_is_right(client, app, liisa,
                                                              mail_server):
    view = open_view(client, app, mail_server)
    token = request_token(client.get(view).text, "correction")
    response = client.post(view + "/request/correction",
                           data={"wrong": "My phone number", "right": "", "form_token": token})
    assert response.status_code == 422
    assert "Tell us what the detail should be." in response.text
    assert ">My phone number</textarea>" in response.text
    assert rows(DataRequest, DataRequest.kind == "correction") == []


def test_correction_is_a_request_due_in_a_month_told_to_person_and_owner(
        client, app, liisa, owner_account, mail_server):
    customer, _ = liisa
    view = open_view(client, app, mail_server)
    token = request_token(client.get(view).text, "correction")
    data = {"wrong": "Phone 040 765 4321", "right": "Phone 050 111 2222", "form_token": token}
    first = client.post(view + "/request/correction", data=data)
    again = client.post(view + "/request/correction", data=data)  # a double click
    assert first.status_code == again.status_code == 303
    [request] = rows(DataRequest, DataRequest.kind == "correction")
    assert request.customer_id == customer.id and request.source == "online"
    assert "050 111 2222" in request.details and request.language == "en"
    assert request.due_at == data_requests.months_after(request.received_at, 1)
    assert len(rows(AuditEntry, AuditEntry.action == "request.receive")) == 1

    page = client.get(first.headers["Location"])
    assert "Your request has reached us" in page.text

    send(app)
    [confirmation] = [m for m in mail_server.to(EMAIL)
                      if m["Subject"] == "We received your request about your data"]
    text = confirmation.get_body(("plain",)).get_content()
    assert "050 111 2222" in text and request.due.astimezone(HELSINKI).strftime("%-d.%-m.%Y") \
        in text
    [notice] = mail_server.to("olli@hieronta.example")
    assert '<html lang="fi">' in notice.get_body(("html",)).get_content()
    assert f"/staff/requests/{request.id}" in notice.get_body(("plain",)).get_content()
    kinds = [m.kind for m in rows(OutboxMessage, OutboxMessage.data_request_id == request.id)]
    assert sorted(kinds) == [DATA_REQUEST_RECEIVED, STAFF_NEW_DATA_REQUEST]


def test_erasure_needs_its_confirmation(client, app, liisa, mail_server):
    view = open_view(client, app, mail_server)
    page = client.get(view).text
    assert "six years from the end of the financial year" in page
    token = request_token(page, "erasure")
    refused = client.post(view + "/request/erasure", data={"why": "Moving away",
                                                           "form_token": token})
    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.text and ">Moving away</textarea>" in refused.text
    done = client.post(view + "/request/erasure", data={"understood": "y", "why": "Moving away",
                                                        "form_token": token})
    assert done.status_code == 303
    [request] = rows(DataRequest, DataRequest.kind == "erasure")
    assert request.details == "Moving away"


def test_objection_names_a_purpose_on_legitimate_interest(client, app, liisa, mail_server):
    view = open_view(client, app, mail_server)
    page = client.get(view).text
    options = re.findall(r'<option value="([a-z_]+)"', page)
    assert set(options) == {"misuse_prevention", "communication", "customer_relationship"}
    token = request_token(page, "objection")
    bad = client.post(view + "/request/objection", data={"purpose": "marketing",
                                                         "form_token": token})
    assert bad.status_code == 422 and "Choose one of the uses listed." in bad.text
    assert client.post(view + "/request/objection", data={
        "purpose": "misuse_prevention", "form_token": token}).status_code == 303
    [request] = rows(DataRequest, DataRequest.kind == "objection")
    assert request.purpose == "misuse_prevention"


def test_restriction_needs_no_reason(client, app, liisa, mail_server):
    view = open_view(client, app, mail_server)
    token = request_token(client.get(view).text, "restriction")
    assert client.post(view + "/request/restriction",
                       data={"form_token": token}).status_code == 303
    assert len(rows(DataRequest, DataRequest.kind == "restriction")) == 1


def test_requests_need_an_open_view(client, app, liisa, mail_server, clock):
    view = open_view(client, app, mail_server)
    token = request_token(client.get(view).text, "restriction")
    clock.shift(minutes=31)
    assert client.post(view + "/request/restriction",
                       data={"form_token": token}).status_code == 410
    assert rows(DataRequest, DataRequest.kind == "restriction") == []
