"""The spreadsheet writer on its own: CSV as Finnish Excel reads it, XLSX, JSON."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import openpyxl

from engines.clock import HELSINKI
from engines.spreadsheet import (
    CODE,
    DATE,
    MOMENT,
    MONEY,
    NUMBER,
    TEXT,
    TIME,
    Column,
    Table,
    csv_cell,
    csv_lines,
    write_csv_zip,
    write_json,
    write_xlsx,
)

COLUMNS = (Column("id", "Numero", NUMBER), Column("name", "Nimi", TEXT),
           Column("postal_code", "Postinumero", CODE), Column("phone", "Puhelin", CODE),
           Column("day", "Päivä", DATE), Column("starts", "Alkaa", TIME),
           Column("price_cents", "Hinta", MONEY), Column("at", "Kirjattu", MOMENT))
AT = datetime(2026, 11, 24, 14, 30, tzinfo=HELSINKI)
ROWS = [(7, "Maija Meikäläinen", "00100", "+358401234567", date(2026, 11, 24), AT, 4500,
         AT),
        (-3, "=HYPERLINK(\"http://x.example\")", "", None, None, None, -1250, None)]


def table(rows=ROWS, name="customers"):
    return Table(name, "Asiakkaat", COLUMNS, iter(rows))


def read(text):
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_csv_has_a_bom_semicolons_and_finnish_formats():
    text = "".join(csv_lines(table()))
    assert text.startswith("\ufeffNumero;Nimi;Postinumero;")
    rows = read(text)
    assert rows[1] == ["7", "Maija Meikäläinen", '="00100"', '="+358401234567"',
                       "24.11.2026", "14.30", "45,00", "24.11.2026 14.30"]


def test_csv_keeps_postal_codes_and_phone_numbers_as_text():
    assert csv_cell("00100", CODE) == '="00100"'
    assert csv_cell("+358401234567", CODE) == '="+358401234567"'
    # Not digits: written as guarded text, never as a formula of ours.
    assert csv_cell('1") & HYPERLINK("x', CODE) == '1") & HYPERLINK("x'
    assert csv_cell("=1+1", CODE) == "'=1+1"


def test_formula_guard_is_only_on_text_cells():
    rows = read("".join(csv_lines(table())))
    assert rows[2][:2] == ["-3", "'=HYPERLINK(\"http://x.example\")"]
    assert rows[2][6] == "-12,50"  # a negative price is a number, not a formula
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(f"{start}1", TEXT) == f"'{start}1"
    assert csv_cell(-5, NUMBER) == "-5"
    assert csv_cell("Matti", TEXT) == "Matti"


def test_decimal_comma_is_an_option():
    assert csv_cell(4500, MONEY) == "45,00"
    assert csv_cell(4500, MONEY, decimal_comma=False) == "45.00"
    assert csv_cell(Decimal("25.5"), NUMBER) == "25,5"
    assert csv_cell(Decimal("25.5"), NUMBER, decimal_comma=False) == "25.5"
    assert read("".join(csv_lines(table(), decimal_comma=False)))[1][6] == "45.00"


def test_csv_tables_in_a_zip_one_file_each():
    import zipfile

    stream = io.BytesIO()
    write_csv_zip([table(), table(ROWS[:1], "bookings")], stream)
    with zipfile.ZipFile(stream) as archive:
        assert archive.namelist() == ["customers.csv", "bookings.csv"]
        text = archive.read("bookings.csv").decode("utf-8")
    assert text.startswith("\ufeff") and len(read(text)) == 2


def test_xlsx_has_one_sheet_per_table_with_real_dates_and_money(tmp_path):
    path = tmp_path / "export.xlsx"
    write_xlsx([table(), Table("bookings", "Varaukset", COLUMNS, iter(ROWS[:1])),
                Table("audit", "Asiakkaat", COLUMNS, iter(()))], str(path))
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Asiakkaat", "Varaukset", "Asiakkaat 2"]
    sheet = workbook["Asiakkaat"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(column.heading for column in COLUMNS)
    first = rows[1]
    assert first[:4] == (7, "Maija Meikäläinen", "00100", "+358401234567")
    assert first[4] == datetime(2026, 11, 24)
    assert first[6] == 45
    assert sheet.cell(2, 5).number_format == "d.m.yyyy"
    assert "€" in sheet.cell(2, 7).number_format
    # A text that looks like a formula is a string cell, never run.
    assert rows[2][1] == '=HYPERLINK("http://x.example")'
    assert sheet.cell(3, 2).data_type == "s"


def test_json_has_ids_iso_times_and_cents():
    stream = io.StringIO()
    write_json([table(), table([], "audit")], stream, {"format": "test/1"})
    archive = json.loads(stream.getvalue())
    assert archive["format"] == "test/1"
    customers = archive["tables"]["customers"]
    assert customers["columns"][0] == {"key": "id", "kind": "number"}
    assert customers["rows"][0] == {
        "id": 7, "name": "Maija Meikäläinen", "postal_code": "00100",
        "phone": "+358401234567", "day": "2026-11-24", "starts": "14:30",
        "price_cents": 4500, "at": "2026-11-24T14:30:00+02:00"}
    assert customers["rows"][1]["phone"] is None
    assert archive["tables"]["audit"]["rows"] == []
