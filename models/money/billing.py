"""Which bookings can be paid for or invoiced, and their rows."""

from decimal import Decimal

from peewee import JOIN

from engines.clock import local, naive_utc, now
from models.booking.bookings import CANCELLED, Booking
from models.business.catalogue import Service
from models.money import Refused
from models.money.rows import Line
from models.money.settings import vat_category
from models.money.vouchers import CREDIT_NOTE, INVOICE, Invoice, InvoiceRow, SaleRow


def billed_booking_ids(booking_ids):
    """Those of `booking_ids` already on a receipt, or on an invoice (draft or issued)
    that no credit note has put right."""
    ids = list(booking_ids)
    if not ids:
        return set()
    on_receipts = SaleRow.select(SaleRow.booking).where(SaleRow.booking.in_(ids))
    credited = Invoice.select(Invoice.credits).where(
        (Invoice.kind == CREDIT_NOTE) & Invoice.credits.is_null(False))
    on_invoices = (InvoiceRow.select(InvoiceRow.booking).join(Invoice)
                   .where(InvoiceRow.booking.in_(ids) & (Invoice.kind == INVOICE)
                          & Invoice.id.not_in(credited)))
    return {row_id for row_id in on_receipts.scalars()} | set(on_invoices.scalars())


def billed_on(booking):
    """The receipt (a Sale) or the uncredited invoice or draft that `booking` is on, or
    None."""
    row = SaleRow.get_or_none(SaleRow.booking == booking.id)
    if row is not None:
        return row.sale
    credited = Invoice.select(Invoice.credits).where(
        (Invoice.kind == CREDIT_NOTE) & Invoice.credits.is_null(False))
    return (Invoice.select().join(InvoiceRow)
            .where((InvoiceRow.booking == booking.id) & (Invoice.kind == INVOICE)
                   & Invoice.id.not_in(credited)).first())


def check_billable(booking):
    """Refused unless the booking took place (or its time has begun), is not cancelled
    and is on no receipt or invoice yet."""
    if booking.status == CANCELLED:
        raise Refused("booking_cancelled", "booking")
    if booking.starts_at > naive_utc(now()):
        raise Refused("booking_not_yet", "booking")
    if billed_booking_ids([booking.id]):
        raise Refused("booking_billed", "booking")


def booking_line(booking, language):
    service = booking.service
    return Line(description=service.name(language), service_date=local(booking.starts_at).date(),
                unit_gross_cents=booking.price_cents, quantity=Decimal(1),
                category=vat_category(service), booking_id=booking.id)


def billable_bookings(customer):
    """The customer's bookings that took place and are not paid for or invoiced yet,
    the latest first."""
    bookings = list(Booking.select(Booking, Service).join(Service, JOIN.INNER)
                    .where((Booking.customer == customer) & (Booking.status != CANCELLED)
                           & (Booking.starts_at <= naive_utc(now())))
                    .order_by(Booking.starts_at.desc()).limit(50))
    billed = billed_booking_ids(booking.id for booking in bookings)
    return [booking for booking in bookings if booking.id not in billed]
