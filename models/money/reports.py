"""The day's and the month's sales, as the accountant wants them: by payment method and
by VAT rate; the month's vouchers, and what is open at its end."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from peewee import fn

from engines import vat
from engines.clock import HELSINKI, naive_utc
from models.money.vouchers import (
    CREDIT_NOTE,
    ISSUED,
    Invoice,
    InvoicePayment,
    InvoiceRow,
    Sale,
    SaleRow,
)


@dataclass(frozen=True)
class DaySales:
    day: object
    receipts: list  # the day's Sales, in the order they were made
    by_method: dict  # payment method → cents taken (receipts and invoice payments)
    receipts_per_rate: list  # engines.vat.Row per rate of the day's receipts
    invoices: list  # invoices and credit notes issued on the day

    @property
    def receipts_total(self):
        return sum(sale.total_cents for sale in self.receipts)


def day_sales(day):
    start = naive_utc(datetime.combine(day, time(), HELSINKI))
    end = naive_utc(datetime.combine(day + timedelta(days=1), time(), HELSINKI))
    receipts = list(Sale.select().where((Sale.made_at >= start) & (Sale.made_at < end))
                    .order_by(Sale.made_at, Sale.id))
    by_method = defaultdict(int)
    for sale in receipts:
        by_method[sale.method] += sale.total_cents
    for payment in InvoicePayment.select().where(InvoicePayment.paid_on == day):
        by_method[payment.method] += payment.amount_cents
    rows = SaleRow.select().where(SaleRow.sale.in_([sale.id for sale in receipts]))
    invoices = list(Invoice.select().where((Invoice.status == ISSUED)
                                           & (Invoice.issue_date == day))
                    .order_by(Invoice.sequence))
    return DaySales(day, receipts, dict(by_method),
                    vat.totals_per_rate([row.amounts for row in rows]) if receipts else [],
                    invoices)


@dataclass(frozen=True)
class DayLine:
    """One day of the month's report: what was taken by each payment method, and the
    sales (receipts made and invoices issued, less credit notes) per VAT rate."""

    day: object
    by_method: dict  # payment method → cents taken (receipts and invoice payments)
    per_rate: list  # engines.vat.Row per rate, highest first


@dataclass(frozen=True)
class OpenInvoice:
    invoice: object
    open_cents: int  # what was still open at the month's end


@dataclass(frozen=True)
class MonthSales:
    first: object  # the month's first day
    last: object  # its last day
    days: list  # DayLine per day with sales or payments, in order
    by_method: dict  # the month's payment method → cents
    per_rate: list  # the month's sales per VAT rate
    receipts: list  # Sales, in their number's order
    invoices: list  # issued invoices (not credit notes), in their number's order
    credit_notes: list
    open_at_end: list  # OpenInvoice, the earliest due first

    @property
    def receipts_total(self):
        return sum(sale.total_cents for sale in self.receipts)

    @property
    def invoices_total(self):
        return sum(invoice.total_cents for invoice in self.invoices)

    @property
    def credit_notes_total(self):
        return sum(note.total_cents for note in self.credit_notes)

    @property
    def taken_total(self):
        return sum(self.by_method.values())

    @property
    def open_total(self):
        return sum(each.open_cents for each in self.open_at_end)


def _signed(row, sign):
    return vat.Row(row.rate, sign * row.gross_cents, sign * row.vat_cents,
                   sign * row.net_cents)


def month_sales(year, month):
    """The month's sales: per day and for the month by payment method and by VAT rate,
    its receipts, invoices and credit notes, and the invoices still open at its end
    (issued by then, less what was paid and credited by then). A fixed number of
    queries, however many vouchers the month has."""
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start = naive_utc(datetime.combine(first, time(), HELSINKI))
    end = naive_utc(datetime.combine(last + timedelta(days=1), time(), HELSINKI))
    receipts = list(Sale.select().where((Sale.made_at >= start) & (Sale.made_at < end))
                    .order_by(Sale.year, Sale.sequence, Sale.id))
    issued = list(Invoice.select().where((Invoice.status == ISSUED)
                                         & Invoice.issue_date.between(first, last))
                  .order_by(Invoice.year, Invoice.sequence, Invoice.id))
    methods = defaultdict(lambda: defaultdict(int))
    rates = defaultdict(list)
    made_on = {sale.id: sale.made_on for sale in receipts}
    for sale in receipts:
        methods[sale.made_on][sale.method] += sale.total_cents
    for payment in InvoicePayment.select().where(InvoicePayment.paid_on.between(first, last)):
        methods[payment.paid_on][payment.method] += payment.amount_cents
    if receipts:
        for row in SaleRow.select().where(SaleRow.sale.in_(list(made_on))):
            rates[made_on[row.sale_id]].append(row.amounts)
    if issued:
        by_id = {invoice.id: invoice for invoice in issued}
        for row in InvoiceRow.select().where(InvoiceRow.invoice.in_(list(by_id))):
            invoice = by_id[row.invoice_id]
            rates[invoice.issue_date].append(
                _signed(row, -1 if invoice.is_credit_note else 1))
    days = [DayLine(day, dict(methods[day]), vat.totals_per_rate(rates[day]))
            for day in sorted(set(methods) | set(rates))]
    month_methods = defaultdict(int)
    for day_methods in methods.values():
        for method, cents in day_methods.items():
            month_methods[method] += cents
    every_row = [row for rows in rates.values() for row in rows]
    return MonthSales(
        first, last, days, dict(month_methods), vat.totals_per_rate(every_row), receipts,
        [invoice for invoice in issued if not invoice.is_credit_note],
        [invoice for invoice in issued if invoice.is_credit_note], open_at(last))


def open_at(day):
    """The invoices issued by `day` with something still open at its end."""
    invoices = list(Invoice.select().where(
        (Invoice.status == ISSUED) & (Invoice.kind != CREDIT_NOTE)
        & (Invoice.issue_date <= day)).order_by(Invoice.due_date, Invoice.id))
    paid = dict(InvoicePayment.select(InvoicePayment.invoice,
                                      fn.SUM(InvoicePayment.amount_cents))
                .where(InvoicePayment.paid_on <= day).group_by(InvoicePayment.invoice)
                .tuples())
    credited = dict(Invoice.select(Invoice.credits, fn.SUM(Invoice.total_cents))
                    .where((Invoice.status == ISSUED) & (Invoice.kind == CREDIT_NOTE)
                           & (Invoice.issue_date <= day)).group_by(Invoice.credits).tuples())
    still_open = []
    for invoice in invoices:
        # int(): PostgreSQL sums integers as numeric.
        left = invoice.total_cents - int(paid.get(invoice.id, 0)) \
            - int(credited.get(invoice.id, 0))
        if left > 0:
            still_open.append(OpenInvoice(invoice, left))
    return still_open
