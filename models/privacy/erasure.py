"""Erasing a person's data at their request (GDPR Art 17).

`plan` says first, as data a page can show, what the erasure of one customer will do:
what is deleted, what is anonymised, and what a law makes the business keep, until
when. `erase` then does it in one write transaction and queues the person's e-mail of
the outcome.

What belongs to the person is found by their customer record and their e-mail address.
Every part is deleted by its condition inside the transaction, so a booking added
while staff read the plan goes too, and a second erasure finds nothing. Their requests
about their data are kept, without their details, as the proof that the request was
handled; audit entries are kept without their link to the person (they never hold the
data itself). A record of a category the declaration says a law holds
(`Category.legal_hold`) stays until its hold ends; it must be able to outlive its
customer (its link to the customer is cleared, never a reason to keep the customer).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from peewee import BigIntegerField, DateTimeField, IntegerField, TextField, fn

from engines.clock import HELSINKI, local, naive_utc
from models import BaseModel, db, is_sqlite, write_transaction
from models.booking.bookings import Booking
from models.booking.generation import calendar_changed
from models.business.catalogue import Service
from models.messages import outbox
from models.messages.outbox import DATA_ERASED, OutboxMessage, saved_copies
from models.people.contact_requests import ContactRequest
from models.people.customers import Customer
from models.people.notes import CustomerNote
from models.privacy.audit import AuditEntry, record
from models.privacy.consents import Consent
from models.privacy.data_requests import (
    COMPLETED,
    DONE,
    ERASURE,
    OPEN,
    DataRequest,
    DataRequestEvent,
)
from models.privacy.declaration import PersonalData
from models.privacy.my_data import AccessLink
from models.privacy.person import Person


class NotAllowed(ValueError):
    """An erasure the request does not allow; `code` says why: "kind" (not an erasure
    request), "no_customer" or "closed" (carried out or refused already)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Part:
    """One kind of record deleted with the person: `rows` picks theirs, `dated_by`
    names the date a legal hold counts from."""

    name: str
    model: type
    rows: Callable
    dated_by: str

    @property
    def hold(self):
        """The law that keeps this kind of record, from the declaration, or None."""
        return next((category.legal_hold for category in
                     self.model.personal_data.fields.values() if category.legal_hold), None)


# In the order they are deleted: what points at a booking or the customer goes first.
PARTS = (
    # (the outcome of this erasure excepted: its address is forgotten once it is sent)
    Part("email_records", OutboxMessage,
         lambda person: person.mail() & (OutboxMessage.kind != DATA_ERASED), "created_at"),
    Part("notes", CustomerNote, lambda person: CustomerNote.customer == person.customer_id,
         "created_at"),
    Part("consents", Consent, lambda person: Consent.customer == person.customer_id,
         "given_at"),
    Part("my_data_links", AccessLink, lambda person: AccessLink.customer == person.customer_id,
         "created_at"),
    Part("contact_requests", ContactRequest, Person.contact_requests, "created_at"),
    Part("bookings", Booking, Person.bookings, "starts_at"),
    Part("customer", Customer, lambda person: Customer.id == person.customer_id, "created_at"),
)
PART = {part.name: part for part in PARTS}
# The order a person reads them in.
SHOWN = ("customer", "bookings", "notes", "contact_requests", "consents", "my_data_links",
         "email_records")
# Each kind of record in the words of the audit log: one, many.
WORDS = {
    "email_records": ("e-mail record", "e-mail records"),
    "notes": ("note", "notes"),
    "consents": ("consent", "consents"),
    "my_data_links": ("my-data link", "my-data links"),
    "contact_requests": ("contact request", "contact requests"),
    "bookings": ("booking", "bookings"),
    "customer": ("customer record", "customer records"),
    "saved_copies": ("saved e-mail file", "saved e-mail files"),
    "data_requests": ("data request", "data requests"),
    "audit_entries": ("audit entry", "audit entries"),
}


def counted(name, count):
    """3 bookings, 1 note"""
    return f"{count} {WORDS[name][count != 1]}"


@dataclass(frozen=True)
class Held:
    """Records of one kind a law keeps: how many, under which hold, each until when."""

    part: str
    hold: object  # models.privacy.declaration.LegalHold
    until: tuple  # (record id, the last day it is kept), the latest last

    @property
    def count(self):
        return len(self.until)

    @property
    def last_day(self):
        return self.until[-1][1]


@dataclass(frozen=True)
class BookingLine:
    starts_at: object  # aware, in Helsinki
    service: Service
    status: str


