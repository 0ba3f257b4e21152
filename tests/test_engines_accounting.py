"""The hand-over to the accounting program: the voucher CSV adds up to the cent, and the
folder of Finvoice files holds one valid message per invoice and credit note."""

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_engines_finvoice import CONSUMER_INVOICE, SCHEMA_PATH

from engines import vat
from engines.accounting_csv import (
    COLUMNS,
    Sale,
    SalesAccounts,
    accounting_csv,
    voucher_lines,
    write_finvoice_files,
)
from engines.finvoice import Buyer, CreditedInvoice, InvoiceRow

HEADER = ("Päivämäärä", "Tositenumero", "Tili", "ALV-koodi", "ALV %", "Veroton", "ALV",
          "Verollinen", "Viite", "Maksutapa")
MARCH = date(2026, 3, 2)
GENERAL = vat.rate_on(vat.GENERAL, MARCH)
SPORTS = vat.rate_on(vat.SPORTS_AND_CULTURE, MARCH)
HEALTH = vat.rate_on(vat.HEALTH_CARE, MARCH)
MASSAGE = InvoiceRow("Klassinen hieronta 60 min", 3333, Decimal(3), GENERAL, MARCH)


def parsed(data):
    """The CSV's lines as lists, after checking how it is encoded."""
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def cents(text):
    return int(text.replace(",", ""))


def test_csv_is_what_finnish_accounting_programs_import():
    sales = [
        Sale(MARCH, "2026-17", (MASSAGE,), "Lasku", reference="1234561"),
        Sale(date(2026, 3, 4), "K-2026-0005",
             (InvoiceRow("Kuntosali", 2000, Decimal(2), SPORTS, MARCH),
              InvoiceRow("Fysioterapia", 6500, Decimal(1), HEALTH, MARCH)), "Kortti"),
        Sale(date(2026, 3, 10), "2026-18", (MASSAGE,), "Hyvityslasku", credit=True),
    ]
    accounts = SalesAccounts({SPORTS: "3010", HEALTH: "3050"})
    rows = parsed(accounting_csv(voucher_lines(sales, accounts), HEADER))
    assert rows == [
        list(HEADER),
        ["02.03.2026", "2026-17", "3000", "S", "25,5", "79,67", "20,32", "99,99", "1234561",
         "Lasku"],
        ["04.03.2026", "K-2026-0005", "3010", "S", "13,5", "35,24", "4,76", "40,00", "",
         "Kortti"],
        ["04.03.2026", "K-2026-0005", "3050", "E", "0", "65,00", "0,00", "65,00", "",
         "Kortti"],
        ["10.03.2026", "2026-18", "3000", "S", "25,5", "-79,67", "-20,32", "-99,99", "",
         "Hyvityslasku"],
    ]


def test_text_with_semicolons_and_line_breaks_stays_in_its_field_on_one_line():
    sale = Sale(MARCH, "2026-19", (MASSAGE,), 'Edenred; "virike"\r\nseteli')
    rows = parsed(accounting_csv(voucher_lines([sale]), HEADER))
    assert rows[1][-1] == 'Edenred; "virike" seteli' and len(rows[1]) == len(COLUMNS)


def test_header_must_name_every_column():
    with pytest.raises(ValueError):
        accounting_csv([], HEADER[:-1])


sale_rows = st.builds(
    InvoiceRow, description=st.just("Palvelu"),
    unit_gross_cents=st.integers(min_value=0, max_value=100_000_000),
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3),
    rate=st.sampled_from([GENERAL, SPORTS, HEALTH, vat.rate_on(vat.GENERAL, date(2024, 8, 1)),
                          vat.rate_on(vat.ZERO_RATED, MARCH)]),
    service_date=st.just(MARCH),
)
sales = st.builds(
    Sale, day=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    voucher_number=st.from_regex(r"[0-9]{4}-[0-9]{1,5}", fullmatch=True),
    rows=st.lists(sale_rows, min_size=1, max_size=6).map(tuple),
    payment_method=st.sampled_from(["Käteinen", "Kortti", "MobilePay", "ePassi", "Lasku"]),
    vat_registered=st.booleans(), credit=st.booleans(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sales, min_size=1, max_size=20))
def test_csv_totals_add_up_to_the_cent(sales_list):
    rows = parsed(accounting_csv(voucher_lines(sales_list), HEADER))[1:]
    for row in rows:
        assert cents(row[5]) + cents(row[6]) == cents(row[7])
    expected_gross = expected_vat = 0
    for sale in sales_list:
        sign = -1 if sale.credit else 1
        for row in sale.rows:
            amounts = vat.row(row.unit_gross_cents, row.quantity, row.rate,
                              vat_registered=sale.vat_registered)
            expected_gross += sign * amounts.gross
            expected_vat += sign * amounts.vat
    assert sum(cents(row[7]) for row in rows) == expected_gross
    assert sum(cents(row[6]) for row in rows) == expected_vat


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA_PATH.exists():
        pytest.skip(f"the Finvoice 3.0 schema is not at {SCHEMA_PATH}")
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def test_one_valid_finvoice_file_per_invoice_and_credit_note(schema, tmp_path):
    credit_note = replace(CONSUMER_INVOICE, number="2026-18", issue_date=date(2026, 3, 10),
                          due_date=date(2026, 3, 10), reference=None,
                          credits=CreditedInvoice("2026-17", date(2026, 3, 3)))
    other = replace(CONSUMER_INVOICE, number="2026:19",
                    buyer=Buyer("Matti Virtanen", address=None))
    folder = tmp_path / "finvoice" / "2026-03"
    paths = write_finvoice_files([CONSUMER_INVOICE, credit_note, other], folder)
    assert [path.name for path in paths] == [
        "finvoice-2026-17.xml", "finvoice-2026-18.xml", "finvoice-2026-19.xml"]
    assert sorted(path.name for path in folder.iterdir()) == sorted(path.name for path in paths)
    for path in paths:
        message = etree.parse(str(path))
        schema.assertValid(message)
    numbers = [etree.parse(str(path)).findtext("InvoiceDetails/InvoiceNumber")
               for path in paths]
    assert numbers == ["2026-17", "2026-18", "2026:19"]
    assert etree.parse(str(paths[1])).findtext("InvoiceDetails/InvoiceTypeCode") == "INV02"


def test_two_invoices_of_one_number_write_nothing(tmp_path):
    with pytest.raises(ValueError):
        write_finvoice_files([CONSUMER_INVOICE, CONSUMER_INVOICE], tmp_path / "out")
    assert not (tmp_path / "out").exists()
