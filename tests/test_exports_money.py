"""The owner's exports of the money side: invoices and credit notes (their rows
summarised), payments of invoices and receipts, as CSV and XLSX for people (Finnish
dates and money, headings in the owner's language) and in the JSON archive for programs
(ids, ISO dates, cents)."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from money_support import past_booking, seller
from support import translated

import models
from engines import clock
from models.money import invoicing
from models.money.counter import make_sale
from models.money.rows import Line
from models.money.settings import GENERAL
from models.people.customers import Customer


@pytest.fixture
def money(shop):
    """A receipt (a booking and 3 × 33,33 € of oil, by MobilePay), an invoice paid
    20,00 € of by bank transfer, and an invoice credited with a credit note."""
    with models.db.connection_context():
        seller()
        receipt = make_sale(Customer.get_by_id(2), [past_booking(2, 1, hour=9).id], [
            Line("Hierontaöljy", clock.today(), 3333, Decimal(3), GENERAL)], "mobilepay")
        paid = invoicing.issue(invoicing.create_draft(past_booking(hour=11)).id,
                               clock.today() + timedelta(days=14))
        payment = invoicing.record_payment(paid.id, 2000, clock.today(), "bank_transfer")
        credited = invoicing.issue(invoicing.create_draft(past_booking(days_ago=2)).id,
                                   clock.today() + timedelta(days=14))
        note = invoicing.credit(credited.id)
    return receipt, paid, payment, credited, note


def export(runner, tmp_path, format_, name, *options):
    path = tmp_path / name
    result = runner.invoke(args=["export", "data", "--what", "invoices,payments,receipts",
                                 "--format", format_, "--output", str(path), *options])
    assert result.exit_code == 0, result.output
    return path


def test_json_has_the_ids_cents_and_iso_dates_programs_read(runner, money, tmp_path):
    receipt, paid, payment, credited, note = money
    archive = json.loads(export(runner, tmp_path, "json", "money.json").read_text("utf-8"))
    assert archive["tables_included"] == ["invoices", "payments", "receipts"]
    invoices = {row["id"]: row for row in archive["tables"]["invoices"]["rows"]}
    first = invoices[paid.id]
    assert first["number"] == paid.number and first["kind"] == "invoice"
    assert first["status"] == "issued" and first["issue_date"] == clock.today().isoformat()
    assert first["total_cents"] == paid.total_cents
    assert first["net_cents"] + first["vat_cents"] == first["total_cents"]
    assert (first["paid_cents"], first["open_cents"]) == (2000, paid.total_cents - 2000)
    assert first["reference"] == paid.reference and first["customer_id"] == 1
    assert first["rows"].startswith("Klassinen hieronta") and first["rows"].endswith("× 1")
    credit = invoices[note.id]
    assert (credit["kind"], credit["credits_id"]) == ("credit_note", credited.id)
    assert credit["total_cents"] == -credited.total_cents and credit["open_cents"] == 0
    assert invoices[credited.id]["open_cents"] == 0
    [paid_row] = archive["tables"]["payments"]["rows"]
    assert paid_row == {
        "id": payment.id, "invoice_id": paid.id, "invoice_number": paid.number,
        "paid_on": clock.today().isoformat(), "amount_cents": 2000,
        "method": "bank_transfer", "recorded_at": paid_row["recorded_at"],
        "recorded_by_id": None}
    [receipt_row] = archive["tables"]["receipts"]["rows"]
    assert receipt_row["number"] == receipt.number and receipt_row["method"] == "mobilepay"
    assert receipt_row["total_cents"] == receipt.total_cents
    assert receipt_row["net_cents"] + receipt_row["vat_cents"] == receipt.total_cents
    assert "Hierontaöljy × 3" in receipt_row["rows"]


def test_csv_has_finnish_dates_money_and_names_for_people(runner, money, tmp_path):
    receipt, paid, payment, credited, note = money
    folder = export(runner, tmp_path, "csv", "csv")
    assert sorted(path.name for path in folder.iterdir()) == [
        "invoices.csv", "payments.csv", "receipts.csv"]

    def table(name):
        text = (folder / f"{name}.csv").read_text(encoding="utf-8")
        assert text.startswith("\ufeff")
        heading, *rows = csv.reader(io.StringIO(text[1:]), delimiter=";")
        return [dict(zip(heading, row, strict=True)) for row in rows]

    invoices = {row[translated("fi", "Invoice number")]: row for row in table("invoices")}
    first = invoices[paid.number]
    assert first[translated("fi", "Issue date")] == clock.today().strftime("%-d.%-m.%Y")
    total = f"{paid.total_cents // 100},{paid.total_cents % 100:02d}"
    assert first[translated("fi", "Total (€)")] == total
    assert first[translated("fi", "Kind")] == translated("fi", "Invoice")
    credit = invoices[note.number]
    assert credit[translated("fi", "Kind")] == translated("fi", "Credit note")
    assert credit[translated("fi", "Credits the invoice")] == credited.number
    assert credit[translated("fi", "Total (€)")].lstrip("'=\"").startswith("-")
    [payment_row] = table("payments")
    assert payment_row[translated("fi", "Payment method")] == translated("fi", "Bank transfer")
    assert payment_row[translated("fi", "Amount (€)")] == "20,00"
    [receipt_row] = table("receipts")
    assert receipt_row[translated("fi", "Payment method")] == "MobilePay"


def test_xlsx_has_a_sheet_per_money_table_in_the_language_asked(runner, money, tmp_path):
    path = export(runner, tmp_path, "xlsx", "money.xlsx", "--language", "sv")
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == [translated("sv", "Invoices and credit notes"),
                                   translated("sv", "Payments of invoices"),
                                   translated("sv", "Receipts")]
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert translated("sv", "Invoice number") in rows[0]
    assert len(rows) == 1 + 3
