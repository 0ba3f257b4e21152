"""Tables written for people's spreadsheets and for other programs: CSV that Excel in
Finland opens right, XLSX with one sheet per table, and JSON.

A table is its columns (each with a kind that says how its values are written) and its
rows, an iterable read once, row by row: nothing here holds a whole table in memory.

- CSV: UTF-8 with a byte order mark and `;` between cells, as Finnish Excel expects;
  money with a decimal comma (or a point, as an option); dates 24.11.2026, times 14.30.
  Postal codes, phone numbers and references are kept as text (`="00100"`), so Excel
  neither drops a leading zero nor reads +358… as a number. Only text cells are guarded
  against formulas: one that starts with = + - @, a tab or a carriage return gets a `'`
  in front; numbers and money are never changed.
- XLSX: XlsxWriter in its constant-memory mode, row by row; dates, times and money as
  real cells with Finnish number formats.
- JSON: one object, each table's rows as objects by column key; dates and times in
  ISO 8601, money in integer cents.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

import xlsxwriter

TEXT = "text"  # anything a person wrote: guarded against formulas
CODE = "code"  # digits a spreadsheet must keep as written: postal codes, phones, references
NUMBER = "number"  # ids and counts (integers), or a Decimal
MONEY = "money"  # integer cents
DATE = "date"  # a date
TIME = "time"  # a time of day (or a datetime, of which the time is written)
MOMENT = "moment"  # a datetime, aware or naive, already in the zone it is read in
KINDS = (TEXT, CODE, NUMBER, MONEY, DATE, TIME, MOMENT)

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    key: str  # what a program reads (JSON)
    heading: str  # what a person reads (CSV and XLSX)
    kind: str = TEXT

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of column {self.kind!r}")


@dataclass(frozen=True)
class Table:
    name: str  # the file's or the JSON key's name: customers
    title: str  # the sheet's name a person reads: Asiakkaat
    columns: tuple
    rows: object  # an iterable of sequences, one value per column, read once


def spreadsheet_safe(text):
    """A text cell a spreadsheet will not run as a formula."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _decimal_text(value, decimal_comma):
    text = str(value)
    return text.replace(".", ",") if decimal_comma else text


def _clock(moment):
    return f"{moment.hour}.{moment.minute:02d}"


def _day(day):
    return f"{day.day}.{day.month}.{day.year}"


def csv_cell(value, kind=TEXT, decimal_comma=True):
    """One value as the text of a CSV cell."""
    if value is None or value == "":
        return ""
    if kind == CODE:
        text = str(value)
        if text.lstrip("+").isdigit():
            return f'="{text}"'
        return spreadsheet_safe(text)
    if kind == NUMBER:
        return _decimal_text(value, decimal_comma)
    if kind == MONEY:
        cents = int(value)
        sign = "-" if cents < 0 else ""
        whole, part = divmod(abs(cents), 100)
        return f"{sign}{whole}{',' if decimal_comma else '.'}{part:02d}"
    if kind == DATE:
        return _day(value)
    if kind == TIME:
        return _clock(value)
    if kind == MOMENT:
        return f"{_day(value)} {_clock(value)}"
    return spreadsheet_safe(value)


def csv_line(cells, kinds=None, decimal_comma=True):
    """One row of cells as a line of CSV; without `kinds` every cell is text."""
    kinds = kinds or [TEXT] * len(cells)
    out = io.StringIO()
    csv.writer(out, delimiter=SEPARATOR).writerow(
        [csv_cell(value, kind, decimal_comma) for value, kind in zip(cells, kinds, strict=True)])
    return out.getvalue()


def csv_lines(table, decimal_comma=True):
    """The table as CSV, line by line: the byte order mark and headings first."""
    kinds = [column.kind for column in table.columns]
    yield BOM + csv_line([column.heading for column in table.columns])
    for row in table.rows:
        yield csv_line(row, kinds, decimal_comma)


def write_csv(table, stream, decimal_comma=True):
    """Write the table as CSV to a text stream."""
    for line in csv_lines(table, decimal_comma):
        stream.write(line)


def write_csv_zip(tables, stream, decimal_comma=True):
    """Write each table as `<name>.csv` into a zip archive on a binary stream."""
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            with archive.open(f"{table.name}.csv", "w", force_zip64=True) as member, \
                    io.TextIOWrapper(member, encoding="utf-8", newline="") as text:
                write_csv(table, text, decimal_comma)


# XLSX ---------------------------------------------------------------------------------

