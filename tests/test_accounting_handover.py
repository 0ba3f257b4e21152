"""The hand-over to the accounting program, as the owner makes it: the real
`flask --app app export accounting` command and the owner's hand-over page. Every Finvoice
file made is checked against the published Finvoice 3.0 schema; the CSV's lines add up
to the period's sales to the cent."""

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from money_support import past_booking, seller
from support import post, translated

import models
from engines import clock
from models.business.catalogue import Service
from models.money import invoicing
from models.money.counter import make_sale
from models.money.rows import Line
from models.money.settings import GENERAL, HEALTH_CARE, set_vat_category
from models.people.customers import Customer
from models.privacy.audit import AuditEntry

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "finvoice" / \
    "Finvoice3.0.xsd"


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA_PATH.exists():
        pytest.skip(f"the Finvoice 3.0 schema is not at {SCHEMA_PATH}")
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def free_line(cents, quantity="1", category=GENERAL, description="Hierontaöljy"):
    return Line(description, clock.today(), cents, Decimal(quantity), category)


@pytest.fixture
def sales(shop):
    """Today: a receipt at two rates (massage at 25,5 %, physiotherapy exempt), two
    invoices and a credit note of the first. Returns (receipt, invoices, credit note)."""
    with models.db.connection_context():
        seller()
        set_vat_category(Service.get_by_id(1), HEALTH_CARE)
        receipt = make_sale(Customer.get_by_id(2), [past_booking(2, 1, hour=9).id],
                            [free_line(3333, "3")], "mobilepay")
        first = invoicing.create_draft(past_booking(hour=11))
        invoicing.add_free_row(first.id, free_line(1490, "2"))
        first = invoicing.issue(first.id, clock.today() + timedelta(days=14))
        second = invoicing.create_draft(past_booking(days_ago=2, hour=12))
        invoicing.set_buyer(second.id, invoicing.BuyerDetails(
            name="Yritys Oy", street="Katu 1", postal_code="00100", town="Helsinki",
            business_id="2077474-0"))
        second = invoicing.issue(second.id, clock.today() + timedelta(days=14))
        note = invoicing.credit(first.id)
    return receipt, [first, second], note


def today_text(days=0):
    return (clock.today() + timedelta(days=days)).isoformat()


def export(runner, *options):
    return runner.invoke(args=["export", "accounting", *options])


def test_finvoice_folder_has_one_valid_file_per_invoice_and_credit_note(
        runner, sales, schema, tmp_path):
    receipt, (first, second), note = sales
    folder = tmp_path / "finvoice"
    result = export(runner, "--from", today_text(-31), "--to", today_text(),
                    "--format", "finvoice", "--output", str(folder))
    assert result.exit_code == 0, result.output
    assert "laskujen ja hyvityslaskujen Finvoice-tiedostoja 3, kansiossa" in result.output
    files = sorted(folder.iterdir())
    assert [path.name for path in files] == sorted(
        f"finvoice-{each.number}.xml" for each in (first, second, note))
    messages = {}
    for path in files:
        message = etree.parse(str(path))
        schema.assertValid(message)
        messages[message.findtext(".//InvoiceNumber")] = message
    credit = messages[note.number]
    assert credit.findtext(".//InvoiceTypeCode") == "INV02"
    assert credit.findtext(".//OriginalInvoiceNumber") == first.number
    assert credit.findtext(".//InvoiceTotalVatIncludedAmount").startswith("-")
    assert messages[first.number].findtext(".//EpiRemittanceInfoIdentifier") == \
        first.reference
    assert messages[second.number].findtext(".//BuyerPartyIdentifier") == "2077474-0"
    with models.db.connection_context():
        entry = AuditEntry.select().where(AuditEntry.action == "data.export").get()
    assert entry.user_id is None
    assert entry.details == (f"accounting hand-over on the command line, finvoice, "
                             f"{today_text(-31)} to {today_text()}: 3 invoices and credit "
                             "notes")


def csv_rows(content):
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def cents(text):
    return int(Decimal(text.replace(",", ".")) * 100)


def test_csv_has_a_voucher_line_per_sale_and_rate_adding_up_to_the_sales(
        runner, sales, tmp_path):
    receipt, (first, second), note = sales
    output = tmp_path / "vouchers.csv"
    result = export(runner, "--from", today_text(), "--to", today_text(),
                    "--format", "csv", "--output", str(output))
    assert result.exit_code == 0, result.output
    header, *lines = csv_rows(output.read_bytes())
    assert header[:3] == [translated("fi", "Date"), translated("fi", "Voucher number"),
                          translated("fi", "Account")]
    assert f"tositerivejä {len(lines)}, tiedostossa" in result.output
    by_voucher = {}
    for line in lines:
        day, number, account, code, percent, net, vat, gross, reference, method = line
        assert day == clock.today().strftime("%d.%m.%Y") and account == "3000"
        assert cents(net) + cents(vat) == cents(gross)
        by_voucher.setdefault(number, []).append((code, percent, cents(gross), method,
                                                  reference))
    # The receipt: massage at 25,5 % (3 × 33,33 € of oil too) and exempt physiotherapy.
    assert sorted((code, percent) for code, percent, *_ in by_voucher[receipt.number]) == [
        ("E", "0"), ("S", "25,5")]
    assert sum(gross for _, _, gross, *_ in by_voucher[receipt.number]) == \
        receipt.total_cents
    assert {method for *_, method, _ in by_voucher[receipt.number]} == {"mobilepay"}
    assert sum(gross for _, _, gross, *_ in by_voucher[first.number]) == first.total_cents
    assert sum(gross for _, _, gross, *_ in by_voucher[note.number]) == -first.total_cents
    assert {reference for *_, reference in by_voucher[first.number]} == {first.reference}
    assert {method for *_, method, _ in by_voucher[second.number]} == {"invoice"}
    total = sum(cents(line[7]) for line in lines)
    assert total == receipt.total_cents + second.total_cents


