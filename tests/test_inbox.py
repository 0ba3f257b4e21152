"""The staff's inbox of contact requests through the Flask test client, plain and as
HTMX: the tabs, the count of new requests in the navigation, opening a request (and its
audit entry), answering, closing and reopening, and tying a request to the customer
register, by a link or as a new customer."""

import re
import secrets
from datetime import timedelta

import pytest
from support import HTMX, MATTI, post

import models
from engines.clock import utc_now
from models.people.contact_requests import (
    ANSWERED,
    CLOSED,
    NEW,
    PAGE_SIZE,
    ContactDetails,
    ContactRequest,
    receive,
)
from models.people.customers import Customer
from models.privacy.audit import AuditEntry

BACK_OFFICE_LANGUAGE = "en"  # the staff and the owner read the back office in English here


def contact_request(status=NEW, minutes_ago=0, **changes):
    values = {"name": "Liisa Laine", "email": "liisa@example.fi", "phone": "+358407654321",
              "subject": "booking", "message": "Onko perjantaina tilaa?\nTerveisin Liisa",
              "preferred_reply": "email", "language": "sv"}
    with models.db.connection_context():
        request = receive(ContactDetails(**{**values, **changes}), secrets.token_hex(8))
        ContactRequest.update(
            status=status, created_at=request.created_at - timedelta(minutes=minutes_ago),
            answered_at=request.created_at if status != NEW else None,
            closed_at=request.created_at if status == CLOSED else None,
        ).where(ContactRequest.id == request.id).execute()
        return ContactRequest.get_by_id(request.id)


def fetch(request):
    with models.db.connection_context():
        return ContactRequest.get_by_id(request.id)


def entries(action):
    with models.db.connection_context():
        return list(AuditEntry.select().where(AuditEntry.action == action)
                    .order_by(AuditEntry.id))


def listed_names(html):
    return re.findall(r'<th scope="row"><a href="/staff/inbox/\d+">([^<]+)</a>', html)


# Who may enter -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/staff/inbox/", "/staff/inbox/1",
                                  "/staff/inbox/1/customers?q=matti"])
def test_anonymous_visitor_is_sent_to_login(client, shop, path):
    contact_request()
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("action", ["answer", "close", "reopen", "link", "customer"])
def test_anonymous_visitor_changes_nothing(client, shop, action):
    request = contact_request()
    response = client.post(f"/staff/inbox/{request.id}/{action}", data={"note": "x"})
    assert response.status_code in (302, 400)
    assert fetch(request).status == NEW


def test_staff_and_owner_both_use_the_inbox(staff_client, owner_client):
    request = contact_request()
    for each in (staff_client, owner_client):
        assert each.get("/staff/inbox/").status_code == 200
        assert each.get(f"/staff/inbox/{request.id}").status_code == 200


def test_unknown_request_is_not_found(staff_client):
    assert staff_client.get("/staff/inbox/999").status_code == 404
    assert post(staff_client, "/staff/inbox/999/close").status_code == 404


def test_change_without_the_csrf_token_is_refused(staff_client):
    request = contact_request()
    response = staff_client.post(f"/staff/inbox/{request.id}/close")
    assert response.status_code == 400
    assert fetch(request).status == NEW


# The list ------------------------------------------------------------------------


def test_new_requests_are_listed_newest_first_with_their_first_line(staff_client):
    contact_request(name="Vanha Viesti", minutes_ago=60)
    contact_request(name="Uusi Viesti", message="\n  Pikainen kysymys  \nlisää")
    contact_request(name="Vastattu", status=ANSWERED)

    page = staff_client.get("/staff/inbox/")

    assert listed_names(page.text) == ["Uusi Viesti", "Vanha Viesti"]
    assert "Pikainen kysymys" in page.text and "lisää" not in page.text
    assert "A question about a booking" in page.text
    assert 'aria-current="page">New (2)' in page.text
    assert "Answered (1)" in page.text and "Closed (0)" in page.text


def test_list_shows_the_time_received_in_helsinki(staff_client):
    request = contact_request()
    local = request.received
    page = staff_client.get("/staff/inbox/").text
    assert f"{local.day}.{local.month}.{local.year}" in page
    assert f"at {local.hour}.{local.minute:02d}" in page


@pytest.mark.parametrize(("tab", "name"), [("answered", "Vastattu"), ("closed", "Suljettu")])
def test_tabs_list_answered_and_closed_requests(staff_client, tab, name):
    contact_request(name="Uusi")
    contact_request(name="Vastattu", status=ANSWERED)
    contact_request(name="Suljettu", status=CLOSED)

    page = staff_client.get(f"/staff/inbox/?tab={tab}")
    fragment = staff_client.get(f"/staff/inbox/?tab={tab}", headers=HTMX)

    assert listed_names(page.text) == [name] == listed_names(fragment.text)
    assert "<html" in page.text
    assert fragment.text.lstrip().startswith('<div id="inbox-list"')
    assert "HX-Request" in fragment.headers["Vary"]