@dataclass
class Plan:
    customer: Customer
    deleted: dict  # part name → how many, in SHOWN order
    bookings: list  # BookingLine of each booking deleted, the earliest first
    saved_copies: list  # Paths of saved copies of the e-mail records deleted
    anonymised: dict  # "data_requests", "audit_entries" → how many kept without the person
    held: list  # Held, one per kind of record kept

    @property
    def deleted_count(self):
        return sum(self.deleted.values()) + len(self.saved_copies)

    def summary(self):
        """What the erasure does, in counts only (never the data): for the audit log
        and the request's outcome."""
        counts = {**self.deleted, "saved_copies": len(self.saved_copies)}
        deleted = [counted(name, count) for name, count in counts.items() if count]
        words = f"{', '.join(deleted) or 'nothing'} deleted"
        anonymised = [counted(name, count) for name, count in self.anonymised.items()
                      if count]
        if anonymised:
            words += f"; {', '.join(anonymised)} anonymised"
        if self.held:
            words += "; kept under a legal hold: " + ", ".join(
                f"{counted(held.part, held.count)} until {held.last_day.isoformat()}"
                for held in self.held)
        return words


def _today(now):
    return now.astimezone(HELSINKI).date()


def _held(part, person, now):
    """The person's records of `part` a law still keeps at `now`, or None."""
    hold = part.hold
    if hold is None:
        return None
    dated = getattr(part.model, part.dated_by)
    kept = sorted(
        ((row_id, hold.until(local(moment).date()))
         for row_id, moment in part.model.select(part.model.id, dated)
         .where(part.rows(person)).tuples()),
        key=lambda pair: (pair[1], pair[0]))
    kept = tuple(pair for pair in kept if pair[1] >= _today(now))
    return Held(part.name, hold, kept) if kept else None


def _not_held(part, person, held):
    condition = part.rows(person)
    if held is not None:
        condition &= part.model.id.not_in([row_id for row_id, _ in held.until])
    return condition


def _mail_keys(person):
    return list(OutboxMessage.select(OutboxMessage.key)
                .where(PART["email_records"].rows(person)).scalars())


def _measure(person, now, mail_folder):
    held = {part.name: _held(part, person, now) for part in PARTS}
    deleted = {name: PART[name].model.select().where(
        _not_held(PART[name], person, held[name])).count() for name in SHOWN}
    anonymised = {
        "data_requests": DataRequest.select().where(person.data_requests()).count(),
        "audit_entries": AuditEntry.select().where(person.audit_entries()).count(),
    }
    return held, deleted, anonymised, saved_copies(mail_folder, _mail_keys(person))


def plan(customer, now, mail_folder=None):
    """What erasing `customer` at `now` (aware) will do. `mail_folder` is where the
    file delivery saves copies of the e-mail sent (None: nowhere)."""
    person = Person.of(customer)
    held, deleted, anonymised, copies = _measure(person, now, mail_folder)
    booking_rows = (Booking.select(Booking.starts_at, Booking.status, Service)
                    .join(Service)
                    .where(_not_held(PART["bookings"], person, held["bookings"]))
                    .order_by(Booking.starts_at, Booking.id))
    bookings = [BookingLine(row.start, row.service, row.status) for row in booking_rows]
    return Plan(customer, deleted, bookings, copies, anonymised,
                [each for each in held.values() if each is not None])


@dataclass(frozen=True)
class Erasure:
    """What an erasure did, and whether the person is told by e-mail."""

    plan: Plan
    told_by_email: bool


def _check(request):
    if request.kind != ERASURE:
        raise NotAllowed("kind")
    if request.customer_id is None:
        raise NotAllowed("no_customer")
    if request.status != OPEN:
        raise NotAllowed("closed")


def erase(customer, request, user, now, ip="", mail_folder=None):
    """Carry out the erasure request `request` of `customer` at `now` (aware), as
    `user`, in one write transaction; then delete the saved copies of the person's
    e-mail. NotAllowed when the request is not an open erasure request (e.g. carried
    out already: nothing is done twice)."""
    _check(request)
    moment = naive_utc(now)
    person = Person.of(customer)
    with write_transaction():
        if not is_sqlite():
            # Nobody adds a booking for the person between its deletion and theirs.
            list(Customer.select(Customer.id).where(Customer.id == customer.id).for_update())
        if not DataRequest.update(status=DONE, closed_at=moment, closed_by=user).where(
                (DataRequest.id == request.id) & (DataRequest.status == OPEN)).execute():
            raise NotAllowed("closed")
        held, deleted, anonymised, copies = _measure(person, now, mail_folder)
        done = Plan(customer, deleted, [], copies, anonymised,
                    [each for each in held.values() if each is not None])
        # The e-mail records first: they are found through the requests (whose
        # details are cleared next) and the bookings.
        mail, *rest = PARTS
        _delete(mail, person, held)
        _anonymise(person, request, moment)
        for part in rest:
            _delete(part, person, held)
        summary = done.summary()
        DataRequest.update(outcome=summary).where(DataRequest.id == request.id).execute()
        DataRequestEvent.create(request=request.id, at=moment, user=user, what=COMPLETED,
                                note=summary)
        record("request.erase", user=user, details=f"data request #{request.id}: {summary}",
               ip=ip)
        told = _queue_outcome(request, customer, done)
    for path in copies:
        path.unlink(missing_ok=True)
    overwrite_freed_pages()
    return Erasure(done, told)


