"""The day's sales, as the accountant wants them: by payment method and by VAT rate."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from engines import vat
from engines.clock import HELSINKI, naive_utc
from models.money.vouchers import ISSUED, Invoice, InvoicePayment, Sale, SaleRow


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
