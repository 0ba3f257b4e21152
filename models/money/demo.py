"""The demo's money side: in the current year, a paid invoice, an open one, an overdue
one with its payment reminder, a credit note and receipts, made through the same rules
as real ones, each on its day (the clock is held at that day while it is made, so the
numbers follow the dates)."""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from engines import clock
from engines.clock import HELSINKI, naive_utc
from models.booking.bookings import COMPLETED, Booking
from models.business.catalogue import Service, StaffMember
from models.money import invoicing, reminders
from models.money.counter import make_sale
from models.money.rows import Line
from models.money.settings import COUNTER_METHODS, HEALTH_CARE, save_settings, set_vat_category
from models.people.customers import Customer

DEMO_IBAN = "FI37 1590 3000 0007 76"  # the example account of Finance Finland's guide
DEMO_BIC = "NDEAFIHH"


@contextmanager
def _on(day, hour):
    clock.CLOCK.freeze(datetime.combine(day, time(hour), HELSINKI))
    try:
        yield
    finally:
        clock.CLOCK.reset()


def _visit(customer, service, day, hour):
    start = datetime.combine(day, time(hour), HELSINKI)
    end = start + timedelta(minutes=service.duration_minutes)
    first_staff = StaffMember.select().order_by(StaffMember.id).first()
    return Booking.create(customer=customer, service=service, staff=first_staff,
                          starts_at=naive_utc(start), ends_at=naive_utc(end),
                          blocked_until=naive_utc(end), status=COMPLETED, source="staff",
                          price_cents=service.price_cents)


def _invoice(booking, day, due_days):
    with _on(day, 17):
        draft = invoicing.create_draft(booking)
        invoicing.set_buyer(draft.id, invoicing.BuyerDetails(
            name=booking.customer.name, street="Esimerkkitie 5", postal_code="00200",
            town="Helsinki", language=booking.customer.language))
        return invoicing.issue(draft.id, day + timedelta(days=due_days))


def add_demo_money(today=None):
    """The demo's money settings, vouchers and payments, in the current year."""
    today = today or clock.today()
    save_settings(iban=DEMO_IBAN, bic=DEMO_BIC, due_days=14, penalty_interest=Decimal("9.0"),
                  reminder_fee_cents=500, vat_registered=True, methods=list(COUNTER_METHODS))
    services = list(Service.select().order_by(Service.id))
    set_vat_category(services[3], HEALTH_CARE)  # the home visit: a registered masseur's
    matti, maija = Customer.select().order_by(Customer.id)[:2]
    first = date(today.year, 1, 1)

    def day(days_ago):
        return max(first, today - timedelta(days=days_ago))

    paid = _invoice(_visit(matti, services[1], day(40), 9), day(40), 14)
    with _on(min(day(40) + timedelta(days=10), today), 12):
        invoicing.record_payment(paid.id, paid.total_cents, clock.today(), "bank_transfer")
    overdue = _invoice(_visit(maija, services[2], day(25), 11), day(25), 7)
    reminded_on = overdue.due_date + reminders.FEE_WAIT
    if overdue.due_date < reminded_on <= today:  # not in the year's first weeks
        with _on(reminded_on, 9):
            reminders.remind(overdue.id, reminders.default_due_date(), charge_fee=True)
    credited = _invoice(_visit(matti, services[0], day(10), 13), day(10), 14)
    with _on(day(10), 18):
        invoicing.credit(credited.id)
    _invoice(_visit(matti, services[3], day(9), 15), day(9), 14)  # open
    for days_ago, customer, service, method in ((3, maija, services[0], "mobilepay"),
                                                (1, matti, services[1], "cash")):
        visit = _visit(customer, service, day(days_ago), 10)
        oil = Line("Hierontaöljy 100 ml", day(days_ago), 1290, Decimal(1), "general")
        with _on(day(days_ago), 11):
            make_sale(customer, [visit.id], [oil], method)