def overwrite_freed_pages():
    """On SQLite, move the write-ahead log into the database file and empty it: the
    log still holds the pages as they were before a deletion, the file holds them
    zeroed (secure_delete). On PostgreSQL see `rewrite_erased_tables`."""
    if is_sqlite():
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# The tables an erasure deletes from or clears. PostgreSQL leaves the old versions of
# their rows readable in the table and index files (its VACUUM only marks the space
# free) until a table is rewritten.
ERASED_FROM = (*(part.model for part in PARTS), DataRequest, DataRequestEvent, AuditEntry)
# Helsinki hours in which the rewrite's short lock on these tables (a second or so for
# a small business) holds up nobody.
NIGHT = range(2, 5)
# An erasure written just before a rewrite began may commit after its table was
# rewritten: the next rewrite covers it again.
OVERLAP = timedelta(minutes=10)


class TableRewrite(BaseModel):
    """One night's rewrite of the tables erasures had touched."""

    at = DateTimeField()  # the erasures before this are covered
    erasures = IntegerField()
    tables = TextField()
    bytes_before = BigIntegerField()
    bytes_after = BigIntegerField()

    personal_data = PersonalData({}, not_personal=("id", "at", "erasures", "tables",
                                                   "bytes_before", "bytes_after"))


def rewrite_erased_tables(now):
    """On PostgreSQL, at night, rewrite (VACUUM FULL) the tables erasures touched since
    the last rewrite, once every outcome e-mail has been sent or given up (until then
    its row holds the address). What was done, in words; "" for nothing."""
    if is_sqlite() or now.astimezone(HELSINKI).hour not in NIGHT:
        return ""
    erased = AuditEntry.action == "request.erase"
    last = TableRewrite.select(fn.MAX(TableRewrite.at)).scalar()
    if last is not None:
        erased &= AuditEntry.at >= last
    erasures = AuditEntry.select().where(erased).count()
    if not erasures:
        return ""
    if OutboxMessage.select().where(
            (OutboxMessage.kind == DATA_ERASED) & OutboxMessage.sent_at.is_null()
            & OutboxMessage.failed_at.is_null()).exists():
        return "waiting for an erasure's outcome e-mail to be sent"
    tables = [model._meta.table_name for model in ERASED_FROM]
    before = _bytes_on_disk(tables)
    for table in tables:  # each on its own: VACUUM cannot run inside a transaction
        db.execute_sql(f'VACUUM FULL "{table}"')
    after = _bytes_on_disk(tables)
    TableRewrite.create(at=naive_utc(now - OVERLAP), erasures=erasures, tables=" ".join(tables),
                        bytes_before=before, bytes_after=after)
    return (f"{len(tables)} tables rewritten after {erasures} erasure(s): "
            f"{before} bytes before, {after} after")


def _bytes_on_disk(tables):
    """The size of the tables' files, their indexes and TOAST included."""
    return sum(db.execute_sql("SELECT pg_total_relation_size(%s::regclass)",
                              (f'"{table}"',)).fetchone()[0] for table in tables)


def _delete(part, person, held):
    deleted = part.model.delete().where(_not_held(part, person, held[part.name])).execute()
    if deleted and part.model is Booking:  # their times are free again
        calendar_changed()


def _anonymise(person, request, moment):
    """Clear the person's details from their requests about their data and the link
    from audit entries to them; the rows stay."""
    requests = DataRequest.select(DataRequest.id).where(
        person.data_requests() | (DataRequest.id == request.id))
    DataRequestEvent.update(note="").where(DataRequestEvent.request.in_(requests)).execute()
    DataRequest.update(
        customer=None, name="", email="", phone="", identity_check="", details="",
        outcome="", extension_reason="", anonymised_at=moment,
    ).where(DataRequest.id.in_(list(requests.scalars()))).execute()
    AuditEntry.update(customer=None, booking=None).where(person.audit_entries()).execute()


def _queue_outcome(request, customer, done):
    """Queue the person's e-mail of what was done. Its address lives only in the
    message's details, which are cleared once it is sent. False without an address."""
    address = customer.email or request.email
    if not address:
        return False
    outbox.add(
        DATA_ERASED, f"{DATA_ERASED}:{request.id}", data_request_id=request.id,
        to=address, language=request.language or customer.language or "fi",
        # As pairs: the details are stored with their keys sorted, lists keep order.
        deleted=[[name, count] for name, count in
                 (*done.deleted.items(), ("saved_copies", len(done.saved_copies))) if count],
        held=[{"part": held.part, "count": held.count, "hold": held.hold.key,
               "until": held.last_day.isoformat()} for held in done.held],
    )
    return True
