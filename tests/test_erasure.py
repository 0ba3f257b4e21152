"""Erasing a person's data at their request (GDPR Art 17), through the staff's pages:
the preview of what is deleted, anonymised and kept by law, the confirmation, the one
transaction, the outcome e-mail through a real SMTP server, and then the whole database
read back (SQLite: its dump and the raw bytes of its files; PostgreSQL: every table as
text) without a trace of the person, except in records a law keeps."""

import re
import secrets
import sqlite3
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from support import AINO, CLASSIC_60, HOME_VISIT, next_weekday, send

import models
import worker
from engines.clock import HELSINKI
from models import duties
from models.booking.bookings import Booking
from models.booking.schedule import BookingRequest, book
from models.business.catalogue import Service, StaffMember
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.people.contact_requests import ContactDetails, ContactRequest, link_customer
from models.people.contact_requests import receive as receive_contact
from models.people.customers import Customer, CustomerDetails
from models.people.notes import CustomerNote
from models.privacy import consents, erasure
from models.privacy.audit import AuditEntry
from models.privacy.data_requests import (
    COMPLETED,
    DONE,
    ERASURE,
    OPEN,
    PHONE,
    DataRequest,
    DataRequestEvent,
)
from models.privacy.data_requests import receive as receive_request
from models.privacy.declaration import (
    ACCOUNTING_ACT,
    CONTACT_REQUEST,
    Category,
    LegalBasis,
    LegalHold,
    PersonalData,
    Purpose,
)
from models.privacy.my_data import AccessLink
from web.tokens import link_token
from worker.delivery import FileDelivery, mail_folder

# The person who asks for erasure, and everything that could give her away.
NAME = "Helmi Häkkinen-Uusitalo"
EMAIL = "helmi.hakkinen@example.fi"
PHONE_NUMBER = "+358401112233"
STREET = "Kuusikuja 7 B 12"
MESSAGE = "Olkapää jumissa, toivon kevyttä otetta"
TRACES = (NAME, EMAIL, PHONE_NUMBER, STREET, MESSAGE)
# Another customer, who must stay as they are.
OTHER = "Ville Virtanen-Kallio"
OTHER_EMAIL = "ville.virtanen@example.fi"

BACK_OFFICE_LANGUAGE = "en"  # the staff and the owner read the back office in English here


def at(day, hour):
    return datetime.combine(day, time(hour), HELSINKI)


def make_booking(app, start, name, email, key, *, message="", now=None, service=CLASSIC_60,
                 marketing=False):
    details = CustomerDetails(name, email, PHONE_NUMBER if email == EMAIL else "+358505556677",
                              *((STREET, "33100", "Tampere") if service == HOME_VISIT else ()))
    with app.test_request_context():
        token = link_token(key)
    with models.db.connection_context():
        return book(BookingRequest(
            service=Service.get_by_id(service), staff=StaffMember.get_by_id(AINO),
            start=start, details=details, message=message, language="fi",
            submission_key=key, token=token, marketing=marketing,
        ), now=now)


def contact(name, email, phone="", text="Onko lauantaina tilaa?"):
    with models.db.connection_context():
        return receive_contact(ContactDetails(
            name=name, email=email, phone=phone, subject="booking", message=text,
            preferred_reply="email" if email else "phone", language="fi"),
            secrets.token_hex(8))