XLSX_FORMATS = {
    DATE: "d.m.yyyy",
    TIME: "h\\.mm",
    MOMENT: "d.m.yyyy h\\.mm",
    MONEY: '#,##0.00\\ "€"',
}
SHEET_NAME_LIMIT = 31
NOT_IN_SHEET_NAMES = str.maketrans({character: " " for character in "[]:*?/\\"})


def _sheet_name(title, used):
    name = str(title).translate(NOT_IN_SHEET_NAMES).strip()[:SHEET_NAME_LIMIT] or "Sheet"
    number = 2
    while name.lower() in used:
        suffix = f" {number}"
        name = name[:SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    used.add(name.lower())
    return name


def _naive(moment):
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def _write_xlsx_cell(sheet, row, column, value, kind, formats):
    if value is None or value == "":
        return
    if kind == NUMBER:
        sheet.write_number(row, column, value)
    elif kind == MONEY:
        sheet.write_number(row, column, Decimal(int(value)) / 100, formats[MONEY])
    elif kind == DATE:
        sheet.write_datetime(row, column, datetime.combine(value, time()), formats[DATE])
    elif kind == TIME:
        moment = value.time() if isinstance(value, datetime) else value
        sheet.write_datetime(row, column, _naive(moment), formats[TIME])
    elif kind == MOMENT:
        sheet.write_datetime(row, column, _naive(value), formats[MOMENT])
    else:  # text and codes alike: a string cell, never a formula
        sheet.write_string(row, column, str(value))


def write_xlsx(tables, target):
    """Write the tables to an XLSX workbook, one sheet each, headings in bold, at
    `target` (a path or a binary stream). Constant-memory mode writes each row to disk
    as it comes, so the workbook's size does not fill the memory."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True,
                                            "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    formats = {kind: workbook.add_format({"num_format": code})
               for kind, code in XLSX_FORMATS.items()}
    bold = workbook.add_format({"bold": True})
    used = set()
    for table in tables:
        sheet = workbook.add_worksheet(_sheet_name(table.title, used))
        sheet.freeze_panes(1, 0)
        kinds = [column.kind for column in table.columns]
        for number, column in enumerate(table.columns):
            sheet.write_string(0, number, str(column.heading), bold)
            sheet.set_column(number, number, 12 if column.kind != TEXT else 20)
        for row_number, row in enumerate(table.rows, start=1):
            for number, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                _write_xlsx_cell(sheet, row_number, number, value, kind, formats)
    workbook.close()


# JSON ---------------------------------------------------------------------------------

def json_value(value, kind):
    if value is None:
        return None
    if kind in (DATE, MOMENT):
        return value.isoformat(timespec="seconds") if kind == MOMENT else value.isoformat()
    if kind == TIME:
        return value.strftime("%H:%M")
    if kind == MONEY:
        return int(value)
    if kind == NUMBER:
        return str(value) if isinstance(value, Decimal) else value
    return str(value)


def write_json(tables, stream, header):
    """Write `header` (a dict of what the archive is) and the tables as one JSON object
    to a text stream: {...header, "tables": {name: {"columns": [...], "rows": [...]}}}.
    Written row by row, so the archive is never whole in memory."""
    opening = json.dumps(header, ensure_ascii=False)[:-1]
    stream.write(opening + (", " if header else "") + '"tables": {')
    for number, table in enumerate(tables):
        columns = [{"key": column.key, "kind": column.kind} for column in table.columns]
        stream.write(("," if number else "") + f"\n{json.dumps(table.name)}: "
                     f'{{"columns": {json.dumps(columns)}, "rows": [')
        kinds = [(column.key, column.kind) for column in table.columns]
        for row_number, row in enumerate(table.rows):
            item = {key: json_value(value, kind)
                    for (key, kind), value in zip(kinds, row, strict=True)}
            stream.write(("," if row_number else "") + "\n"
                         + json.dumps(item, ensure_ascii=False))
        stream.write("]}")
    stream.write("}}\n")


# The formats an export is written in, and the name of the file each makes.
CSV, CSV_ZIP, XLSX, JSON = "csv", "csv-zip", "xlsx", "json"
SUFFIXES = {CSV: ".csv", CSV_ZIP: ".zip", XLSX: ".xlsx", JSON: ".json"}
MEDIA_TYPES = {
    CSV: "text/csv; charset=utf-8",
    CSV_ZIP: "application/zip",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    JSON: "application/json",
}
