"""People's requests about their own data (GDPR Art 15–21) and their handling.

A request comes from the "my data" page (the person proved their address by the e-mailed
link) or is entered by staff when someone asks by phone, by letter or in person (staff
write down how they checked who it was). It is answered within a month of receiving it;
the owner may extend that by up to two months, with a reason the person is told.
Each step is an event in the request's history.
"""

import calendar
from datetime import UTC, timedelta

from peewee import JOIN, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from engines import clock
from engines.clock import local, naive_utc, utc_now
from models import BaseModel, db, write_transaction
from models.accounts.users import User
from models.messages import outbox
from models.people.customers import Customer, InvalidValue
from models.privacy.declaration import DATA_REQUEST, PersonalData

# What is asked.
ACCESS = "access"
CORRECTION = "correction"
ERASURE = "erasure"
RESTRICTION = "restriction"
OBJECTION = "objection"
PORTABILITY = "portability"
KINDS = (ACCESS, CORRECTION, ERASURE, RESTRICTION, OBJECTION, PORTABILITY)

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
    # The purpose objected to (a models.privacy.declaration.Purpose value), for an objection.
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


# Handling a request ----------------------------------------------------------------
#
# Every step is an event in the request's history and, where the person must be told,
# a message in the outbox, written in the same transaction as the change. A step taken
# twice (a double click, two staff at once) is done once: closing happens only from
# OPEN, an extension only on top of the extension the form was opened on, and each
# message has a key naming its event. Each staff action is logged by the `log` callable
# the caller passes (the audit log with the acting user), inside the same transaction.

DUE_SOON_DAYS = 7
CLOSED_PAGE_SIZE = 25
# A step in the history of a restriction request after it was carried out.
LIFTED = "lifted"
TEXT_MAX = 5000
# What can be done with a request of each kind besides completing, refusing, noting
# and extending it.
EXPORTED = (ACCESS, PORTABILITY)


class NotAllowed(ValueError):
    """A step the request's state does not allow; `code` names why."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def about(request):
    """How the audit log names a request: never by what it says."""
    return f"data request #{request.id}"


def _now(now):
    return naive_utc(now) if now is not None else utc_now()


def _text(text, missing):
    """The text stripped, or InvalidValue(`missing`) when there is none."""
    text = (text or "").strip()
    if not text:
        raise InvalidValue(missing)
    if len(text) > TEXT_MAX:
        raise InvalidValue("too_long")
    return text


def _log(log, action, request, details=""):
    if log is not None:
        log(action, customer=request.customer_id,
            details=about(request) + (f": {details}" if details else ""))


# Lists ---------------------------------------------------------------------------


def with_details(request_id):
    """The request with its customer, or None."""
    return (DataRequest.select(DataRequest, Customer)
            .join(Customer, JOIN.LEFT_OUTER)
            .where(DataRequest.id == request_id)
            .first())


def open_requests():
    """Every open request, the one due first at the top."""
    return list(DataRequest.select(DataRequest, Customer)
                .join(Customer, JOIN.LEFT_OUTER)
                .where(DataRequest.status == OPEN)
                .order_by(DataRequest.due_at, DataRequest.id))


def closed_requests(number=1, size=CLOSED_PAGE_SIZE):
    """A page of the closed requests, the latest closed first, and whether there are
    more."""
    rows = list(DataRequest.select(DataRequest, Customer)
                .join(Customer, JOIN.LEFT_OUTER)
                .where(DataRequest.status != OPEN)
                .order_by(DataRequest.closed_at.desc(), DataRequest.id.desc())
                .limit(size + 1).offset((number - 1) * size))
    return rows[:size], len(rows) > size


def count_closed():
    return DataRequest.select().where(DataRequest.status != OPEN).count()


def count_due_soon_or_overdue(now=None):
    """Open requests due within DUE_SOON_DAYS, or past due: what the back office's
    navigation counts."""
    soon = _now(now) + timedelta(days=DUE_SOON_DAYS)
    return DataRequest.select().where(
        (DataRequest.status == OPEN) & (DataRequest.due_at < soon)).count()


def days_left(request, now=None):
    """Whole days from today to the due date, in Helsinki (negative when past)."""
    today = local(now).date() if now is not None else clock.today()
    return (local(request.due).date() - today).days


def urgency(request, now=None):
    """"overdue", "due_soon" or "" for an open request; "" for a closed one."""
    if not request.is_open:
        return ""
    moment = _now(now)
    if request.due_at < moment:
        return "overdue"
    if request.due_at < moment + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return ""


def history(request):
    """The request's events, the oldest first, with who took each step."""
    return list(DataRequestEvent.select(DataRequestEvent, User)
                .join(User, JOIN.LEFT_OUTER)
                .where(DataRequestEvent.request == request)
                .order_by(DataRequestEvent.at, DataRequestEvent.id))


