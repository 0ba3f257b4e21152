"""The customer register as staff use it: search, paging, sorting, corrections without
a lost edit, the one-customer-per-e-mail rule, and merging two records of one person."""

import hashlib
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import reduce
from operator import and_, or_

from peewee import JOIN, OP, Expression, IntegrityError, Ordering, fn

from engines.clock import local, utc_now
from models import db, is_sqlite
from models.accounts.users import User
from models.booking.bookings import ARRIVED, CANCELLED, COMPLETED, CONFIRMED, Booking
from models.business.catalogue import Service, StaffMember
from models.money.vouchers import Invoice, Sale
from models.paging import Page, page_from
from models.people.contact_requests import ContactRequest
from models.people.customers import Customer, CustomerDetails, refuse_if_restricted
from models.people.notes import CustomerNote
from models.privacy.audit import AuditEntry
from models.privacy.consents import Consent
from models.privacy.data_requests import DataRequest
from models.privacy.my_data import AccessLink
from models.written import run_written

PAGE_SIZE = 50
BY_NAME = "name"
BY_LAST_VISIT = "last_visit"
SORTS = (BY_NAME, BY_LAST_VISIT)
QUERY_MAX = 100
QUERY_WORDS = 5
# A search as one types, to choose a customer, lists this many.
SEARCH_LIMIT = 10
# A booking that did not take place because it was cancelled is not a visit.
NOT_A_VISIT = (CANCELLED,)
CONTACT_FIELDS = tuple(f.name for f in fields(CustomerDetails))
# Typed like a phone number: digits, with the spaces, dashes, brackets and plus that
# people write numbers with.
PHONE_LIKE = re.compile(r"\+?[\d\s()-]*\d[\d\s()-]*")
# What a merge moves from the removed record to the kept one (receipts and invoices
# too: their buyer's details are written on them and stay as they are; only the link to
# the person's record moves). The audit log is not
# moved: the database keeps its entries as written (their link to the removed record
# is cleared when it is deleted, and the merge's own entry names the removed id).
MOVED_BY_A_MERGE = (Booking.customer, CustomerNote.customer, ContactRequest.customer,
                    DataRequest.customer, Consent.customer, AccessLink.customer,
                    Sale.customer, Invoice.customer)
KEPT_AS_WRITTEN = (AuditEntry.customer,)


class DuplicateEmail(Exception):
    """Another customer in the register has this e-mail address."""

    def __init__(self, existing):
        super().__init__(existing.id)
        self.existing = existing


class ChangedMeanwhile(Exception):
    """The customer was changed by someone else after the form was opened."""

    def __init__(self, current):
        super().__init__(current.id)
        self.current = current


# Search ---------------------------------------------------------------------------


def national_digits(text):
    """The digits of a phone number as they appear in its E.164 form: 040 123 → 40123
    (the trunk zero dropped), 00358 40 → 35840 (the international prefix dropped)."""
    digits = re.sub(r"\D", "", text)
    return digits.lstrip("0") or digits


def _spellings(word):
    """Ways a word may be written in the register. SQLite compares only ASCII letters
    without case, so "äijälä" must also be looked for as "Äijälä" and "ÄIJÄLÄ"."""
    if word.isascii():
        return {word.lower()}
    return {word, word.lower(), word.upper(), word.capitalize()}


def _contains(column, text):
    """`column` holds `text`, in any case. PostgreSQL's ILIKE is several times slower
    than LIKE on the lower-cased value, which is what it gets."""
    if is_sqlite():
        return column.contains(text)
    escaped = re.sub(r"([\\%_])", r"\\\1", text.lower())
    return Expression(fn.LOWER(column), OP.LIKE, f"%{escaped}%")


def _word_matches(word):
    spellings = _spellings(word) if is_sqlite() else {word}  # PostgreSQL lower-cases all
    found = [_contains(Customer.name, spelling) for spelling in spellings]
    found.append(_contains(Customer.email, word))
    if PHONE_LIKE.fullmatch(word):
        found.append(_contains(Customer.phone, national_digits(word)))
    return reduce(or_, found)


