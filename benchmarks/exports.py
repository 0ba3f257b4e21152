"""What the owner's export of a large calendar costs: 100 000 bookings written as CSV
(in a zip) and as XLSX, in seconds and peak memory.

Run from the repository root:
  .venv/bin/python benchmarks/exports.py [--bookings 100000] [--customers 10000]

It makes a SQLite database with the demo business, `--customers` customers with
addresses and phone numbers, and `--bookings` bookings spread over them. Each export
then runs in a fresh subprocess (`flask export data` does the same work: web/exports.py's
write_export), twice:

  seconds, max RSS   the export alone, timed (wall clock and the process's CPU time,
                     the steadier figure on a shared machine); its peak resident memory
                     (getrusage), beside that of a process that only starts the app
  Python peak        the largest Python heap during the export (tracemalloc, in a second
                     run, since tracing slows it)

The export is streamed: rows are read in batches of 2000 and written as they come (XLSX
in XlsxWriter's constant-memory mode), so memory should not grow with the bookings.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from models import demo, schema  # noqa: E402
from models.booking.bookings import Booking, new_reference  # noqa: E402
from models.people.customers import Customer  # noqa: E402

STATUSES = ("confirmed", "completed", "cancelled", "no_show")


def fill(database, customers, bookings):
    models.open_database(f"sqlite:///{database}")
    schema.migrate()
    with models.db.connection_context():
        demo.add_demo_business()
        with models.db.atomic():
            Customer.insert_many([
                {"name": f"Asiakas {number}", "email": f"asiakas{number}@example.com",
                 "phone": f"+35840{number:07d}", "street": f"Kauppakatu {number % 90 + 1}",
                 "postal_code": f"{number % 99999:05d}", "town": "Helsinki"}
                for number in range(customers)]).execute()
        first = datetime(2024, 1, 2, 6)
        ids = [customer.id for customer in Customer.select(Customer.id)]
        rows = []
        for number in range(bookings):
            start = first + timedelta(minutes=30 * number)
            rows.append({
                "reference": new_reference(), "customer": ids[number % len(ids)],
                "service": 1 + number % 3, "staff": 1 + number % 2, "starts_at": start,
                "ends_at": start + timedelta(minutes=30),
                "blocked_until": start + timedelta(minutes=30), "overbooked": True,
                "status": STATUSES[number % 4], "price_cents": 3900 + number % 3 * 1300,
                "message": "Toivon rauhallista hierontaa" if number % 7 == 0 else "",
            })
            if len(rows) == 5000:
                with models.db.atomic():
                    Booking.insert_many(rows).execute()
                rows = []
        if rows:
            with models.db.atomic():
                Booking.insert_many(rows).execute()
    models.db.obj.close_all()


def measure(format, database, output, trace):
    """In the child: start the app, export the bookings, print what it took."""
    from app import create_app
    from models.exports import chosen_tables
    from web.exports import write_export

    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "benchmark",
                      "DEVELOPMENT": True})
    started_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if format == "none":
        print(json.dumps({"max_rss_kib": started_rss}))
        return
    if trace:
        tracemalloc.start()
    rows = 0

    def counted():
        nonlocal rows
        rows += 1

    with app.app_context(), models.db.connection_context():
        started, cpu = time.perf_counter(), time.process_time()
        write_export(chosen_tables(["bookings"]), format, output, "fi", counted)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "rows": rows, "python_peak": peak,
                      "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "bytes": Path(output).stat().st_size}))


def child(database, format, output, trace=False):
    command = [sys.executable, __file__, "--child", format, str(database), str(output)]
    if trace:
        command.append("--trace")
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "DATABASE", "OUTPUT"))
    parser.add_argument("--trace", action="store_true")
    options = parser.parse_args()
    if options.child:
        measure(*options.child, trace=options.trace)
        return
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "vuoro.db"
        started = time.perf_counter()
        fill(database, options.customers, options.bookings)
        print(f"{options.bookings} bookings of {options.customers} customers made in "
              f"{time.perf_counter() - started:.1f} s (SQLite)")
        baseline = child(database, "none", Path(folder) / "none")["max_rss_kib"]
        print(f"app started, nothing exported: max RSS {baseline / 1024:.0f} MiB")
        for format, suffix in (("csv-zip", ".zip"), ("xlsx", ".xlsx")):
            output = Path(folder) / f"bookings{suffix}"
            timed = child(database, format, output)
            traced = child(database, format, output, trace=True)
            print(f"{format:8} {timed['rows']} rows in {timed['seconds']:.1f} s "
                  f"(CPU {timed['cpu_seconds']:.1f} s, "
                  f"{timed['rows'] / timed['cpu_seconds']:.0f} rows per CPU second), file "
                  f"{timed['bytes'] / 2**20:.1f} MiB; max RSS {timed['max_rss_kib'] / 1024:.0f}"
                  f" MiB (+{(timed['max_rss_kib'] - baseline) / 1024:.0f} MiB over the app);"
                  f" Python peak {traced['python_peak'] / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
