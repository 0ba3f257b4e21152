"""Invoices: a draft is put together (bookings, free rows, the buyer), then issued with
the next number of the year's gapless series, its reference and its due date, in one
transaction. An issued invoice never changes; a credit note puts it right. Payments
are recorded against it, in parts if need be."""

from dataclasses import dataclass
from datetime import timedelta

from engines.business_id import InvalidBusinessId, normalise_business_id
from engines.clock import today, utc_now
from engines.reference import reference_number
from models import is_sqlite, write_transaction
from models.booking.bookings import Booking
from models.money import Refused
from models.money.amounts import LARGEST_CENTS
from models.money.billing import booking_line, check_billable
from models.money.mailing import queue_invoice
from models.money.numbers import INVOICES, take_number
from models.money.rows import row_values
from models.money.settings import INVOICE_METHODS, MoneySettings, seller_snapshot
from models.money.vouchers import (
    CREDIT_NOTE,
    DRAFT,
    ISSUED,
    Invoice,
    InvoicePayment,
    InvoiceRow,
)
from models.people.customers import InvalidValue, normalise_email, normalise_postal_code

LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class BuyerDetails:
    name: str
    street: str = ""
    postal_code: str = ""
    town: str = ""
    email: str = ""
    business_id: str = ""
    ovt: str = ""
    operator: str = ""
    language: str = "fi"


def _draft(invoice_id):
    """The draft, locked against a second writer on PostgreSQL. Refused when issued."""
    query = Invoice.select().where(Invoice.id == invoice_id)
    invoice = (query if is_sqlite() else query.for_update()).get_or_none()
    if invoice is None:
        raise Refused("invoice_unknown")
    if invoice.status != DRAFT:
        raise Refused("immutable")
    return invoice


def _next_position(invoice):
    return InvoiceRow.select().where(InvoiceRow.invoice == invoice).count()


def _add_line(invoice, line):
    settings = MoneySettings.current()
    values = row_values(line, settings.vat_registered, _next_position(invoice))
    total = invoice.total_cents + values["gross_cents"]
    if total > LARGEST_CENTS:
        raise Refused("amount_too_large", "price")
    InvoiceRow.create(invoice=invoice, booking=line.booking_id, **values)
    invoice.total_cents = total
    invoice.save()


def create_draft(booking, user=None):
    """A draft invoice of the booking, to its customer, with the customer's details."""
    customer = booking.customer
    with write_transaction():
        check_billable(booking)
        invoice = Invoice.create(
            created_by=user, customer=customer, buyer_name=customer.name,
            buyer_street=customer.street, buyer_postal_code=customer.postal_code,
            buyer_town=customer.town, buyer_email=customer.email or "",
            language=customer.language or "fi", created_at=utc_now())
        _add_line(invoice, booking_line(booking, invoice.language))
    return invoice


def add_booking(invoice_id, booking_id):
    with write_transaction():
        invoice = _draft(invoice_id)
        booking = Booking.get_or_none(Booking.id == booking_id)
        if booking is None or booking.customer_id != invoice.customer_id:
            raise Refused("booking_unknown", "booking")
        check_billable(booking)
        _add_line(invoice, booking_line(booking, invoice.language))


def add_free_row(invoice_id, line):
    with write_transaction():
        _add_line(_draft(invoice_id), line)


def remove_row(invoice_id, row_id):
    with write_transaction():
        invoice = _draft(invoice_id)
        row = InvoiceRow.get_or_none((InvoiceRow.id == row_id)
                                     & (InvoiceRow.invoice == invoice))
        if row is None:
            raise Refused("row_unknown")
        row.delete_instance()
        invoice.total_cents -= row.gross_cents
        invoice.save()


def _checked_buyer(buyer):
    if not buyer.name.strip():
        raise Refused("buyer_name_missing", "name")
    try:
        postal_code = normalise_postal_code(buyer.postal_code) if buyer.postal_code else ""
    except InvalidValue as error:
        raise Refused("postal_code_invalid", "postal_code") from error
    try:
        email = normalise_email(buyer.email) if buyer.email else ""
    except InvalidValue as error:
        raise Refused("email_invalid", "email") from error
    try:
        business_id = normalise_business_id(buyer.business_id) if buyer.business_id else ""
    except InvalidBusinessId as error:
        raise Refused(f"business_id_{error.code}", "business_id") from error
    if buyer.ovt and not buyer.ovt.replace(" ", "").isalnum():
        raise Refused("ovt_invalid", "ovt")
    if bool(buyer.ovt) != bool(buyer.operator):
        raise Refused("einvoice_address_incomplete", "operator" if buyer.ovt else "ovt")
    if buyer.language not in LANGUAGES:
        raise Refused("language_unknown", "language")
    return {"buyer_name": buyer.name.strip(), "buyer_street": buyer.street.strip(),
            "buyer_postal_code": postal_code, "buyer_town": buyer.town.strip(),
            "buyer_email": email, "buyer_business_id": business_id,
            "buyer_ovt": buyer.ovt.replace(" ", ""), "buyer_operator": buyer.operator.strip(),
            "language": buyer.language}