def matching(text):
    """The condition for customers that `text` finds (every word in the name, e-mail
    or phone, in any case; a number as typed or in E.164), or None for everything."""
    text = tidy_query(text)
    if not text:
        return None
    if PHONE_LIKE.fullmatch(text):  # a number with spaces is one number, not words
        return _word_matches(text)
    return reduce(and_, (_word_matches(word) for word in text.split()[:QUERY_WORDS]))


def tidy_query(text):
    """A search as typed, with its spaces tidied and cut to the longest one searched."""
    return " ".join((text or "").split())[:QUERY_MAX]


@dataclass(frozen=True)
class Found:
    """The first customers, by name, that a search of the register finds."""

    query: str  # as tidied
    customers: list
    more: bool  # more were found than are listed


def find_customers(text, limit=SEARCH_LIMIT):
    """The first `limit` customers, by name, that the register's search finds for
    `text` (none for an empty search)."""
    query = tidy_query(text)
    condition = matching(query)
    if condition is None:
        return Found(query, [], more=False)
    rows = list(Customer.select().where(condition).order_by(Customer.name, Customer.id)
                .limit(limit + 1))
    return Found(query, rows[:limit], more=len(rows) > limit)


def last_visit(now):
    """The start of the customer's latest past booking that was not cancelled, as an
    expression of the row it is selected with (derived, never stored)."""
    past = Booking.alias("past")
    return (
        past.select(fn.MAX(past.starts_at))
        .where((past.customer == Customer.id) & past.status.not_in(NOT_A_VISIT)
               & (past.starts_at < now))
    )


@dataclass(frozen=True)
class RegisterListing:
    """The register found and sorted as asked, and the page of it shown."""

    query: str
    sort: str
    page: Page

    @property
    def customers(self):
        return self.page.items

    @property
    def total(self):
        return self.page.total


def register_page(query="", sort=BY_NAME, number=1, now=None, size=PAGE_SIZE):
    """A page of customers, each with `last_visit`, and how many were found.

    One query for the page; a second counts the customers found only when they do not
    fit on it. The page's ids are chosen first, so the last visit is looked up for its
    rows alone, and for every customer only when sorting by it."""
    sort = sort if sort in SORTS else BY_NAME
    condition = matching(query)
    visit = last_visit(now or utc_now())
    order = [Customer.name, Customer.id]
    if sort == BY_LAST_VISIT:
        order.insert(0, Ordering(visit, "DESC", nulls="LAST"))
    found = Customer.select(Customer.id)
    if condition is not None:
        found = found.where(condition)
    page_ids = found.order_by(*order).limit(size + 1).offset((number - 1) * size)
    rows = list(Customer.select(Customer, visit.alias("last_visit"))
                .where(Customer.id.in_(page_ids)).order_by(*order))
    page = page_from(rows, number, size, found.count)
    for customer in page.items:
        customer.last_visit = _in_helsinki(customer.last_visit)
    return RegisterListing(tidy_query(query), sort, page)


def _in_helsinki(value):
    """A MAX() over a datetime column (which SQLite hands back as text) as an aware
    time in Helsinki, like Booking.start."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else Booking.starts_at.python_value(value)
    return local(moment)


# One customer ---------------------------------------------------------------------


NAME_LANGUAGES = {"fi": 0, "sv": 1, "en": 2}  # the order of ServiceNames.names
VISITED = (COMPLETED, ARRIVED)  # a booking that took place


@dataclass(frozen=True, slots=True)
class ServiceNames:
    """A service as a customer's list of bookings shows it: its name in each language."""

    id: int
    names: tuple  # fi, sv, en

    def name(self, language):
        return self.names[NAME_LANGUAGES.get(language, 0)] or self.names[0]


@dataclass(frozen=True, slots=True)
class StaffName:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CustomerBooking:
    """A booking in a customer's list: only the columns shown, as plain values (a
    regular's hundreds of bookings as whole model objects cost more than the page)."""

    id: int
    starts_at: datetime  # naive UTC
    status: str
    service: ServiceNames
    staff: StaffName

    @property
    def start(self):
        return local(self.starts_at)

    @property
    def service_id(self):
        return self.service.id

    @property
    def staff_id(self):
        return self.staff.id


