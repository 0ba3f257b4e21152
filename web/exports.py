"""Writing the owner's exports to a file, in the reader's language: the tables of
models/exports with their headings and the names of their code words, in the format
asked for. The command line, the worker and the exports page share it."""

import os
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from engines import clock
from engines.spreadsheet import (
    CSV,
    CSV_ZIP,
    JSON,
    SUFFIXES,
    XLSX,
    Column,
    Table,
    write_csv,
    write_csv_zip,
    write_json,
    write_xlsx,
)
from models.booking import bookings
from models.exports import PEOPLE, PROGRAMS
from models.money import vouchers
from models.people import contact_requests
from web.money import METHOD_NAMES
from web.wording import BREAKDOWNS

FORMATS = (XLSX, CSV_ZIP, JSON)
FORMAT_NAMES = {
    XLSX: _l("Excel workbook (XLSX), one sheet per table"),
    CSV_ZIP: _l("CSV files for Excel, one per table, in a zip file"),
    JSON: _l("JSON archive, for moving to another program"),
}
ARCHIVE_FORMAT = "vuoro-export/1"

TABLE_TITLES = {
    "customers": _l("Customers"),
    "bookings": _l("Bookings"),
    "contact-requests": _l("Contact requests"),
    "invoices": _l("Invoices and credit notes"),
    "payments": _l("Payments of invoices"),
    "receipts": _l("Receipts"),
    "audit": _l("Audit log"),
    "services": _l("Services"),
    "analytics": _l("Visit statistics (per day, 3 or more)"),
}
HEADINGS = {
    "name": _l("Name"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "street": _l("Street address"),
    "postal_code": _l("Postal code"),
    "town": _l("Town"),
    "language": _l("Language"),
    "customer_id": _l("Customer number"),
    "message": _l("Message"),
    "status": _l("Status"),
    "details": _l("Details"),
}
TABLE_HEADINGS = {
    "analytics": {
        "dimension": _l("What was counted"),
        "day": _l("Day"),
        "value": _l("Value"),
        "count": _l("Count"),
    },
    "customers": {
        "id": _l("Customer number"),
        "created_at": _l("Added to the register"),
        "updated_at": _l("Last changed"),
        "restricted_at": _l("Use restricted since"),
    },
    "bookings": {
        "id": _l("Booking number"),
        "reference": _l("Booking reference"),
        "customer_name": _l("Customer"),
        "service": _l("Service"),
        "staff": _l("Staff member"),
        "date": _l("Date"),
        "starts": _l("Starts"),
        "ends": _l("Ends"),
        "minutes": _l("Minutes"),
        "source": _l("Booked"),
        "price_cents": _l("Price (€)"),
        "message": _l("Customer's message"),
        "internal_note": _l("Staff's note on the booking"),
        "cancel_reason": _l("Reason for cancelling"),
        "created_at": _l("Booking made"),
    },
    "contact-requests": {
        "id": _l("Request number"),
        "created_at": _l("Received"),
        "subject": _l("Subject"),
        "preferred_reply": _l("Reply"),
        "answered_at": _l("Answered"),
        "answered_by": _l("Answered by"),
        "reply_note": _l("Note of the answer"),
        "closed_at": _l("Closed"),
    },
    "invoices": {
        "id": _l("Invoice's id"),
        "number": _l("Invoice number"),
        "kind": _l("Kind"),
        "credits_number": _l("Credits the invoice"),
        "issue_date": _l("Issue date"),
        "due_date": _l("Due date"),
        "buyer_name": _l("Buyer"),
        "buyer_street": _l("Buyer's street address"),
        "buyer_postal_code": _l("Buyer's postal code"),
        "buyer_town": _l("Buyer's town"),
        "buyer_email": _l("Buyer's e-mail"),
        "buyer_business_id": _l("Buyer's business ID"),
        "buyer_ovt": _l("E-invoice address"),
        "buyer_operator": _l("E-invoice operator"),
        "reference": _l("Reference"),
        "rows": _l("What was sold"),
        "net_cents": _l("Without VAT (€)"),
        "vat_cents": _l("VAT (€)"),
        "total_cents": _l("Total (€)"),
        "paid_cents": _l("Paid (€)"),
        "open_cents": _l("Open (€)"),
        "penalty_interest": _l("Penalty interest (per cent a year)"),
        "language": _l("Language of the invoice"),
        "issued_at": _l("Issued"),
        "created_at": _l("Draft made"),
    },
    "payments": {
        "id": _l("Payment's id"),
        "invoice_id": _l("Invoice's id"),
        "invoice_number": _l("Invoice number"),
        "paid_on": _l("Paid on"),
        "amount_cents": _l("Amount (€)"),
        "method": _l("Payment method"),
        "recorded_at": _l("Recorded"),
        "recorded_by": _l("Recorded by"),
    },
    "receipts": {
        "id": _l("Receipt's id"),
        "number": _l("Receipt number"),
        "made_at": _l("Time"),
        "buyer_name": _l("Buyer"),
        "method": _l("Payment method"),
        "rows": _l("What was sold"),
        "net_cents": _l("Without VAT (€)"),
        "vat_cents": _l("VAT (€)"),
        "total_cents": _l("Total (€)"),
        "made_by": _l("Taken by"),
    },
    "services": {
        "id": _l("Service number"),
        "name_fi": _l("Name in Finnish"),
        "name_sv": _l("Name in Swedish"),
        "name_en": _l("Name in English"),
        "duration_minutes": _l("Minutes"),
        "buffer_minutes": _l("Minutes reserved after it"),
        "price_cents": _l("Price (€)"),
        "vat_percent": _l("VAT rate"),
    },
    "audit": {
        "id": _l("Entry number"),
        "at": _l("Time"),
        "user": _l("User"),
        "action": _l("Action"),
        "booking_id": _l("Booking number"),
        "ip": _l("IP address"),
    },
}
CODE_NAMES = {
    ("bookings", "status"): {
        bookings.CONFIRMED: _l("Confirmed"), bookings.ARRIVED: _l("Arrived"),
        bookings.COMPLETED: _l("Completed"), bookings.NO_SHOW: _l("Did not come"),
        bookings.CANCELLED: _l("Cancelled"),
    },
    ("bookings", "source"): {bookings.ONLINE: _l("Online"), bookings.BY_STAFF: _l("By staff")},
    ("invoices", "kind"): {vouchers.INVOICE: _l("Invoice"),
                           vouchers.CREDIT_NOTE: _l("Credit note")},
    ("invoices", "status"): {vouchers.DRAFT: _l("Draft"), vouchers.ISSUED: _l("Issued")},
    ("payments", "method"): METHOD_NAMES,
    ("analytics", "dimension"): dict(BREAKDOWNS),
    ("receipts", "method"): METHOD_NAMES,
    ("contact-requests", "subject"): {
        contact_requests.BOOKING_QUESTION: _l("A question about a booking"),
        contact_requests.FEEDBACK: _l("Feedback"), contact_requests.OTHER: _l("Other"),
    },
    ("contact-requests", "preferred_reply"): {
        contact_requests.BY_EMAIL: _l("By e-mail"), contact_requests.BY_PHONE: _l("By phone"),
    },
    ("contact-requests", "status"): {
        contact_requests.NEW: _l("Waiting for an answer"),
        contact_requests.ANSWERED: _l("Answered"), contact_requests.CLOSED: _l("Closed"),
    },
}


def heading(table, column):
    return str(TABLE_HEADINGS.get(table.name, {}).get(column.key)
               or HEADINGS.get(column.key) or column.key)


def _named(rows, coded):
    """The rows with each coded value (position → names) in the reader's words."""
    for row in rows:
        row = list(row)
        for position, names in coded.items():
            if row[position] in names:
                row[position] = str(names[row[position]])
        yield row


def sheet(table, audience, counted=None):
    """One table of models/exports as the writer's table: headings in the current
    language and, for people, code words by their names. `counted(n)` is told of each
    row."""
    columns = table.columns_for(audience)
    rows = table.rows(audience)
    if audience == PEOPLE:
        coded = {position: CODE_NAMES.get((table.name, column.key), {})
                 for position, column in enumerate(columns) if column.coded}
        rows = _named(rows, coded)
    if counted:
        rows = _counting(rows, counted)
    return Table(table.name, str(TABLE_TITLES.get(table.name, table.name)),
                 tuple(Column(column.key, heading(table, column), column.kind)
                       for column in columns), rows)


def _counting(rows, counted):
    for row in rows:
        yield row
        counted()


def archive_header(names, moment):
    return {"format": ARCHIVE_FORMAT, "made_at": moment.isoformat(timespec="seconds"),
            "tables_included": list(names)}


def write_export(tables, format, target, language="fi", counted=None, decimal_comma=True):
    """Write `tables` (of models/exports) as `format` to `target`: a path, or with CSV a
    folder (one file per table, made if missing); returns `target`. CSV has a decimal
    comma unless `decimal_comma` is false."""
    target = Path(target)
    with force_locale(language):
        if format == JSON:
            with open(target, "w", encoding="utf-8") as stream:
                write_json([sheet(table, PROGRAMS, counted) for table in tables], stream,
                           archive_header([table.name for table in tables],
                                          clock.local(clock.now())))
        elif format == XLSX:
            write_xlsx([sheet(table, PEOPLE, counted) for table in tables], str(target))
        elif format == CSV_ZIP:
            with open(target, "wb") as stream:
                write_csv_zip([sheet(table, PEOPLE, counted) for table in tables], stream,
                              decimal_comma)
        elif format == CSV:
            target.mkdir(parents=True, exist_ok=True)
            for table in tables:
                with open(target / f"{table.name}.csv", "w", encoding="utf-8",
                          newline="") as stream:
                    write_csv(sheet(table, PEOPLE, counted), stream, decimal_comma)
        else:
            raise ValueError(f"unknown export format {format!r}")
    return target


def file_name(format, moment):
    """vuoro-export-2026-11-24-1430.xlsx"""
    local = clock.local(moment)
    return f"vuoro-export-{local:%Y-%m-%d-%H%M%S}{SUFFIXES[format]}"


def exports_folder(instance_path):
    folder = Path(instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder

