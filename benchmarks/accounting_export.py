"""How long the accounting hand-over of a year of a busy small business takes, and the
memory it needs: 5 000 invoices (and some credit notes) as Finvoice files in a folder,
and the same sales as the voucher CSV; then the same invoices read from a database
(SQLite, a temporary file) as `export accounting` reads them, against reading each
invoice with its own queries (models/money/handover.as_finvoice), in the same run.

Run from the repository root: python benchmarks/accounting_export.py

Synthetic data, the same on every run (fixed seed): invoices of 1 to 4 rows (massage
at 25,5 %, physiotherapy exempt under AVL 34 §, gym at 13,5 %, products), one in fifty
a credit note. Times are wall-clock seconds of the engines alone (engines/finvoice.py,
engines/accounting_csv.py), the files written to a temporary folder; the peak is the
largest memory Python allocated meanwhile (tracemalloc), beyond what the data held
before (the second of two runs, the first timed without it).
"""

import json
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

import models
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


def stored(invoices, path):
    """The invoices written to a new SQLite database at `path`, as issued invoices."""
    from models import schema
    from models.money.vouchers import CREDIT_NOTE, INVOICE, ISSUED
    from models.money.vouchers import Invoice as StoredInvoice
    from models.money.vouchers import InvoiceRow as StoredRow

    models.open_database(f"sqlite:///{path}")
    schema.migrate()
    seller = json.dumps({
        "name": SELLER.name, "business_id": SELLER.business_id,
        "street": SELLER.address.street, "postal_code": SELLER.address.post_code,
        "town": SELLER.address.town, "phone": "", "email": "", "iban": SELLER.iban,
        "bic": SELLER.bic, "vat_registered": True})
    with models.db.atomic():
        for number, invoice in enumerate(invoices, start=1):
            amounts = [vat.row(row.unit_gross_cents, row.quantity, row.rate)
                       for row in invoice.rows]
            StoredInvoice.insert(
                id=number, kind=CREDIT_NOTE if invoice.credits else INVOICE, status=ISSUED,
                credits=number - 1 if invoice.credits else None, number=invoice.number,
                year=2026, sequence=number, reference=invoice.reference or "",
                issue_date=invoice.issue_date, due_date=invoice.due_date,
                buyer_name=invoice.buyer.name, buyer_street=invoice.buyer.address.street,
                buyer_postal_code=invoice.buyer.address.post_code,
                buyer_town=invoice.buyer.address.town, language="fi",
                penalty_interest=invoice.penalty_interest_percent,
                total_cents=sum(each.gross for each in amounts), seller=seller).execute()
            StoredRow.insert_many([{
                "invoice": number, "position": position, "description": row.description,
                "service_date": row.service_date, "quantity": row.quantity,
                "unit_gross_cents": row.unit_gross_cents, "vat_category": "general",
                "vat_percent": each.rate.percent,
                "vat_exemption": each.rate.exemption or "", "gross_cents": each.gross,
                "vat_cents": each.vat, "net_cents": each.net}
                for position, (row, each) in enumerate(
                    zip(invoice.rows, amounts, strict=True))]).execute()


def from_the_database(invoices):
    from models.money import handover
    from models.money.vouchers import Invoice as StoredInvoice

    first, last = invoices[0].issue_date, invoices[-1].issue_date
    with tempfile.TemporaryDirectory() as folder:
        stored(invoices, Path(folder) / "vuoro.db")
        with models.db.connection_context():
            one_by_one, _ = measured(lambda: [
                handover.as_finvoice(invoice) for invoice in StoredInvoice.select()
                .where(StoredInvoice.issue_date.between(first, last))
                .order_by(StoredInvoice.sequence)])
            read, peak = measured(lambda: handover.finvoice_invoices(first, last))
            lines, lines_peak = measured(lambda: handover.voucher_lines(first, last))
            count = len(handover.finvoice_invoices(first, last))
        models.db.close()
    print(f"From the database: {count} invoices read in {read:.2f} s (peak {peak:.1f} MB), "
          f"each with its own queries {one_by_one:.2f} s: {one_by_one / read:.1f} × "
          f"faster; their voucher lines (receipts too) in {lines:.2f} s "
          f"(peak {lines_peak:.1f} MB)")


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
    from_the_database(invoices)


if __name__ == "__main__":
    main()