def _customer_bookings_query(customer_id):
    return (
        Booking.select(Booking.id, Booking.starts_at, Booking.status, Service.id,
                       Service.name_fi, Service.name_sv, Service.name_en, StaffMember.id,
                       StaffMember.name)
        .join_from(Booking, Service)
        .join_from(Booking, StaffMember)
        .where(Booking.customer == customer_id)
        .order_by(Booking.starts_at.desc(), Booking.id.desc())
    )


def customer_bookings(customer):
    """All of a customer's bookings, past and coming, the newest first, as
    CustomerBookings (in one query, its SQL written once)."""
    customer_id = customer if isinstance(customer, int) else customer.id
    rows = run_written(("customer bookings",), lambda: _customer_bookings_query(customer_id),
                       [customer_id], (None, Booking.starts_at, *(None,) * 7))
    services, staff = {}, {}
    return [
        CustomerBooking(
            row[0], row[1], row[2],
            services.setdefault(row[3], ServiceNames(row[3], row[4:7])),
            staff.setdefault(row[7], StaffName(row[7], row[8])),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Glance:
    """A customer at a glance: the last visit, how many visits, the next booking."""

    last_visit: CustomerBooking | None
    visits: int
    next_booking: CustomerBooking | None


def at_a_glance(bookings, now):
    """The Glance of a customer's bookings (newest first, as customer_bookings lists
    them) at the aware moment `now`."""
    visits = [booking for booking in bookings if booking.status in VISITED]
    coming = (booking for booking in reversed(bookings)
              if booking.status == CONFIRMED and booking.start >= now)
    return Glance(visits[0] if visits else None, len(visits), next(coming, None))


def customer_notes(customer):
    """The notes of a customer, the newest first, with their authors."""
    return list(
        CustomerNote.select(CustomerNote, User)
        .join(User, JOIN.LEFT_OUTER)
        .where(CustomerNote.customer == customer)
        .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc())
    )


def add_note(customer, author, text, confidential=False):
    """A note from a customer meeting; NotAllowed("restricted") while the customer's
    data is restricted."""
    with db.atomic():
        refuse_if_restricted(customer)
        return CustomerNote.create(customer=customer, author=author, text=text.strip(),
                                   confidential=confidential)


def fingerprint(customer):
    """A short digest of the contact details as stored: it changes whenever anyone
    changes them, so an edit form can tell that it was opened on an older version."""
    values = "\x1f".join(str(getattr(customer, name) or "") for name in
                         (*CONTACT_FIELDS, "language"))
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def _stored(details, language):
    values = {name: getattr(details, name) for name in CONTACT_FIELDS}
    values["email"] = values["email"] or None  # many customers without one, one each with
    values["language"] = language
    return values


def customer_with_email(email, other_than=None):
    """The customer who has this (normalised) e-mail address, other than the one with
    the id `other_than`, or None."""
    if not email:
        return None
    found = Customer.select().where(Customer.email == email)
    if other_than is not None:
        found = found.where(Customer.id != other_than)
    return found.first()


def _refuse_duplicate(email, customer_id=None):
    existing = customer_with_email(email, customer_id)
    if existing is not None:
        raise DuplicateEmail(existing)


def create_customer(details, language="fi"):
    """Add a customer to the register; DuplicateEmail if the address is taken."""
    _refuse_duplicate(details.email)
    try:
        with db.atomic():
            return Customer.create(**_stored(details, language))
    except IntegrityError:  # added at the same moment by someone else
        _refuse_duplicate(details.email)
        raise


def update_customer(customer_id, details, language, seen):
    """Correct a customer's details; return the customer and the names of the fields
    that changed. `seen` is the fingerprint of the version the form was opened on:
    ChangedMeanwhile when the stored one differs, DuplicateEmail when the address
    belongs to another customer, NotAllowed("restricted") while the customer's data is
    restricted (the write itself is conditional on it, so a restriction that comes in
    meanwhile stops it too)."""
    refuse_if_restricted(customer_id)
    current = Customer.get_by_id(customer_id)
    if fingerprint(current) != seen:
        raise ChangedMeanwhile(current)
    values = _stored(details, language)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if not changed:
        return current, []
    _refuse_duplicate(values["email"], customer_id)
    try:
        with db.atomic():
            written = (Customer.update({**values, "updated_at": utc_now()})
                       .where(Customer.id == customer_id, Customer.restricted_at.is_null(),
                              *_still_as(current)).execute())
    except IntegrityError:
        _refuse_duplicate(values["email"], customer_id)
        raise
    if not written:  # changed (or restricted) between the read and the write
        refuse_if_restricted(customer_id)
        raise ChangedMeanwhile(Customer.get_by_id(customer_id))
    return Customer.get_by_id(customer_id), changed


def _still_as(customer):
    """Conditions that a customer's row still holds the details `customer` was read
    with: an update on them writes nothing if anyone changed the row meanwhile."""
    return [
        getattr(Customer, name).is_null() if getattr(customer, name) is None
        else getattr(Customer, name) == getattr(customer, name)
        for name in (*CONTACT_FIELDS, "language")
    ]


# Merge ----------------------------------------------------------------------------


def likely_duplicates(customer, limit=10):
    """Other customers with the same name (in any case) or the same phone number."""
    same = fn.LOWER(Customer.name) == customer.name.lower()
    if customer.phone:
        same |= Customer.phone == customer.phone
    return list(Customer.select().where(same, Customer.id != customer.id)
                .order_by(Customer.name, Customer.id).limit(limit))


@dataclass
class MergePlan:
    """What merging `removed` into `kept` does: how many rows of each kind move, and
    which of the kept record's empty details are filled from the removed one."""

    kept: Customer
    removed: Customer
    moves: dict = field(default_factory=dict)
    filled: dict = field(default_factory=dict)


def merge_plan(kept, removed):
    moves = {
        column.model._meta.table_name: column.model.select()
        .where(column == removed.id).count()
        for column in MOVED_BY_A_MERGE
    }
    filled = {
        name: getattr(removed, name)
        for name in CONTACT_FIELDS
        if not getattr(kept, name) and getattr(removed, name)
    }
    return MergePlan(kept, removed, moves, filled)


def merge_customers(kept_id, removed_id):
    """Move everything of the removed customer to the kept one, fill the kept one's
    empty details from it and delete it, in one transaction; return the plan done.
    Customer.DoesNotExist when either is gone (e.g. merged by someone else),
    NotAllowed("restricted") when either's data is restricted (a merge changes both)."""
    if kept_id == removed_id:
        raise ValueError("a customer cannot be merged with itself")
    with db.atomic():
        kept, removed = _locked(kept_id, removed_id)
        refuse_if_restricted(kept, removed)
        plan = merge_plan(kept, removed)
        for column in MOVED_BY_A_MERGE:
            changes = {column: kept.id}
            if column.model is Booking:
                changes.update(version=Booking.version + 1, updated_at=utc_now())
            column.model.update(changes).where(column == removed.id).execute()
        Customer.delete_by_id(removed.id)  # before its e-mail may pass to the kept one
        if plan.filled:
            Customer.update({**plan.filled, "updated_at": utc_now()}).where(
                Customer.id == kept.id).execute()
        plan.kept = Customer.get_by_id(kept.id)
    return plan


def _locked(*ids):
    """These customers, locked against other writers until the transaction ends (on
    SQLite the transaction holds the write lock already). DoesNotExist if one is gone."""
    query = Customer.select().where(Customer.id.in_(ids)).order_by(Customer.id)
    if not is_sqlite():
        query = query.for_update()
    found = {customer.id: customer for customer in query}
    if len(found) < len(ids):
        raise Customer.DoesNotExist
    return [found[customer_id] for customer_id in ids]