@pytest.fixture
def helmi(app, shop, staff_account, staff_client):
    """Helmi with everything: a past and two coming bookings (one a home visit at her
    address, with her message), notes confidential and not, two contact requests (one
    from her address, one by phone linked to her), her consent to news, a my-data link,
    e-mail sent and saved as .eml files, audit entries, and her erasure request.
    Beside her, Ville, with a booking, a note and a contact request of his own."""
    tuesday = next_weekday(1)
    past = next_weekday(1, weeks_ahead=-3)
    make_booking(app, at(past, 10), NAME, EMAIL, "helmi-past",
                 now=datetime.combine(past, time(8), HELSINKI) - timedelta(days=7))
    make_booking(app, at(tuesday, 10), NAME, EMAIL, "helmi-1", message=MESSAGE,
                 service=HOME_VISIT, marketing=True)
    make_booking(app, at(tuesday + timedelta(days=1), 14), NAME, EMAIL, "helmi-2")
    make_booking(app, at(tuesday, 14), OTHER, OTHER_EMAIL, "ville-1",
                 message="Selkä kipeä")
    contact(NAME, EMAIL, text=f"Terveisin {NAME}, {STREET}")
    by_phone = contact("Helmi H.", "", phone=PHONE_NUMBER, text="Soittakaa minulle")
    contact(OTHER, OTHER_EMAIL, text="Villen kysymys")
    with models.db.connection_context():
        customer = Customer.get(Customer.email == EMAIL)
        ville = Customer.get(Customer.email == OTHER_EMAIL)
        link_customer(by_phone, customer, lambda *args, **kwargs: None)
        CustomerNote.create(customer=customer, text=f"{NAME} toivoo aamuaikoja",
                            confidential=False)
        CustomerNote.create(customer=customer, text="Allergia: mantelioljy",
                            confidential=True)
        CustomerNote.create(customer=ville, text="Villen muistiinpano")
        consents.give(customer)
        AccessLink.create(customer=customer, token_hash="a" * 64,
                          expires_at=datetime.now(UTC).replace(tzinfo=None))
    # The e-mail so far, saved as files (no SMTP server yet).
    send(app, delivery=FileDelivery(mail_folder(app.instance_path)))
    # Staff look at her record (audit entries), and take her request on the phone.
    assert staff_client.get(f"/staff/customers/{customer.id}").status_code == 200
    with models.db.connection_context():
        request = receive_request(
            ERASURE, customer=customer, name=NAME, email=EMAIL, phone=PHONE_NUMBER,
            source=PHONE, identity_check=f"Asked her address: {STREET}", language="en",
            details=f"Poistakaa kaikki tietoni. {NAME}", user=staff_account.id)
        DataRequestEvent.create(request=request, user=staff_account.id, what="noted",
                                note=f"{NAME} soitti uudelleen")
    return customer, request


def saved_files(app):
    return sorted(mail_folder(app.instance_path).glob("*.eml"))


def preview_url(request):
    return f"/staff/requests/{request.id}/erasure"


def erase_by_page(client, request):
    return client.post(preview_url(request), data={"csrf_token": client.csrf,
                                                   "confirmed": "y"})


def the_plan(app, customer):
    with models.db.connection_context():
        return erasure.plan(Customer.get_by_id(customer.id), datetime.now(UTC),
                            mail_folder(app.instance_path))


# The whole database, read back -------------------------------------------------------


def sqlite_path(database_url):
    return Path(database_url.removeprefix("sqlite:///"))


def dumped_rows(database_url):
    """Every row of every table, as (table, the row as text)."""
    if models.is_sqlite():
        connection = sqlite3.connect(sqlite_path(database_url))
        try:
            lines = list(connection.iterdump())
        finally:
            connection.close()
        rows = []
        for line in lines:
            found = re.match(r'INSERT INTO "(\w+)" VALUES\((.*)\);$', line, re.S)
            rows.append((found.group(1), found.group(2)) if found else ("", line))
        return rows
    with models.db.connection_context():
        tables = [name for (name,) in models.db.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "'public' AND table_type = 'BASE TABLE'").fetchall()]
        return [(table, text.removeprefix("(")) for table in tables
                for (text,) in models.db.execute_sql(
                    f'SELECT t::text FROM "{table}" t').fetchall()]


def raw_files(database_url, checkpoint):
    """The bytes of the SQLite database file and its write-ahead log, as they are on
    disk (after a checkpoint, if asked)."""
    path = sqlite_path(database_url)
    if checkpoint:
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def traces_in(rows, held=()):
    """Where the person's details appear: (table, trace) for each row that has one,
    leaving out the rows in `held` ((table, id) pairs kept by law)."""
    found = []
    for table, text in rows:
        row_id = text.split(",", 1)[0]
        if (table, row_id) in held:
            continue
        found += [(table, trace) for trace in TRACES if trace in text]
    return found


def data_files(database_url):
    """The bytes of the database's files as they are on disk: SQLite's file and its
    log; PostgreSQL's, after a checkpoint, of every table, index and TOAST table (read
    by the server itself, as the test user is a superuser)."""
    if models.is_sqlite():
        return raw_files(database_url, checkpoint=False)
    with models.db.connection_context():
        models.db.execute_sql("CHECKPOINT")
        return b"".join(content for (content,) in models.db.execute_sql(
            "SELECT pg_read_binary_file(pg_relation_filepath(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't') "
            "AND pg_relation_filepath(c.oid) IS NOT NULL").fetchall())


