"""The hand-over to the accounting program: voucher lines as CSV, and one Finvoice file
per invoice and credit note in a folder.

A voucher line is one sale (an invoice, a credit note or a receipt) at one VAT rate:
its date, voucher number, sales account, VAT code, VAT %, the amounts without VAT, of
VAT and with VAT, the payment reference and the payment method. The amounts come from
engines.vat, row by row, as on the invoice and in its Finvoice message, so net + VAT =
gross on every line and the lines add up to the sales to the cent. A credit note's
lines are negative.

The CSV is what Finnish accounting programs import: UTF-8 with a byte order mark (so
that a spreadsheet program opens it as UTF-8), fields separated by semicolons, decimal
commas without thousands separators, dates as dd.mm.yyyy, lines ending CR LF (a line
break in a text becomes a space), and a header line with the column names in the
reader's language.
"""

import csv
import io
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from engines import vat
from engines.finvoice import InvoiceRow, finvoice_message, vat_code

COLUMNS = ("date", "voucher_number", "account", "vat_code", "vat_percent", "net", "vat",
           "gross", "reference", "payment_method")
# Sales ("Myynti") in the Finnish chart of accounts that most small businesses use.
DEFAULT_SALES_ACCOUNT = "3000"


@dataclass(frozen=True)
class Sale:
    """One voucher's sale: `rows` priced VAT included (engines.finvoice.InvoiceRow),
    `credit` for a credit note (its rows are what it credits, as positive rows)."""

    day: date
    voucher_number: str
    rows: tuple[InvoiceRow, ...]
    payment_method: str
    reference: str = ""
    vat_registered: bool = True
    credit: bool = False


@dataclass(frozen=True)
class VoucherLine:
    day: date
    voucher_number: str
    account: str
    vat_code: str
    vat_percent: Decimal
    net_cents: int
    vat_cents: int
    gross_cents: int
    reference: str
    payment_method: str


@dataclass(frozen=True)
class SalesAccounts:
    """The sales account of each VAT rate (an engines.vat.VatRate), and of the rest."""

    by_rate: Mapping = field(default_factory=dict)
    default: str = DEFAULT_SALES_ACCOUNT

    def of(self, rate):
        return self.by_rate.get(rate, self.default)


def voucher_lines(sales, accounts=SalesAccounts()):
    """The voucher lines of the sales, one per sale and VAT rate, in the sales' order,
    the highest rate of a sale first."""
    lines = []
    for sale in sales:
        sign = -1 if sale.credit else 1
        rows = [vat.row(row.unit_gross_cents, row.quantity, row.rate,
                        vat_registered=sale.vat_registered) for row in sale.rows]
        for total in vat.totals_per_rate(rows):
            lines.append(VoucherLine(
                sale.day, sale.voucher_number, accounts.of(total.rate), vat_code(total.rate),
                total.rate.percent, sign * total.net, sign * total.vat, sign * total.gross,
                sale.reference, sale.payment_method))
    return lines


def _amount(cents):
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def _percent(percent):
    return format(Decimal(percent).normalize(), "f").replace(".", ",")


def _one_line(text):
    """Text on one line: an importer reads a line break as the end of the voucher line."""
    return " ".join(str(text).split())


def accounting_csv(lines, header):
    """The voucher lines as CSV bytes; `header` names the COLUMNS, in their order, in
    the reader's language."""
    if len(header) != len(COLUMNS):
        raise ValueError(f"the header names the {len(COLUMNS)} columns {COLUMNS}")
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for line in lines:
        writer.writerow((
            line.day.strftime("%d.%m.%Y"), line.voucher_number, line.account, line.vat_code,
            _percent(line.vat_percent), _amount(line.net_cents), _amount(line.vat_cents),
            _amount(line.gross_cents), _one_line(line.reference),
            _one_line(line.payment_method),
        ))
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def finvoice_file_name(invoice):
    """finvoice-<number>.xml, the number's characters that a file name cannot hold as -."""
    return f"finvoice-{re.sub(r'[^0-9A-Za-z._-]', '-', invoice.number)}.xml"


def write_finvoice_files(invoices, folder):
    """One Finvoice 3.0 file per invoice or credit note (engines.finvoice.Invoice) in
    `folder`, made if missing; each written whole under a temporary name first. Raises
    ValueError before writing anything when two invoices would share a file name.
    Returns the paths written, in the invoices' order."""
    folder = Path(folder)
    invoices = list(invoices)
    names = [finvoice_file_name(invoice) for invoice in invoices]
    if len(set(names)) != len(names):
        raise ValueError("two invoices have the same number")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for invoice, name in zip(invoices, names, strict=True):
        with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False,
                                         suffix=".part") as part:
            part.write(finvoice_message(invoice))
        os.replace(part.name, folder / name)
        paths.append(folder / name)
    return paths
