"""How long the accounting hand-over of a year of a busy small business takes, and the
memory it needs: 5 000 invoices (and some credit notes) as Finvoice files in a folder,
and the same sales as the voucher CSV.

Run from the repository root: python benchmarks/accounting_export.py

Synthetic data, the same on every run (fixed seed): invoices of 1 to 4 rows (massage
at 25,5 %, physiotherapy exempt under AVL 34 §, gym at 13,5 %, products), one in fifty
a credit note. Times are wall-clock seconds of the engines alone (engines/finvoice.py,
engines/accounting_csv.py), the files written to a temporary folder; the peak is the
largest memory Python allocated meanwhile (tracemalloc), beyond what the data held
before (the second of two runs, the first timed without it).
"""

import os
import platform
import random
import sys
import tempfile
import time as clock
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engines import vat
from engines.accounting_csv import (
    COLUMNS,
    Sale,
    accounting_csv,
    voucher_lines,
    write_finvoice_files,
)
from engines.finvoice import Address, Buyer, CreditedInvoice, Invoice, InvoiceRow, Seller
from engines.reference import reference_number

SEED = 20260101
INVOICES = 5_000
FIRST_DAY = date(2026, 1, 2)
SELLER = Seller("Hieronta Ahonen Oy", "2077474-0",
                Address("Kauppakatu 3 B 12", "40100", "Jyväskylä"),
                "FI37 1590 3000 0007 76", "HELSFIHH")
SERVICES = (
    ("Klassinen hieronta 60 min", 6900, vat.GENERAL),
    ("Fysioterapia 45 min", 6500, vat.HEALTH_CARE),
    ("Kuntosaliharjoittelu", 2000, vat.SPORTS_AND_CULTURE),
    ("Hierontaöljy 100 ml", 1490, vat.GENERAL),
)


def year_of_invoices():
    chance = random.Random(SEED)
    invoices = []
    for number in range(1, INVOICES + 1):
        day = FIRST_DAY + timedelta(days=number * 360 // INVOICES)
        rows = tuple(
            InvoiceRow(name, price, Decimal(chance.choice((1, 1, 2))),
                       vat.rate_on(category, day), day)
            for name, price, category in chance.sample(SERVICES, chance.randint(1, 4)))
        credit = number % 50 == 0 and number > 1
        invoices.append(Invoice(
            number=f"2026-{number}", issue_date=day, due_date=day + timedelta(days=14),
            seller=SELLER,
            buyer=Buyer(f"Asiakas {number}", Address(f"Koivukuja {number % 90 + 1}",
                                                     "40520", "Jyväskylä")),
            rows=rows, reference=None if credit else reference_number(1000 + number),
            penalty_interest_percent=Decimal("11.5"),
            credits=CreditedInvoice(f"2026-{number - 1}", day) if credit else None,
        ))
    return invoices


def measured(work):
    """(seconds, peak MB) of `work`: timed on its own, then run again with tracemalloc
    on (which slows every allocation) for the peak."""
    started = clock.perf_counter()
    work()
    seconds = clock.perf_counter() - started
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1024 / 1024


def main():
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) "
        f"on {platform.system()} {platform.machine()}, {os.cpu_count()} cores"
    )
    invoices = year_of_invoices()
    sales = [Sale(invoice.issue_date, invoice.number, invoice.rows, "Lasku",
                  reference=invoice.reference or "", credit=invoice.credits is not None)
             for invoice in invoices]
    with tempfile.TemporaryDirectory() as folder:
        seconds, peak = measured(lambda: write_finvoice_files(invoices, folder))
        size = sum(path.stat().st_size for path in Path(folder).iterdir())
        print(f"Finvoice: {len(invoices)} files, {size / 1024 / 1024:.1f} MB, "
              f"{seconds:.2f} s, peak {peak:.1f} MB")
    output = {}

    def csv_file():
        output["csv"] = accounting_csv(voucher_lines(sales), COLUMNS)

    seconds, peak = measured(csv_file)
    lines = output["csv"].count(b"\r\n") - 1
    print(f"CSV: {lines} voucher lines, {len(output['csv']) / 1024:.0f} kB, "
          f"{seconds:.2f} s, peak {peak:.1f} MB")


if __name__ == "__main__":
    main()
