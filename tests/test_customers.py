"""The customer register through the Flask test client, plain and as HTMX: the list
with search, paging and sorting, a customer's page, adding and correcting, notes,
merging, and the audit entries each of them writes."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from support import HTMX, MAIJA, MATTI, post

import models
from models.booking.bookings import CANCELLED, COMPLETED, Booking
from models.people import register
from models.people.customers import Customer, CustomerDetails
from models.people.notes import CustomerNote
from models.people.register import (
    BY_LAST_VISIT,
    KEPT_AS_WRITTEN,
    MOVED_BY_A_MERGE,
    ChangedMeanwhile,
    DuplicateEmail,
    create_customer,
    fingerprint,
    national_digits,
    register_page,
    update_customer,
)
from models.privacy.audit import AuditEntry
from views.staff import customer_forms
from views.staff import customers as customer_views

BACK_OFFICE_LANGUAGE = "en"  # the staff and the owner read the back office in English here


def entries(action):
    with models.db.connection_context():
        return list(AuditEntry.select().where(AuditEntry.action == action)
                    .order_by(AuditEntry.id))


def fetch(model, id_):
    with models.db.connection_context():
        return model.get_or_none(model.id == id_)


def add_customers(count, **values):
    with models.db.connection_context():
        Customer.insert_many([
            {"name": f"Asiakas {number:03d}", "email": f"asiakas{number}@example.fi",
             "phone": f"+35840555{number:04d}", **values}
            for number in range(count)
        ]).execute()


def add_customer(name, email=None, phone="", **values):
    with models.db.connection_context():
        return Customer.create(name=name, email=email, phone=phone, **values)


def past_booking(customer_id, days_ago, status=COMPLETED, staff=1):
    """A booking `days_ago` days back at 10.00 UTC."""
    start = (datetime.now(UTC) - timedelta(days=days_ago)).replace(
        hour=10, minute=0, second=0, microsecond=0, tzinfo=None)
    with models.db.connection_context():
        return Booking.create(customer=customer_id, service=2, staff=staff, starts_at=start,
                              ends_at=start + timedelta(hours=1),
                              blocked_until=start + timedelta(hours=1), status=status,
                              price_cents=6500)


def result_names(html):
    return re.findall(r'<th scope="row"><a href="/staff/customers/\d+">([^<]+)</a>', html)


def customer_form(**changes):
    values = {"name": "Liisa Laine", "email": "Liisa.Laine@Example.com",
              "phone": "040 765 4321", "street": "", "postal_code": "", "town": "",
              "language": "fi"}
    return {**values, **changes}


# Who may enter ------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/staff/customers/", "/staff/customers/new", f"/staff/customers/{MATTI}",
    f"/staff/customers/{MATTI}/edit", f"/staff/customers/{MATTI}/merge",
    f"/staff/customers/{MATTI}/merge/{MAIJA}",
])
def test_anonymous_visitor_is_sent_to_login(client, shop, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_staff_and_owner_both_use_the_register(staff_client, owner_client):
    for each in (staff_client, owner_client):
        assert each.get("/staff/customers/").status_code == 200
        assert each.get(f"/staff/customers/{MATTI}").status_code == 200


def test_unknown_customer_is_not_found(owner_client):
    assert owner_client.get("/staff/customers/999").status_code == 404
    assert owner_client.get("/staff/customers/999/edit").status_code == 404
    assert post(owner_client, "/staff/customers/999/notes", {"text": "x"}).status_code == 404


# The list -------------------------------------------------------------------------


def test_register_lists_customers_with_a_search_form_that_works_without_javascript(
        owner_client):
    response = owner_client.get("/staff/customers/")
    page = response.text
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert result_names(page) == ["Maija Meikäläinen", "Matti Meikäläinen"]
    assert '<form id="customer-search"' in page and 'method="get"' in page
    assert 'name="q"' in page and 'data-hx-trigger="input changed delay:250ms, search"' in page
    assert 'data-hx-target="#customer-results"' in page and 'data-hx-push-url="true"' in page
    assert "2 customers" in page


def test_search_as_htmx_returns_the_results_alone(owner_client):
    response = owner_client.get("/staff/customers/?q=matti", headers=HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert response.text.startswith('<div id="customer-results"')
    assert "<html" not in response.text
    assert result_names(response.text) == ["Matti Meikäläinen"]


@pytest.mark.parametrize(("typed", "found"), [
    ("matti", ["Matti Meikäläinen"]),
    ("MAIJA", ["Maija Meikäläinen"]),
    ("meikäläinen", ["Maija Meikäläinen", "Matti Meikäläinen"]),
    ("MEIKÄLÄINEN", ["Maija Meikäläinen", "Matti Meikäläinen"]),
    ("meikäläinen maija", ["Maija Meikäläinen"]),
    ("  maija   meik ", ["Maija Meikäläinen"]),
    ("nobody", []),
])
def test_search_finds_names_in_any_case_and_word_order(owner_client, typed, found):
    page = owner_client.get("/staff/customers/", query_string={"q": typed}).text
    assert result_names(page) == found


def test_search_finds_non_ascii_names_typed_in_lower_case(owner_client):
    add_customer("Åke Äijälä", phone="+358401112222")
    for typed in ("äijälä", "ÄIJÄLÄ", "åke"):
        page = owner_client.get("/staff/customers/", query_string={"q": typed}).text
        assert result_names(page) == ["Åke Äijälä"], typed


@pytest.mark.parametrize(("typed", "found"), [
    ("maija@asiakas", ["Maija Meikäläinen"]),
    ("MATTI@ASIAKAS.EXAMPLE", ["Matti Meikäläinen"]),
    ("asiakas.example", ["Maija Meikäläinen", "Matti Meikäläinen"]),
])
def test_search_finds_email_addresses(owner_client, typed, found):
    page = owner_client.get("/staff/customers/", query_string={"q": typed}).text
    assert result_names(page) == found


@pytest.mark.parametrize(("typed", "found"), [
    ("050 123", ["Matti Meikäläinen"]),  # stored as +358501234567
    ("0501234567", ["Matti Meikäläinen"]),
    ("+358 44 123", ["Maija Meikäläinen"]),
    ("044-123 45", ["Maija Meikäläinen"]),
    ("1234567", ["Maija Meikäläinen", "Matti Meikäläinen"]),
    ("040 999", []),
])
def test_search_finds_phone_numbers_as_people_type_them(owner_client, typed, found):
    page = owner_client.get("/staff/customers/", query_string={"q": typed}).text
    assert result_names(page) == found


def test_phone_digits_are_compared_the_way_they_are_stored():
    assert national_digits("040 123") == "40123"
    assert national_digits("+358 40 123") == "35840123"
    assert national_digits("00358 40") == "35840"
    assert national_digits("0") == "0"


@pytest.mark.parametrize("typed", ["%", "_", "\\", "a%b", "' OR 1=1 --", "x" * 500])
def test_search_takes_any_text_literally(owner_client, typed):
    response = owner_client.get("/staff/customers/", query_string={"q": typed})
    assert response.status_code == 200
    assert result_names(response.text) == []


def test_empty_search_says_what_was_not_found(owner_client):
    page = owner_client.get("/staff/customers/?q=zzz").text
    assert "No customer matches “zzz”." in page


def test_register_pages_by_fifty_with_real_links(owner_client):
    add_customers(120)  # with the two demo customers, 122
    first = owner_client.get("/staff/customers/").text
    assert len(result_names(first)) == 50
    assert "122 customers, 1–50 shown" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'href="/staff/customers/?page=2"' in first

    last = owner_client.get("/staff/customers/?page=3").text
    assert len(result_names(last)) == 22
    assert "101–122 shown" in last
    assert 'rel="next"' not in last and 'href="/staff/customers/?page=2" rel="prev"' in last


def test_paging_as_htmx_returns_the_next_results_and_keeps_the_search(owner_client):
    add_customers(120)
    response = owner_client.get("/staff/customers/?q=asiakas&page=2", headers=HTMX)
    assert response.status_code == 200
    assert response.text.startswith('<div id="customer-results"')
    assert result_names(response.text)[0] == "Asiakas 050"
    assert 'data-hx-get="/staff/customers/?q=asiakas&amp;page=3"' in response.text
    assert 'href="/staff/customers/?q=asiakas"' in response.text  # back to the first page


def test_a_page_past_the_end_or_not_a_number_does_not_fail(owner_client):
    add_customers(60)
    past_end = owner_client.get("/staff/customers/?page=9")
    assert past_end.status_code == 200 and result_names(past_end.text) == []
    assert 'rel="prev"' in past_end.text
    for odd in ("x", "-1", "0", "99999999999"):
        response = owner_client.get("/staff/customers/", query_string={"page": odd})
        assert response.status_code == 200
        assert len(result_names(response.text)) == 50


def test_register_is_sorted_by_name(owner_client):
    add_customers(120)
    add_customer("Aaro Aaltonen", phone="+358401112233")
    names = []
    for number in (1, 2, 3):
        names += result_names(owner_client.get(f"/staff/customers/?page={number}").text)
    assert len(names) == 123
    assert names == sorted(names)
    assert names[0] == "Aaro Aaltonen"


def test_register_sorts_by_last_visit_that_was_not_cancelled(owner_client):
    add_customers(120)
    recent = add_customer("Viimeksi Käynyt", phone="+358401110001")
    earlier = add_customer("Aiemmin Käynyt", phone="+358401110002")
    cancelled = add_customer("Peruttu Käynti", phone="+358401110003")
    past_booking(recent.id, days_ago=3)
    past_booking(earlier.id, days_ago=30)
    past_booking(earlier.id, days_ago=40)
    past_booking(cancelled.id, days_ago=1, status=CANCELLED)
    # Matti and Maija have only coming bookings: no visit yet.
    page = owner_client.get("/staff/customers/?sort=last_visit").text
    names = result_names(page)
    assert names[:2] == ["Viimeksi Käynyt", "Aiemmin Käynyt"]
    assert names[2:] == sorted(names[2:])  # no visit yet: by name
    assert 'value="last_visit" selected' in page
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    assert three_days_ago.strftime("%-d.%-m.%Y") in page

    later = owner_client.get("/staff/customers/?sort=last_visit&page=2", headers=HTMX).text
    assert "Peruttu Käynti" not in names and len(result_names(later)) == 50
    assert 'href="/staff/customers/?sort=last_visit&amp;page=3"' in later


def test_an_unknown_sort_falls_back_to_name(owner_client):
    page = owner_client.get("/staff/customers/?sort=password_hash").text
    assert result_names(page) == ["Maija Meikäläinen", "Matti Meikäläinen"]


def test_register_page_takes_two_queries_at_most(shop):
    add_customers(120)
    with models.db.connection_context():
        queries = []
        original = models.db.obj.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            queries.append(sql)
            return original(sql, params, *args, **kwargs)

        models.db.obj.execute_sql = counting
        try:
            page = register_page("asiakas", BY_LAST_VISIT, 2)
            for customer in page.customers:
                assert customer.last_visit is None
        finally:
            del models.db.obj.execute_sql
    assert len(page.customers) == 50 and page.total == 122  # with Matti and Maija
    assert len(queries) == 2


# A customer's page ----------------------------------------------------------------


def test_customer_page_shows_details_bookings_and_notes(owner_client):
    visit = past_booking(MATTI, days_ago=10)
    with models.db.connection_context():
        CustomerNote.create(customer=MATTI, text="Prefers a firm massage.")
    response = owner_client.get(f"/staff/customers/{MATTI}")
    page = response.text
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "Matti Meikäläinen" in page and "matti@asiakas.example" in page
    assert 'href="tel:+358501234567"' in page and "050 123 4567" in page
    links = re.findall(r'href="/staff/calendar/booking/(\d+)"', page)
    assert len(links) == 3 and links[-1] == str(visit.id)  # the past one is the oldest
    assert "Completed" in page and "Confirmed" in page
    assert "Prefers a firm massage." in page
    assert "Maija" not in page
    as_htmx = owner_client.get(f"/staff/customers/{MATTI}", headers=HTMX)
    assert as_htmx.status_code == 200 and "<html" in as_htmx.text  # a page, no fragment
    assert "HX-Request" in as_htmx.headers["Vary"]


def test_a_regular_customer_page_lists_the_latest_bookings_and_links_to_all(owner_client):
    oldest = past_booking(MATTI, days_ago=60)
    for days_ago in range(2, 51):
        past_booking(MATTI, days_ago=days_ago)
    page = owner_client.get(f"/staff/customers/{MATTI}").text
    links = re.findall(r'href="/staff/calendar/booking/(\d+)"', page)
    assert len(links) == customer_views.BOOKINGS_SHOWN and str(oldest.id) not in links
    assert "<dt>Visits</dt><dd>50</dd>" in page  # the glance counts every booking
    every = f"/staff/customers/{MATTI}?bookings=all"
    assert f'href="{every}#bookings"' in page and "Show all bookings (52)" in page

    whole = owner_client.get(every)
    links = re.findall(r'href="/staff/calendar/booking/(\d+)"', whole.text)
    assert "<html" in whole.text and len(links) == 52 and links[-1] == str(oldest.id)
    assert "Show all bookings" not in whole.text
    swapped = owner_client.get(every, headers=HTMX)
    assert swapped.text.lstrip().startswith('<section id="bookings"')
    assert len(re.findall(r'href="/staff/calendar/booking/', swapped.text)) == 52
    assert "HX-Request" in swapped.headers["Vary"]


def test_opening_a_customer_page_is_written_in_the_audit_log(owner_client, owner):
    owner_client.get(f"/staff/customers/{MAIJA}", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    [entry] = entries("customer.view")
    assert entry.customer_id == MAIJA and entry.user_id == owner.id
    assert entry.ip == "10.0.0.7"


def test_the_list_itself_is_not_a_view_of_each_customer(owner_client):
    owner_client.get("/staff/customers/?q=mei")
    assert entries("customer.view") == []


# Adding a customer ----------------------------------------------------------------


def test_staff_adds_a_customer_met_in_person(staff_client, staff_account):
    response = post(staff_client, "/staff/customers/new",
                    customer_form(postal_code="00100", street="Katu 1", town="Helsinki"))
    assert response.status_code == 303
    with models.db.connection_context():
        customer = Customer.get(Customer.name == "Liisa Laine")
    assert response.headers["Location"] == f"/staff/customers/{customer.id}"
    assert customer.email == "liisa.laine@example.com"
    assert customer.phone == "+358407654321"
    assert (customer.street, customer.postal_code, customer.town) == (
        "Katu 1", "00100", "Helsinki")
    [entry] = entries("customer.create")
    assert entry.customer_id == customer.id and entry.user_id == staff_account.id
    assert "Customer added." in staff_client.get(response.headers["Location"]).text


def test_a_customer_needs_only_a_name_and_one_way_to_reach_them(owner_client):
    assert post(owner_client, "/staff/customers/new",
                customer_form(email="")).status_code == 303
    assert post(owner_client, "/staff/customers/new",
                customer_form(name="Toinen", email="toinen@example.fi", phone="")
                ).status_code == 303
    with models.db.connection_context():
        assert Customer.get(Customer.name == "Liisa Laine").email is None
        assert Customer.get(Customer.name == "Toinen").phone == ""
    # Many customers without an e-mail address: no clash.
    assert post(owner_client, "/staff/customers/new",
                customer_form(name="Kolmas", email="", phone="040 111 2222")
                ).status_code == 303


def test_adding_as_htmx_redirects_to_the_new_customer(owner_client):
    response = post(owner_client, "/staff/customers/new", customer_form(), headers=HTMX)
    assert response.status_code == 200
    assert re.fullmatch(r"/staff/customers/\d+", response.headers["HX-Redirect"])


def test_new_customer_form_is_a_page_and_a_fragment(owner_client):
    page = owner_client.get("/staff/customers/new")
    assert page.status_code == 200 and "<html" in page.text
    assert 'name="csrf_token"' in page.text and 'action="/staff/customers/new"' in page.text
    fragment = owner_client.get("/staff/customers/new", headers=HTMX)
    assert fragment.text.startswith('<div id="customer-form"')
    assert "HX-Request" in fragment.headers["Vary"]


BAD_INPUT = [
    ({"name": ""}, "name", "Give the customer"),
    ({"name": "   "}, "name", "Give the customer"),
    ({"name": "N" * 101}, "name", "At most 100 characters; this has 101."),
    ({"email": "", "phone": ""}, "email", "Give an e-mail address or a phone number"),
    ({"email": "liisa@", "phone": ""}, "email", "This is not an e-mail address."),
    ({"email": "liisa at example.com"}, "email", "This is not an e-mail address."),
    ({"email": "a" * 250 + "@example.fi"}, "email", "At most 254 characters"),
    ({"phone": "12"}, "phone", "This is not a phone number we can call."),
    ({"phone": "040 123 4567 8901 2345 6789 0123"}, "phone", "At most 30 characters"),
    ({"postal_code": "1000"}, "postal_code", "A postal code has five digits"),
    ({"postal_code": "00100x"}, "postal_code", "A postal code has five digits"),
    ({"street": "S" * 201}, "street", "At most 200 characters"),
    ({"town": "T" * 101}, "town", "At most 100 characters"),
    ({"language": "de"}, "language", "Not a valid choice"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_at_the_field_with_values_kept(owner_client, changes, field,
                                                           message):
    typed = customer_form(**changes)
    response = post(owner_client, "/staff/customers/new", typed)
    assert response.status_code == 422
    page = response.text
    assert f'id="{field}-error"' in page and message in page
    assert f'id="{field}" name="{field}"' in page and 'aria-invalid="true"' in page
    for name in ("name", "email", "phone", "street", "postal_code", "town"):
        if typed[name].strip():
            assert f'value="{typed[name]}"' in page, name
    with models.db.connection_context():
        assert Customer.select().count() == 2
    assert entries("customer.create") == []


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT[::3])
def test_bad_input_as_htmx_gets_the_form_back_with_422(owner_client, changes, field,
                                                       message):
    response = post(owner_client, "/staff/customers/new", customer_form(**changes),
                    headers=HTMX)
    assert response.status_code == 422
    assert response.text.startswith('<div id="customer-form"')
    assert message in response.text and "HX-Request" in response.headers["Vary"]


def test_a_form_without_its_token_is_refused_and_nothing_saved(owner_client):
    response = owner_client.post("/staff/customers/new", data=customer_form())
    assert response.status_code in (400, 403)
    with models.db.connection_context():
        assert Customer.select().count() == 2


def test_a_second_customer_with_the_same_email_is_refused_with_a_link(owner_client):
    response = post(owner_client, "/staff/customers/new",
                    customer_form(email="MATTI@asiakas.example"))
    assert response.status_code == 422
    assert "A customer with this e-mail address is already in the register." in response.text
    assert f'<a href="/staff/customers/{MATTI}">Open Matti Meikäläinen' in response.text
    assert 'value="MATTI@asiakas.example"' in response.text
    with models.db.connection_context():
        assert Customer.select().count() == 2

    as_htmx = post(owner_client, "/staff/customers/new",
                   customer_form(email="matti@asiakas.example", postal_code="1"),
                   headers=HTMX)
    assert as_htmx.status_code == 422 and f'href="/staff/customers/{MATTI}"' in as_htmx.text
    assert "A postal code has five digits" in as_htmx.text  # told at once, with the rest


def test_an_email_added_by_someone_else_a_moment_ago_is_still_refused(owner_client,
                                                                       monkeypatch):
    monkeypatch.setattr(customer_forms, "customer_with_email", lambda *args, **kw: None)
    response = post(owner_client, "/staff/customers/new",
                    customer_form(email="maija@asiakas.example"))
    assert response.status_code == 422
    assert f'href="/staff/customers/{MAIJA}"' in response.text


def test_the_register_refuses_a_second_email_without_the_form_too(shop):
    details = CustomerDetails("Toinen Maija", "maija@asiakas.example", "")
    with models.db.connection_context(), pytest.raises(DuplicateEmail) as refused:
        create_customer(details)
    assert refused.value.existing.id == MAIJA


# Correcting details ---------------------------------------------------------------


def edit_fields(client, customer_id):
    """The fields of a customer's edit form, as the browser would send them."""
    page = client.get(f"/staff/customers/{customer_id}/edit").text
    fields = dict(re.findall(r'name="(\w+)" (?:type="\w+" )?value="([^"]*)"', page))
    fields["language"] = re.search(r'<option value="(\w+)"[^>]*selected', page).group(1)
    return fields


