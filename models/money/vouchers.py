"""The accounting vouchers: receipts of counter payments, invoices and credit notes,
their rows, and the payments of invoices. None of them changes once it is made (a
receipt) or issued (an invoice): `save` and `delete_instance` refuse."""

import json

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from engines.clock import local, utc_now
from models import BaseModel
from models.accounts.users import User
from models.booking.bookings import Booking
from models.money import Refused
from models.money.rows import SoldRow, totals
from models.people.customers import Customer
from models.privacy.declaration import INVOICING, PersonalData

DRAFT = "draft"
ISSUED = "issued"
INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
# The simplified invoice (AVL 209 f §), without the buyer's name and address, is enough
# up to a total of 400 € (VAT included) by the Ministry of Finance's decree on it.
SIMPLIFIED_LIMIT_CENTS = 400_00



class Unchangeable:
    """A voucher, once written, is never changed or deleted: the models refuse it, with
    Refused("immutable"). `locked()` says when that holds (by default once saved)."""

    def locked(self):
        return self.id is not None

    def save(self, *args, **kwargs):
        if self.locked():
            raise Refused("immutable")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        if self.locked():
            raise Refused("immutable")
        return super().delete_instance(*args, **kwargs)

class Sale(Unchangeable, BaseModel):
    """A payment taken at the counter, and its receipt."""

    number = CharField(max_length=20, unique=True)
    year = IntegerField()
    sequence = IntegerField()
    made_at = DateTimeField(default=utc_now)
    made_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    customer = ForeignKeyField(Customer, null=True, on_delete="SET NULL")
    buyer_name = CharField(max_length=200, default="")
    method = CharField(max_length=20)
    total_cents = IntegerField()
    seller = TextField()
    # The customer's language when the payment was taken: the receipt's, on the page, in
    # its PDF and its e-mail.
    language = CharField(max_length=2, default="fi")

    personal_data = PersonalData(
        {"customer": INVOICING, "buyer_name": INVOICING},
        not_personal=("id", "number", "year", "sequence", "made_at", "made_by", "method",
                      "total_cents", "seller", "language"))

    @property
    def seller_details(self):
        return json.loads(self.seller)

    @property
    def made_on(self):
        return local(self.made_at).date()

    @property
    def lines(self):
        return list(self.rows.order_by(SaleRow.position, SaleRow.id))

    @property
    def totals(self):
        return totals(self.lines)


class SaleRow(Unchangeable, SoldRow):
    sale = ForeignKeyField(Sale, backref="rows", on_delete="CASCADE")
    booking = ForeignKeyField(Booking, null=True, on_delete="SET NULL")

    personal_data = PersonalData({}, not_personal=(
        "id", "sale", "booking", *SoldRow.ROW_FIELDS))


