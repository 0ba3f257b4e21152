"""A fresh production install (no demo): the owner made with `create-user` is led through
the setup's steps on the owner's own pages, and until the business has said who it is,
the public site only says that it opens soon."""

import re

from support import PASSWORD, log_in, post

import models
from models.privacy.statements import PrivacyStatement

BACK_OFFICE_LANGUAGE = "en"
OWNER_EMAIL = "omistaja@kampaamo.example"


def business_form(**changes):
    return {"name": "Kampaamo Kiharat", "business_id": "0112038-9",
            "street": "Kauppakatu 3", "postal_code": "40100", "town": "Jyväskylä",
            "phone": "014 123 4567", "email": "info@kiharat.example",
            "intro_fi": "Tervetuloa!", "intro_sv": "", "intro_en": "", **changes}


def week_form(weekdays, start, end):
    data = {}
    for weekday in range(7):
        ranges = [("work", start, end)] if weekday in weekdays else []
        for index, (kind, begin, finish) in enumerate([*ranges, ("work", "", "")]):
            prefix = f"days-{weekday}-rows-{index}"
            data.update({f"{prefix}-kind": kind, f"{prefix}-start": begin,
                         f"{prefix}-end": finish})
    return data


def statements():
    with models.db.connection_context():
        return list(PrivacyStatement.select())


