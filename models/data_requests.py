"""People's requests about their own data (GDPR Art 15–21) and their handling.

A request comes from the "my data" page (the person proved their address by the e-mailed
link) or is entered by staff when someone asks by phone, by letter or in person (staff
write down how they checked who it was). It is answered within a month of receiving it;
the owner may extend that by up to two months, with a reason the person is told.
Each step is an event in the request's history.
"""

import calendar
from datetime import UTC

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from . import BaseModel, naive_utc, utc_now
from .customers import Customer
from .privacy import DATA_REQUEST, PersonalData
from .users import User

# What is asked.
ACCESS = "access"
CORRECTION = "correction"
ERASURE = "erasure"
RESTRICTION = "restriction"
OBJECTION = "objection"
PORTABILITY = "portability"
KINDS = (ACCESS, CORRECTION, ERASURE, RESTRICTION, OBJECTION, PORTABILITY)
# What a person can ask from the "my data" page (they see and download their data
# there themselves).
ONLINE_KINDS = (CORRECTION, ERASURE, RESTRICTION, OBJECTION)

# How it came.
ONLINE = "online"
PHONE = "phone"
LETTER = "letter"
IN_PERSON = "in_person"
BY_EMAIL = "email"
SOURCES = (ONLINE, PHONE, LETTER, IN_PERSON, BY_EMAIL)

# Where it stands.
OPEN = "open"
DONE = "done"
REFUSED = "refused"
STATUSES = (OPEN, DONE, REFUSED)

ANSWER_MONTHS = 1
EXTENSION_MAX_MONTHS = 2

# Steps in a request's history.
RECEIVED = "received"
EXTENDED = "extended"
NOTED = "noted"
ACTED = "acted"
COMPLETED = "completed"
REFUSAL = "refused"
EVENTS = (RECEIVED, EXTENDED, NOTED, ACTED, COMPLETED, REFUSAL)


def months_after(moment, months):
    """The same time `months` calendar months later (the 31st becomes the month's last
    day)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


class DataRequest(BaseModel):
    kind = CharField(max_length=12)
    status = CharField(max_length=8, default=OPEN)
    customer = ForeignKeyField(Customer, null=True, backref="data_requests",
                               on_delete="SET NULL")
    # Who asked, as they said it; cleared (with `details`) when their data is erased.
    name = CharField(max_length=100, default="")
    email = CharField(max_length=254, default="")
    phone = CharField(max_length=20, default="")
    language = CharField(max_length=2, default="fi")
    source = CharField(max_length=10, default=ONLINE)
    # For a request staff entered: how they made sure who was asking.
    identity_check = TextField(default="")
    # What the person asked: what is wrong and what is right, or why they object.
    details = TextField(default="")
    # The purpose objected to (a models.privacy.Purpose value), for an objection.
    purpose = CharField(max_length=30, default="")
    received_at = DateTimeField(default=utc_now, index=True)
    due_at = DateTimeField(index=True)
    extended_months = IntegerField(default=0)
    extension_reason = TextField(default="")
    # The answer: what was done, or why the request was refused.
    outcome = TextField(default="")
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, backref="closed_data_requests",
                                on_delete="SET NULL")
    created_by = ForeignKeyField(User, null=True, backref="entered_data_requests",
                                 on_delete="SET NULL")
    # When the person's details here were cleared after their data was erased.
    anonymised_at = DateTimeField(null=True)

    personal_data = PersonalData(
        {
            "customer": DATA_REQUEST,
            "name": DATA_REQUEST,
            "email": DATA_REQUEST,
            "phone": DATA_REQUEST,
            "identity_check": DATA_REQUEST,
            "details": DATA_REQUEST,
            "received_at": DATA_REQUEST,
            "outcome": DATA_REQUEST,
            "extension_reason": DATA_REQUEST,
        },
        not_personal=("id", "kind", "status", "language", "source", "purpose", "due_at",
                      "extended_months", "closed_at", "closed_by", "created_by",
                      "anonymised_at"),
    )

    class Meta:
        indexes = ((("status", "due_at"), False),)

    @property
    def received(self):
        return self.received_at.replace(tzinfo=UTC)

    @property
    def due(self):
        return self.due_at.replace(tzinfo=UTC)

    @property
    def is_open(self):
        return self.status == OPEN


class DataRequestEvent(BaseModel):
    """One step in a request's history: who did what, and when."""

    request = ForeignKeyField(DataRequest, backref="events", on_delete="CASCADE")
    at = DateTimeField(default=utc_now)
    user = ForeignKeyField(User, null=True, backref="data_request_events",
                           on_delete="SET NULL")
    what = CharField(max_length=12)
    # In the staff's words, never the personal data itself (cleared on erasure).
    note = TextField(default="")

    personal_data = PersonalData(
        {"note": DATA_REQUEST, "at": DATA_REQUEST},
        not_personal=("id", "request", "user", "what"),
    )


def due_for(received_at, extended_months=0):
    """When a request received at `received_at` (naive UTC) must be answered."""
    return months_after(received_at, ANSWER_MONTHS + extended_months)


def receive(kind, *, customer=None, name="", email="", phone="", language="fi",
            source=ONLINE, identity_check="", details="", purpose="", user=None,
            now=None):
    """Record a new request, with its first event, due a month from now."""
    if kind not in KINDS:
        raise ValueError(f"unknown request kind {kind!r}")
    if source not in SOURCES:
        raise ValueError(f"unknown request source {source!r}")
    received_at = naive_utc(now) if now is not None else utc_now()
    request = DataRequest.create(
        kind=kind, customer=customer, name=name, email=email, phone=phone,
        language=language, source=source, identity_check=identity_check,
        details=details, purpose=purpose, received_at=received_at,
        due_at=due_for(received_at), created_by=user,
    )
    DataRequestEvent.create(request=request, at=received_at, user=user, what=RECEIVED)
    return request