class Invoice(Unchangeable, BaseModel):
    """An invoice or a credit note: a draft (no number) until it is issued."""

    kind = CharField(max_length=12, default=INVOICE)
    status = CharField(max_length=8, default=DRAFT)
    credits = ForeignKeyField("self", null=True, backref="credit_notes")
    number = CharField(max_length=20, null=True, unique=True)
    year = IntegerField(null=True)
    sequence = IntegerField(null=True)
    reference = CharField(max_length=25, default="")
    created_at = DateTimeField(default=utc_now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    issued_at = DateTimeField(null=True)
    issue_date = DateField(null=True)
    due_date = DateField(null=True)
    customer = ForeignKeyField(Customer, null=True, on_delete="SET NULL")
    buyer_name = CharField(max_length=200, default="")
    buyer_street = CharField(max_length=200, default="")
    buyer_postal_code = CharField(max_length=10, default="")
    buyer_town = CharField(max_length=100, default="")
    buyer_email = CharField(max_length=254, default="")
    buyer_business_id = CharField(max_length=9, default="")
    buyer_ovt = CharField(max_length=35, default="")
    buyer_operator = CharField(max_length=35, default="")
    language = CharField(max_length=2, default="fi")
    penalty_interest = DecimalField(max_digits=4, decimal_places=1, null=True)
    total_cents = IntegerField(default=0)
    seller = TextField(default="")

    personal_data = PersonalData(
        {"customer": INVOICING, "buyer_name": INVOICING, "buyer_street": INVOICING,
         "buyer_postal_code": INVOICING, "buyer_town": INVOICING, "buyer_email": INVOICING,
         "buyer_business_id": INVOICING, "buyer_ovt": INVOICING,
         "buyer_operator": INVOICING},
        not_personal=("id", "kind", "status", "credits", "number", "year", "sequence",
                      "reference", "created_at", "created_by", "issued_at", "issue_date",
                      "due_date", "language", "penalty_interest", "total_cents", "seller"))

    def stored_status(self):
        if self.id is None:
            return None
        return Invoice.select(Invoice.status).where(Invoice.id == self.id).scalar()

    def locked(self):
        return self.stored_status() == ISSUED

    @property
    def is_credit_note(self):
        return self.kind == CREDIT_NOTE

    @property
    def is_draft(self):
        return self.status == DRAFT

    @property
    def seller_details(self):
        return json.loads(self.seller) if self.seller else {}

    @property
    def lines(self):
        return list(self.rows.order_by(InvoiceRow.position, InvoiceRow.id))

    @property
    def totals(self):
        return totals(self.lines)

    @property
    def paid_cents(self):
        return sum(payment.amount_cents for payment in self.payments)

    @property
    def credited_cents(self):
        return sum(note.total_cents for note in self.credit_notes if note.status == ISSUED)

    @property
    def sent_reminders(self):
        return list(self.reminders.order_by(PaymentReminder.position))

    @property
    def reminder_fees_cents(self):
        return sum(reminder.fee_cents for reminder in self.reminders)

    @property
    def open_cents(self):
        """What is still to pay: the total and the reminders' fees, less the payments and
        the credit notes; nothing once the invoice is credited in full."""
        if self.is_draft or self.is_credit_note:
            return 0
        credited = self.credited_cents
        if credited >= self.total_cents:
            return 0
        return max(self.total_cents + self.reminder_fees_cents - self.paid_cents - credited, 0)

    def state(self, today):
        """draft, paid, credited, overdue or open; a credit note is "credit_note"."""
        if self.is_draft:
            return DRAFT
        if self.is_credit_note:
            return CREDIT_NOTE
        if self.credited_cents and not self.open_cents:
            return "credited"
        if not self.open_cents:
            return "paid"
        return "overdue" if self.due_date < today else "open"

    @property
    def is_business_buyer(self):
        return bool(self.buyer_business_id)

    @property
    def has_buyer_address(self):
        return bool(self.buyer_street and self.buyer_postal_code and self.buyer_town)

    @property
    def may_be_simplified(self):
        """A consumer's invoice of at most 400 € may be the simplified invoice of AVL
        209 f §: it needs no buyer's address. A business buyer gets the full one."""
        return not self.is_business_buyer and abs(self.total_cents) <= SIMPLIFIED_LIMIT_CENTS

    @property
    def is_simplified(self):
        """Issued without the buyer's address, as AVL 209 f § allows it."""
        return self.may_be_simplified and not self.has_buyer_address


class InvoiceRow(Unchangeable, SoldRow):
    invoice = ForeignKeyField(Invoice, backref="rows", on_delete="CASCADE")
    booking = ForeignKeyField(Booking, null=True, on_delete="SET NULL")

    personal_data = PersonalData({}, not_personal=(
        "id", "invoice", "booking", *SoldRow.ROW_FIELDS))

    def _invoice_issued(self):
        return Invoice.select(Invoice.status).where(
            Invoice.id == self.invoice_id).scalar() == ISSUED

    def locked(self):
        return self._invoice_issued()


class InvoicePayment(BaseModel):
    """A payment of an issued invoice (one of several, when it is paid in parts)."""

    invoice = ForeignKeyField(Invoice, backref="payments", on_delete="CASCADE")
    paid_on = DateField()
    amount_cents = IntegerField()
    method = CharField(max_length=20)
    recorded_at = DateTimeField(default=utc_now)
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    personal_data = PersonalData({}, not_personal=(
        "id", "invoice", "paid_on", "amount_cents", "method", "recorded_at", "recorded_by"))


class PaymentReminder(Unchangeable, BaseModel):
    """A payment reminder (maksumuistutus) of an overdue invoice: its day, the new due
    date and the fee charged (0 when none may be). Written once by
    models/money/reminders.py, which checks the rules; never changed."""

    invoice = ForeignKeyField(Invoice, backref="reminders", on_delete="CASCADE")
    position = IntegerField()
    sent_on = DateField()
    due_date = DateField()
    fee_cents = IntegerField(default=0)
    # What was open of the invoice before this reminder's fee.
    open_before_cents = IntegerField()
    created_at = DateTimeField(default=utc_now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    personal_data = PersonalData({}, not_personal=(
        "id", "invoice", "position", "sent_on", "due_date", "fee_cents", "open_before_cents",
        "created_at", "created_by"))

    class Meta:
        indexes = ((("invoice", "position"), True),)

    @property
    def number(self):
        return f"{self.invoice.number}/{self.position}"

    @property
    def to_pay_cents(self):
        return self.open_before_cents + self.fee_cents