def latest_restriction(customer):
    """The customer's latest restriction request that was carried out, or None."""
    return (DataRequest.select()
            .where((DataRequest.customer == customer) & (DataRequest.kind == RESTRICTION)
                   & (DataRequest.status == DONE))
            .order_by(DataRequest.closed_at.desc(), DataRequest.id.desc())
            .first())


# Steps -----------------------------------------------------------------------------


def _event(request, what, user, note="", now=None):
    return DataRequestEvent.create(request=request, at=_now(now), user=user, what=what,
                                   note=note)


def _close(request, status, outcome, user, now):
    """Close the request if it is still open; whether this call closed it."""
    return DataRequest.update(
        status=status, outcome=outcome, closed_at=_now(now), closed_by=user,
    ).where((DataRequest.id == request.id) & (DataRequest.status == OPEN)).execute() == 1


def _message(kind, request, suffix="", **details):
    key = f"{kind}:{request.id}" + (f":{suffix}" if suffix else "")
    outbox.add(kind, key, data_request_id=request.id, customer_id=request.customer_id,
               **details)


def _finish(request, outcome, user, now, log, action, acted=False, export=False):
    """Close as done with `outcome`, tell the person; False when it was closed already.
    `acted`: the step of the request's kind was taken (True, or the names of the fields
    a correction changed), an ACTED event before the COMPLETED one."""
    with db.atomic():
        if not _close(request, DONE, outcome, user, now):
            return False
        if acted:
            _event(request, ACTED, user, acted if isinstance(acted, str) else "", now)
        _event(request, COMPLETED, user, outcome, now)
        # `acted`: the step itself was taken (the copy sent, the data corrected or
        # restricted), which the e-mail says in so many words.
        _message(outbox.DATA_REQUEST_DONE, request, export=export, acted=bool(acted))
        _log(log, action, request)
    return True


def complete(request, outcome, user, now=None, log=None):
    """Done: `outcome` (what was done, as the person is told it) is e-mailed to them.
    False when the request was closed already."""
    outcome = _text(outcome, "outcome_missing")
    return _finish(request, outcome, user, now, log, "request.close")


def refuse(request, reason, user, now=None, log=None):
    """Refused with `reason`, which is e-mailed to the person with their right to
    complain to the Data Protection Ombudsman. False when closed already."""
    reason = _text(reason, "reason_missing")
    with db.atomic():
        if not _close(request, REFUSED, reason, user, now):
            return False
        _event(request, REFUSAL, user, reason, now)
        _message(outbox.DATA_REQUEST_REFUSED, request)
        _log(log, "request.refuse", request)
    return True


def note(request, text, user, now=None):
    """A note in the request's history; the same note sent twice is kept once."""
    text = _text(text, "note_missing")
    last = (DataRequestEvent.select().where(DataRequestEvent.request == request)
            .order_by(DataRequestEvent.at.desc(), DataRequestEvent.id.desc()).first())
    if last and last.what == NOTED and last.note == text and last.user_id == getattr(
            user, "id", user):
        return last
    return _event(request, NOTED, user, text, now)


