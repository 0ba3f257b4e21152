"""The vouchers as plain data for what hands them over: the Finvoice writer
(engines/finvoice.py), a PDF writer or the accounting export take these dataclasses,
never a database row."""

import io
import zipfile
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from engines import accounting_csv, finvoice
from engines.clock import HELSINKI, naive_utc
from models.money.vouchers import ISSUED, Invoice, InvoiceRow, Sale, SaleRow


def _seller(details):
    return finvoice.Seller(
        name=details["name"], business_id=details["business_id"],
        address=finvoice.Address(details["street"], details["postal_code"], details["town"]),
        iban=details["iban"], bic=details["bic"],
        vat_registered=details["vat_registered"])


def _buyer(invoice):
    address = None
    if invoice.buyer_street:
        address = finvoice.Address(invoice.buyer_street, invoice.buyer_postal_code,
                                   invoice.buyer_town)
    return finvoice.Buyer(name=invoice.buyer_name, address=address,
                          business_id=invoice.buyer_business_id or None,
                          language=invoice.language)


def as_finvoice(invoice):
    """An issued invoice or credit note as engines.finvoice.Invoice. The seller has no
    e-invoice address of its own yet, so the message goes as a printable Finvoice (the
    buyer's OVT address stays on the invoice page)."""
    if invoice.status != ISSUED:
        raise ValueError("only an issued invoice is handed over")
    rows = tuple(_finvoice_row(row) for row in invoice.lines)
    credits = None
    if invoice.is_credit_note:
        credits = finvoice.CreditedInvoice(invoice.credits.number, invoice.credits.issue_date)
    return finvoice.Invoice(
        number=invoice.number, issue_date=invoice.issue_date, due_date=invoice.due_date,
        seller=_seller(invoice.seller_details), buyer=_buyer(invoice), rows=rows,
        reference=invoice.reference or None,
        penalty_interest_percent=Decimal(invoice.penalty_interest or 0), credits=credits)


# The hand-over of a period ---------------------------------------------------------------

INVOICE_METHOD = "invoice"  # the payment method of an invoice's voucher lines


def _finvoice_row(row):
    return finvoice.InvoiceRow(row.description, row.unit_gross_cents, Decimal(row.quantity),
                               row.rate, row.service_date)


def _issued_in(first, last):
    """The invoices and credit notes issued from `first` to `last` (dates, inclusive),
    in the series' order, each with `handed_rows` (its rows, in order) and, for a credit
    note, `handed_original`: three queries in all, however many invoices."""
    invoices = list(Invoice.select().where((Invoice.status == ISSUED)
                                           & Invoice.issue_date.between(first, last))
                    .order_by(Invoice.year, Invoice.sequence, Invoice.id))
    rows = defaultdict(list)
    ids = [invoice.id for invoice in invoices]
    for start in range(0, len(ids), _BATCH):
        for row in (InvoiceRow.select()
                    .where(InvoiceRow.invoice.in_(ids[start:start + _BATCH]))
                    .order_by(InvoiceRow.position, InvoiceRow.id)):
            rows[row.invoice_id].append(row)
    credited = {invoice.credits_id for invoice in invoices if invoice.credits_id}
    originals = {}
    credited_ids = list(credited)
    for start in range(0, len(credited_ids), _BATCH):
        originals.update({original.id: original for original in Invoice.select().where(
            Invoice.id.in_(credited_ids[start:start + _BATCH]))})
    for invoice in invoices:
        invoice.handed_rows = rows[invoice.id]
        invoice.handed_original = originals.get(invoice.credits_id)
    return invoices


_BATCH = 500


def _message_of(invoice):
    """engines.finvoice.Invoice of an invoice read by _issued_in (its rows at hand)."""
    credits = None
    if invoice.is_credit_note:
        original = invoice.handed_original
        credits = finvoice.CreditedInvoice(original.number, original.issue_date)
    return finvoice.Invoice(
        number=invoice.number, issue_date=invoice.issue_date, due_date=invoice.due_date,
        seller=_seller(invoice.seller_details), buyer=_buyer(invoice),
        rows=tuple(_finvoice_row(row) for row in invoice.handed_rows),
        reference=invoice.reference or None,
        penalty_interest_percent=Decimal(invoice.penalty_interest or 0), credits=credits)


def finvoice_invoices(first, last):
    """The invoices and credit notes issued in the period as engines.finvoice.Invoice."""
    return [_message_of(invoice) for invoice in _issued_in(first, last)]


# No voucher lies outside these days; a period reaching past them (a date typed as
# 9999-12-31) is read as reaching to them, so its moments can be computed at all.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _receipts_in(first, last):
    first, last = max(first, EARLIEST_DAY), min(last, LATEST_DAY)
    start = naive_utc(datetime.combine(first, time(), HELSINKI))
    end = naive_utc(datetime.combine(last + timedelta(days=1), time(), HELSINKI))
    sales = list(Sale.select().where((Sale.made_at >= start) & (Sale.made_at < end))
                 .order_by(Sale.year, Sale.sequence, Sale.id))
    rows = defaultdict(list)
    ids = [sale.id for sale in sales]
    for begin in range(0, len(ids), _BATCH):
        for row in (SaleRow.select().where(SaleRow.sale.in_(ids[begin:begin + _BATCH]))
                    .order_by(SaleRow.position, SaleRow.id)):
            rows[row.sale_id].append(row)
    return [(sale, rows[sale.id]) for sale in sales]


def accounting_sales(first, last):
    """The period's sales as engines.accounting_csv.Sale, for its voucher lines, day by
    day: every receipt on the day it was made, with its payment method, and every
    invoice and credit note on its issue date, with the method "invoice" and its
    reference (a day's receipts first, each series in its numbers' order)."""
    sales = []
    for sale, rows in _receipts_in(first, last):
        sales.append(accounting_csv.Sale(
            sale.made_on, sale.number, tuple(_finvoice_row(row) for row in rows),
            sale.method, vat_registered=sale.seller_details.get("vat_registered", True)))
    for invoice in _issued_in(first, last):
        sales.append(accounting_csv.Sale(
            invoice.issue_date, invoice.number,
            tuple(_finvoice_row(row) for row in invoice.handed_rows), INVOICE_METHOD,
            reference=invoice.reference,
            vat_registered=invoice.seller_details.get("vat_registered", True),
            credit=invoice.is_credit_note))
    return sorted(sales, key=lambda sale: sale.day)  # stable: the series' order stays


def voucher_lines(first, last):
    return accounting_csv.voucher_lines(accounting_sales(first, last))


def finvoice_zip(invoices):
    """The Finvoice files of `invoices` (engines.finvoice.Invoice) in one zip file's
    bytes, named as write_finvoice_files names them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            archive.writestr(accounting_csv.finvoice_file_name(invoice),
                             finvoice.finvoice_message(invoice))
    return buffer.getvalue()
