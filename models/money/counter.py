"""Payments at the counter: a sale of one customer's bookings (and free rows), paid at
once, and its receipt with a number of its own."""

from engines.clock import local, utc_now
from models import write_transaction
from models.booking.bookings import Booking
from models.money import Refused
from models.money.billing import booking_line, check_billable
from models.money.mailing import queue_receipt
from models.money.numbers import RECEIPTS, take_number
from models.money.rows import row_values
from models.money.settings import MoneySettings, seller_snapshot
from models.money.vouchers import Sale, SaleRow


def make_sale(customer, booking_ids, free_lines, method, user=None, email=False):
    """Take the payment of `customer`'s bookings `booking_ids` and `free_lines` (Lines)
    by `method` now; the Sale made, with its receipt number, and (`email`) its receipt
    queued to the customer's address. Refused when a booking is not the customer's or
    cannot be billed, the method is not kept, nothing is sold, or the receipt is to be
    e-mailed to a customer with no address."""
    settings = MoneySettings.current()
    if method not in settings.counter_methods:
        raise Refused("method_unknown", "method")
    with write_transaction():
        bookings = list(Booking.select().where(Booking.id.in_(list(booking_ids)))
                        .order_by(Booking.starts_at))
        if len(bookings) != len(set(booking_ids)):
            raise Refused("booking_unknown", "booking")
        language = customer.language if customer else "fi"
        lines = []
        for booking in bookings:
            if customer is None or booking.customer_id != customer.id:
                raise Refused("booking_unknown", "booking")
            check_billable(booking)
            lines.append(booking_line(booking, language))
        lines += list(free_lines)
        if not lines:
            raise Refused("nothing_sold")
        values = [row_values(line, settings.vat_registered, position)
                  for position, line in enumerate(lines)]
        made_at = utc_now()
        year = local(made_at).year
        sequence = take_number(RECEIPTS, year)
        sale = Sale.create(
            number=f"K{year}-{sequence:05d}", year=year, sequence=sequence, made_at=made_at,
            made_by=user, customer=customer, buyer_name=customer.name if customer else "",
            method=method, total_cents=sum(value["gross_cents"] for value in values),
            seller=seller_snapshot(), language=language)
        for line, value in zip(lines, values, strict=True):
            SaleRow.create(sale=sale, booking=line.booking_id, **value)
        if email:
            queue_receipt(sale)
    return sale