def test_unknown_tab_shows_the_new_requests(staff_client):
    contact_request(name="Uusi")
    assert listed_names(staff_client.get("/staff/inbox/?tab=nonsense").text) == ["Uusi"]


def test_long_list_is_paged(staff_client):
    for number in range(PAGE_SIZE + 1):
        contact_request(name=f"Lähettäjä {number:02d}", minutes_ago=number)

    first = staff_client.get("/staff/inbox/").text
    second = staff_client.get("/staff/inbox/?page=2", headers=HTMX).text

    assert len(listed_names(first)) == PAGE_SIZE
    assert 'href="/staff/inbox/?page=2" rel="next"' in first
    assert listed_names(second) == [f"Lähettäjä {PAGE_SIZE:02d}"]
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_count_of_new_requests_is_in_the_navigation_of_every_staff_page(staff_client):
    contact_request()
    contact_request()
    contact_request(status=ANSWERED)

    for path in ("/staff/calendar/", "/staff/customers/", "/staff/inbox/"):
        assert '<span class="inbox-count">2 new</span>' in staff_client.get(path).text, path


def test_navigation_shows_no_count_when_nothing_is_new(staff_client):
    contact_request(status=CLOSED)
    page = staff_client.get("/staff/customers/").text
    assert 'href="/staff/inbox/"' in page and "inbox-count" not in page


# One request ---------------------------------------------------------------------


def test_opening_a_request_shows_everything_and_is_audited(staff_client, staff_account):
    request = contact_request(preferred_reply="phone")

    page = staff_client.get(f"/staff/inbox/{request.id}").text

    for shown in ("Liisa Laine", "liisa@example.fi", "040 765 4321", "By phone",
                  "Swedish", "Onko perjantaina tilaa?\nTerveisin Liisa"):
        assert shown in page, shown
    (entry,) = entries("contact.view")
    assert entry.user_id == staff_account.id
    assert entry.details == f"contact request #{request.id}"
    assert entry.customer_id is None


def test_answer_is_recorded_with_its_note_and_who_answered(staff_client, staff_account):
    request = contact_request()

    response = post(staff_client, f"/staff/inbox/{request.id}/answer",
                    {"note": "Soitin ja varasin perjantain."})

    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/inbox/{request.id}"
    answered = fetch(request)
    assert (answered.status, answered.reply_note, answered.answered_by_id) == (
        ANSWERED, "Soitin ja varasin perjantain.", staff_account.id)
    (entry,) = entries("contact.answer")
    assert entry.details == f"contact request #{request.id}"
    page = staff_client.get(response.headers["Location"]).text
    assert "Marked as answered." in page and "Aino Esimerkki" in page


def test_answer_needs_a_note(staff_client):
    request = contact_request()

    plain = post(staff_client, f"/staff/inbox/{request.id}/answer", {"note": "  "})
    fragment = post(staff_client, f"/staff/inbox/{request.id}/answer", {"note": ""},
                    headers=HTMX)

    assert plain.status_code == fragment.status_code == 422
    assert "Write down how you answered" in plain.text and "<html" in plain.text
    assert fragment.text.lstrip().startswith('<div id="answer-form"')
    assert "Write down how you answered" in fragment.text
    assert fetch(request).status == NEW and entries("contact.answer") == []


