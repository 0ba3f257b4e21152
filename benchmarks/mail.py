"""How fast the outbox empties, against handing the same messages to the same SMTP
server straight from smtplib.

Run from the repository root:
  .venv/bin/python benchmarks/mail.py [--messages 300] [--rounds 3]

Each round makes a fresh SQLite database with the demo business, one booking per message
(each customer with an e-mail address) and its queued confirmation, starts a real SMTP
server (aiosmtpd) on a loopback port, and times:

  outbox    worker.send_due(): claim each message, write it (templates, the .ics, the
            manage link), hand it over on one SMTP connection, mark it sent
  baseline  the same finished messages, written beforehand, sent with smtplib on one
            connection: what handing over alone costs on this machine
  files     worker.send_due() with no SMTP server: the .eml files of the demo

and, on the same bookings, how long queueing the reminders of a day takes. Figures are
medians over the rounds; the ratio is outbox / baseline per message.
"""

import argparse
import smtplib
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import MailServer  # noqa: E402

import models  # noqa: E402
import worker  # noqa: E402
from app import create_app  # noqa: E402
from models import demo, schema
from models.booking.bookings import Booking
from models.business.catalogue import Service
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.people.customers import Customer
from worker.messages import compose  # noqa: E402


def fill(count, first_start):
    """`count` bookings a day ahead, one per customer, each with its confirmation queued."""
    service = Service.get_by_id(2)
    with models.db.atomic():
        for number in range(count):
            customer = Customer.create(name=f"Asiakas {number}",
                                       email=f"asiakas{number}@example.com")
            start = first_start + timedelta(minutes=15 * (number % 32), days=number // 32)
            booking = Booking.create(
                customer=customer, service=service, staff=1 + number % 2,
                starts_at=start, ends_at=start + timedelta(minutes=60),
                blocked_until=start + timedelta(minutes=60), overbooked=True,
                price_cents=service.price_cents, language=("fi", "sv", "en")[number % 3],
                created_at=start - timedelta(days=7),
            )
            outbox.booking_event(booking, outbox.BOOKING_CONFIRMED)


def one_round(count, folder):
    url = f"sqlite:///{folder}/bench.db"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "DEVELOPMENT": True})
    app.instance_path = str(folder / "instance")
    schema.migrate()
    first = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=7, minute=0, second=0, microsecond=0, tzinfo=None)
    with models.db.connection_context():
        demo.add_demo_business()
        fill(count, first)
    server = MailServer()
    try:
        app.config["SMTP_URL"] = server.url
        with app.app_context(), models.db.connection_context():
            started = time.perf_counter()
            result = worker.send_due()
            outbox_seconds = time.perf_counter() - started
            assert result.sent == count, result
            # The baseline: the same messages written beforehand, then only handed over.
            with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
                written = [compose(message, datetime.now(UTC))[1]
                           for message in OutboxMessage.select()]
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", server.port) as connection:
                for message in written:
                    connection.send_message(message)
            baseline_seconds = time.perf_counter() - started
            # The demo's way: files.
            OutboxMessage.update(sent_at=None, attempts=0).execute()
            app.config["SMTP_URL"] = ""
            started = time.perf_counter()
            assert worker.send_due().sent == count
            files_seconds = time.perf_counter() - started
            started = time.perf_counter()
            worker.queue_reminders(now=first.replace(tzinfo=UTC) - timedelta(hours=12))
            reminders_seconds = time.perf_counter() - started
            reminders = OutboxMessage.select().where(
                OutboxMessage.kind == outbox.BOOKING_REMINDER).count()
    finally:
        server.stop()
        models.db.obj.close_all()
    return outbox_seconds, baseline_seconds, files_seconds, reminders_seconds, reminders


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = []
    for round_number in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            results.append(one_round(args.messages, Path(folder)))
        print(f"round {round_number + 1}: outbox {results[-1][0]:.2f} s, "
              f"baseline {results[-1][1]:.2f} s, files {results[-1][2]:.2f} s",
              flush=True)
    outbox_s, baseline_s, files_s, reminders_s, reminders = (
        statistics.median(column) for column in zip(*results, strict=True))
    per = args.messages
    print(f"\n{per} messages, medians of {args.rounds} rounds (SQLite, aiosmtpd on loopback)")
    print(f"  outbox   {per / outbox_s:7.0f} messages/s  {1000 * outbox_s / per:6.2f} ms each")
    print(f"  baseline {per / baseline_s:7.0f} messages/s  {1000 * baseline_s / per:6.2f} ms "
          "each (smtplib, messages written beforehand)")
    print(f"  files    {per / files_s:7.0f} messages/s  {1000 * files_s / per:6.2f} ms each")
    print(f"  ratio outbox / baseline: {outbox_s / baseline_s:.1f}")
    print(f"  queueing {reminders:.0f} reminders of a day: {1000 * reminders_s:.0f} ms")


if __name__ == "__main__":
    main()