def traces_in_bytes(data):
    return [trace for trace in TRACES if trace.encode() in data]


# The preview ------------------------------------------------------------------------


def test_preview_shows_what_is_deleted_anonymised_and_kept(app, helmi, staff_client):
    customer, request = helmi
    page = staff_client.get(preview_url(request))
    assert page.status_code == 200
    text = page.text
    assert f"Erase the data of {NAME}" in text
    deleted = text[text.index('id="erasure-deleted"'):text.index('id="erasure-anonymised"')]
    assert "the customer record: name, e-mail address, phone number and address" in deleted
    assert "3 bookings" in deleted and "past and coming" in deleted
    assert "Home visit: massage 60 min" in deleted and "Classic massage 60 min" in deleted
    assert deleted.count("<li>") >= 3 + 7
    assert "2 notes written by staff" in deleted
    assert "2 contact requests" in deleted
    assert "1 record of a consent to news by e-mail" in deleted
    assert "1 link to see one's own data" in deleted
    assert re.search(r"\d+ records of e-mail sent", deleted)
    assert re.search(r"\d+ saved copies of e-mail", deleted)
    assert "1 request about one's data" in text
    assert re.search(r"\d+ audit log entries", text)
    assert "Nothing. None of this person's records is one a law requires" in text
    assert 'name="confirmed"' in text
    with models.db.connection_context():
        seen = AuditEntry.get(AuditEntry.action == "request.view")
    assert seen.customer_id == customer.id and seen.details == (
        f"data request #{request.id}: erasure preview")


def test_preview_lists_exactly_what_the_erasure_deletes(app, helmi, staff_client):
    customer, request = helmi
    staff_client.get(preview_url(request))
    plan = the_plan(app, customer)
    tables = {"email_records": OutboxMessage, "notes": CustomerNote, "consents":
              consents.Consent, "my_data_links": AccessLink, "contact_requests": ContactRequest,
              "bookings": Booking, "customer": Customer}
    with models.db.connection_context():
        before = {part: model.select().count() for part, model in tables.items()}
    files_before = len(saved_files(app))
    assert plan.saved_copies and all(path.exists() for path in plan.saved_copies)
    assert erase_by_page(staff_client, request).status_code == 303
    with models.db.connection_context():
        after = {part: model.select().count() for part, model in tables.items()}
    gone = {part: before[part] - after[part] for part in tables}
    gone["email_records"] += 1  # the outcome e-mail, queued by the erasure
    assert gone == plan.deleted
    assert plan.deleted == {"email_records": plan.deleted["email_records"], "notes": 2,
                            "consents": 1, "my_data_links": 1, "contact_requests": 2,
                            "bookings": 3, "customer": 1}
    assert files_before - len(saved_files(app)) == len(plan.saved_copies)
    assert not any(path.exists() for path in plan.saved_copies)


def test_erasure_without_the_confirmation_is_refused_at_the_box(app, helmi, staff_client):
    customer, request = helmi
    response = staff_client.post(preview_url(request), data={"csrf_token": staff_client.csrf})
    assert response.status_code == 422
    assert "Tick the box to confirm that you have checked who asked. Nothing was erased." \
        in response.text
    assert 'aria-invalid="true"' in response.text
    with models.db.connection_context():
        assert Customer.get_or_none(Customer.id == customer.id) is not None
        assert DataRequest.get_by_id(request.id).status == OPEN


# The erasure, and the database afterwards --------------------------------------------


