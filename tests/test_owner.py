"""The owner's pages: business settings, services, staff hours, closed days, accounts
and the audit log; plain and as HTMX, with every rule, and their effect on the public
free times."""

import csv
import html
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from peewee import DatabaseError
from support import (
    AINO,
    CLASSIC_30,
    CLASSIC_60,
    EERO,
    HOME_VISIT,
    HTMX,
    PASSWORD,
    csrf_token,
    log_in,
    next_weekday,
    post,
)

import models
import models.accounts.users
from engines.business_id import InvalidBusinessId, check_digit, normalise_business_id
from engines.clock import HELSINKI
from engines.free_times import finnish_holidays
from models.accounts.sessions import StaffSession
from models.accounts.users import Invitation, User
from models.business import Business, DayException
from models.business.catalogue import (
    Break,
    ExtraHours,
    Service,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from models.business.settings import (
    DayRange,
    InvalidSetting,
    check_day,
    parse_day,
    parse_price,
    parse_time_of_day,
    parse_vat,
)
from models.demo import INTRO_EN, INTRO_FI, INTRO_SV
from models.demo import STAFF as STAFF_DEMO
from models.people.customers import Customer
from models.privacy.audit import ACTIONS, AuditEntry
from web.wording import ACTION_LABELS

BACK_OFFICE_LANGUAGE = "en"  # the staff and the owner read the back office in English here


def one(query):
    with models.db.connection_context():
        return query.get()


def rows(query):
    with models.db.connection_context():
        return list(query)


def business():
    with models.db.connection_context():
        return Business.current()


def free_times(client, service, day, staff="any"):
    """The start times ("10.00") the public times page offers on `day`."""
    response = client.get(f"/book/{service}", query_string={
        "day": day.isoformat(), "staff": staff})
    assert response.status_code == 200, response.text
    return re.findall(r'class="time"[^>]*>(\d{1,2}\.\d\d)</a>', response.text)


def audit_entries(action):
    with models.db.connection_context():
        return list(AuditEntry.select().where(AuditEntry.action == action)
                    .order_by(AuditEntry.id))


def is_fragment(response, root_id):
    assert "<html" not in response.text
    assert f'id="{root_id}"' in response.text
    assert "HX-Request" in response.headers.get("Vary", "")


def minutes(clock):
    """ "9.30" as minutes from midnight, for comparing times of day."""
    hours, _, mins = clock.partition(".")
    return int(hours) * 60 + int(mins)


def quiet_week():
    """The Monday of a week at least two weeks ahead without a public holiday."""
    monday = next_weekday(0)
    holidays = finnish_holidays([monday.year, monday.year + 1])
    while any(monday + timedelta(days=n) in holidays for n in range(7)):
        monday += timedelta(days=7)
    return monday


def longer_horizon(days=400):
    with models.db.connection_context():
        Business.update(horizon_days=days).execute()


# The business ID: its check digit ---------------------------------------------

@pytest.mark.parametrize("business_id", ["1234567-1", "0112038-9", "2617416-4", "1000002-0"])
def test_valid_business_ids_pass_their_check_digit(business_id):
    assert normalise_business_id(business_id) == business_id


def test_business_id_check_digit_rules():
    assert check_digit("1000002") == 0  # remainder 0 gives 0
    assert check_digit("1234567") == 1  # remainder 10 gives 11 - 10
    assert check_digit("1000008") is None  # remainder 1: never issued


@pytest.mark.parametrize("typed, normal", [
    (" 1234567-1 ", "1234567-1"), ("12345671", "1234567-1"), ("112038-9", "0112038-9")])
def test_business_id_is_normalised(typed, normal):
    assert normalise_business_id(typed) == normal


@pytest.mark.parametrize("business_id, code", [
    ("1234567-2", "check_digit"), ("1000008-1", "check_digit"), ("0112038-8", "check_digit"),
    ("1234567", "format"), ("123-4567", "format"), ("FI12345671", "format"), ("", "format")])
def test_invalid_business_ids_are_refused(business_id, code):
    with pytest.raises(InvalidBusinessId) as refused:
        normalise_business_id(business_id)
    assert refused.value.code == code


# Reading typed values -----------------------------------------------------------------

@pytest.mark.parametrize("typed, cents", [
    ("45,00", 4500), ("45.00", 4500), ("45", 4500), ("45,5", 4550), ("45 €", 4500),
    ("1 234,50", 123450), ("0", 0)])
def test_prices_typed_the_finnish_or_the_english_way(typed, cents):
    assert parse_price(typed) == cents


@pytest.mark.parametrize("typed, code", [
    ("-5,00", "price_negative"), ("45,001", "price_invalid"), ("abc", "price_invalid"),
    ("45,00,00", "price_invalid"), ("2000000", "price_too_high")])
def test_bad_prices_are_refused(typed, code):
    with pytest.raises(InvalidSetting) as refused:
        parse_price(typed)
    assert refused.value.code == code


def test_vat_rates_from_0_to_100():
    assert str(parse_vat("25,5")) == "25.5"
    assert parse_vat("0") == 0 and parse_vat("100") == 100
    for typed, code in (("100,5", "vat_range"), ("-1", "vat_range"), ("25,55", "vat_invalid"),
                        ("x", "vat_invalid")):
        with pytest.raises(InvalidSetting) as refused:
            parse_vat(typed)
        assert refused.value.code == code


def test_times_of_day_and_dates():
    assert parse_time_of_day("9.30") == parse_time_of_day("09:30") == time(9, 30)
    assert parse_time_of_day("17") == time(17)
    assert parse_day("24.11.2026") == parse_day("2026-11-24") == date(2026, 11, 24)
    for typed, code in (("24.00", "time_outside_day"), ("9.60", "time_invalid"),
                        ("nine", "time_invalid")):
        with pytest.raises(InvalidSetting) as refused:
            parse_time_of_day(typed)
        assert refused.value.code == code
    for typed in ("31.2.2026", "9999-12-31", "1.1.1900", "2026-11-24T10:00"):
        with pytest.raises(InvalidSetting):
            parse_day(typed)


def test_rules_of_a_day_of_working_hours():
    def r(start, end, is_break=False):
        return DayRange(time(*start), time(*end), is_break)

    assert check_day([r((9,), (12,)), r((12,), (17,))]) == []  # touching is fine
    assert check_day([r((9,), (17,)), r((12,), (12, 30), True)]) == []
    assert check_day([r((9,), (12,)), r((11,), (15,))]) == [(1, "overlap")]
    assert check_day([r((12,), (9,))]) == [(0, "end_before_start")]
    assert check_day([r((9,), (9,))]) == [(0, "end_before_start")]
    assert check_day([r((9,), (12,)), r((11,), (13,), True)]) == [(1, "break_outside_hours")]
    assert check_day([r((9,), (17,)), r((12,), (13,), True), r((12, 30), (14,), True)]) == [
        (2, "overlap")]


# The overview and the business ---------------------------------------------------

def test_overview_links_every_section(owner_client):
    page = owner_client.get("/staff/settings/")
    assert page.status_code == 200
    for address in ("/staff/settings/business", "/staff/settings/services/",
                    "/staff/settings/staff/", "/staff/settings/days", "/staff/accounts/",
                    "/staff/audit/"):
        assert f'href="{address}"' in page.text
    assert "Hyvän Olon Hieronta (demo)" in page.text


def business_form(**changes):
    values = {"name": "Hieronta Hyvä Olo", "business_id": "0112038-9",
              "street": "Uusikatu 2", "postal_code": "00200", "town": "Espoo",
              "phone": "09 123 4567", "email": "Info@HyvaOlo.example",
              "intro_fi": "Tervetuloa!", "intro_sv": "Välkommen!", "intro_en": "Welcome!"}
    return {**values, **changes}


def test_business_page_shows_the_saved_details(owner_client):
    page = owner_client.get("/staff/settings/business")
    assert page.status_code == 200
    assert 'value="Hyvän Olon Hieronta (demo)"' in page.text
    assert 'value="1234567-1"' in page.text
    assert 'value="040 123 4567"' in page.text


def test_saved_business_details_show_on_public_pages_at_once(owner_client, client):
    response = post(owner_client, "/staff/settings/business", business_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/settings/business")
    saved = business()
    assert (saved.phone, saved.email) == ("+35891234567", "info@hyvaolo.example")
    home = client.get("/").text
    assert "Hieronta Hyvä Olo" in home and "Tervetuloa!" in home
    assert "0112038-9" in home and "Uusikatu 2" in home and "00200 Espoo" in home
    client.set_cookie("lang", "sv")
    assert "Välkommen!" in client.get("/").text


def test_business_change_is_audited_by_name_never_by_value(owner_client, owner):
    post(owner_client, "/staff/settings/business", business_form(
        name="Hyvän Olon Hieronta (demo)", business_id="1234567-1", phone="050 555 1234",
        street="Esimerkkikatu 1 A", postal_code="00100", town="Helsinki",
        email="info@hieronta.example", intro_fi=INTRO_FI, intro_sv=INTRO_SV,
        intro_en=INTRO_EN + " Welcome!"))
    entry = audit_entries("settings.update")[-1]
    assert entry.user_id == owner.id
    assert entry.details == "business: phone, intro_en"


def test_saving_business_as_htmx_returns_the_section_with_a_note(owner_client):
    response = post(owner_client, "/staff/settings/business", business_form(), htmx=True)
    assert response.status_code == 200
    is_fragment(response, "business-section")
    assert "The business details are saved." in response.text
    assert 'value="09 123 4567"' in response.text  # the stored number, as people write it


@pytest.mark.parametrize("field, typed, message", [
    ("name", "", "Give the name of the business."),
    ("business_id", "1234567-2", "The check digit does not match. Check the business ID."),
    ("business_id", "123", "A business ID is seven digits, a dash and a check digit"),
    ("postal_code", "0010", "A postal code has five digits, e.g. 00100."),
    ("phone", "12", "This is not a phone number we can call."),
    ("email", "info@", "This is not an e-mail address."),
    ("intro_fi", "x" * 5001, "At most 5000 characters; this has 5001."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_business_details_get_a_message_and_keep_values(owner_client, field, typed,
                                                            message, htmx):
    response = post(owner_client, "/staff/settings/business",
                    business_form(**{field: typed}), htmx=htmx)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert 'aria-invalid="true"' in response.text
    assert "Uusikatu 2" in response.text  # what was typed is kept
    if htmx:
        is_fragment(response, "business-section")
    assert business().name == "Hyvän Olon Hieronta (demo)"  # nothing saved


def rules_form(**changes):
    values = {"min_notice_minutes": "120", "horizon_days": "60", "slot_step_minutes": "15",
              "cancellation_hours": "24", "reminder_hours": "24", "idle_timeout_hours": "8"}
    return {**values, **changes}


def test_slot_step_changes_the_public_free_times_at_once(owner_client, client, owner):
    day = next_weekday(1)
    assert "10.15" in free_times(client, CLASSIC_30, day)
    response = post(owner_client, "/staff/settings/rules", rules_form(slot_step_minutes="30"))
    assert response.status_code == 303
    times = free_times(client, CLASSIC_30, day)
    assert "10.30" in times and "10.15" not in times
    assert audit_entries("settings.update")[-1].details == "booking rules: slot_step_minutes"


def test_reminder_time_is_a_booking_rule(owner_client):
    response = post(owner_client, "/staff/settings/rules", rules_form(reminder_hours="48"))
    assert response.status_code == 303
    assert business().reminder_hours == 48
    assert audit_entries("settings.update")[-1].details == "booking rules: reminder_hours"


def test_shorter_horizon_hides_days_beyond_it(owner_client, client):
    day = next_weekday(1, weeks_ahead=3)
    assert free_times(client, CLASSIC_30, day)
    post(owner_client, "/staff/settings/rules", rules_form(horizon_days="7"))
    response = client.get(f"/book/{CLASSIC_30}", query_string={"day": day.isoformat()})
    last_day = (datetime.now(HELSINKI) + timedelta(days=7)).date().isoformat()
    assert response.status_code == 422
    assert 'id="day-error"' in response.text
    assert f'value="{last_day}" min=' in response.text and f'max="{last_day}"' in response.text
    assert f"start={day.isoformat()}" not in response.text


def test_rules_saved_as_htmx_with_two_factor_required(owner_client):
    response = post(owner_client, "/staff/settings/rules",
                    rules_form(cancellation_hours="48", require_two_factor="y"), htmx=True)
    assert response.status_code == 200
    is_fragment(response, "rules-section")
    saved = business()
    assert (saved.cancellation_hours, saved.require_two_factor) == (48, True)
    details = audit_entries("settings.update")[-1].details
    assert details == "booking rules: cancellation_hours, require_two_factor"


@pytest.mark.parametrize("field, typed, message", [
    ("slot_step_minutes", "0", "Give a number from 5 to 240."),
    ("slot_step_minutes", "-15", "Give a number from 5 to 240."),
    ("horizon_days", "many", "Give a whole number, e.g. 30."),
    ("min_notice_minutes", "", "Give a number."),
    ("cancellation_hours", "1,5", "Give a whole number, e.g. 30."),
    ("idle_timeout_hours", "0", "Give a number from 1 to 24."),
    ("reminder_hours", "200", "Give a number from 0 to 168."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_booking_rules_get_a_message_and_keep_values(owner_client, field, typed, message,
                                                         htmx):
    response = post(owner_client, "/staff/settings/rules",
                    {**rules_form(horizon_days="61"), field: typed}, htmx=htmx)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert f'value="{typed}"' in response.text
    if htmx:
        is_fragment(response, "rules-section")
    assert business().slot_step_minutes == 15 and business().horizon_days == 60


# Services -------------------------------------------------------------------------------

def service_form(**changes):
    values = {"name_fi": "Jalkahieronta 30 min", "name_sv": "Fotmassage 30 min",
              "name_en": "Foot massage 30 min", "description_fi": "Rentouttava.",
              "duration_minutes": "30", "price": "45,50", "vat_percent": "25,5",
              "buffer_minutes": "5", "staff": [str(AINO)], "active": "y", "position": "9"}
    return {**values, **changes}


def test_service_list_and_form_pages(owner_client):
    listing = owner_client.get("/staff/settings/services/")
    assert listing.status_code == 200
    assert "Klassinen hieronta 30 min" in listing.text
    assert 'href="/staff/settings/services/1"' in listing.text
    form = owner_client.get("/staff/settings/services/1")
    assert form.status_code == 200
    assert 'value="39,00"' in form.text and 'value="25,5"' in form.text
    assert owner_client.get("/staff/settings/services/new").status_code == 200
    assert owner_client.get("/staff/settings/services/99").status_code == 404


def test_new_service_is_bookable_at_once(owner_client, client):
    response = post(owner_client, "/staff/settings/services/new", service_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/settings/services/")
    service = one(Service.select().where(Service.name_fi == "Jalkahieronta 30 min"))
    assert (service.price_cents, service.duration_minutes, service.buffer_minutes) == (
        4550, 30, 5)
    assert [member.name for member in rows(service.staff())] == ["Aino Esimerkki"]
    assert "Jalkahieronta 30 min" in client.get("/book").text
    assert free_times(client, service.id, next_weekday(0))  # Aino works on Mondays
    assert free_times(client, service.id, next_weekday(5)) == []  # only Eero on Saturdays
    assert audit_entries("settings.update")[-1].details == f"service {service.id}: added"


@pytest.mark.parametrize("typed", ["65.00", "65,00", "65"])
def test_price_typed_with_comma_or_dot(owner_client, typed):
    form = service_form(price=typed, staff=[str(AINO), str(EERO)])
    assert post(owner_client, f"/staff/settings/services/{CLASSIC_60}", form).status_code == 303
    assert one(Service.select().where(Service.id == CLASSIC_60)).price_cents == 6500


def test_service_change_is_audited_by_field_name(owner_client):
    form = service_form(name_fi="Klassinen hieronta 60 min", price="70,00",
                        staff=[str(AINO), str(EERO)])
    post(owner_client, f"/staff/settings/services/{CLASSIC_60}", form)
    details = audit_entries("settings.update")[-1].details
    assert details.startswith(f"service {CLASSIC_60}: ")
    assert "price_cents" in details and "name_fi" not in details and "70" not in details


def test_service_saved_as_htmx_loads_the_list(owner_client):
    response = post(owner_client, "/staff/settings/services/new", service_form(), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].endswith("/staff/settings/services/")
    assert "Jalkahieronta 30 min" in owner_client.get("/staff/settings/services/").text


def test_hidden_service_leaves_the_public_pages(owner_client, client):
    form = service_form(name_fi="Klassinen hieronta 30 min", active="")
    del form["active"]
    assert post(owner_client, f"/staff/settings/services/{CLASSIC_30}", form).status_code == 303
    assert "Klassinen hieronta 30 min" not in client.get("/book").text
    assert client.get(f"/book/{CLASSIC_30}").status_code == 404


def test_who_gives_a_service_changes_its_free_times(owner_client, client):
    saturday = next_weekday(5)  # only Eero works on Saturdays
    assert free_times(client, CLASSIC_30, saturday)
    form = service_form(name_fi="Klassinen hieronta 30 min", staff=[str(AINO)])
    post(owner_client, f"/staff/settings/services/{CLASSIC_30}", form)
    assert free_times(client, CLASSIC_30, saturday) == []


@pytest.mark.parametrize("field, typed, message", [
    ("name_fi", "", "Give the service a name in Finnish."),
    ("price", "-5,00", "A price cannot be negative."),
    ("price", "45,5,0", "Give the price in euros, e.g. 45,00."),
    ("vat_percent", "101", "A VAT rate is from 0 to 100 per cent."),
    ("vat_percent", "-1", "A VAT rate is from 0 to 100 per cent."),
    ("duration_minutes", "0", "Give a number from 5 to 720."),
    ("duration_minutes", "-30", "Give a number from 5 to 720."),
    ("buffer_minutes", "-5", "Give a number from 0 to 240."),
    ("position", "x", "Give a whole number, e.g. 30."),
    ("staff", ["99"], "Choose one of the options given."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_service_values_get_a_message_and_keep_values(owner_client, field, typed, message,
                                                          htmx):
    response = post(owner_client, "/staff/settings/services/new",
                    service_form(**{field: typed}), htmx=htmx)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert "Fotmassage 30 min" in response.text
    if htmx:
        is_fragment(response, "service-form")
    assert not rows(Service.select().where(Service.name_sv == "Fotmassage 30 min"))


# Staff members and their hours -------------------------------------------------------

def week_form(week):
    """Form fields of a usual week: {weekday: [(kind, start, end), …]}, plus an empty
    row per day as the page has."""
    data = {}
    for weekday in range(7):
        ranges = [*week.get(weekday, []), ("work", "", "")]
        for index, (kind, start, end) in enumerate(ranges):
            prefix = f"days-{weekday}-rows-{index}"
            data.update({f"{prefix}-kind": kind, f"{prefix}-start": start,
                         f"{prefix}-end": end})
    return data


AINO_WEEK = {weekday: [("work", "09:00", "17:00"), ("break", "12:00", "12:30")]
             for weekday in range(5)}


def test_staff_list_and_page(owner_client):
    listing = owner_client.get("/staff/settings/staff/")
    assert listing.status_code == 200
    assert 'href="/staff/settings/staff/1"' in listing.text
    page = owner_client.get(f"/staff/settings/staff/{AINO}")
    assert page.status_code == 200
    assert 'name="days-0-rows-0-start" value="09:00"' in page.text
    assert 'name="days-0-rows-1-start" value="12:00"' in page.text
    assert "<legend>Monday</legend>" in page.text
    assert owner_client.get("/staff/settings/staff/99").status_code == 404


def test_new_staff_member_with_hours_adds_free_times(owner_client, client):
    sunday = next_weekday(6)
    assert free_times(client, CLASSIC_30, sunday) == []  # nobody works on Sundays
    assert owner_client.get("/staff/settings/staff/new").status_code == 200
    response = post(owner_client, "/staff/settings/staff/new", {
        "name": "Kaisa Kokeilu", "active": "y", "services": [str(CLASSIC_30)]})
    assert response.status_code == 303
    member = one(StaffMember.select().where(StaffMember.name == "Kaisa Kokeilu"))
    assert response.headers["Location"].endswith(f"/staff/settings/staff/{member.id}")
    response = post(owner_client, f"/staff/settings/staff/{member.id}/hours",
                    week_form({6: [("work", "10:00", "14:00")]}))
    assert response.status_code == 303
    times = free_times(client, CLASSIC_30, sunday)
    assert times[0] == "10.00" and times[-1] == "13.30"
    assert [entry.details for entry in audit_entries("settings.update")] == [
        f"staff {member.id}: added", f"staff {member.id}: working hours"]


def test_new_staff_member_needs_a_name(owner_client):
    response = post(owner_client, "/staff/settings/staff/new", {"name": "", "active": "y"})
    assert response.status_code == 422
    assert "Give the staff member's name." in html.unescape(response.text)


def test_several_ranges_a_day_instead_of_a_break(owner_client, client):
    monday = next_weekday(0)
    week = {**AINO_WEEK, 0: [("work", "09:00", "11:00"), ("work", "14:00", "17:00")]}
    response = post(owner_client, f"/staff/settings/staff/{AINO}/hours", week_form(week))
    assert response.status_code == 303
    times = free_times(client, HOME_VISIT, monday)
    assert "10.00" in times and "14.00" in times
    assert not any(t.startswith(("11.", "12.", "13.")) for t in times)
    with models.db.connection_context():
        assert WorkingHours.select().where((WorkingHours.staff == AINO)
                                           & (WorkingHours.weekday == 0)).count() == 2
        assert not Break.select().where((Break.staff == AINO) & (Break.weekday == 0)).exists()


def test_emptying_a_row_removes_its_range(owner_client, client):
    monday = next_weekday(0)
    assert "12.00" not in free_times(client, HOME_VISIT, monday)
    week = {**AINO_WEEK, 0: [("work", "09:00", "17:00"), ("break", "", "")]}
    post(owner_client, f"/staff/settings/staff/{AINO}/hours", week_form(week))
    assert "12.00" in free_times(client, HOME_VISIT, monday)


def test_week_saved_as_htmx_returns_the_section(owner_client):
    week = {**AINO_WEEK, 5: [("work", "10:00", "14:00")]}
    response = post(owner_client, f"/staff/settings/staff/{AINO}/hours", week_form(week),
                    htmx=True)
    assert response.status_code == 200
    is_fragment(response, "week-hours")
    assert "The working hours are saved." in response.text
    assert 'name="days-5-rows-0-start" value="10:00"' in response.text


def test_unchanged_week_writes_no_audit_entry(owner_client):
    post(owner_client, f"/staff/settings/staff/{AINO}/hours", week_form(AINO_WEEK))
    assert audit_entries("settings.update") == []


@pytest.mark.parametrize("htmx", [False, True])
def test_add_a_row_shows_one_more_row_and_saves_nothing(owner_client, htmx):
    data = {**week_form({**AINO_WEEK, 6: [("work", "10:00", "12:00")]}), "add_row": "6"}
    response = post(owner_client, f"/staff/settings/staff/{AINO}/hours", data, htmx=htmx)
    assert response.status_code == 200
    assert 'name="days-6-rows-0-start" value="10:00"' in response.text  # kept, unsaved
    assert 'name="days-6-rows-2-start"' in response.text  # the empty row and a new one
    assert 'name="days-5-rows-1-start"' not in response.text
    if htmx:
        is_fragment(response, "week-hours")
    with models.db.connection_context():
        assert not WorkingHours.select().where(WorkingHours.weekday == 6).exists()


@pytest.mark.parametrize("monday, message", [
    ([("work", "09:00", "12:00"), ("work", "11:00", "15:00")],
     "This overlaps another range of the same kind on the same day."),
    ([("work", "17:00", "09:00")], "The end must be after the start."),
    ([("work", "09:00", "09:00")], "The end must be after the start."),
    ([("work", "09:00", "12:00"), ("break", "11:30", "12:30")],
     "A break must lie within the working hours of its day."),
    ([("work", "09:00", "")], "Give both the start and the end, or neither."),
    ([("work", "09:00", "24:00")], "A time of day is from 0.00 to 23.59"),
    ([("work", "9.75", "17:00")], "Give a time of day, e.g. 9.00 or 17.30."),
    ([("lunch", "09:00", "17:00")], "Choose one of the options given."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_working_hours_get_a_message_at_the_row(owner_client, client, monday, message,
                                                    htmx):
    before = free_times(client, HOME_VISIT, next_weekday(0))
    response = post(owner_client, f"/staff/settings/staff/{AINO}/hours",
                    week_form({**AINO_WEEK, 0: monday}), htmx=htmx)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert 'id="days-0-rows-' in response.text and 'aria-invalid="true"' in response.text
    assert f'value="{monday[0][1]}"' in response.text  # values kept
    if htmx:
        is_fragment(response, "week-hours")
    assert free_times(client, HOME_VISIT, next_weekday(0)) == before  # nothing saved


def introductions(staff_id):
    """The demo's introduction of a staff member as their form sends it back."""
    _name, texts = STAFF_DEMO[staff_id - 1]
    return dict(zip(("intro_fi", "intro_sv", "intro_en"), texts, strict=True))


def test_staff_details_rename_and_deactivate(owner_client, client):
    monday = next_weekday(0)
    assert free_times(client, HOME_VISIT, monday)
    response = post(owner_client, f"/staff/settings/staff/{AINO}", {
        "name": "Aino Esimerkki-Uusi", "services": [str(HOME_VISIT)],
        **introductions(AINO)}, htmx=True)
    assert response.status_code == 200
    is_fragment(response, "staff-details")
    member = one(StaffMember.select().where(StaffMember.id == AINO))
    assert (member.name, member.active) == ("Aino Esimerkki-Uusi", False)
    assert free_times(client, HOME_VISIT, monday) == []  # no one else gives home visits
    assert free_times(client, CLASSIC_30, monday) == []  # nor does she any longer
    assert audit_entries("settings.update")[-1].details == f"staff {AINO}: name, active, services"


def test_staff_details_saved_as_a_plain_form(owner_client):
    response = post(owner_client, f"/staff/settings/staff/{EERO}", {
        "name": "Eero Esimerkki", "active": "y", "services": [str(CLASSIC_30)],
        **introductions(EERO)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/settings/staff/{EERO}")
    page = owner_client.get(response.headers["Location"]).text
    assert "Saved." in page
    assert audit_entries("settings.update")[-1].details == f"staff {EERO}: services"


def test_staff_details_need_a_name(owner_client):
    response = post(owner_client, f"/staff/settings/staff/{AINO}", {"name": " ", "active": "y"})
    assert response.status_code == 422
    assert "Give the staff member's name." in html.unescape(response.text)


def time_off_form(first_day, last_day="", start="", end="", reason=""):
    return {"time-off-first_day": first_day, "time-off-last_day": last_day,
            "time-off-start": start, "time-off-end": end, "time-off-reason": reason}


def test_whole_day_off_removes_the_day_and_removing_it_brings_it_back(owner_client, client):
    # A Wednesday whose Thursday is no holiday either (not the day before Christmas Eve).
    day = next(day for day in (next_weekday(2, weeks_ahead=weeks) for weeks in range(2, 8))
               if day + timedelta(days=1) not in finnish_holidays([day.year, day.year + 1]))
    assert free_times(client, HOME_VISIT, day)
    response = post(owner_client, f"/staff/settings/staff/{AINO}/time-off",
                    time_off_form(day.isoformat(), reason="Loma"))
    assert response.status_code == 303
    assert free_times(client, HOME_VISIT, day) == []
    assert free_times(client, HOME_VISIT, day + timedelta(days=1))
    absence = one(TimeOff.select())
    start = datetime.combine(day, time(), HELSINKI).astimezone(UTC).replace(tzinfo=None)
    assert (absence.starts_at, absence.ends_at) == (start, start + timedelta(days=1))
    assert "Loma" in owner_client.get(f"/staff/settings/staff/{AINO}").text
    response = post(owner_client,
                    f"/staff/settings/staff/{AINO}/time-off/{absence.id}/remove", htmx=True)
    assert response.status_code == 200
    is_fragment(response, "time-off")
    assert "The time off is removed." in response.text
    assert free_times(client, HOME_VISIT, day)
    assert [entry.details for entry in audit_entries("settings.update")] == [
        f"staff {AINO}: time off added", f"staff {AINO}: time off removed"]
    assert "Loma" not in "".join(entry.details for entry in audit_entries("settings.update"))


def test_hours_off_in_helsinki_time_over_several_days(owner_client, client):
    first, last = quiet_week() + timedelta(days=1), quiet_week() + timedelta(days=3)
    response = post(owner_client, f"/staff/settings/staff/{AINO}/time-off",
                    time_off_form(first.strftime("%d.%m.%Y"), last.isoformat(), "13:00",
                                  "11:00"), htmx=True)
    assert response.status_code == 200
    is_fragment(response, "time-off")
    before = free_times(client, HOME_VISIT, first)
    assert "10.00" in before and max(map(minutes, before)) <= minutes("12.00")
    assert free_times(client, HOME_VISIT, first + timedelta(days=1)) == []
    assert free_times(client, HOME_VISIT, last)[0] == "11.00"


@pytest.mark.parametrize("fields, message", [
    (dict(last_day="yesterday"), "Give a date, e.g. 24.11.2026."),
    (dict(first_day=""), "Give the first day."),
    (dict(start="12:00", end="10:00"), "The end must be after the start."),
    (dict(last_day="2020-01-01"), "The end must be after the start."),
    (dict(reason="x" * 201), "At most 200 characters; this has 201."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_time_off_gets_a_message_and_keeps_values(owner_client, fields, message, htmx):
    values = {"first_day": next_weekday(2).isoformat(), **fields}
    response = post(owner_client, f"/staff/settings/staff/{AINO}/time-off",
                    time_off_form(**values), htmx=htmx)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert f'value="{values["first_day"]}"' in response.text
    if htmx:
        is_fragment(response, "time-off")
    assert rows(TimeOff.select()) == []


def extra_form(day, start, end):
    return {"extra-day": day.isoformat(), "extra-start": start, "extra-end": end}


def test_extra_hours_add_free_times_on_that_date(owner_client, client):
    saturday = next_weekday(5)
    assert free_times(client, HOME_VISIT, saturday) == []  # Aino does not work Saturdays
    response = post(owner_client, f"/staff/settings/staff/{AINO}/extra-hours",
                    extra_form(saturday, "10:00", "14:00"))
    assert response.status_code == 303
    times = free_times(client, HOME_VISIT, saturday)
    assert times[0] == "10.00" and times[-1] == "13.00"
    assert free_times(client, HOME_VISIT, saturday + timedelta(days=7)) == []
    extra = one(ExtraHours.select())
    days_page = owner_client.get("/staff/settings/days").text
    assert f'href="/staff/settings/staff/{AINO}"' in days_page
    response = post(owner_client,
                    f"/staff/settings/staff/{AINO}/extra-hours/{extra.id}/remove", htmx=True)
    assert response.status_code == 200
    is_fragment(response, "extra-hours")
    assert free_times(client, HOME_VISIT, saturday) == []


def test_extra_hours_as_htmx_and_removed_by_a_plain_form(owner_client):
    response = post(owner_client, f"/staff/settings/staff/{AINO}/extra-hours",
                    extra_form(next_weekday(5), "10:00", "14:00"), htmx=True)
    assert response.status_code == 200
    is_fragment(response, "extra-hours")
    assert "The extra hours are added." in response.text
    extra = one(ExtraHours.select())
    response = post(owner_client, f"/staff/settings/staff/{AINO}/extra-hours/{extra.id}/remove")
    assert response.status_code == 303
    assert rows(ExtraHours.select()) == []


def test_time_off_removed_by_a_plain_form(owner_client):
    post(owner_client, f"/staff/settings/staff/{AINO}/time-off",
         time_off_form(next_weekday(2).isoformat()))
    absence = one(TimeOff.select())
    response = post(owner_client, f"/staff/settings/staff/{AINO}/time-off/{absence.id}/remove")
    assert response.status_code == 303
    assert "The time off is removed." in owner_client.get(response.headers["Location"]).text
    assert rows(TimeOff.select()) == []


def test_removing_what_another_staff_member_has_changes_nothing(owner_client):
    post(owner_client, f"/staff/settings/staff/{AINO}/time-off",
         time_off_form(next_weekday(2).isoformat()))
    absence = one(TimeOff.select())
    post(owner_client, f"/staff/settings/staff/{EERO}/time-off/{absence.id}/remove")
    assert rows(TimeOff.select()) == [absence]


@pytest.mark.parametrize("day, start, end, message", [
    (next_weekday(5), "14:00", "10:00", "The end must be after the start."),
    (next_weekday(0), "16:00", "19:00", "This overlaps the usual working hours of that weekday."),
    (date(2020, 1, 4), "10:00", "12:00", "Choose a day from today on."),
    (next_weekday(5), "", "12:00", "Give the start time."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_extra_hours_get_a_message(owner_client, day, start, end, message, htmx):
    response = post(owner_client, f"/staff/settings/staff/{AINO}/extra-hours",
                    extra_form(day, start, end), htmx=htmx)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert f'value="{day.isoformat()}"' in response.text
    if htmx:
        is_fragment(response, "extra-hours")
    assert rows(ExtraHours.select()) == []


def test_extra_hours_overlapping_each_other_are_refused(owner_client):
    saturday = next_weekday(5)
    post(owner_client, f"/staff/settings/staff/{AINO}/extra-hours",
         extra_form(saturday, "10:00", "14:00"))
    response = post(owner_client, f"/staff/settings/staff/{AINO}/extra-hours",
                    extra_form(saturday, "13:00", "15:00"))
    assert response.status_code == 422
    assert "This overlaps another range of the same kind on the same day." in response.text


def test_extra_hours_on_a_closed_day_are_refused(owner_client):
    holiday = next(day for day in finnish_holidays([date.today().year + 1]))
    response = post(owner_client, f"/staff/settings/staff/{AINO}/extra-hours",
                    extra_form(holiday, "10:00", "14:00"))
    assert response.status_code == 422
    assert "The business is closed that day." in response.text


# Closed days and holidays ---------------------------------------------------------

def coming_weekday_holiday():
    """A public holiday in the coming year that falls on a day Aino works (Mon–Fri)."""
    today = date.today()
    holidays = finnish_holidays([today.year, today.year + 1])
    return next(day for day in holidays
                if today + timedelta(days=3) < day < today + timedelta(days=360)
                and day.weekday() < 5)


def test_holidays_of_the_coming_year_are_listed_closed(owner_client):
    today = date.today()
    page = owner_client.get("/staff/settings/days").text
    coming = [day for day in finnish_holidays([today.year, today.year + 1])
              if today <= day <= today + timedelta(days=365)]
    for day in coming:
        assert f'id="holiday-{day.isoformat()}"' in page
    assert page.count('name="state" value="open"') == len(coming)


@pytest.mark.parametrize("htmx", [False, True])
def test_opening_a_holiday_adds_its_free_times_and_closing_removes_them(owner_client, client,
                                                                         htmx):
    longer_horizon()
    holiday = coming_weekday_holiday()
    assert free_times(client, HOME_VISIT, holiday) == []
    response = post(owner_client, "/staff/settings/days/holiday",
                    {"day": holiday.isoformat(), "state": "open"}, htmx=htmx)
    if htmx:
        assert response.status_code == 200
        is_fragment(response, "holidays")
        assert "is open for bookings." in response.text
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/staff/settings/days")
    assert free_times(client, HOME_VISIT, holiday)
    assert one(DayException.select()).is_open
    post(owner_client, "/staff/settings/days/holiday",
         {"day": holiday.isoformat(), "state": "closed"}, htmx=htmx)
    assert free_times(client, HOME_VISIT, holiday) == []
    assert [entry.details for entry in audit_entries("settings.update")] == [
        f"holiday {holiday.isoformat()}: opened", f"holiday {holiday.isoformat()}: closed"]


def test_holiday_button_for_a_day_that_is_no_holiday_is_refused(owner_client):
    response = post(owner_client, "/staff/settings/days/holiday",
                    {"day": next_weekday(2).isoformat(), "state": "open"})
    assert response.status_code == 400
    assert rows(DayException.select()) == []


@pytest.mark.parametrize("htmx", [False, True])
def test_closing_a_day_removes_its_free_times_and_opening_it_brings_them_back(
        owner_client, client, htmx):
    day = next_weekday(3)
    assert free_times(client, CLASSIC_60, day)
    response = post(owner_client, "/staff/settings/days/closed",
                    {"day": day.isoformat(), "note": "Koulutus"}, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    if htmx:
        is_fragment(response, "closed-days")
        assert "Koulutus" in response.text
    assert free_times(client, CLASSIC_60, day) == []
    closed = one(DayException.select())
    assert (closed.day, closed.is_open) == (day, False)
    response = post(owner_client, f"/staff/settings/days/closed/{closed.id}/remove", htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert free_times(client, CLASSIC_60, day)
    assert [entry.details for entry in audit_entries("settings.update")] == [
        f"closed day {day.isoformat()}: added", f"closed day {day.isoformat()}: removed"]


@pytest.mark.parametrize("typed, message", [
    ("", "Give the day."),
    ("2020-01-07", "Choose a day from today on."),
    ("32.1.2030", "Give a date, e.g. 24.11.2026."),
    ("2030-12-25", "That day is a public holiday: it is closed unless you open it."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_closed_day_gets_a_message_and_keeps_values(owner_client, typed, message, htmx):
    response = post(owner_client, "/staff/settings/days/closed",
                    {"day": typed, "note": "Remontti"}, htmx=htmx)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert 'value="Remontti"' in response.text
    if htmx:
        is_fragment(response, "closed-days")
    assert rows(DayException.select()) == []


def test_a_day_cannot_be_closed_twice(owner_client):
    day = next_weekday(3).isoformat()
    post(owner_client, "/staff/settings/days/closed", {"day": day})
    response = post(owner_client, "/staff/settings/days/closed", {"day": day})
    assert response.status_code == 422
    assert "That day is closed already." in response.text
    assert post(owner_client, "/staff/settings/days/closed/99/remove").status_code == 404


# Accounts -----------------------------------------------------------------------------

def invite_form(**changes):
    values = {"name": "Eero Esimerkki", "email": "Eero@Hieronta.example", "role": "staff",
              "staff_member": str(EERO)}
    return {**values, **changes}


def invitation_link(html):
    return re.search(r'id="invitation-link" type="text" value="([^"]+)"', html).group(1)


def test_accounts_list_shows_role_calendar_two_factor_and_status(owner_client, staff_account):
    page = owner_client.get("/staff/accounts/")
    assert page.status_code == 200
    assert "olli@hieronta.example" in page.text and "aino@hieronta.example" in page.text
    row = page.text[page.text.index("aino@hieronta.example"):]
    assert re.search(r"<td>Staff</td>\s*<td>Aino Esimerkki</td>\s*<td>Off</td>\s*"
                     r"<td>Active</td>", row)
    # The owner's own row has no button to disable it.
    own_row = page.text[page.text.index("olli@hieronta.example"):].split("</tr>")[0]
    assert "Disable" not in own_row


def test_invitation_from_the_back_office_sets_a_password_once(app, owner_client, owner):
    response = post(owner_client, "/staff/accounts/", invite_form())
    assert response.status_code == 200
    link = invitation_link(response.text)
    assert link.startswith("http://localhost/staff/invitation/")
    user = one(User.select().where(User.email == "eero@hieronta.example"))
    assert (user.role, user.staff_member_id, user.password_hash) == ("staff", EERO, None)
    assert "Invited" in response.text
    entry = audit_entries("user.invite")[-1]
    assert (entry.user_id, entry.details) == (owner.id, f"user {user.id}, role staff")

    newcomer = app.test_client()
    path = link.removeprefix("http://localhost")
    page = newcomer.get(path)
    assert page.status_code == 200
    answer = newcomer.post(path, data={"csrf_token": csrf_token(page.text),
                                       "password": PASSWORD, "repeat": PASSWORD})
    assert answer.status_code == 303
    log_in(app.test_client(), "eero@hieronta.example")
    assert newcomer.get(path).status_code == 404  # used once, never again


def test_invitation_as_htmx_returns_the_accounts_with_the_link(owner_client):
    response = post(owner_client, "/staff/accounts/",
                    invite_form(role="owner", staff_member=""), htmx=True)
    assert response.status_code == 200
    is_fragment(response, "accounts")
    assert "/staff/invitation/" in invitation_link(response.text)
    assert one(User.select().where(User.email == "eero@hieronta.example")).role == "owner"


def test_invitation_expires_after_48_hours(app, owner_client):
    link = invitation_link(post(owner_client, "/staff/accounts/", invite_form()).text)
    with models.db.connection_context():
        invitation = Invitation.get()
        assert timedelta(hours=47) < invitation.expires_at - datetime.now(UTC).replace(
            tzinfo=None) <= timedelta(hours=48)
        Invitation.update(expires_at=invitation.expires_at - timedelta(hours=48, seconds=1)
                          ).execute()
    response = app.test_client().get(link.removeprefix("http://localhost"))
    assert response.status_code == 404


@pytest.mark.parametrize("field, typed, message", [
    ("name", "", "Give the person's name."),
    ("email", "", "Give the person's e-mail address."),
    ("email", "eero@", "This is not an e-mail address."),
    ("email", "OLLI@hieronta.example", "An account with this e-mail address exists already."),
    ("role", "admin", "Choose one of the options given."),
    ("staff_member", "99", "Choose one of the options given."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_invitation_gets_a_message_and_keeps_values(owner_client, field, typed, message,
                                                        htmx):
    response = post(owner_client, "/staff/accounts/", invite_form(**{field: typed}), htmx=htmx)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert "Eero Esimerkki" in response.text or field == "name"
    assert "invitation-link" not in response.text
    if htmx:
        is_fragment(response, "accounts")
    assert rows(User.select()) == rows(User.select().where(User.role == "owner"))


def test_new_link_for_a_forgotten_password_ends_the_old_link(app, owner_client, staff_account):
    first = invitation_link(post(owner_client, f"/staff/accounts/{staff_account.id}/invitation"
                                 ).text)
    response = post(owner_client, f"/staff/accounts/{staff_account.id}/invitation", htmx=True)
    assert response.status_code == 200
    is_fragment(response, "accounts")
    second = invitation_link(response.text)
    assert first != second
    newcomer = app.test_client()
    assert newcomer.get(first.removeprefix("http://localhost")).status_code == 404
    assert newcomer.get(second.removeprefix("http://localhost")).status_code == 200
    assert [entry.details for entry in audit_entries("user.invite")] == [
        f"user {staff_account.id}, new link"] * 2


@pytest.mark.parametrize("htmx", [False, True])
def test_disabling_an_account_ends_its_session(app, owner_client, staff_client, staff_account,
                                               htmx):
    assert staff_client.get("/staff/account/").status_code == 200
    response = post(owner_client, f"/staff/accounts/{staff_account.id}/disable", htmx=htmx)
    if htmx:
        assert response.status_code == 200
        is_fragment(response, "accounts")
        assert "can no longer log in" in response.text
    else:
        assert response.status_code == 303
    refused = staff_client.get("/staff/account/")
    assert refused.status_code == 302 and "/staff/login" in refused.headers["Location"]
    user = one(User.select().where(User.id == staff_account.id))
    assert not user.active
    assert rows(StaffSession.select().where(
        (StaffSession.user == staff_account.id) & StaffSession.ended_at.is_null())) == []
    assert audit_entries("user.disable")[-1].details == f"user {staff_account.id}"
    stranger = app.test_client()
    page = stranger.get("/staff/login")
    login = stranger.post("/staff/login", data={
        "csrf_token": csrf_token(page.text), "email": staff_account.email,
        "password": PASSWORD})
    assert login.status_code == 401
    assert post(owner_client, f"/staff/accounts/{staff_account.id}/invitation").status_code == 303
    assert "The account is disabled. Enable it first." in owner_client.get(
        "/staff/accounts/").text

    assert post(owner_client, f"/staff/accounts/{staff_account.id}/enable").status_code == 303
    log_in(app.test_client(), staff_account.email)
    assert audit_entries("user.enable")[-1].details == f"user {staff_account.id}"


def test_enabling_an_account_as_htmx(owner_client, staff_account):
    post(owner_client, f"/staff/accounts/{staff_account.id}/disable")
    response = post(owner_client, f"/staff/accounts/{staff_account.id}/enable", htmx=True)
    assert response.status_code == 200
    is_fragment(response, "accounts")
    assert "can log in again." in response.text
    assert one(User.select().where(User.id == staff_account.id)).active


def test_owner_cannot_disable_their_own_account(owner_client, owner):
    response = post(owner_client, f"/staff/accounts/{owner.id}/disable")
    assert response.status_code == 303
    assert "You cannot disable your own account." in owner_client.get("/staff/accounts/").text
    response = post(owner_client, f"/staff/accounts/{owner.id}/disable", htmx=True)
    assert response.status_code == 409
    is_fragment(response, "accounts")
    assert "You cannot disable your own account." in response.text
    assert one(User.select().where(User.id == owner.id)).active
    assert owner_client.get("/staff/settings/").status_code == 200
    assert audit_entries("user.disable") == []


def test_unknown_account_is_404(owner_client):
    assert post(owner_client, "/staff/accounts/99/disable").status_code == 404


# Access -------------------------------------------------------------------------------------

OWNER_PAGES = ["/staff/settings/", "/staff/settings/business", "/staff/settings/services/",
               "/staff/settings/services/new", "/staff/settings/services/1",
               "/staff/settings/staff/", "/staff/settings/staff/new", "/staff/settings/staff/1",
               "/staff/settings/days", "/staff/accounts/", "/staff/audit/",
               "/staff/audit/export.csv"]
OWNER_ACTIONS = ["/staff/settings/business", "/staff/settings/rules",
                 "/staff/settings/services/new", "/staff/settings/services/1",
                 "/staff/settings/staff/new", "/staff/settings/staff/1",
                 "/staff/settings/staff/1/hours", "/staff/settings/staff/1/time-off",
                 "/staff/settings/staff/1/time-off/1/remove",
                 "/staff/settings/staff/1/extra-hours",
                 "/staff/settings/staff/1/extra-hours/1/remove",
                 "/staff/settings/days/holiday", "/staff/settings/days/closed",
                 "/staff/settings/days/closed/1/remove", "/staff/accounts/",
                 "/staff/accounts/1/invitation", "/staff/accounts/1/disable",
                 "/staff/accounts/1/enable"]


def test_every_owner_page_and_action_refuses_a_staff_account(staff_client, owner):
    for url in OWNER_PAGES:
        assert staff_client.get(url).status_code == 403, url
        assert staff_client.get(url, headers=HTMX).status_code == 403, url
    for url in OWNER_ACTIONS:
        assert post(staff_client, url, {"name": "x"}).status_code == 403, url
    assert one(User.select().where(User.id == owner.id)).active
    assert audit_entries("settings.update") == []


def test_every_owner_page_opens_for_the_owner(owner_client):
    for url in OWNER_PAGES:
        assert owner_client.get(url).status_code == 200, url


def test_owner_form_without_csrf_token_is_refused(owner_client):
    response = owner_client.post("/staff/settings/business", data=business_form())
    assert response.status_code == 400
    assert business().name == "Hyvän Olon Hieronta (demo)"


# The audit log ----------------------------------------------------------------------------

def utc(month, day, hour=12, minute=0):
    """A moment of early 2026 in the naive UTC the database holds (Helsinki: UTC+2)."""
    return datetime(2026, month, day, hour, minute)


BEFORE_MARCH = {"last_day": "2026-02-28"}  # leaves out the logins of the test itself


@pytest.fixture
def logged(owner, staff_account):
    """Entries of known times: Aino opening Matti's and Maija's pages, the owner
    cancelling Matti's booking and changing the settings."""
    with models.db.connection_context():
        matti = Customer.get(Customer.email == "matti@asiakas.example")
        maija = Customer.get(Customer.email == "maija@asiakas.example")
        for at, user, customer, action in (
                (utc(2, 24, 12, 30), staff_account.id, matti, "customer.view"),
                (utc(2, 25), staff_account.id, maija, "customer.update"),
                (utc(2, 26), owner.id, matti, "booking.cancel"),
                (utc(2, 26, 22, 30), owner.id, None, "settings.update")):
            AuditEntry.create(at=at, user=user, customer=customer, action=action,
                              ip="192.0.2.7", details="phone" if customer else "x")
    return {"matti": matti, "maija": maija, "owner": owner.id, "aino": staff_account.id}


@pytest.fixture
def log_reader(owner_client, logged):
    return owner_client


def texts(page, column):
    """The texts of one column of the audit table, top to bottom."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("</tr>")[:-1]]
    return [html.unescape(re.sub(r"<[^>]+>", "", row[column])).strip() for row in cells]


def test_audit_log_shows_entries_newest_first_in_helsinki_time(log_reader, logged):
    log_reader.set_cookie("lang", "fi")
    page = log_reader.get("/staff/audit/", query_string=BEFORE_MARCH)
    assert page.status_code == 200
    assert texts(page.text, 0) == ["pe 27.2.2026 klo 0.30", "to 26.2.2026 klo 14.00",
                                   "ke 25.2.2026 klo 14.00", "ti 24.2.2026 klo 14.30"]
    assert texts(page.text, 1) == ["Olli Omistaja", "Olli Omistaja", "Aino Esimerkki",
                                   "Aino Esimerkki"]
    assert f'href="/staff/customers/{logged["matti"].id}"' in page.text
    assert texts(page.text, 4) == ["192.0.2.7"] * 4


def test_every_audit_action_has_a_readable_label(log_reader):
    assert set(ACTION_LABELS) == set(ACTIONS)
    page = log_reader.get("/staff/audit/", query_string=BEFORE_MARCH).text
    assert texts(page, 2) == ["Changed the settings", "Cancelled a booking",
                              "Changed a customer's details", "Opened a customer's page"]


@pytest.mark.parametrize("query, count", [
    ({"user": "aino"}, 2),
    ({"user": "owner", **BEFORE_MARCH}, 2),
    ({"customer": "Matti"}, 2),
    ({"customer": "maija"}, 1),
    ({"first_day": "2026-02-25", **BEFORE_MARCH}, 3),
    ({"first_day": "2026-02-25", "last_day": "2026-02-26"}, 2),  # 22.30 UTC is the 27th
    ({"last_day": "24.2.2026"}, 1),
    ({"user": "aino", "customer": "Matti"}, 1),
])
def test_audit_log_filters(log_reader, logged, query, count):
    if "user" in query:
        query = {**query, "user": logged[query["user"]]}
    page = log_reader.get("/staff/audit/", query_string=query)
    assert page.status_code == 200
    assert len(texts(page.text, 0)) == count
    assert f"{count} entr" in page.text


def test_audit_log_filter_by_customer_number(log_reader, logged):
    page = log_reader.get("/staff/audit/", query_string={"customer": logged["maija"].id})
    assert texts(page.text, 3) == [f'Maija Meikäläinen ({logged["maija"].id})']
    page = log_reader.get("/staff/audit/", query_string={"customer": "9" * 20})
    assert page.status_code == 200 and "0 entries" in page.text


def test_audit_log_filter_as_htmx_returns_the_log(log_reader):
    response = log_reader.get("/staff/audit/", query_string={"customer": "Maija"}, headers=HTMX)
    assert response.status_code == 200
    is_fragment(response, "audit-log")
    assert 'value="Maija"' in response.text
    assert "/staff/audit/export.csv?customer=Maija" in response.text


@pytest.mark.parametrize("query, message", [
    ({"first_day": "2026-02-26", "last_day": "2026-02-25"},
     "The last day cannot be before the first."),
    ({"first_day": "tomorrow"}, "Give a date, e.g. 24.11.2026."),
    ({"user": "x"}, "Choose one of the options given."),
])
def test_bad_audit_filter_gets_a_message(log_reader, query, message):
    for headers in ({}, HTMX):
        response = log_reader.get("/staff/audit/", query_string=query, headers=headers)
        assert response.status_code == 422
        assert message in html.unescape(response.text)
        assert "<tbody>" not in response.text
    assert log_reader.get("/staff/audit/export.csv", query_string=query).status_code == 422


def test_audit_log_is_paged(log_reader, owner):
    with models.db.connection_context():
        AuditEntry.insert_many([
            {"at": utc(1, 15) + timedelta(minutes=minute), "user": owner.id,
             "action": "user.login", "details": str(minute)} for minute in range(116)
        ]).execute()
    january = {"first_day": "2026-01-15", "last_day": "2026-01-15"}
    first = log_reader.get("/staff/audit/", query_string=january)
    assert len(texts(first.text, 0)) == 50
    assert "116 entries" in first.text and "page 1 of 3" in first.text
    assert re.search(r'href="/staff/audit/\?page=2&amp;[^"]*last_day=2026-01-15[^"]*" rel="next"',
                     first.text)
    last = log_reader.get("/staff/audit/", query_string={**january, "page": 3}, headers=HTMX)
    is_fragment(last, "audit-log")
    assert texts(last.text, 5) == [str(minute) for minute in range(15, -1, -1)]
    assert 'rel="prev"' in last.text and 'rel="next"' not in last.text
    beyond = log_reader.get("/staff/audit/", query_string={**january, "page": 99})
    assert "page 3 of 3" in beyond.text


def read_csv(response):
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_audit_log_downloads_as_csv_of_the_filtered_entries(log_reader, logged, owner):
    response = log_reader.get("/staff/audit/export.csv", query_string={"customer": "Matti"})
    assert response.status_code == 200
    table = read_csv(response)
    assert table[0][:4] == ["Time (Helsinki)", "Time (UTC)", "User", "Action"]
    assert [row[0] for row in table[1:]] == ["2026-02-26 14:00:00", "2026-02-24 14:30:00"]
    assert table[2][1:] == ["2026-02-24T12:30:00Z", "aino@hieronta.example", "customer.view",
                            "Opened a customer's page", str(logged["matti"].id),
                            "Matti Meikäläinen", "", "192.0.2.7", "phone number"]
    export = audit_entries("audit.export")[-1]
    assert export.user_id == owner.id
    assert export.details == "filters: customer name"  # which filters, never the name


def test_audit_csv_says_in_finnish_who_did_what_as_the_page_does(log_reader, logged):
    with models.db.connection_context():
        AuditEntry.create(at=utc(2, 27), user=None, customer=logged["matti"],
                          action="booking.cancel", ip="192.0.2.8",
                          details="by the customer via the booking link; "
                                  "status: confirmed → cancelled")
    log_reader.set_cookie("lang", "fi")
    table = read_csv(log_reader.get("/staff/audit/export.csv"))
    row = next(row for row in table[1:] if row[8] == "192.0.2.8")
    page = log_reader.get("/staff/audit/").text
    assert row[2] == "asiakas itse varauslinkkinsä kautta"
    assert row[2] in html.unescape(page) and row[9] in html.unescape(page)
    assert "status" not in row[9] and "confirmed" not in row[9] and row[9]


def test_csv_cells_are_never_run_as_formulas(log_reader, logged):
    with models.db.connection_context():
        Customer.update(name='=HYPERLINK("http://x.example")').where(
            Customer.id == logged["maija"].id).execute()
    table = read_csv(log_reader.get("/staff/audit/export.csv"))
    guarded = [row[6] for row in table[1:] if row[6].startswith("'")]
    assert guarded == ["'=HYPERLINK(\"http://x.example\")"]


def test_audit_entries_cannot_be_changed_or_deleted(app, logged):
    changing = [rule.rule for rule in app.url_map.iter_rules()
                if rule.rule.startswith("/staff/audit") and rule.methods - {"GET", "HEAD",
                                                                             "OPTIONS"}]
    assert changing == []
    with models.db.connection_context():
        entry = AuditEntry.select().first()
        with pytest.raises(DatabaseError), models.db.atomic():
            AuditEntry.update(details="changed").where(AuditEntry.id == entry.id).execute()
        with pytest.raises(DatabaseError), models.db.atomic():
            AuditEntry.delete().where(AuditEntry.id == entry.id).execute()
        assert AuditEntry.get_by_id(entry.id).details == entry.details
