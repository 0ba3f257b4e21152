"""What the privacy rights cost: a person's export, their erasure and the privacy
statement page, each against a plain baseline measured in the same run.

Run from the repository root:
  .venv/bin/python benchmarks/privacy.py [--bookings 300] [--others 2000] [--rounds 5]

Each round makes a fresh SQLite database with the demo business, `--others` customers
with one booking each, and one regular customer with `--bookings` bookings, a note per
ten bookings, a contact request per twenty, and an e-mail record and an audit entry per
booking. Then it times:

  export     models.privacy.own_copy.personal_data_of(): everything held about the regular,
             derived from the declaration, as the JSON download gives it
  baseline   the same rows read with one plain SELECT per table, as dicts
  erasure    models.privacy.erasure.plan() then erase(): the preview and the erasure in one
             transaction (on SQLite with secure_delete and the WAL checkpoint)
  baseline   the same rows deleted with one plain DELETE per table, in one transaction,
             on a copy of the same database
  statement  GET /privacy with the statement already published (facts read, hash
             compared, stored text shown)
  baseline   GET / (the home page: the business, its services and opening hours)

Figures are medians over the rounds (the pages: over 30 requests a round); each ratio is
the measured figure / its baseline.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from app import create_app  # noqa: E402
from models import demo, schema
from models.booking.bookings import Booking
from models.business.catalogue import Service
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.people.contact_requests import ContactRequest
from models.people.customers import Customer
from models.people.notes import CustomerNote
from models.privacy import data_requests, erasure
from models.privacy.audit import AuditEntry
from models.privacy.own_copy import personal_data_of

PAGE_REQUESTS = 30


def booking_for(customer, service, number, start):
    start = start + timedelta(minutes=15 * (number % 32), days=number // 32)
    return Booking.create(
        customer=customer, service=service, staff=1 + number % 2, starts_at=start,
        ends_at=start + timedelta(minutes=60), blocked_until=start + timedelta(minutes=60),
        overbooked=True, price_cents=service.price_cents, message=f"Viesti {number}",
        created_at=start - timedelta(days=7))


def fill(bookings, others):
    """The regular customer and everyone else; the regular's id."""
    service = Service.get_by_id(2)
    first = datetime(2025, 1, 7, 7)
    with models.db.atomic():
        for number in range(others):
            other = Customer.create(name=f"Asiakas {number}", email=f"muu{number}@example.com")
            booking_for(other, service, number, first)
        regular = Customer.create(name="Kanta Asiakas", email="kanta@example.com",
                                  phone="+358401234567", street="Kauppakatu 1",
                                  postal_code="40100", town="Jyväskylä")
        for number in range(bookings):
            booking = booking_for(regular, service, number, first + timedelta(hours=1))
            outbox.add(outbox.BOOKING_CONFIRMED, f"bench:{booking.id}", booking_id=booking.id)
            AuditEntry.create(action="booking.create", customer=regular, booking=booking)
            if number % 10 == 0:
                CustomerNote.create(customer=regular, text=f"Muistiinpano {number}")
            if number % 20 == 0:
                ContactRequest.create(name="Kanta Asiakas", email="kanta@example.com",
                                      message=f"Kysymys {number}", customer=regular,
                                      submission_key=f"bench{number}")
        OutboxMessage.update(sent_at=datetime(2025, 1, 1), sent_to="kanta@example.com").execute()
    return regular.id


def plain_rows(customer_id):
    """The baseline export: the same rows, one plain SELECT per table."""
    bookings = Booking.select(Booking.id).where(Booking.customer == customer_id)
    return {
        "customer": list(Customer.select().where(Customer.id == customer_id).dicts()),
        "bookings": list(Booking.select().where(Booking.customer == customer_id).dicts()),
        "notes": list(CustomerNote.select().where(CustomerNote.customer == customer_id).dicts()),
        "requests": list(ContactRequest.select()
                         .where(ContactRequest.customer == customer_id).dicts()),
        "mail": list(OutboxMessage.select()
                     .where(OutboxMessage.booking_id.in_(bookings)).dicts()),
        "audit": list(AuditEntry.select().where(AuditEntry.customer == customer_id).dicts()),
    }


def plain_delete(customer_id):
    """The baseline erasure: the same rows, one plain DELETE per table."""
    with models.write_transaction():
        bookings = Booking.select(Booking.id).where(Booking.customer == customer_id)
        OutboxMessage.delete().where(OutboxMessage.booking_id.in_(bookings)).execute()
        AuditEntry.update(customer=None, booking=None).where(
            AuditEntry.customer == customer_id).execute()
        CustomerNote.delete().where(CustomerNote.customer == customer_id).execute()
        ContactRequest.delete().where(ContactRequest.customer == customer_id).execute()
        Booking.delete().where(Booking.customer == customer_id).execute()
        Customer.delete().where(Customer.id == customer_id).execute()


def timed(action):
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def open_app(path):
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench",
                      "DEVELOPMENT": True})
    app.instance_path = str(path.parent / "instance")
    return app


def page_median(client, url):
    client.get(url)  # the first: publishes the statement, warms the templates
    times = []
    for _ in range(PAGE_REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def one_round(bookings, others, folder):
    path = folder / "bench.db"
    app = open_app(path)
    schema.migrate()
    with models.db.connection_context():
        demo.add_demo_business()
        customer_id = fill(bookings, others)
        models.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    models.db.close_all()
    copy = folder / "copy.db"
    shutil.copy(path, copy)

    figures = {}
    with app.app_context(), models.db.connection_context():
        customer = Customer.get_by_id(customer_id)
        figures["export"] = timed(lambda: personal_data_of(customer))
        figures["export baseline"] = timed(lambda: plain_rows(customer_id))
        request = data_requests.receive(data_requests.ERASURE, customer=customer)
        now = datetime.now(UTC)

        def erase():
            erasure.plan(customer, now)
            erasure.erase(customer, request, None, now)

        figures["erasure"] = timed(erase)
        assert Customer.get_or_none(Customer.id == customer_id) is None
    client = app.test_client()
    figures["statement page"] = page_median(client, "/privacy")
    figures["statement baseline"] = page_median(client, "/")
    models.db.close_all()

    open_app(copy)
    with models.db.connection_context():
        figures["erasure baseline"] = timed(lambda: plain_delete(customer_id))
    models.db.close_all()
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--others", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    rounds = []
    for _ in range(options.rounds):
        with tempfile.TemporaryDirectory() as folder:
            rounds.append(one_round(options.bookings, options.others, Path(folder)))
    median = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    print(f"{options.bookings} bookings of one customer among {options.others} others, "
          f"SQLite, medians of {options.rounds} rounds")
    for what in ("export", "erasure", "statement"):
        name = what if what != "statement" else "statement page"
        figure, baseline = median[name], median[f"{what} baseline"]
        print(f"{what:10} {figure * 1000:8.1f} ms   baseline {baseline * 1000:7.1f} ms   "
              f"ratio {figure / baseline:5.1f}")


if __name__ == "__main__":
    main()