def test_after_erasure_the_whole_database_holds_no_trace_of_the_person(
        app, helmi, staff_client, mail_server, database_url):
    customer, request = helmi
    with models.db.connection_context():
        ville = Customer.get(Customer.email == OTHER_EMAIL)
        ville_rows = (list(Booking.select().where(Booking.customer == ville).tuples()),
                      list(CustomerNote.select().where(CustomerNote.customer == ville).tuples()),
                      list(ContactRequest.select().where(ContactRequest.email == OTHER_EMAIL)
                           .tuples()))
    assert traces_in(dumped_rows(database_url))  # there was something to find
    assert any(EMAIL.encode() in path.read_bytes() for path in saved_files(app))

    response = erase_by_page(staff_client, request)
    assert response.status_code == 303
    if models.is_sqlite():  # only the outcome e-mail's address is left, until it is sent
        assert traces_in_bytes(raw_files(database_url, checkpoint=False)) == [EMAIL]
    page = staff_client.get(response.headers["Location"])
    assert "The data is erased. The person is told by e-mail what was done." in page.text
    assert "This request was carried out" in page.text and NAME not in page.text

    # The outcome e-mail reaches the person, and then their address is gone.
    assert send(app).sent == 1
    [message] = mail_server.to(EMAIL)
    body = message.get_body(("plain",)).get_content()
    assert "3 bookings" in body and "Nothing is kept because of a legal obligation." in body
    assert "- 1 link to see one's own data" in body and "&#39;" not in body
    assert "Data Protection Ombudsman" in body
    with models.db.connection_context():
        [outcome] = OutboxMessage.select().where(OutboxMessage.kind == outbox.DATA_ERASED)
    assert outcome.sent_at is not None
    assert (outcome.sent_to, outcome.subject, outcome.details) == ("", "", "{}")

    rows = dumped_rows(database_url)
    assert traces_in(rows) == []
    if models.is_sqlite():
        assert traces_in_bytes(raw_files(database_url, checkpoint=False)) == []
        assert traces_in_bytes(raw_files(database_url, checkpoint=True)) == []
    assert not any(EMAIL.encode() in path.read_bytes() for path in saved_files(app))

    # Ville is as he was.
    with models.db.connection_context():
        assert Customer.get_by_id(ville.id).name == OTHER
        assert ville_rows == (
            list(Booking.select().where(Booking.customer == ville).tuples()),
            list(CustomerNote.select().where(CustomerNote.customer == ville).tuples()),
            list(ContactRequest.select().where(ContactRequest.email == OTHER_EMAIL).tuples()))

        # The request is done and kept without her details, with its history.
        done = DataRequest.get_by_id(request.id)
        assert done.status == DONE and done.closed_at and done.closed_by_id
        assert done.anonymised_at and done.customer_id is None
        assert (done.name, done.email, done.phone, done.details, done.identity_check) == (
            "", "", "", "", "")
        events = list(DataRequestEvent.select().where(DataRequestEvent.request == done)
                      .order_by(DataRequestEvent.id))
        assert [event.what for event in events] == ["received", "noted", COMPLETED]
        assert events[1].note == ""
        assert done.outcome == events[2].note and "3 bookings" in done.outcome

        # The audit log keeps that it happened, not what was erased, and no entry
        # points at her any more.
        [entry] = AuditEntry.select().where(AuditEntry.action == "request.erase")
        assert entry.details.startswith(f"data request #{request.id}: ")
        assert "3 bookings, 2 notes" in entry.details and "1 customer record" in entry.details
        assert entry.customer_id is None and entry.user_id is not None
        assert AuditEntry.select().where(AuditEntry.action == "customer.view").count() >= 1
        assert not AuditEntry.select().where(AuditEntry.customer == customer.id).exists()


def test_a_second_erasure_is_harmless(app, helmi, staff_client):
    customer, request = helmi
    assert erase_by_page(staff_client, request).status_code == 303
    with models.db.connection_context():
        rows = {model: model.select().count()
                for model in (OutboxMessage, AuditEntry, DataRequestEvent, Customer)}
    again = erase_by_page(staff_client, request)
    assert again.status_code == 303
    page = staff_client.get(again.headers["Location"])
    assert "This request was carried out already; nothing more was erased." in page.text
    assert staff_client.get(preview_url(request)).status_code == 200
    with models.db.connection_context():
        with pytest.raises(erasure.NotAllowed):
            erasure.erase(customer, DataRequest.get_by_id(request.id), None,
                          datetime.now(UTC))
        assert rows == {model: model.select().count() for model in rows}
        assert AuditEntry.select().where(AuditEntry.action == "request.erase").count() == 1


