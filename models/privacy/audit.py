"""The audit log: who read, changed or exported whose data, when and from where.

Entries are only ever added. The database itself refuses to change one, and to delete
one before its retention period has passed (see the migration that creates the table).
"""

from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from engines.clock import utc_now
from models import BaseModel
from models.accounts.users import User
from models.booking.bookings import Booking
from models.people.customers import Customer
from models.privacy.declaration import AUDIT, PersonalData

# What an entry records, in the business's words.
ACTIONS = (
    "customer.view",
    "customer.create",
    "customer.update",
    "customer.merge",
    "customer.note",
    "booking.create",
    "booking.overbook",
    "booking.move",
    "booking.cancel",
    "booking.status",
    "booking.note",
    "contact.view",
    "contact.answer",
    "contact.send_answer",
    "contact.close",
    "contact.reopen",
    "contact.link",
    "audit.export",
    "user.login",
    "user.invite",
    "user.disable",
    "user.enable",
    "settings.update",
    "breach.record",
    "breach.update",
    "records.export",
    # People's own data and their requests about it.
    "mydata.view",
    "mydata.download",
    "request.receive",
    "request.view",
    "request.extend",
    "request.export",
    "request.correct",
    "request.restrict",
    "request.unrestrict",
    "request.erase",
    "request.refuse",
    "request.close",
    "request.note",
    "consent.give",
    "consent.withdraw",
    "retention.update",
    "processor.update",
    "newsletter.send",
    # The money side: receipts, invoices, their payments and credit notes.
    "money.sale",
    "money.invoice",
    "money.payment",
    "money.credit",
    "money.settings",
    "money.reminder",
    "money.mail",
    # The owner's exports of whole tables.
    "data.export",
    "data.download",
)


class AuditEntry(BaseModel):
    at = DateTimeField(default=utc_now, index=True)
    user = ForeignKeyField(User, null=True, backref="audit_entries", on_delete="SET NULL")
    action = CharField(max_length=40)
    customer = ForeignKeyField(Customer, null=True, backref="audit_entries",
                               on_delete="SET NULL")
    booking = ForeignKeyField(Booking, null=True, backref="audit_entries",
                              on_delete="SET NULL")
    # What was done, never the personal data itself: the names of changed fields, the
    # id of a merged record, a reason.
    details = TextField(default="")
    ip = CharField(max_length=45, default="")

    personal_data = PersonalData(
        {"user": AUDIT, "customer": AUDIT, "booking": AUDIT, "ip": AUDIT, "at": AUDIT},
        not_personal=("id", "action", "details"),
        # The address of the connection is kept to trace misuse; it is mostly staff's.
        withheld=("ip",),
    )

    class Meta:
        indexes = ((("customer", "at"), False), (("user", "at"), False))


def record(action, *, user=None, customer=None, booking=None, details="", ip=""):
    """Write one entry to the audit log."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return AuditEntry.create(action=action, user=user, customer=customer,
                             booking=booking, details=details, ip=ip or "")


def logged_in_from(email, ip):
    """Whether the account with `email` has logged in from the address `ip` before."""
    if not ip:
        return False
    return (AuditEntry.select().join(User)
            .where((User.email == email) & (AuditEntry.action == "user.login")
                   & (AuditEntry.ip == ip))
            .exists())
