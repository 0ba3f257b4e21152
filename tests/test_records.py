"""The owner's privacy records: the record of processing made from the declaration, its
downloads, and the breach log with its 72-hour clock."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from babel.support import Translations
from flask_babel import force_locale
from support import HTMX, ROOT, post, translated

import models
from models.analytics import settings as analytics_settings
from models.business import Business
from models.people.contact_requests import CLOSED, ContactRequest
from models.privacy import periods
from models.privacy.audit import AuditEntry
from models.privacy.breaches import HIGH_RISK, NO_RISK, RISK, Breach, clock, parse_moment
from models.privacy.declaration import CATEGORIES, CONTACT_REQUEST, DECLARED
from models.privacy.statements import EEA_COUNTRIES, Processor
from models.schema import MODELS
from views.owner.records import FIELD_NAMES
from web.formatting import moment_text
from web.retention_wording import RECORD_CATEGORY_NAMES

BACK_OFFICE_LANGUAGE = "en"  # the staff and the owner read the back office in English here

PAGES = ["/staff/records/", "/staff/records/processing", "/staff/records/processing.csv",
         "/staff/records/processing/print", "/staff/records/breaches/",
         "/staff/records/breaches/new", "/staff/records/retention",
         "/staff/records/processors"]


def audit_entries(action):
    with models.db.connection_context():
        return list(AuditEntry.select().where(AuditEntry.action == action)
                    .order_by(AuditEntry.id))


def breaches():
    with models.db.connection_context():
        return list(Breach.select().order_by(Breach.id))


def text_of(page):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def breach_form(**changes):
    return {"what_happened": "A laptop with the day's customer list was stolen.",
            "noticed_at": "2026-02-10T09:30", "happened_at": "", "risk": RISK,
            "data_affected": "Names and phone numbers", "people_affected": "About 12",
            "authority_notified_at": "", "people_notified_at": "",
            "actions_taken": "", **changes}


def stored_breach(owner, noticed_hours_ago, **values):
    """A breach noticed `noticed_hours_ago` hours ago, made through the model."""
    noticed = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=noticed_hours_ago)
    with models.db.connection_context():
        return Breach.create(what_happened=f"Noticed {noticed_hours_ago} h ago",
                             noticed_at=noticed, data_affected="Phone numbers",
                             risk=values.pop("risk", RISK), created_by=owner.id, **values)


# Access -------------------------------------------------------------------------------

def test_staff_account_gets_403_on_every_records_page_and_action(staff_client, owner):
    stored_breach(owner, 1)
    for url in PAGES + ["/staff/records/breaches/1"]:
        assert staff_client.get(url).status_code == 403, url
        assert staff_client.get(url, headers=HTMX).status_code == 403, url
    for url in ("/staff/records/breaches/new", "/staff/records/breaches/1"):
        assert post(staff_client, url, breach_form()).status_code == 403, url
    assert len(breaches()) == 1
    assert audit_entries("records.export") == []


def test_every_records_page_opens_for_the_owner(owner_client):
    for url in PAGES:
        assert owner_client.get(url).status_code == 200, url


def test_owner_navigation_links_the_privacy_records(owner_client, staff_client):
    assert 'href="/staff/records/"' in owner_client.get("/staff/records/breaches/").text
    assert 'href="/staff/records/"' not in staff_client.get("/staff/customers/").text


# The record of processing -------------------------------------------------------------

def test_record_names_every_category_of_the_declaration_and_the_business(owner_client):
    page = owner_client.get("/staff/records/processing")
    text = text_of(page.text)
    with models.db.connection_context():
        name = Business.current().name
    assert name in page.text.replace("&amp;", "&")
    for category in DECLARED:
        assert str(RECORD_CATEGORY_NAMES[category.key]) in text.replace("&#39;", "'"), category
    assert "Legitimate interest of the business (GDPR Art 6(1)(f))" in text
    assert "None: nothing is moved outside the EU/EEA" in text
    assert "argon2id" in text and "Content-Security-Policy" in text
    assert "36 months after the customer's last booking" in text.replace("&#39;", "'")
    assert "Until the employment ends" in text
    assert audit_entries("records.export") == []  # viewing is no export


def test_record_lists_the_fields_and_whose_data_each_category_is(owner_client):
    text = text_of(owner_client.get("/staff/records/processing").text)
    staff = text.split('Staff accounts and working times')[1].split("Kept for")[0]
    assert "Data subjects Staff " in staff and "Customers" not in staff
    assert "Name" in staff and "E-mail address" in staff
    contact = text.split("Contact details")[1].split("Kept for")[0]
    assert "Phone number" in contact and "Postal code" in contact
    assert "Accounting program (invoices)" in contact


def test_every_declared_field_has_a_name_in_the_record():
    declared = {name for model in MODELS for name in model.personal_data.fields}
    assert declared <= set(FIELD_NAMES)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_record_names_both_kinds_of_statistics_with_their_bases_and_periods(
        owner_client, language):
    owner_client.set_cookie("lang", language)
    text = text_of(owner_client.get("/staff/records/processing").text).replace("&#39;", "'")

    def said(message, **values):
        return translated(language, message, **values)

    counts = said("Site statistics counted by the server, without consent")
    consented = said("Site statistics of visits, with the visitor's consent")
    assert counts in text and consented in text
    server, script = text.split(counts)[1], text.split(consented)[1]
    assert said("Legitimate interest of the business (GDPR Art 6(1)(f))") in server
    assert said("Visitors to the website") in server
    catalogue = Translations.load(str(ROOT / "translations"), [language])
    assert catalogue.ngettext(
        "%(num)d month after the day counted (your choice under Statistics, 1 to 25)",
        "%(num)d months after the day counted (your choice under Statistics, 1 to 25)",
        25) % {"num": 25} in server
    assert said("Consent (GDPR Art 6(1)(a))") in script
    assert said("At most 48 hours from the start of the visit's day, then only per-day "
                "counts without any identifier") in script
    assert said("Keyed hash of the address and browser, under the day's salt") in script
    assert said("The day's random salt of the visitor's hash") in script


def test_record_says_the_statistics_join_nothing_and_go_to_no_other_host(owner_client):
    text = text_of(owner_client.get("/staff/records/processing").text).replace("&#39;", "'")
    for name in ("Site statistics counted by the server, without consent",
                 "Site statistics of visits, with the visitor's consent"):
        part = text.split(name)[1].split("Kept for")[1]
        assert "Nothing is joined to customers, bookings or contact requests" in part
        assert "nothing is sent to another host" in part
        recipients = text.split(name)[1].split("Recipients")[1].split("Transfers")[0]
        assert "E-mail service" not in recipients and "Accounting" not in recipients
    server = text.split("Site statistics counted by the server")[1].split("Kept for")[0]
    assert "without any identifier" in server and "the browser's language" in server


def test_record_follows_the_owners_period_for_the_statistics(owner_client):
    with models.db.connection_context():
        analytics_settings.save(keep_months=13, staff_may_see=False, ask_consent=False)
    text = text_of(owner_client.get("/staff/records/processing").text)
    assert "13 months after the day counted" in text
    rows = list(csv.reader(io.StringIO(
        owner_client.get("/staff/records/processing.csv").text.lstrip("\ufeff")),
        delimiter=";"))
    row = next(row for row in rows
               if row and row[0] == "Site statistics of visits, with the visitor's consent")
    assert row[2] == "Consent (GDPR Art 6(1)(a))" and "48 hours" in row[7]
    assert "nothing is sent to another host" in row[8]


def test_record_downloads_as_csv_and_writes_the_audit_log(owner_client, owner):
    response = owner_client.get("/staff/records/processing.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    with models.db.connection_context():
        assert rows[1] == ["Controller", Business.current().name]
    header = rows.index(["Category of data", "Purposes", "Legal basis", "Data subjects",
                         "Data", "Recipients", "Transfers outside the EU/EEA", "Kept for",
                         "Remarks"])
    names = [row[0] for row in rows[header + 1:header + 1 + len(DECLARED)]]
    assert names == [str(RECORD_CATEGORY_NAMES[category.key]) for category in DECLARED]
    entries = audit_entries("records.export")
    assert [entry.user_id for entry in entries] == [owner.id]
    assert entries[0].details == "record of processing: CSV"


def test_printable_record_writes_the_audit_log(owner_client):
    page = owner_client.get("/staff/records/processing/print")
    assert "Record of processing activities" in page.text
    assert [entry.details for entry in audit_entries("records.export")] == [
        "record of processing: printable page"]


# The breach log -----------------------------------------------------------------------

def test_recording_a_breach_stores_utc_and_writes_the_audit_log(owner_client, owner):
    response = post(owner_client, "/staff/records/breaches/new", breach_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/records/breaches/")
    [breach] = breaches()
    assert breach.noticed_at == datetime(2026, 2, 10, 7, 30)  # 9.30 in Helsinki, UTC+2
    assert breach.created_by_id == owner.id and breach.risk == RISK
    [entry] = audit_entries("breach.record")
    assert entry.details == f"breach {breach.id}, risk low"
    assert "laptop" not in entry.details
    page = owner_client.get("/staff/records/breaches/").text
    assert "A laptop with the day&#39;s customer list was stolen." in page


def test_recording_a_breach_as_htmx_redirects_the_whole_page(owner_client):
    response = post(owner_client, "/staff/records/breaches/new", breach_form(), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/staff/records/breaches/"
    assert len(breaches()) == 1


def test_update_form_is_prefilled_in_helsinki_time_and_saves_changes(owner_client):
    post(owner_client, "/staff/records/breaches/new", breach_form())
    [breach] = breaches()
    url = f"/staff/records/breaches/{breach.id}"
    form = owner_client.get(url).text
    assert 'type="datetime-local" value="2026-02-10T09:30"' in form.replace("\n    ", " ")
    assert 'value="low" checked' in form
    response = post(owner_client, url, breach_form(
        authority_notified_at="2026-02-11T10:00", actions_taken="Reported"))
    assert response.status_code == 303
    [breach] = breaches()
    assert breach.authority_notified_at == datetime(2026, 2, 11, 8, 0)
    assert breach.actions_taken == "Reported"
    [entry] = audit_entries("breach.update")
    assert entry.details == f"breach {breach.id}: actions_taken, authority_notified_at"


def test_saving_an_unchanged_breach_writes_no_audit_entry(owner_client):
    post(owner_client, "/staff/records/breaches/new", breach_form())
    post(owner_client, f"/staff/records/breaches/{breaches()[0].id}", breach_form())
    assert audit_entries("breach.update") == []


@pytest.mark.parametrize("changes, field, message", [
    ({"what_happened": " "}, "what_happened", "Tell what happened."),
    ({"noticed_at": ""}, "noticed_at", "Give when the breach was noticed."),
    ({"noticed_at": "yesterday"}, "noticed_at", "Give a date and a time, e.g. 24.11.2026 14.30."),
    ({"noticed_at": "2026-02-30T10:00"}, "noticed_at",
     "Give a date and a time, e.g. 24.11.2026 14.30."),
    ({"noticed_at": "2099-01-01T10:00"}, "noticed_at",
     "This moment is still to come. Give a moment that has passed."),
    ({"happened_at": "2026-02-11T10:00"}, "happened_at",
     "A breach cannot happen after it was noticed."),
    ({"authority_notified_at": "9.2.2026 klo 10.00"}, "authority_notified_at",
     "This is before the breach was noticed."),
    ({"risk": ""}, "risk", "Choose the risk."),
    ({"risk": "huge"}, "risk", "Choose the risk."),
    ({"data_affected": "x" * 5001}, "data_affected", "At most 5000 characters; this has 5001."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_breach_gets_a_message_at_the_field_and_keeps_values(owner_client, changes,
                                                                   field, message, htmx):
    data = breach_form(**changes)
    response = post(owner_client, "/staff/records/breaches/new", data, htmx=htmx)
    assert response.status_code == 422
    page = response.text.replace("&#39;", "'")
    assert f'<p class="error" id="{field}-error">{message}</p>' in page
    assert ">About 12</textarea>" in page
    assert (data["noticed_at"] or "") in page
    assert ('id="breach-form"' in page) and (("<html" in page) != htmx)
    assert breaches() == []
    assert audit_entries("breach.record") == []


def test_finnish_date_and_time_are_read_in_helsinki_time():
    assert parse_moment("24.11.2026 klo 14.30") == datetime(2026, 11, 24, 14, 30,
                                                            tzinfo=parse_moment(
                                                                "2026-11-24T14:30").tzinfo)
    summer = parse_moment("2026-07-01T12:00")
    assert summer.utcoffset() == timedelta(hours=3)


def test_unknown_breach_is_404(owner_client):
    assert owner_client.get("/staff/records/breaches/99").status_code == 404


# The 72-hour clock --------------------------------------------------------------------

def test_breach_noticed_10_hours_ago_has_62_hours_left(owner_client, owner):
    stored_breach(owner, 10)
    text = text_of(owner_client.get("/staff/records/breaches/").text)
    assert "62 hours left" in text
    assert "Report to the Data Protection Ombudsman by" in text


def test_breach_noticed_80_hours_ago_is_overdue_by_8_hours(owner_client, owner):
    breach = stored_breach(owner, 80)
    assert "overdue by 8 hours" in text_of(owner_client.get("/staff/records/breaches/").text)
    assert "overdue by 8 hours" in text_of(
        owner_client.get(f"/staff/records/breaches/{breach.id}").text)


def test_deadline_is_shown_in_helsinki_time(owner_client, owner):
    with models.db.connection_context():
        Breach.create(what_happened="x", noticed_at=datetime(2026, 2, 10, 7, 30),
                      data_affected="y", risk=RISK, created_by=owner.id)
    owner_client.set_cookie("lang", "fi")
    page = text_of(owner_client.get("/staff/records/breaches/").text)
    assert "pe 13.2.2026 klo 9.30" in page


def test_clock_stops_once_reported_or_without_risk(owner_client, owner):
    stored_breach(owner, 80, risk=NO_RISK)
    stored_breach(owner, 20, authority_notified_at=datetime(2026, 1, 1, 12, 0))
    text = text_of(owner_client.get("/staff/records/breaches/").text)
    assert "hours left" not in text and "overdue" not in text
    assert "No risk: not reported, recorded here only." in text
    assert "Reported to the Data Protection Ombudsman" in text


def test_high_risk_reminds_that_people_must_be_told(owner_client, owner):
    stored_breach(owner, 5, risk=HIGH_RISK)
    assert "The people affected are not yet told." in owner_client.get(
        "/staff/records/breaches/").text


def test_breaches_are_listed_newest_first(owner_client, owner):
    stored_breach(owner, 80)
    stored_breach(owner, 10)
    text = text_of(owner_client.get("/staff/records/breaches/").text)
    assert text.index("62 hours left") < text.index("overdue by 8 hours")


def test_clock_rounds_hours_left_up_and_overdue_down():
    noticed = datetime(2026, 2, 10, 12, 0)
    breach = Breach(noticed_at=noticed, risk=RISK)
    at = noticed.replace(tzinfo=UTC)
    assert clock(breach, at + timedelta(hours=10, minutes=30)).hours_left == 62
    assert clock(breach, at + timedelta(hours=72, minutes=20)).hours_overdue == 0
    assert clock(breach, at + timedelta(hours=72, minutes=20)).overdue
    assert clock(breach, at + timedelta(hours=80, minutes=59)).hours_overdue == 8


# Retention periods and the purge ------------------------------------------------------

def period_form(key, months):
    return {f"{key}-months": months}


def retention_row_text(page, key):
    row = page.split(f'id="retention-{key}"')[1].split("</section>")[0]
    return text_of(row).replace("&#39;", "'")


def test_retention_page_lists_every_category_with_its_period_default_and_limits(owner_client):
    page = owner_client.get("/staff/records/retention").text
    for category in CATEGORIES:
        assert f'id="retention-{category.key}"' in page, category
        assert str(RECORD_CATEGORY_NAMES[category.key]) in page.replace("&#39;", "'")
    contact_requests = retention_row_text(page, "contact_request")
    assert "Kept for 12 months after the matter is closed" in contact_requests
    assert "Default 12 months after the matter is closed" in contact_requests
    assert "Counts from when the matter is closed" in contact_requests
    assert "From 1 to 36 months" in contact_requests
    assert 'name="contact_request-months"' in page
    # Messages go with their booking: no form of their own.
    assert 'name="message-months"' not in page
    assert "Deleted together with: Bookings" in retention_row_text(page, "message")


def test_owner_changes_a_period_and_the_audit_log_says_from_what_to_what(owner_client,
                                                                        owner):
    response = post(owner_client, "/staff/records/retention/contact_request",
                    period_form("contact_request", "6"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/records/retention")
    with models.db.connection_context():
        assert periods.months(CONTACT_REQUEST) == 6
    page = owner_client.get("/staff/records/retention").text
    assert "Kept for 6 months after the matter is closed" in retention_row_text(
        page, "contact_request")
    [entry] = audit_entries("retention.update")
    assert entry.user_id == owner.id
    assert entry.details == "contact_request: 12 → 6 months"
    record = text_of(owner_client.get("/staff/records/processing").text)
    assert "6 months after the matter is closed" in record


def test_period_of_bookings_is_also_that_of_their_messages(owner_client, client):
    post(owner_client, "/staff/records/retention/booking", period_form("booking", "24"))
    page = owner_client.get("/staff/records/retention").text
    assert "Kept for 24 months after the appointment" in retention_row_text(page, "message")
    client.set_cookie("lang", "en")
    statement = client.get("/privacy").text
    kept = statement.split('id="kept-heading"')[1].split("</section>")[0]
    assert kept.count("Kept for 24 months after the appointment.") == 2  # and bookings


@pytest.mark.parametrize("typed, message", [
    ("99", "Give a period from 1 to 36 months."),
    ("0", "Give a period from 1 to 36 months."),
    ("kolme", "Give the period as a whole number of months."),
    ("", "Give the period as a whole number of months."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_period_out_of_its_limits_gets_a_message_and_keeps_what_was_typed(owner_client,
                                                                          typed, message,
                                                                          htmx):
    response = post(owner_client, "/staff/records/retention/contact_request",
                    period_form("contact_request", typed), htmx=htmx)
    assert response.status_code == 422
    page = response.text
    assert f'<p class="error" id="contact_request-months-error">{message}</p>' in page
    assert f'name="contact_request-months" type="text" value="{typed}"' in page
    assert 'aria-invalid="true"' in page
    assert ('id="retention-contact_request"' in page) and (("<html" in page) != htmx)
    with models.db.connection_context():
        assert periods.months(CONTACT_REQUEST) == 12
    assert audit_entries("retention.update") == []


def test_fixed_period_cannot_be_changed(owner_client):
    response = post(owner_client, "/staff/records/retention/message",
                    period_form("message", "12"))
    assert response.status_code == 422
    assert "This period is set by law and the software; it cannot be changed." in text_of(
        response.text)
    assert owner_client.post("/staff/records/retention/nothing", data={
        "csrf_token": owner_client.csrf}).status_code == 404


def test_retention_page_says_the_purge_has_not_run_and_how_to_run_it(owner_client):
    text = text_of(owner_client.get("/staff/records/retention").text)
    assert "The worker has not run the purge yet." in text
    assert "flask --app app retention" in text
    assert "The purge has not run yet." in text_of(owner_client.get("/staff/records/").text)


def test_last_and_next_purge_are_shown_after_the_worker_ran_it(app, owner_client):
    import worker

    ran_at = datetime.now(UTC) - timedelta(hours=2)
    [duty] = [duty for duty in worker.DUTIES if duty.name == "retention"]
    with app.app_context():
        worker.run_duties([duty], ran_at)
    owner_client.set_cookie("lang", "fi")  # Helsinki time, the Finnish way
    text = text_of(owner_client.get("/staff/records/retention").text)
    with app.test_request_context(), force_locale("fi"):
        last = moment_text(ran_at.replace(tzinfo=None))
        following = moment_text((ran_at + timedelta(days=1)).replace(tzinfo=None))
    said_last = translated("fi", "The last purge ran %(moment)s.", moment=last)
    assert said_last in text
    assert translated("fi", "The next purge runs about %(moment)s.", moment=following) in text
    assert translated("fi", "The purge has not run yet.") not in text
    assert said_last in text_of(owner_client.get("/staff/records/").text)


def test_overdue_purge_asks_whether_the_worker_runs(app, owner_client):
    import worker

    with app.app_context():
        worker.run_duties([worker.DUTY_BY_NAME["retention"]],
                          datetime.now(UTC) - timedelta(days=3))
    assert "Is the worker running?" in text_of(
        owner_client.get("/staff/records/retention").text)


def test_retention_page_shows_what_a_purge_would_delete_and_deletes_nothing(owner_client):
    closed = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=800)
    with models.db.connection_context():
        ContactRequest.create(name="Kerttu", email="kerttu@example.com", message="Hei",
                              submission_key="old", status=CLOSED, closed_at=closed,
                              created_at=closed)
    text = text_of(owner_client.get("/staff/records/retention").text)
    assert "Contact requests you send us : contact requests 1" in text
    with models.db.connection_context():
        assert ContactRequest.select().count() == 1


def test_staff_cannot_change_periods_or_processors(staff_client):
    assert post(staff_client, "/staff/records/retention/contact_request",
                period_form("contact_request", "6")).status_code == 403
    assert post(staff_client, "/staff/records/processors", processor_form()).status_code == 403
    assert staff_client.get("/staff/records/processors/1/remove").status_code == 403
    with models.db.connection_context():
        assert periods.months(CONTACT_REQUEST) == 12
        assert Processor.select().count() == 0


# The processors -----------------------------------------------------------------------

def processor_form(**changes):
    return {"name": "Pilvipalvelu Oy", "service": "hosting", "country": "FI", **changes}


def listed_processors():
    with models.db.connection_context():
        return [(p.name, p.service, p.country) for p in Processor.select().order_by(
            Processor.id)]


def test_owner_adds_a_processor_and_the_record_names_it(owner_client, owner):
    response = post(owner_client, "/staff/records/processors", processor_form())
    assert response.status_code == 303
    assert listed_processors() == [("Pilvipalvelu Oy", "hosting", "FI")]
    page = text_of(owner_client.get("/staff/records/processors").text)
    assert "Pilvipalvelu Oy : Server hosting (the server and its backups), Finland" in page
    [entry] = audit_entries("processor.update")
    assert entry.user_id == owner.id and entry.details.startswith("added processor")
    record = text_of(owner_client.get("/staff/records/processing").text)
    assert "Server hosting in the EU/EEA (the server and its backups): Pilvipalvelu Oy " \
           "(Finland)" in record
    assert "E-mail service (sending e-mail)" in record  # none listed: the kind alone


def test_adding_a_processor_as_htmx_redirects_the_whole_page(owner_client):
    response = post(owner_client, "/staff/records/processors", processor_form(), htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/staff/records/processors"


@pytest.mark.parametrize("changes, field, message", [
    ({"country": "US"}, "country", "Choose a country of the EU or the EEA."),
    ({"country": "GB"}, "country", "Choose a country of the EU or the EEA."),
    ({"service": ""}, "service", "Choose what the partner does."),
    ({"service": "selling"}, "service", "Choose what the partner does."),
    ({"name": " "}, "name", "Give the company's name."),
    ({"name": "x" * 201}, "name", "At most 200 characters; this has 201."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_processor_form_refuses_what_it_cannot_list(owner_client, changes, field, message,
                                                     htmx):
    response = post(owner_client, "/staff/records/processors", processor_form(**changes),
                    htmx=htmx)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}' in response.text
    assert ('id="processor-form"' in response.text) and (("<html" in response.text) != htmx)
    if field != "name":
        assert 'value="Pilvipalvelu Oy"' in response.text
    assert listed_processors() == []
    assert audit_entries("processor.update") == []


def test_country_list_holds_only_eu_and_eea_countries(owner_client):
    page = owner_client.get("/staff/records/processors").text
    select = page.split('name="country"')[1].split("</select>")[0]
    assert set(re.findall(r'<option value="(\w+)"', select)) == set(EEA_COUNTRIES)
    assert len(EEA_COUNTRIES) == 30


def test_removing_a_processor_asks_first_then_removes_it(owner_client):
    post(owner_client, "/staff/records/processors", processor_form())
    with models.db.connection_context():
        processor_id = Processor.get().id
    url = f"/staff/records/processors/{processor_id}/remove"
    confirm = owner_client.get(url)
    assert confirm.status_code == 200
    assert "Remove Pilvipalvelu Oy?" in confirm.text
    assert listed_processors() == [("Pilvipalvelu Oy", "hosting", "FI")]
    response = post(owner_client, url, {})
    assert response.status_code == 303
    assert listed_processors() == []
    assert audit_entries("processor.update")[-1].details.startswith("removed processor")
    assert owner_client.get(url).status_code == 404


def test_changes_to_processors_publish_a_new_statement(owner_client, client):
    client.set_cookie("lang", "en")
    client.get("/privacy")
    post(owner_client, "/staff/records/processors", processor_form(
        name="Kirjanpito Oy", service="accounting", country="EE"))
    page = text_of(client.get("/privacy").text)
    assert "Version 2" in page and "Kirjanpito Oy" in page and "Estonia" in page


def test_failed_purge_is_shown_as_failed(app, owner_client):
    import worker

    def broken(now):
        raise RuntimeError("disk full")

    with app.app_context():
        worker.run_duties([worker.Duty("retention", timedelta(days=1), broken)],
                          datetime.now(UTC))
    text = text_of(owner_client.get("/staff/records/retention").text)
    assert "It failed; the worker tries again on its next turn." in text
    assert "disk full" not in text