def test_a_period_without_sales_hands_over_nothing(runner, sales, tmp_path):
    result = export(runner, "--from", "2020-01-01", "--to", "2020-01-31", "--format",
                    "csv", "--output", str(tmp_path / "empty.csv"), "--language", "en")
    assert result.exit_code == 0, result.output
    header, *lines = csv_rows((tmp_path / "empty.csv").read_bytes())
    assert header[0] == "Date" and lines == []


@pytest.mark.parametrize(("options", "message"), [
    (("--from", "1.11.2026", "--to", "2026-11-30"),
     "Virhe: --from 1.11.2026: kirjoita päivämäärä muodossa VVVV-KK-PP, esim. 2026-11-01."),
    (("--from", "2026-11-01", "--to", "2026-02-30"),
     "Virhe: --to 2026-02-30: kirjoita päivämäärä muodossa VVVV-KK-PP"),
    (("--from", "2026-12-01", "--to", "2026-11-30"),
     "Virhe: Ensimmäinen päivä (--from 2026-12-01) on viimeisen (--to 2026-11-30) jälkeen."),
])
def test_bad_dates_are_refused_in_one_line(runner, shop, tmp_path, options, message):
    result = export(runner, *options, "--format", "csv", "--output",
                    str(tmp_path / "x.csv"))
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()


def test_an_existing_file_or_folder_is_never_overwritten(runner, sales, tmp_path):
    existing = tmp_path / "vouchers.csv"
    existing.write_text("mine")
    result = export(runner, "--from", today_text(), "--to", today_text(), "--format", "csv",
                    "--output", str(existing))
    assert result.exit_code == 1 and "on jo olemassa, eikä sen päälle kirjoiteta" in result.output
    assert existing.read_text() == "mine"
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "other.xml").write_text("mine")
    result = export(runner, "--from", today_text(), "--to", today_text(), "--format",
                    "finvoice", "--output", str(folder))
    assert result.exit_code == 1 and "eikä ole tyhjä kansio" in result.output
    assert [path.name for path in folder.iterdir()] == ["other.xml"]
    with models.db.connection_context():
        assert not AuditEntry.select().where(AuditEntry.action == "data.export").exists()


# The owner's hand-over page ------------------------------------------------------------


def test_the_page_offers_last_month_and_the_two_formats(owner_client, shop):
    page = owner_client.get("/staff/settings/money/accounting")
    assert page.status_code == 200
    last = clock.today().replace(day=1) - timedelta(days=1)
    assert f'value="{last.replace(day=1).isoformat()}"' in page.text
    assert f'value="{last.isoformat()}"' in page.text
    for program in ("Procountor", "Kitsas", "Netvisor"):
        assert program in page.text
    assert 'value="finvoice"' in page.text and 'value="csv"' in page.text


def test_the_owner_downloads_the_finvoice_zip_and_the_csv(owner_client, sales, schema):
    receipt, invoices, note = sales
    answer = post(owner_client, "/staff/settings/money/accounting", {
        "first": today_text(), "last": today_text(), "format": "finvoice"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        names = archive.namelist()
        for name in names:
            schema.assertValid(etree.fromstring(archive.read(name)))
    assert sorted(names) == sorted(f"finvoice-{each.number}.xml"
                                   for each in (*invoices, note))
    answer = post(owner_client, "/staff/settings/money/accounting", {
        "first": clock.today().strftime("%d.%m.%Y"), "last": today_text(), "format": "csv"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    header, *lines = csv_rows(answer.data)
    assert header[1] == translated("fi", "Voucher number")
    assert receipt.number in {line[1] for line in lines}
    with models.db.connection_context():
        details = [entry.details for entry in AuditEntry.select().where(
            AuditEntry.action == "data.export").order_by(AuditEntry.id)]
    assert details == [
        f"accounting hand-over on the owner's page, finvoice, {today_text()} to "
        f"{today_text()}: 3 invoices and credit notes",
        f"accounting hand-over on the owner's page, csv, {today_text()} to "
        f"{today_text()}: {len(lines)} voucher lines"]


def test_a_bad_period_is_answered_at_its_field_with_what_was_typed(owner_client, shop):
    answer = post(owner_client, "/staff/settings/money/accounting", {
        "first": "31.2.2026", "last": "2026-11-30", "format": "csv"})
    assert answer.status_code == 422
    assert translated("fi", "Write a date as day.month.year, e.g. 30.11.2026.") in answer.text
    assert 'value="31.2.2026"' in answer.text
    answer = post(owner_client, "/staff/settings/money/accounting", {
        "first": "2026-12-01", "last": "2026-11-30", "format": "csv"})
    assert answer.status_code == 422
    assert translated("fi", "The first day cannot be after the last day.") in answer.text


def test_only_the_owner_hands_over(staff_client, shop):
    assert staff_client.get("/staff/settings/money/accounting").status_code in (403, 404)
