"""The hand-over to the accounting program, shared by the command line
(`flask --app app export accounting`) and the owner's page: the CSV's column names in
the reader's language, the file to write, and what the audit log says of it."""

from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from engines.accounting_csv import COLUMNS, accounting_csv, write_finvoice_files
from models.money import handover

FINVOICE = "finvoice"
CSV = "csv"
FORMATS = (FINVOICE, CSV)
FORMAT_NAMES = {
    FINVOICE: _l("Finvoice 3.0 e-invoice messages, one file per invoice and credit note "
                 "(a zip file)"),
    CSV: _l("Voucher lines as CSV, one per sale and VAT rate"),
}
HEADINGS = {
    "date": _l("Date"),
    "voucher_number": _l("Voucher number"),
    "account": _l("Account"),
    "vat_code": _l("VAT code"),
    "vat_percent": _l("VAT rate"),
    "net": _l("Without VAT"),
    "vat": _l("VAT"),
    "gross": _l("Total"),
    "reference": _l("Reference"),
    "payment_method": _l("Payment method"),
}


def csv_header(language):
    with force_locale(language):
        return [str(HEADINGS[column]) for column in COLUMNS]


def csv_bytes(first, last, language):
    """The period's voucher lines as CSV bytes, and how many lines."""
    lines = handover.voucher_lines(first, last)
    return accounting_csv(lines, csv_header(language)), len(lines)


def finvoice_zip(first, last):
    """The period's Finvoice messages in a zip file's bytes, and how many."""
    invoices = handover.finvoice_invoices(first, last)
    return handover.finvoice_zip(invoices), len(invoices)


def write_finvoice_folder(first, last, folder):
    """One Finvoice file per invoice and credit note of the period in `folder`."""
    return len(write_finvoice_files(handover.finvoice_invoices(first, last), Path(folder)))


def audit_details(where, format_, first, last, count):
    """What the audit log says of a hand-over: the period, the format, how many."""
    what = ("invoices and credit notes" if format_ == FINVOICE else "voucher lines")
    return (f"accounting hand-over {where}, {format_}, {first.isoformat()} to "
            f"{last.isoformat()}: {count} {what}")
