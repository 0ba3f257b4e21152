"""What the money tests share: a booking that took place, and the seller's settings."""

from datetime import timedelta
from decimal import Decimal

import models
from engines import clock
from models.booking.bookings import COMPLETED, Booking
from models.business import Business
from models.business.catalogue import Service, StaffMember
from models.money import settings
from models.people.customers import Customer

IBAN = "FI37 1590 3000 0007 76"
BIC = "NDEAFIHH"


def seller():
    """The demo business with a business ID, an address and a bank account."""
    business = Business.current()
    business.business_id, business.street = "2077474-0", "Kauppakatu 1"
    business.postal_code, business.town = "00100", "Helsinki"
    business.save()
    settings.save_settings(iban=IBAN, bic=BIC, due_days=14, penalty_interest=Decimal("9.0"),
                           reminder_fee_cents=500, vat_registered=True,
                           methods=list(settings.COUNTER_METHODS))


def past_booking(customer_id=1, service_id=2, days_ago=1, price_cents=None, hour=10):
    """A completed booking `days_ago` days ago (the demo's Matti, classic 60 min)."""
    service = Service.get_by_id(service_id)
    start = clock.now().replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(
        days=days_ago)
    end = start + timedelta(minutes=service.duration_minutes)
    return Booking.create(
        customer=Customer.get_by_id(customer_id), service=service,
        staff=StaffMember.get_by_id(1), starts_at=clock.naive_utc(start),
        ends_at=clock.naive_utc(end), blocked_until=clock.naive_utc(end),
        status=COMPLETED, source="staff",
        price_cents=service.price_cents if price_cents is None else price_cents)


def in_database(function):
    with models.db.connection_context():
        return function()