def test_a_booking_added_after_the_preview_is_erased_too(app, helmi, staff_client):
    customer, request = helmi
    assert "3 bookings" in staff_client.get(preview_url(request)).text
    make_booking(app, at(next_weekday(3), 10), NAME, EMAIL, "helmi-late")
    assert erase_by_page(staff_client, request).status_code == 303
    with models.db.connection_context():
        assert not Booking.select().where(Booking.customer == customer.id).exists()
        assert "4 bookings" in DataRequest.get_by_id(request.id).outcome


def test_two_erasures_at_once_erase_once(app, helmi):
    customer, request = helmi
    outcomes = []
    both_ready = threading.Barrier(2)

    def one_erasure():
        with models.db.connection_context():
            both_ready.wait()
            try:
                erasure.erase(customer, request, None, datetime.now(UTC))
                outcomes.append("erased")
            except erasure.NotAllowed as refusal:
                outcomes.append(refusal.code)

    threads = [threading.Thread(target=one_erasure) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["closed", "erased"]
    with models.db.connection_context():
        assert AuditEntry.select().where(AuditEntry.action == "request.erase").count() == 1
        assert OutboxMessage.select().where(OutboxMessage.kind == outbox.DATA_ERASED).count() == 1
        assert not Customer.select().where(Customer.id == customer.id).exists()


def test_only_an_open_erasure_request_with_a_customer_can_be_carried_out(
        app, helmi, staff_client, client):
    customer, request = helmi
    assert client.get(preview_url(request)).status_code == 302  # not logged in
    with models.db.connection_context():
        access = receive_request("access", customer=customer, email=EMAIL)
        nobody = receive_request(ERASURE, name="Tuntematon", email="joku@example.fi")
    assert staff_client.get(preview_url(access)).status_code == 404
    page = staff_client.get(preview_url(nobody))
    assert page.status_code == 200 and "not linked to a customer" in page.text
    refused = erase_by_page(staff_client, nobody)
    assert refused.status_code == 303
    assert "not linked to a customer" in staff_client.get(refused.headers["Location"]).text


def test_the_outcome_address_is_forgotten_when_sending_is_given_up(app, helmi, staff_client,
                                                                 mail_server):
    customer, request = helmi
    erase_by_page(staff_client, request)
    mail_server.refuse = f"550 5.1.1 <{EMAIL}>: no such user"
    with models.db.connection_context():
        OutboxMessage.update(attempts=len(outbox.RETRY_DELAYS)).where(
            OutboxMessage.kind == outbox.DATA_ERASED).execute()
    assert send(app).failed == 1
    with models.db.connection_context():
        [outcome] = OutboxMessage.select().where(OutboxMessage.kind == outbox.DATA_ERASED)
    assert outcome.failed_at is not None
    assert (outcome.sent_to, outcome.subject, outcome.details) == ("", "", "{}")
    assert EMAIL not in outcome.last_error


def test_the_saved_copy_of_the_outcome_is_deleted_once_written(app, helmi, staff_client):
    customer, request = helmi
    erase_by_page(staff_client, request)
    assert not any(EMAIL.encode() in path.read_bytes() for path in saved_files(app))
    files = saved_files(app)
    assert send(app).sent == 1  # no SMTP server: the file delivery
    with models.db.connection_context():
        [outcome] = OutboxMessage.select().where(OutboxMessage.kind == outbox.DATA_ERASED)
    assert outcome.sent_at is not None and outcome.details == "{}"
    assert saved_files(app) == files
    assert not any(EMAIL.encode() in path.read_bytes()
                   for path in mail_folder(app.instance_path).iterdir())


def run_rewrite(app, now):
    with app.app_context():
        worker.run_duties([worker.DUTY_BY_NAME["rewrite"]], now)
    with models.db.connection_context():
        return duties.last_run("rewrite").last_result, list(
            erasure.TableRewrite.select())


def test_the_night_after_an_erasure_no_data_file_holds_the_person(
        app, helmi, staff_client, mail_server, database_url):
    customer, request = helmi
    erase_by_page(staff_client, request)
    tomorrow = datetime.now(HELSINKI).date() + timedelta(days=1)
    night = datetime.combine(tomorrow, time(3), HELSINKI)
    if models.is_sqlite():  # secure_delete and the checkpoint after sending suffice
        send(app)
        assert run_rewrite(app, night) == ("", [])
        assert traces_in_bytes(data_files(database_url)) == []
        return
    assert run_rewrite(app, night) == (
        "waiting for an erasure's outcome e-mail to be sent", [])
    assert send(app).sent == 1
    assert traces_in(dumped_rows(database_url)) == []
    assert traces_in_bytes(data_files(database_url))  # the old row versions are there
    assert run_rewrite(app, datetime.combine(tomorrow, time(12), HELSINKI)) == ("", [])

    result, [rewrite] = run_rewrite(app, night)
    assert result.startswith(f"{len(erasure.ERASED_FROM)} tables rewritten after 1 erasure")
    assert rewrite.erasures == 1 and "customer" in rewrite.tables.split()
    assert rewrite.bytes_after < rewrite.bytes_before
    assert traces_in_bytes(data_files(database_url)) == []
    assert run_rewrite(app, night + timedelta(hours=1))[0] == ""  # nothing new since


# Records a law keeps ------------------------------------------------------------------


def test_legal_hold_counts_from_the_end_of_the_financial_year():
    assert ACCOUNTING_ACT.until(date(2026, 3, 15)) == date(2032, 12, 31)
    assert ACCOUNTING_ACT.until(date(2026, 12, 31)) == date(2032, 12, 31)
    split_year = LegalHold("test", "test", years=6, financial_year_end=(6, 30))
    assert split_year.until(date(2026, 6, 30)) == date(2032, 12, 31)
    assert split_year.until(date(2026, 8, 1)) == date(2033, 12, 31)


@pytest.fixture
def contact_requests_held(monkeypatch):
    """Contact requests declared as records the Accounting Act keeps, as invoices will
    be: the declaration is all that says so."""
    held = Category("test_voucher", (Purpose.INVOICING,), LegalBasis.LEGAL_OBLIGATION,
                    CONTACT_REQUEST.retention, legal_hold=ACCOUNTING_ACT)
    declaration = ContactRequest.personal_data
    monkeypatch.setattr(ContactRequest, "personal_data", PersonalData(
        dict.fromkeys(declaration.fields, held), declaration.not_personal))
    return held


def test_records_under_a_legal_hold_are_kept_with_their_hold_and_end_date(
        app, helmi, staff_client, contact_requests_held, database_url, mail_server):
    customer, request = helmi
    with models.db.connection_context():
        held_ids = sorted(row.id for row in ContactRequest.select().where(
            (ContactRequest.customer == customer) | (ContactRequest.email == EMAIL)))
    until = date(datetime.now(HELSINKI).year + 6, 12, 31)
    page = staff_client.get(preview_url(request)).text
    kept = page[page.index('id="kept-heading"'):page.index('id="confirm-heading"')]
    assert "2 contact requests, by the Accounting Act (kirjanpitolaki)" in kept
    assert re.search(rf"2 kept until \w+ {until.day}\.{until.month}\.{until.year}, "
                     "then deleted", kept)
    deleted = page[page.index('id="erasure-deleted"'):page.index('id="erasure-anonymised"')]
    assert "contact request" not in deleted

    assert erase_by_page(staff_client, request).status_code == 303
    with models.db.connection_context():
        assert sorted(row.id for row in ContactRequest.select().where(
            ContactRequest.id.in_(held_ids))) == held_ids
        assert not Customer.select().where(Customer.id == customer.id).exists()
        entry = AuditEntry.get(AuditEntry.action == "request.erase")
    assert f"kept under a legal hold: 2 contact requests until {until.isoformat()}" in (
        entry.details)
    assert send(app).sent == 1
    body = mail_server.to(EMAIL)[0].get_body(("plain",)).get_content()
    assert "2 contact requests, until " in body and "Accounting Act" in body
    rows = dumped_rows(database_url)
    assert traces_in(rows, held={("contact_request", str(row_id)) for row_id in held_ids}) \
        == []
    assert traces_in(rows)  # the held rows still hold what they held


def test_a_hold_that_has_ended_keeps_nothing(app, helmi, contact_requests_held):
    customer, _ = helmi
    later = datetime(datetime.now(HELSINKI).year + 7, 1, 1, 12, tzinfo=UTC)
    with models.db.connection_context():
        plan = erasure.plan(Customer.get_by_id(customer.id), later)
    assert plan.held == [] and plan.deleted["contact_requests"] == 2