def set_buyer(invoice_id, buyer):
    with write_transaction():
        invoice = _draft(invoice_id)
        for name, value in _checked_buyer(buyer).items():
            setattr(invoice, name, value)
        invoice.save()


def default_due_date(issue_date=None):
    return (issue_date or today()) + timedelta(days=MoneySettings.current().due_days)


def issue(invoice_id, due_date, user=None, email=False):
    """Issue the draft today, due on `due_date`: the next number of this year's series
    and its reference are taken in the same transaction, so a failed issue takes none.
    With `email`, the invoice is queued to the buyer's address in that transaction."""
    settings = MoneySettings.current()
    if not settings.can_invoice:
        raise Refused("no_bank_account")
    issue_date = today()
    if due_date < issue_date:
        raise Refused("due_before_issue", "due_date")
    with write_transaction():
        invoice = _draft(invoice_id)
        if not InvoiceRow.select().where(InvoiceRow.invoice == invoice).exists():
            raise Refused("nothing_sold")
        if not invoice.buyer_name:
            raise Refused("buyer_name_missing", "name")
        if not invoice.has_buyer_address and not invoice.may_be_simplified:
            raise Refused("buyer_address_missing", "street")
        _number(invoice, issue_date)
        invoice.due_date, invoice.issued_at, invoice.status = due_date, utc_now(), ISSUED
        invoice.penalty_interest = settings.penalty_interest
        invoice.seller = seller_snapshot()
        invoice.save()
        if email:
            queue_invoice(invoice)
    return invoice


def _number(invoice, issue_date):
    sequence = take_number(INVOICES, issue_date.year)
    invoice.year, invoice.sequence, invoice.issue_date = issue_date.year, sequence, issue_date
    invoice.number = f"{issue_date.year}-{sequence:05d}"
    invoice.reference = reference_number(f"{issue_date.year}{sequence:05d}")


def credit(invoice_id, user=None):
    """A credit note of the whole of an issued invoice, issued at once with the next
    number: it lists the same rows and refers to the original."""
    with write_transaction():
        query = Invoice.select().where(Invoice.id == invoice_id)
        original = (query if is_sqlite() else query.for_update()).get_or_none()
        if original is None:
            raise Refused("invoice_unknown")
        if original.status != ISSUED or original.is_credit_note:
            raise Refused("not_creditable")
        if original.credited_cents or original.paid_cents:
            raise Refused("not_creditable")
        note = Invoice(kind=CREDIT_NOTE, credits=original, created_by=user,
                       created_at=utc_now(), total_cents=original.total_cents,
                       **{name: getattr(original, name) for name in (
                           "customer", "buyer_name", "buyer_street", "buyer_postal_code",
                           "buyer_town", "buyer_email", "buyer_business_id", "buyer_ovt",
                           "buyer_operator", "language", "penalty_interest")})
        note.save()
        for row in original.lines:
            InvoiceRow.create(invoice=note, booking=row.booking_id,
                              **{name: getattr(row, name) for name in row.ROW_FIELDS})
        issue_date = today()
        _number(note, issue_date)
        note.reference = ""
        note.due_date, note.issued_at, note.status = issue_date, utc_now(), ISSUED
        note.seller = seller_snapshot()
        note.save()
    return note


def record_payment(invoice_id, amount_cents, paid_on, method, user=None):
    """A payment of an issued invoice, at most what is open."""
    if method not in INVOICE_METHODS:
        raise Refused("method_unknown", "method")
    if amount_cents <= 0:
        raise Refused("amount_not_positive", "amount")
    if paid_on > today():
        raise Refused("paid_in_future", "paid_on")
    with write_transaction():
        query = Invoice.select().where(Invoice.id == invoice_id)
        invoice = (query if is_sqlite() else query.for_update()).get_or_none()
        if invoice is None or invoice.status != ISSUED or invoice.is_credit_note:
            raise Refused("not_payable")
        if amount_cents > invoice.open_cents:
            raise Refused("payment_too_large", "amount")
        return InvoicePayment.create(invoice=invoice, amount_cents=amount_cents,
                                     paid_on=paid_on, method=method, recorded_by=user,
                                     recorded_at=utc_now())


def open_invoices(overdue_only=False):
    """Issued invoices with something open, the earliest due first."""
    issued = (Invoice.select().where((Invoice.status == ISSUED) & (Invoice.kind != CREDIT_NOTE))
              .order_by(Invoice.due_date, Invoice.id))
    if overdue_only:
        issued = issued.where(Invoice.due_date < today())
    return [invoice for invoice in issued if invoice.open_cents]


def drafts():
    return list(Invoice.select().where(Invoice.status == DRAFT).order_by(Invoice.id.desc()))


def issued_between(first, last):
    return list(Invoice.select().where((Invoice.status == ISSUED)
                                       & Invoice.issue_date.between(first, last))
                .order_by(Invoice.year, Invoice.sequence))

