"""The retention purge with a frozen clock: each category's data is kept to the last day
of its period and gone the day after, a dry run deletes nothing and counts the same, and
two purges at once delete everything once."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from support import AINO, CLASSIC_60

import models
import worker
from engines import clock
from models.booking.bookings import Booking
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.money.vouchers import Invoice, InvoicePayment, Sale
from models.people.contact_requests import CLOSED, ContactRequest
from models.people.customers import Customer, InvalidValue
from models.people.notes import CustomerNote
from models.privacy import data_requests, periods, retention
from models.privacy.audit import AuditEntry
from models.privacy.consents import Consent, CookieChoice
from models.privacy.data_requests import DataRequest
from models.privacy.declaration import CATEGORIES, CONTACT_REQUEST, STAFF
from models.privacy.my_data import AccessLink

# Well before the real clock: the database's own rule for the audit log counts from its
# clock, and the demo's bookings and customers (made now) are all newer than this.
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def ago(months, days=0, now=NOW):
    """`months` before `now`, then `days` more back (negative: forward), naive UTC."""
    return retention.months_before(clock.naive_utc(now), months) - timedelta(days=days)


def last_day(months, now=NOW):
    """A day before the period ends: still kept."""
    return ago(months, days=-1, now=now)


def day_after(months, now=NOW):
    """A day after the period ended: gone."""
    return ago(months, days=1, now=now)


def customer(email, created_at):
    return Customer.create(name=email.split("@")[0], email=email, created_at=created_at)


def booking(owner, starts_at):
    return Booking.create(customer=owner, service=CLASSIC_60, staff=AINO, starts_at=starts_at,
                          ends_at=starts_at + timedelta(hours=1),
                          blocked_until=starts_at + timedelta(hours=1, minutes=15),
                          price_cents=6500, message="Niska jumissa", created_at=starts_at)


def sent_mail(key, sent_at=None, failed_at=None, **about):
    outbox.add(outbox.BOOKING_CONFIRMED, key, **about)
    OutboxMessage.update(sent_at=sent_at, failed_at=failed_at, sent_to="a@example.com").where(
        OutboxMessage.key == key).execute()
    return OutboxMessage.get(OutboxMessage.key == key)


def contact_request(key, closed_at=None, created_at=None):
    return ContactRequest.create(
        name="Kerttu", email="kerttu@example.com", message="Onko lahjakortteja?",
        submission_key=key, status=CLOSED if closed_at else "new", closed_at=closed_at,
        created_at=created_at or closed_at or ago(1))


def exists(row):
    return type(row).get_or_none(type(row).id == row.id) is not None


def nothing(counts):
    return all(number == 0 for per_category in counts.values() for number in
               per_category.values())


def test_months_are_calendar_months():
    assert retention.months_before(datetime(2026, 6, 15, 9), 36) == datetime(2023, 6, 15, 9)
    assert retention.months_before(datetime(2026, 3, 31), 1) == datetime(2026, 2, 28)
    assert retention.months_before(datetime(2026, 1, 10), 3) == datetime(2025, 10, 10)


def test_every_category_is_purged_or_said_not_to_be():
    covered = {category.key for rule in retention.RULES
               for category in (rule.category, *rule.with_it)}
    covered |= {category.key for category in retention.NOT_PURGED}
    assert covered == {category.key for category in CATEGORIES}


def test_booking_is_kept_to_the_last_day_of_its_period(app, shop):
    with models.db.connection_context():
        liisa = customer("liisa@example.com", ago(50))
        kept = booking(liisa, last_day(36))
        gone = booking(liisa, day_after(36))
        mail_of_kept = sent_mail("kept", booking_id=kept.id)
        mail_of_gone = sent_mail("gone", booking_id=gone.id)
        entry = AuditEntry.create(action="booking.move", booking=gone, customer=liisa)
        counts = retention.purge(NOW)
        assert counts["booking"] == {"e-mail records": 1, "bookings": 1}
        assert exists(kept) and exists(mail_of_kept) and exists(liisa)
        assert not exists(gone) and not exists(mail_of_gone)
        entry = AuditEntry.get_by_id(entry.id)  # what was done stays, the link does not
        assert entry.booking_id is None and entry.customer_id == liisa.id


def test_inactive_customer_goes_with_notes_while_a_recent_one_stays(app, shop):
    with models.db.connection_context():
        regular = customer("regular@example.com", ago(50))
        booking(regular, ago(20))
        CustomerNote.create(customer=regular, text="Pitää kovasta otteesta")
        lapsed = customer("lapsed@example.com", ago(50))
        booking(lapsed, day_after(36))
        CustomerNote.create(customer=lapsed, text="Selkävaivoja")
        coming = customer("coming@example.com", ago(50))
        booking(coming, clock.naive_utc(NOW) + timedelta(days=3))
        never_booked_gone = customer("never1@example.com", day_after(36))
        never_booked_kept = customer("never2@example.com", last_day(36))
        asked = contact_request("asked")
        ContactRequest.update(customer=lapsed).where(ContactRequest.id == asked.id).execute()
        counts = retention.purge(NOW)
        assert counts["contact"] == {"notes": 1, "customers": 2}
        assert [c.email for c in Customer.select().where(Customer.id.in_(
            [regular.id, lapsed.id, coming.id, never_booked_gone.id, never_booked_kept.id])
        ).order_by(Customer.id)] == ["regular@example.com", "coming@example.com",
                                     "never2@example.com"]
        assert [n.text for n in CustomerNote.select()] == ["Pitää kovasta otteesta"]
        assert ContactRequest.get_by_id(asked.id).customer_id is None  # its own period


def test_contact_request_is_kept_a_year_after_closing(app, shop):
    with models.db.connection_context():
        kept = contact_request("kept", closed_at=last_day(12))
        gone = contact_request("gone", closed_at=day_after(12))
        still_open = contact_request("open", created_at=ago(30))
        confirmation = sent_mail("contact:gone", sent_at=ago(13), contact_request_id=gone.id)
        counts = retention.purge(NOW)
        assert counts["contact_request"] == {"e-mail records": 1, "contact requests": 1}
        assert exists(kept) and exists(still_open)
        assert not exists(gone) and not exists(confirmation)


def test_record_of_sent_mail_is_kept_three_months(app, shop):
    with models.db.connection_context():
        kept = sent_mail("kept", sent_at=last_day(3))
        gone = sent_mail("gone", sent_at=day_after(3))
        given_up = sent_mail("given up", failed_at=day_after(3))
        waiting = sent_mail("waiting")
        OutboxMessage.update(created_at=ago(5)).where(OutboxMessage.id == waiting.id).execute()
        counts = retention.purge(NOW)
        assert counts["email"] == {"e-mail records": 2}
        assert exists(kept) and exists(waiting)
        assert not exists(gone) and not exists(given_up)


def test_audit_entry_is_kept_36_months(app, shop):
    with models.db.connection_context():
        kept = AuditEntry.create(action="customer.view", at=last_day(36))
        gone = AuditEntry.create(action="customer.view", at=day_after(36))
        counts = retention.purge(NOW)
        assert counts["audit"] == {"audit entries": 1, "my data links": 0}
        assert exists(kept) and not exists(gone)


def test_a_period_the_owner_chose_is_the_one_purged_by(app, shop):
    with models.db.connection_context():
        periods.choose(CONTACT_REQUEST, 6)
        kept = contact_request("kept", closed_at=last_day(6))
        gone = contact_request("gone", closed_at=day_after(6))
        counts = retention.purge(NOW)
        assert counts["contact_request"] == {"e-mail records": 0, "contact requests": 1}
        assert exists(kept) and not exists(gone)


@pytest.mark.parametrize("months", [0, 37])
def test_a_period_outside_its_limits_is_refused(app, shop, months):
    with models.db.connection_context(), pytest.raises(InvalidValue) as refused:
        periods.choose(CONTACT_REQUEST, months)
    assert refused.value.code == "retention_out_of_range"
    with models.db.connection_context():
        assert periods.months(CONTACT_REQUEST) == 12


def test_a_fixed_period_cannot_be_changed(app, shop):
    with models.db.connection_context(), pytest.raises(InvalidValue) as refused:
        periods.choose(STAFF, 12)
    assert refused.value.code == "retention_fixed"


def test_data_requests_consents_and_my_data_links_go_after_their_periods(app, shop):
    with models.db.connection_context():
        person = customer("pirjo@example.com", ago(1))
        open_request = data_requests.receive(data_requests.ERASURE, customer=person,
                                             now=day_after(40))
        closed = data_requests.receive(data_requests.ACCESS, customer=person)
        DataRequest.update(status=data_requests.DONE, closed_at=day_after(36)).where(
            DataRequest.id == closed.id).execute()
        still = Consent.create(customer=person, given_at=ago(50))
        withdrawn = Consent.create(customer=person, given_at=ago(50),
                                   withdrawn_at=day_after(36))
        old_link = AccessLink.create(customer=person, token_hash="a" * 64,
                                     created_at=day_after(36), expires_at=day_after(36))
        counts = retention.purge(NOW)
        assert counts["data_request"] == {"e-mail records": 0, "requests": 1}
        assert counts["consent"] == {"consents": 1, "cookie choices": 0}
        assert exists(open_request) and exists(still) and exists(person)
        assert not exists(closed) and not exists(withdrawn) and not exists(old_link)


def test_audit_entries_the_database_still_keeps_are_not_asked_for(app, shop):
    """A clock ahead of the database's (here: a year) deletes what the database allows
    and no more, instead of failing."""
    with models.db.connection_context():
        entry = AuditEntry.create(action="customer.view", at=ago(30))
        counts = retention.purge(datetime.now(UTC) + timedelta(days=365 * 7))
        assert counts["audit"]["audit entries"] == 0 and exists(entry)


def expired_of_every_kind():
    """One of everything past its period, and the counts a purge at NOW gives."""
    lapsed = customer("lapsed@example.com", ago(50))
    old = booking(lapsed, day_after(36))
    CustomerNote.create(customer=lapsed, text="Selkävaivoja")
    sent_mail("booking", sent_at=day_after(36), booking_id=old.id)
    closed = contact_request("closed", closed_at=day_after(12))
    sent_mail("contact", sent_at=day_after(12), contact_request_id=closed.id)
    sent_mail("other", sent_at=day_after(3))
    AuditEntry.create(action="customer.view", customer=lapsed, at=day_after(36))
    recent = customer("recent@example.com", ago(1))
    AccessLink.create(customer=recent, token_hash="b" * 64, created_at=day_after(36),
                      expires_at=day_after(36))
    answered = data_requests.receive(data_requests.ACCESS, email="x@example.com")
    DataRequest.update(status=data_requests.DONE, closed_at=day_after(36)).where(
        DataRequest.id == answered.id).execute()
    sent_mail("request", sent_at=day_after(36), data_request_id=answered.id)
    Consent.create(customer=recent, given_at=ago(50), withdrawn_at=day_after(36))
    CookieChoice.create(visitor="c" * 32, choice="rejected", banner_version=1,
                        at=day_after(36))
    return {
        "booking": {"e-mail records": 1, "bookings": 1},
        "contact": {"notes": 1, "customers": 1},
        "contact_request": {"e-mail records": 1, "contact requests": 1},
        "email": {"e-mail records": 1},
        "audit": {"audit entries": 1, "my data links": 1},
        "data_request": {"e-mail records": 1, "requests": 1},
        "consent": {"consents": 1, "cookie choices": 1},
        "invoicing": old_vouchers(),
    }


def voucher_dates():
    """The last day the Accounting Act's hold has ended for at NOW (15.6.2026: the
    vouchers of 2019 were kept to the end of 2025), and the first day it still holds."""
    return datetime(2019, 12, 31, 20, 0), datetime(2019, 12, 31, 23, 0)


def old_vouchers():
    """A receipt, an invoice and its credit note past the hold and one of each kept."""
    past, kept = voucher_dates()  # 31.12.2019 22.00 and 1.1.2020 01.00 in Helsinki
    buyer = customer("buyer@example.com", ago(1))
    for number, made_at in (("K2019-00001", past), ("K2020-00001", kept)):
        Sale.create(number=number, year=made_at.year, sequence=1, made_at=made_at,
                    customer=buyer, buyer_name="Ostaja", method="cash", total_cents=100,
                    seller="{}")
    for year, day in ((2019, date(2019, 12, 31)), (2020, date(2020, 1, 1))):
        invoice = Invoice.create(status="issued", number=f"{year}-00001", year=year,
                                 sequence=1, issue_date=day, due_date=day, created_at=past,
                                 customer=buyer, buyer_name="Ostaja", total_cents=100)
        InvoicePayment.create(invoice=invoice, paid_on=day, amount_cents=100, method="cash",
                              recorded_at=past)
        Invoice.create(kind="credit_note", credits=invoice, status="issued",
                       number=f"{year}-00002", year=year, sequence=2, issue_date=day,
                       due_date=day, created_at=past, customer=buyer, buyer_name="Ostaja")
    return {"receipts": 1, "payments": 1, "credit notes": 1, "invoices": 1}


def test_receipts_and_invoices_are_kept_until_the_accounting_acts_hold_ends(app, shop):
    with models.db.connection_context():
        old_vouchers()
        assert retention.purge_vouchers(NOW) == {
            "receipts": 1, "payments": 1, "credit notes": 1, "invoices": 1}
        assert sorted(Sale.select(Sale.number).scalars()) == ["K2020-00001"]
        assert sorted(Invoice.select(Invoice.number).scalars()) == ["2020-00001",
                                                                     "2020-00002"]


def row_counts():
    return {model.__name__: model.select().count() for model in
            (Booking, Customer, CustomerNote, ContactRequest, OutboxMessage, AuditEntry,
             AccessLink, DataRequest, Consent, CookieChoice, Sale, Invoice)}


def test_dry_run_deletes_nothing_and_counts_what_the_purge_deletes(app, shop):
    with models.db.connection_context():
        expected = expired_of_every_kind()
        before = row_counts()
        assert retention.purge(NOW, dry_run=True) == expected
        assert row_counts() == before
        assert retention.purge(NOW) == expected


def test_second_purge_deletes_nothing(app, shop):
    with models.db.connection_context():
        expected = expired_of_every_kind()
        assert retention.purge(NOW) == expected
        left = row_counts()
        assert nothing(retention.purge(NOW))
        assert row_counts() == left


def test_two_purges_at_once_delete_everything_once(app, shop):
    with models.db.connection_context():
        expected = expired_of_every_kind()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def a_purge():
        try:
            with models.db.connection_context():
                barrier.wait()
                results.append(retention.purge(NOW))
        except Exception as error:  # reported below, with the other thread's outcome
            errors.append(error)

    threads = [threading.Thread(target=a_purge) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    total = {key: {what: sum(result[key][what] for result in results) for what in counts}
             for key, counts in expected.items()}
    assert total == expected
    with models.db.connection_context():
        assert nothing(retention.purge(NOW, dry_run=True))


def test_dry_run_command_shows_each_rule_and_what_it_would_delete(app, shop, runner):
    now = datetime.now(UTC)
    with models.db.connection_context():
        lapsed = customer("lapsed@example.com", ago(50, now=now))
        booking(lapsed, day_after(36, now=now))
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Säilytysajan ylittäneiden tietojen poiston kokeilu ")
    assert lines[0].endswith(": mitään ei poistettu.")
    assert lines[1:] == [
        "Varaukset: 36 kuukautta käynnin jälkeen",
        "    Samalla poistuvat: Meille lähettämäsi viestit.",
        "    Poistettaisiin: tiedot sähköposteista 0, varaukset 1",
        "Yhteystiedot: 36 kuukautta asiakkaan viimeisimmän varauksen jälkeen",
        "    Samalla poistuvat: Käynneistäsi tehdyt muistiinpanot.",
        "    Poistettaisiin: muistiinpanot 0, asiakkaat 1",
        "Meille lähettämäsi yhteydenotot: 12 kuukautta asian käsittelyn päätyttyä",
        "    Poistettaisiin: tiedot sähköposteista 0, yhteydenotot 0",
        "Tiedot sinulle lähettämistämme sähköposteista: 3 kuukautta lähettämisen jälkeen",
        "    Poistettaisiin: tiedot sähköposteista 0",
        "Tiedot siitä, kuka henkilökunnastamme käsitteli tietojasi ja milloin: 36 kuukautta "
        "merkinnän kirjaamisen jälkeen",
        "    Poistettaisiin: tapahtumalokin merkinnät 0, ”Omat tietoni” -linkit 0",
        "Tietojasi koskevat pyyntösi ja vastauksemme niihin: 36 kuukautta asian käsittelyn "
        "päätyttyä",
        "    Poistettaisiin: tiedot sähköposteista 0, tietopyynnöt 0",
        "Suostumuksesi uutisten ja tarjousten lähettämiseen sähköpostitse: 36 kuukautta "
        "peruuttamisen jälkeen",
        "    Poistettaisiin: suostumukset 0, vastaukset evästekysymykseen 0",
        "Kuittisi ja laskusi: 72 kuukautta tilikauden päättymisestä",
        "    Poistettaisiin: kuitit 0, laskujen maksut 0, hyvityslaskut 0, laskut 0",
        "Työntekijöiden käyttäjätilit ja työajat: Työsuhteen päättymiseen asti",
        "    Ei poisteta automaattisesti: omistaja poistaa käyttäjätilit käytöstä tai "
        "poistaa ne.",
    ]
    with models.db.connection_context():
        assert exists(lapsed)


def test_purge_command_deletes(app, shop, runner):
    now = datetime.now(UTC)
    with models.db.connection_context():
        lapsed = customer("lapsed@example.com", ago(50, now=now))
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "    Poistettiin: muistiinpanot 0, asiakkaat 1" in result.output.splitlines()
    with models.db.connection_context():
        assert not exists(lapsed)


def test_worker_runs_the_purge_daily(app, shop):
    [duty] = [duty for duty in worker.DUTIES if duty.name == "retention"]
    assert duty.every == timedelta(days=1)
    assert "old mail" not in {duty.name for duty in worker.DUTIES}  # folded into it
    with models.db.connection_context():
        expired_of_every_kind()
    with app.app_context():
        worker.run_duties([duty], NOW)
    with models.db.connection_context():
        assert nothing(retention.purge(NOW, dry_run=True))


def test_cron_every_minute_purges_once_a_day(app, shop):
    """`worker --once` from cron every minute: the purge runs on its daily turn only,
    while the outbox and the reminders run every time."""
    duty = worker.DUTY_BY_NAME["retention"]
    with app.app_context():
        worker.run_duties(worker.DUTIES, NOW)
        with models.db.connection_context():
            expired_of_every_kind()
        worker.run_duties(worker.DUTIES, NOW + timedelta(minutes=1))
        with models.db.connection_context():
            assert not nothing(retention.purge(NOW, dry_run=True))  # kept till its turn
        worker.run_duties([duty], NOW + timedelta(days=1))
    with models.db.connection_context():
        assert nothing(retention.purge(NOW, dry_run=True))


def test_two_workers_asking_at_once_take_one_turn(app, shop):
    from models import duties

    taken = []

    def ask():
        with models.db.connection_context():
            taken.append(duties.take_turn("retention", NOW, timedelta(days=1)))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == [False, False, False, True]


@pytest.mark.parametrize("dry_run", [True, False])
def test_worker_summary_says_what_went(app, shop, dry_run):
    with models.db.connection_context():
        expired_of_every_kind()
        done = retention.summary(retention.purge(NOW, dry_run=dry_run))
    assert done.startswith("booking: e-mail records 1, bookings 1; contact: notes 1")