def test_answer_as_htmx_redirects_to_the_request(staff_client):
    request = contact_request()
    response = post(staff_client, f"/staff/inbox/{request.id}/answer", {"note": "Vastattu"},
                    headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/staff/inbox/{request.id}"


def test_close_and_reopen(staff_client):
    request = contact_request(status=ANSWERED)

    closed = post(staff_client, f"/staff/inbox/{request.id}/close")
    assert closed.status_code == 303 and fetch(request).status == CLOSED
    assert fetch(request).closed_at is not None
    again = staff_client.get(closed.headers["Location"]).text
    assert "The request is closed." in again and "Reopen" in again

    reopened = post(staff_client, f"/staff/inbox/{request.id}/reopen", headers=HTMX)
    assert reopened.headers["HX-Redirect"] == f"/staff/inbox/{request.id}"
    assert (fetch(request).status, fetch(request).closed_at) == (ANSWERED, None)
    assert [len(entries(action)) for action in ("contact.close", "contact.reopen")] == [1, 1]


def test_closing_twice_tells_it_was_closed_already(staff_client):
    request = contact_request(status=CLOSED)
    response = post(staff_client, f"/staff/inbox/{request.id}/close")
    assert "The request was closed already." in staff_client.get(
        response.headers["Location"]).text
    assert entries("contact.close") == []


def test_closed_request_takes_no_answer_until_reopened(staff_client):
    request = contact_request(status=CLOSED)
    response = post(staff_client, f"/staff/inbox/{request.id}/answer", {"note": "Myöhässä"})
    assert "Reopen it first" in staff_client.get(response.headers["Location"]).text
    assert fetch(request).status == CLOSED


# The customer register -----------------------------------------------------------


def test_customers_with_the_same_address_or_number_are_offered(staff_client):
    request = contact_request(email="matti@asiakas.example")
    page = staff_client.get(f"/staff/inbox/{request.id}").text
    assert "Link to Matti Meikäläinen" in page


def test_search_as_one_types_finds_customers_to_link(staff_client):
    request = contact_request()
    url = f"/staff/inbox/{request.id}/customers?q=meikäläinen"

    fragment = staff_client.get(url, headers=HTMX)
    plain = staff_client.get(url)

    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="customer-results"')
    assert "Link to Matti Meikäläinen" in fragment.text
    assert "Link to Maija Meikäläinen" in fragment.text
    assert entries("contact.view") == []  # only register data was shown
    assert plain.status_code == 303
    page = staff_client.get(plain.headers["Location"]).text
    assert "Link to Matti Meikäläinen" in page and "Liisa Laine" in page


def test_every_customer_picker_shows_whose_data_is_restricted(staff_client):
    contact = contact_request()
    with models.db.connection_context():
        Customer.update(restricted_at=utc_now()).where(Customer.id == MATTI).execute()
    pickers = [f"/staff/inbox/{contact.id}/customers?q=meikäläinen",
               "/staff/calendar/customer-search?q=meikäläinen",
               "/staff/requests/new/customers?q=meikäläinen"]
    for url in pickers:
        fragment = staff_client.get(url, headers=HTMX).text
        assert fragment.lstrip().startswith('<div id="customer-results"'), url
        [matti] = [item for item in fragment.split("<li>") if "Matti Meikäläinen" in item]
        [maija] = [item for item in fragment.split("<li>") if "Maija Meikäläinen" in item]
        assert "Restricted since" in matti and "Restricted since" not in maija, url
    page = staff_client.get(f"/staff/inbox/{contact.id}?q=matti").text
    assert 'id="customer-q"' in page and "Restricted since" in page


def test_search_that_finds_nobody_says_so(staff_client):
    request = contact_request()
    page = staff_client.get(f"/staff/inbox/{request.id}?q=zzzz").text
    assert "No customer in the register matches “zzzz”." in page


def test_request_is_linked_to_a_customer(staff_client):
    request = contact_request()

    response = post(staff_client, f"/staff/inbox/{request.id}/link", {"customer": MATTI})

    assert response.status_code == 303
    assert fetch(request).customer_id == MATTI
    (entry,) = entries("contact.link")
    assert (entry.customer_id, entry.details) == (MATTI, f"contact request #{request.id}")
    page = staff_client.get(response.headers["Location"]).text
    assert "Linked to" in page and 'href="/staff/customers/1"' in page
    assert "Add as a new customer" not in page


@pytest.mark.parametrize("customer", ["999", "", "abc"])
def test_link_to_a_customer_not_in_the_register_is_refused(staff_client, customer):
    request = contact_request()
    response = post(staff_client, f"/staff/inbox/{request.id}/link", {"customer": customer})
    assert response.status_code == 422
    assert "no longer in the register" in response.text
    assert fetch(request).customer_id is None


def test_new_customer_is_made_from_the_request_and_linked(staff_client):
    request = contact_request()

    response = post(staff_client, f"/staff/inbox/{request.id}/customer")

    assert response.status_code == 303
    with models.db.connection_context():
        customer = Customer.get(Customer.email == "liisa@example.fi")
    assert (customer.name, customer.phone, customer.language) == (
        "Liisa Laine", "+358407654321", "sv")
    assert fetch(request).customer_id == customer.id
    (created,) = entries("customer.create")
    assert created.customer_id == customer.id
    assert created.details == f"name, email, phone; from contact request #{request.id}"
    assert entries("contact.link")[0].customer_id == customer.id
    assert "was added to the register" in staff_client.get(response.headers["Location"]).text


def test_new_customer_with_an_address_in_the_register_offers_the_existing_one(staff_client):
    request = contact_request(email="matti@asiakas.example", name="Matti M")
    with models.db.connection_context():
        customers_before = Customer.select().count()

    response = post(staff_client, f"/staff/inbox/{request.id}/customer")

    assert response.status_code == 409
    assert "Link the request to that customer instead" in response.text
    assert "Link to Matti Meikäläinen" in response.text
    with models.db.connection_context():
        assert Customer.select().count() == customers_before
    assert fetch(request).customer_id is None
    assert entries("customer.create") == []
    linked = post(staff_client, f"/staff/inbox/{request.id}/link", {"customer": MATTI})
    assert linked.status_code == 303 and fetch(request).customer_id == MATTI


def test_linked_request_makes_no_second_customer(staff_client):
    request = contact_request()
    post(staff_client, f"/staff/inbox/{request.id}/link", {"customer": MATTI})
    response = post(staff_client, f"/staff/inbox/{request.id}/customer")
    assert "linked to a customer already" in staff_client.get(response.headers["Location"]).text
    assert fetch(request).customer_id == MATTI


def test_merging_two_records_moves_their_requests_to_the_kept_one(staff_client):
    from models.people.register import merge_customers

    request = contact_request()
    post(staff_client, f"/staff/inbox/{request.id}/link", {"customer": MATTI})
    with models.db.connection_context():
        merge_customers(2, MATTI)
    assert fetch(request).customer_id == 2