def fresh_owner(app, runner):
    """The owner as `flask create-user --role owner` makes the account, logged in."""
    result = runner.invoke(args=["create-user", OWNER_EMAIL, "--role", "owner"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def steps_done(page):
    found = re.search(r"(\d) of (\d) steps done", page)
    return (int(found.group(1)), int(found.group(2))) if found else None


def test_a_fresh_site_says_it_opens_soon_and_takes_nothing(client):
    home = client.get("/", headers={"Accept-Language": "en"})
    assert home.status_code == 200
    assert "Opening soon" in home.text
    assert 'href="/book"' not in home.text and 'href="/contact"' not in home.text
    for address in ("/book", "/book/1", "/contact", "/privacy", "/privacy/1", "/my-data"):
        response = client.get(address, headers={"Accept-Language": "en"})
        assert response.status_code == 503, address
        assert "Opening soon" in response.text
    assert client.post("/contact", data={"message": "Hei"}).status_code == 503


def test_no_privacy_statement_is_published_with_a_placeholder_controller(client):
    client.get("/privacy")
    client.get("/")
    assert statements() == []


def test_the_owner_is_led_through_the_setup_to_an_open_site(app, runner, client):
    owner = fresh_owner(app, runner)
    page = owner.get("/staff/login")
    login = owner.post("/staff/login", data={
        "csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1),
        "email": OWNER_EMAIL, "password": PASSWORD})
    assert login.headers["Location"].endswith("/staff/setup")
    log_in(owner, OWNER_EMAIL)
    setup = owner.get("/staff/setup")
    assert setup.status_code == 200
    assert "Still missing: Name of the business, Business ID (Y-tunnus)" in setup.text
    assert setup.text.count("To do") == 4
    for link in ("/staff/settings/business", "/staff/settings/services/",
                 "/staff/settings/staff/", "/staff/records/processors"):
        assert f'href="{link}"' in setup.text

    # 1. The business details: a wrong check digit is refused, as on the page itself.
    refused = post(owner, "/staff/settings/business", business_form(business_id="0112038-8"))
    assert refused.status_code == 422
    assert "The check digit does not match" in refused.text
    assert "Opening soon" in client.get("/", headers={"Accept-Language": "en"}).text
    assert post(owner, "/staff/settings/business", business_form()).status_code == 303
    services_page = owner.get("/staff/settings/services/")
    assert steps_done(services_page.text) == (1, 4)
    home = client.get("/", headers={"Accept-Language": "en"})
    assert "Kampaamo Kiharat" in home.text and "Opening soon" not in home.text
    statement = client.get("/privacy", headers={"Accept-Language": "en"})
    assert statement.status_code == 200 and "Kampaamo Kiharat" in statement.text
    assert [row.version for row in statements()] == [1]

    # 2. Staff and their hours, then 3. services and prices, on the owner's own pages.
    added = post(owner, "/staff/settings/staff/new", {"name": "Kaisa Kampaaja", "active": "y"})
    assert added.status_code == 303
    member = added.headers["Location"].rsplit("/", 1)[1]
    assert post(owner, f"/staff/settings/staff/{member}/hours",
                week_form(range(5), "09:00", "17:00")).status_code == 303
    assert post(owner, "/staff/settings/services/new", {
        "name_fi": "Hiustenleikkuu", "duration_minutes": "45", "price": "49,00",
        "vat_percent": "25,5", "buffer_minutes": "0", "staff": [member], "active": "y",
        "position": "1"}).status_code == 303
    assert steps_done(owner.get("/staff/settings/services/").text) == (3, 4)

    # 4. The partners who process data; then the progress list has done its work.
    assert post(owner, "/staff/records/processors", {
        "name": "Pilvipalvelu Oy", "service": "hosting", "country": "FI"}).status_code == 303
    assert steps_done(owner.get("/staff/settings/services/").text) is None
    finished = owner.get("/staff/setup")
    assert finished.text.count("Done") == 4
    assert "The site is open" in finished.text
    assert "Hiustenleikkuu" in client.get("/book", headers={"Accept-Language": "en"}).text


def test_once_the_site_is_open_the_owner_logs_in_to_the_calendar(owner_client):
    """The demo (like a business set up) has its details: login leads to the calendar."""
    assert owner_client.get("/staff/").headers["Location"].endswith("/staff/calendar/")


def test_staff_cannot_open_the_setup(staff_client):
    assert staff_client.get("/staff/setup").status_code == 403


# Taking the demo away before going live ---------------------------------------------

def counts(*model_list):
    with models.db.connection_context():
        return [model.select().count() for model in model_list]


def test_demo_remove_takes_the_demo_away_and_keeps_the_accounts(owner_client, runner, client):
    from models.accounts.users import User
    from models.business import Business
    from models.business.catalogue import Service, StaffMember, WorkingHours
    from models.people.customers import Customer
    from models.privacy.audit import AuditEntry

    owner_client.get("/staff/customers/1")  # an audit entry naming a demo customer
    client.get("/privacy")  # a statement published with the demo as the controller
    assert statements()
    result = runner.invoke(args=["demo", "--remove"])
    assert result.exit_code == 0, result.output
    assert "Esittelyyritys ja kaikki sen tiedot on poistettu." in result.output
    assert counts(Business, Service, StaffMember, WorkingHours, Customer) == [0] * 5
    assert statements() == []
    assert counts(User) == [1]
    with models.db.connection_context():
        viewed = AuditEntry.get(AuditEntry.action == "customer.view")
    assert viewed.customer_id is None
    assert "Opening soon" in client.get("/", headers={"Accept-Language": "en"}).text
    # The owner's own business starts from the setup, and the demo can be added again.
    assert owner_client.get("/staff/").headers["Location"].endswith("/staff/setup")
    assert runner.invoke(args=["demo"]).output.startswith("Esittelyyritys on lisätty.")


def test_demo_remove_refuses_when_there_is_data_that_is_not_the_demos(shop, runner):
    from models.booking.bookings import Booking
    from models.people.contact_requests import ContactRequest
    from models.people.customers import Customer

    with models.db.connection_context():
        Customer.create(name="Oikea Asiakas", email="oikea@asiakas.example")
        ContactRequest.create(name="Oikea Asiakas", email="oikea@asiakas.example",
                              message="Onko lauantaina aikoja?", submission_key="k1")
    result = runner.invoke(args=["demo", "--remove"])
    assert result.exit_code == 1
    assert ("Virhe: Tietokannassa on tietoja, joita esittely ei lisännyt (asiakkaat 1, "
            "yhteydenotot 1).") in result.output
    assert "joten mitään ei poistettu" in result.output
    assert counts(Customer, Booking) == [3, 3]


def test_demo_remove_refuses_a_database_that_never_had_the_demo(app, runner):
    from models.business.settings import update_business

    with models.db.connection_context():
        update_business({"name": "Kampaamo Kiharat"})
    result = runner.invoke(args=["demo", "--remove"])
    assert result.exit_code == 1
    assert "Tässä tietokannassa ei ole poistettavaa esittelyä" in result.output


def test_demo_remove_refuses_when_the_owner_made_the_demo_business_their_own(shop, runner):
    from models.business.settings import update_business

    with models.db.connection_context():
        update_business({"name": "Kampaamo Kiharat"})
    result = runner.invoke(args=["demo", "--remove"])
    assert result.exit_code == 1
    assert "Yrityksen tiedot eivät ole enää esittelyn" in result.output


def test_every_table_the_demo_removal_names_exists():
    from models import demo, schema

    tables = {model._meta.table_name for model in schema.MODELS}
    assert tables >= demo.KEPT and tables >= demo.FOLLOWING