def extend(request, months, reason, user, now=None, log=None, seen=None):
    """Give `months` more to answer, with `reason` (e-mailed to the person with the new
    due date). `seen` is the extension the form was opened on (the request's, unless
    given): the same form sent twice extends once. The whole extension is at most
    EXTENSION_MAX_MONTHS. Returns the request as now stored."""
    reason = _text(reason, "reason_missing")
    base = request.extended_months if seen is None else seen
    if not isinstance(months, int) or months < 1:
        raise NotAllowed("months")
    total = base + months
    if total > EXTENSION_MAX_MONTHS:
        raise NotAllowed("too_long")
    due = due_for(request.received_at, total)
    with db.atomic():
        written = DataRequest.update(
            extended_months=total, due_at=due, extension_reason=reason,
        ).where((DataRequest.id == request.id) & (DataRequest.status == OPEN)
                & (DataRequest.extended_months == base)).execute()
        if not written:
            current = DataRequest.get_by_id(request.id)
            raise NotAllowed("closed" if not current.is_open else "extended")
        _event(request, EXTENDED, user, reason, now)
        _message(outbox.DATA_REQUEST_EXTENDED, request, suffix=str(total),
                 reason=reason, answer_by=due.isoformat(), months=total)
        _log(log, "request.extend", request, f"{total} months in all")
    return DataRequest.get_by_id(request.id)


def _needs(request, kinds, customer=True):
    if request.kind not in kinds:
        raise NotAllowed("kind")
    if customer and request.customer_id is None:
        raise NotAllowed("no_customer")
    if not request.is_open:
        raise NotAllowed("closed")


def send_export(request, user, outcome="", now=None, log=None):
    """Answer an access or portability request with the copy of the person's data: the
    e-mail telling them it is done carries the export (written when it is sent).
    False when the request was closed already."""
    _needs(request, EXPORTED)
    outcome = (outcome or "").strip()[:TEXT_MAX]
    return _finish(request, outcome, user, now, log, "request.export", acted=True,
                   export=True)


def restrict(request, user, outcome="", now=None, log=None):
    """Carry out a restriction request: the customer's data is only stored from now
    on (Customer.restricted_at). False when the request was closed already."""
    _needs(request, (RESTRICTION,))
    outcome = (outcome or "").strip()[:TEXT_MAX]
    with db.atomic():
        if not _finish(request, outcome, user, now, log, "request.restrict", acted=True):
            return False
        Customer.update(restricted_at=_now(now)).where(
            (Customer.id == request.customer_id) & Customer.restricted_at.is_null()
        ).execute()
    return True


def lift_restriction(customer, reason, user, now=None, log=None):
    """Let the customer's data be used again, for `reason` (noted in the history of
    the request that restricted it). False when it was not restricted."""
    reason = _text(reason, "reason_missing")
    with db.atomic():
        lifted = Customer.update(restricted_at=None).where(
            (Customer.id == customer.id) & Customer.restricted_at.is_null(False)
        ).execute()
        if not lifted:
            return False
        restricted_by = latest_restriction(customer)
        if restricted_by is not None:
            _event(restricted_by, LIFTED, user, reason, now)
        if log is not None:
            log("request.unrestrict", customer=customer.id, details=reason[:500])
    return True


def correct(request, details, language, seen, user, outcome="", now=None, log=None):
    """Carry out a correction request: write the corrected details through the
    register (ChangedMeanwhile when someone changed them since `seen`, DuplicateEmail
    when another customer has the address), then complete the request. Returns the
    customer and the names of the fields changed; NotAllowed("closed") when the
    request was closed already."""
    from models.people.register import update_customer

    _needs(request, (CORRECTION,))
    outcome = (outcome or "").strip()[:TEXT_MAX]
    with write_transaction():
        customer, changed = update_customer(request.customer_id, details, language, seen)
        changes = ", ".join(changed) or "nothing"
        if log is not None:
            log("request.correct", customer=customer.id,
                details=f"{about(request)}: {changes}")
        if not _finish(request, outcome, user, now, None, "request.close",
                       acted=", ".join(changed) or True):
            raise NotAllowed("closed")
    return customer, changed