def test_edit_form_shows_the_details_as_stored(owner_client):
    response = owner_client.get(f"/staff/customers/{MATTI}/edit")
    assert response.status_code == 200 and "<html" in response.text
    fields = edit_fields(owner_client, MATTI)
    assert fields["name"] == "Matti Meikäläinen" and fields["phone"] == "+358501234567"
    assert fields["email"] == "matti@asiakas.example" and fields["seen"]
    fragment = owner_client.get(f"/staff/customers/{MATTI}/edit", headers=HTMX)
    assert fragment.text.startswith('<div id="customer-form"')
    assert "HX-Request" in fragment.headers["Vary"]
    # The form shows the customer's details: opening it is a view of them.
    assert [entry.details for entry in entries("customer.view")] == ["edit form"] * 3


def test_correction_is_saved_and_the_audit_log_names_the_fields_only(owner_client, owner):
    fields = edit_fields(owner_client, MAIJA)
    response = post(owner_client, f"/staff/customers/{MAIJA}/edit",
                    {**fields, "phone": "044 999 8888", "town": "Espoo", "language": "sv"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/customers/{MAIJA}"
    maija = fetch(Customer, MAIJA)
    assert (maija.phone, maija.town) == ("+358449998888", "Espoo")
    [entry] = entries("customer.update")
    assert entry.customer_id == MAIJA and entry.user_id == owner.id
    assert entry.details == "phone, town"
    assert "999" not in entry.details and "Espoo" not in entry.details


def test_correction_as_htmx_redirects_to_the_customer(owner_client):
    fields = edit_fields(owner_client, MAIJA)
    response = post(owner_client, f"/staff/customers/{MAIJA}/edit",
                    {**fields, "name": "Maija Virtanen"}, headers=HTMX)
    assert response.headers["HX-Redirect"] == f"/staff/customers/{MAIJA}"
    assert fetch(Customer, MAIJA).name == "Maija Virtanen"


def test_saving_without_changes_writes_no_update(owner_client):
    fields = edit_fields(owner_client, MAIJA)
    response = post(owner_client, f"/staff/customers/{MAIJA}/edit", fields)
    assert response.status_code == 303
    assert entries("customer.update") == []
    assert "Nothing was changed." in owner_client.get(response.headers["Location"]).text


def test_correction_with_bad_input_keeps_what_was_typed(owner_client):
    fields = edit_fields(owner_client, MAIJA)
    response = post(owner_client, f"/staff/customers/{MAIJA}/edit",
                    {**fields, "postal_code": "123", "town": "Vantaa"})
    assert response.status_code == 422
    assert 'value="123"' in response.text and 'value="Vantaa"' in response.text
    assert fetch(Customer, MAIJA).town == ""


def test_removing_both_ways_to_reach_a_customer_is_refused(owner_client):
    fields = edit_fields(owner_client, MAIJA)
    response = post(owner_client, f"/staff/customers/{MAIJA}/edit",
                    {**fields, "email": "", "phone": ""}, headers=HTMX)
    assert response.status_code == 422
    assert "Give an e-mail address or a phone number" in response.text


def test_correcting_to_another_customers_email_offers_to_open_or_merge(owner_client):
    fields = edit_fields(owner_client, MAIJA)
    response = post(owner_client, f"/staff/customers/{MAIJA}/edit",
                    {**fields, "email": "Matti@Asiakas.example"})
    assert response.status_code == 422
    assert "already in the register" in response.text
    assert f'href="/staff/customers/{MATTI}"' in response.text
    assert f'href="/staff/customers/{MAIJA}/merge/{MATTI}"' in response.text
    assert fetch(Customer, MAIJA).email == "maija@asiakas.example"


def test_a_change_made_meanwhile_is_not_overwritten(owner_client, staff_client):
    fields = edit_fields(owner_client, MAIJA)
    other = edit_fields(staff_client, MAIJA)
    assert post(staff_client, f"/staff/customers/{MAIJA}/edit",
                {**other, "phone": "044 555 6666"}).status_code == 303

    response = post(owner_client, f"/staff/customers/{MAIJA}/edit",
                    {**fields, "town": "Turku"})
    assert response.status_code == 409
    assert "Someone else changed this customer" in response.text
    assert 'value="Turku"' in response.text  # what was typed is kept
    assert "044 555 6666" in response.text  # what the register holds now is shown
    maija = fetch(Customer, MAIJA)
    assert (maija.phone, maija.town) == ("+358445556666", "")

    # Saving again on purpose replaces it.
    seen = re.search(r'name="seen" value="([^"]+)"', response.text).group(1)
    again = post(owner_client, f"/staff/customers/{MAIJA}/edit",
                 {**fields, "town": "Turku", "seen": seen}, headers=HTMX)
    assert again.status_code == 200 and "HX-Redirect" in again.headers
    assert fetch(Customer, MAIJA).town == "Turku"


def test_a_change_made_meanwhile_as_htmx_gets_the_form_with_409(owner_client):
    fields = edit_fields(owner_client, MAIJA)
    with models.db.connection_context():
        Customer.update(name="Maija M.").where(Customer.id == MAIJA).execute()
    response = post(owner_client, f"/staff/customers/{MAIJA}/edit",
                    {**fields, "town": "Turku"}, headers=HTMX)
    assert response.status_code == 409
    assert response.text.startswith('<div id="customer-form"')
    assert fetch(Customer, MAIJA).name == "Maija M."


def test_a_change_between_reading_and_writing_is_not_overwritten(shop, monkeypatch):
    def change_meanwhile(*args):
        Customer.update(town="Oulu").where(Customer.id == MAIJA).execute()

    with models.db.connection_context():
        seen = fingerprint(Customer.get_by_id(MAIJA))
        monkeypatch.setattr(register, "_refuse_duplicate", change_meanwhile)
        details = CustomerDetails("Maija Meikäläinen", "maija@asiakas.example",
                                  "+358441234567", town="Turku")
        with pytest.raises(ChangedMeanwhile) as conflict:
            update_customer(MAIJA, details, "sv", seen)
        assert conflict.value.current.town == "Oulu"
        assert Customer.get_by_id(MAIJA).town == "Oulu"


# Notes --------------------------------------------------------------------------


def test_staff_adds_a_confidential_note(staff_client, staff_account):
    response = post(staff_client, f"/staff/customers/{MATTI}/notes",
                    {"text": "Sore left shoulder.", "confidential": "y"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/customers/{MATTI}"
    with models.db.connection_context():
        [note] = list(CustomerNote.select())
    assert (note.customer_id, note.author_id, note.text, note.confidential) == (
        MATTI, staff_account.id, "Sore left shoulder.", True)
    [entry] = entries("customer.note")
    assert entry.customer_id == MATTI and entry.details == "confidential"
    assert "Sore left shoulder." not in entry.details
    page = staff_client.get(f"/staff/customers/{MATTI}").text
    assert "Sore left shoulder." in page and "Aino Esimerkki" in page


def test_a_note_as_htmx_redirects_and_is_not_confidential_unless_marked(owner_client):
    response = post(owner_client, f"/staff/customers/{MATTI}/notes",
                    {"text": "Met at the fair."}, headers=HTMX)
    assert response.headers["HX-Redirect"] == f"/staff/customers/{MATTI}"
    with models.db.connection_context():
        assert CustomerNote.get().confidential is False


@pytest.mark.parametrize(("text", "message"), [
    ("", "Write the note first."),
    ("   ", "Write the note first."),
    ("x" * 5001, "At most 5000 characters; this has 5001."),
])
def test_an_empty_or_too_long_note_is_refused(owner_client, text, message):
    plain = post(owner_client, f"/staff/customers/{MATTI}/notes",
                 {"text": text, "confidential": "y"})
    assert plain.status_code == 422 and message in plain.text
    assert "<html" in plain.text and "matti@asiakas.example" in plain.text
    assert 'checked' in plain.text
    fragment = post(owner_client, f"/staff/customers/{MATTI}/notes", {"text": text},
                    headers=HTMX)
    assert fragment.status_code == 422
    assert fragment.text.startswith('<section id="notes"') and message in fragment.text
    with models.db.connection_context():
        assert CustomerNote.select().count() == 0


# Merging ------------------------------------------------------------------------


def test_merge_page_offers_records_with_the_same_name_or_phone(owner_client):
    twin = add_customer("matti meikäläinen", "matti.m@example.fi", "+358401231231")
    same_phone = add_customer("M. Meikäläinen", None, "+358501234567")
    response = owner_client.get(f"/staff/customers/{MATTI}/merge")
    assert response.status_code == 200
    for other in (twin, same_phone):
        assert f'href="/staff/customers/{MATTI}/merge/{other.id}"' in response.text
    assert f'/merge/{MAIJA}"' not in response.text


def test_merge_search_as_you_type_lists_the_other_records(owner_client):
    page = owner_client.get(f"/staff/customers/{MATTI}/merge").text
    assert 'data-hx-trigger="input changed delay:250ms, search"' in page
    response = owner_client.get(f"/staff/customers/{MATTI}/merge?q=meik", headers=HTMX)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert response.text.startswith('<div id="merge-candidates"')
    assert f'href="/staff/customers/{MATTI}/merge/{MAIJA}"' in response.text
    assert f'/merge/{MATTI}"' not in response.text  # not with itself
    plain = owner_client.get(f"/staff/customers/{MATTI}/merge?q=nobody").text
    assert "No other customer matches “nobody”." in plain


def test_merge_preview_shows_what_moves_before_anything_is_merged(owner_client):
    with models.db.connection_context():
        CustomerNote.create(customer=MATTI, text="A note.")
    response = owner_client.get(f"/staff/customers/{MAIJA}/merge/{MATTI}")
    assert response.status_code == 200
    page = response.text
    assert "Kept: Maija Meikäläinen" in page and "Removed: Matti Meikäläinen" in page
    assert "2 bookings move to Maija Meikäläinen." in page
    assert "1 note moves to Maija Meikäläinen." in page
    assert 'name="keep" value="2"' in page
    assert fetch(Customer, MATTI) is not None
    assert {entry.customer_id for entry in entries("customer.view")} == {MATTI, MAIJA}

    switched = owner_client.get(f"/staff/customers/{MAIJA}/merge/{MATTI}?keep={MATTI}",
                                headers=HTMX)
    assert switched.text.startswith('<div id="merge-plan"')
    assert "Kept: Matti Meikäläinen" in switched.text
    assert "1 booking moves to Matti Meikäläinen." in switched.text
    assert "0 notes move to Matti Meikäläinen." in switched.text


def test_merge_moves_bookings_and_notes_and_removes_the_other_record(owner_client, owner):
    duplicate = add_customer("Matti Meikäläinen", "matti.work@example.fi", "",
                             town="Espoo")
    moved_booking = past_booking(duplicate.id, days_ago=5)
    with models.db.connection_context():
        moved_note = CustomerNote.create(customer=duplicate, text="From the other record.")
    owner_client.get(f"/staff/customers/{duplicate.id}")  # an audit entry of the removed
    preview = owner_client.get(f"/staff/customers/{MATTI}/merge/{duplicate.id}").text
    assert "Town" in preview  # the town is taken from the removed record

    response = post(owner_client, f"/staff/customers/{MATTI}/merge/{duplicate.id}",
                    {"keep": str(MATTI)})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/customers/{MATTI}"
    assert fetch(Customer, duplicate.id) is None
    assert fetch(Booking, moved_booking.id).customer_id == MATTI
    assert fetch(Booking, moved_booking.id).version == 2
    assert fetch(CustomerNote, moved_note.id).customer_id == MATTI
    matti = fetch(Customer, MATTI)
    assert (matti.email, matti.town) == ("matti@asiakas.example", "Espoo")
    [merge] = entries("customer.merge")
    assert merge.customer_id == MATTI and merge.user_id == owner.id
    assert merge.details == f"merged customer {duplicate.id}; filled town"
    # The removed record's audit entries stay, their link to it cleared by the database.
    views = entries("customer.view")
    assert views[0].customer_id is None and views[0].details == ""
    page = owner_client.get(response.headers["Location"]).text
    assert "The two records are now one." in page and "From the other record." in page


def test_merge_can_keep_the_other_record_and_take_its_email(owner_client):
    no_email = add_customer("Maija M.", None, "+358401239999")
    response = post(owner_client, f"/staff/customers/{MAIJA}/merge/{no_email.id}",
                    {"keep": str(no_email.id)}, headers=HTMX)
    assert response.headers["HX-Redirect"] == f"/staff/customers/{no_email.id}"
    assert fetch(Customer, MAIJA) is None
    kept = fetch(Customer, no_email.id)
    assert (kept.email, kept.phone) == ("maija@asiakas.example", "+358401239999")
    with models.db.connection_context():
        assert Booking.select().where(Booking.customer == no_email.id).count() == 1


def test_a_merge_with_a_tampered_or_missing_choice_is_refused(owner_client):
    for keep in ("", "999", "abc"):
        response = post(owner_client, f"/staff/customers/{MATTI}/merge/{MAIJA}",
                        {"keep": keep})
        assert response.status_code == 400
    assert owner_client.get(f"/staff/customers/{MATTI}/merge/{MATTI}").status_code == 404
    assert post(owner_client, f"/staff/customers/{MATTI}/merge/{MATTI}",
                {"keep": str(MATTI)}).status_code == 404
    assert fetch(Customer, MAIJA) is not None and entries("customer.merge") == []


def test_merging_a_record_merged_meanwhile_says_so(owner_client, staff_client):
    owner_preview = owner_client.get(f"/staff/customers/{MATTI}/merge/{MAIJA}")
    assert owner_preview.status_code == 200
    assert post(staff_client, f"/staff/customers/{MATTI}/merge/{MAIJA}",
                {"keep": str(MATTI)}).status_code == 303
    response = post(owner_client, f"/staff/customers/{MATTI}/merge/{MAIJA}",
                    {"keep": str(MAIJA)})
    assert response.status_code == 404  # Maija's record is gone: nothing to merge
    assert len(entries("customer.merge")) == 1


def test_a_merge_that_finds_a_record_gone_says_so_and_changes_nothing(owner_client,
                                                                     monkeypatch):
    def gone(*args):
        raise Customer.DoesNotExist

    monkeypatch.setattr(customer_views, "merge_customers", gone)
    response = post(owner_client, f"/staff/customers/{MATTI}/merge/{MAIJA}",
                    {"keep": str(MATTI)})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/customers/"
    assert "nothing was merged" in owner_client.get("/staff/customers/").text
    assert entries("customer.merge") == []


def test_every_link_to_a_customer_is_moved_or_kept_by_a_merge():
    """A later table that points at a customer must say what a merge does with it."""
    handled = {(column.model, column.name) for column in MOVED_BY_A_MERGE + KEPT_AS_WRITTEN}
    links = {(backref.model, backref.name) for backref in Customer._meta.backrefs}
    assert links == handled
