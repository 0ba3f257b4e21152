"""Bookings: who comes, for what, with whom and when."""

import hashlib
import secrets
from datetime import UTC, timedelta

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from engines.clock import local, naive_utc, utc_now
from engines.free_times import Span
from models import BaseModel, link_key
from models.business.catalogue import Service, StaffMember
from models.people.customers import Customer
from models.privacy.declaration import BOOKING, MESSAGE, NOTE, PersonalData

CONFIRMED = "confirmed"
ARRIVED = "arrived"
COMPLETED = "completed"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
STATUSES = (CONFIRMED, ARRIVED, COMPLETED, NO_SHOW, CANCELLED)
ONLINE = "online"
BY_STAFF = "staff"

# No booking lasts a day with its buffer (services are at most 12 hours and buffers 4):
# a lower bound that lets the time index find a day's bookings without reading all
# bookings before it.
LONGEST_BOOKING = timedelta(days=1)

# Crockford's base 32 without look-alikes: a reference is read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference():
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def manage_token(booking, secret_key):
    """The secret of the booking's own page. Online bookings have one from the start;
    one made by staff gets one when its first message is written."""
    if booking.submission_key is None:
        booking.submission_key = secrets.token_urlsafe(24)
        booking.token_hash = token_hash(link_key(secret_key, booking.submission_key))
        Booking.update(submission_key=booking.submission_key,
                       token_hash=booking.token_hash).where(
            Booking.id == booking.id).execute()
    return link_key(secret_key, booking.submission_key)


class Booking(BaseModel):
    reference = CharField(max_length=8, unique=True, default=new_reference)
    customer = ForeignKeyField(Customer, backref="bookings", on_delete="RESTRICT")
    service = ForeignKeyField(Service, backref="bookings", on_delete="RESTRICT")
    staff = ForeignKeyField(StaffMember, backref="bookings", on_delete="RESTRICT")
    starts_at = DateTimeField(index=True)
    ends_at = DateTimeField()
    # The end of the appointment plus the service's buffer: the time no other
    # booking of the same staff member may overlap.
    blocked_until = DateTimeField()
    status = CharField(max_length=12, default=CONFIRMED)
    # Staff may knowingly book over another booking; such a booking is outside the
    # database's no-overlap rule.
    overbooked = BooleanField(default=False)
    source = CharField(max_length=10, default=ONLINE)
    message = TextField(default="")
    internal_note = TextField(default="")
    cancel_reason = TextField(default="")
    # Whether the customer is told the reason (e-mail and their booking page).
    cancel_reason_shared = BooleanField(default=False)
    language = CharField(max_length=2, default="fi")
    price_cents = IntegerField()
    submission_key = CharField(max_length=64, null=True, unique=True)
    token_hash = CharField(max_length=64, null=True, unique=True)
    created_at = DateTimeField(default=utc_now)
    updated_at = DateTimeField(default=utc_now)
    version = IntegerField(default=1)
    # The version of the privacy statement the customer was shown when booking online.
    privacy_version = IntegerField(null=True)

    personal_data = PersonalData(
        {
            "reference": BOOKING,
            "customer": BOOKING,
            "service": BOOKING,
            "staff": BOOKING,
            "starts_at": BOOKING,
            "ends_at": BOOKING,
            "blocked_until": BOOKING,
            "status": BOOKING,
            "message": MESSAGE,
            "internal_note": NOTE,
            "cancel_reason": BOOKING,
            "language": BOOKING,
            "price_cents": BOOKING,
            "created_at": BOOKING,
            "updated_at": BOOKING,
        },
        not_personal=("id", "submission_key", "token_hash", "version", "overbooked",
                      "source", "cancel_reason_shared", "privacy_version"),
    )

    class Meta:
        indexes = (
            (("staff", "starts_at"), False),
            # The register's last visit: an index-only look-up per customer.
            (("customer", "starts_at", "status"), False),
        )

    @property
    def start(self):
        """The start as an aware time in Helsinki."""
        return local(self.starts_at)

    @property
    def end(self):
        return local(self.ends_at)

    def place(self, business):
        """Where the appointment is: the customer's address for a home visit, else
        the business's."""
        if self.service.needs_address:
            customer = self.customer
            return f"{customer.street}, {customer.postal_code} {customer.town}"
        return f"{business.name}, {business.street}, {business.postal_code} {business.town}"

    @property
    def display_reference(self):
        return f"{self.reference[:4]}-{self.reference[4:]}"

    @classmethod
    def active(cls):
        return cls.select().where(cls.status != CANCELLED)

    @classmethod
    def by_token(cls, token):
        return cls.get_or_none(cls.token_hash == token_hash(token))


def busy_spans(staff_ids, first, last, excluding=None):
    """Active bookings of these staff members that touch [first, last) (aware
    datetimes), as spans per staff id, each running to the end of its buffer.

    Overbooked ones count too: the database lets them overlap the booking they were
    knowingly put over, but nobody else may be booked over them. The booking with id
    `excluding` (one being moved) is left out."""
    first_utc = naive_utc(first)
    last_utc = naive_utc(last)
    rows = Booking.active().select(
        Booking.staff, Booking.starts_at, Booking.blocked_until
    ).where(
        Booking.staff.in_(list(staff_ids))
        & (Booking.starts_at < last_utc)
        & (Booking.starts_at > first_utc - LONGEST_BOOKING)
        & (Booking.blocked_until > first_utc)
    )
    if excluding is not None:
        rows = rows.where(Booking.id != excluding)
    spans = {staff_id: [] for staff_id in staff_ids}
    for staff_id, starts_at, blocked_until in rows.tuples():
        spans[staff_id].append(
            Span(starts_at.replace(tzinfo=UTC), blocked_until.replace(tzinfo=UTC))
        )
    return spans
