"""Reading the audit log: entries newest first, filtered by user, customer and days."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil

from peewee import JOIN

from engines.clock import HELSINKI, naive_utc
from models.accounts.users import User
from models.people.customers import Customer
from models.privacy.audit import AuditEntry

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show; the days are Helsinki days, both included."""

    user_id: int | None = None
    customer_id: int | None = None
    customer_name: str = ""
    first_day: date | None = None
    last_day: date | None = None

    def used(self):
        """The names of the filters in use (for the export's own entry: which
        filters, never the names searched for)."""
        return [name for name, value in (
            ("user", self.user_id), ("customer", self.customer_id),
            ("customer name", self.customer_name), ("from", self.first_day),
            ("until", self.last_day)) if value]


def _start_of(day):
    return naive_utc(datetime.combine(day, time(), HELSINKI))


def entries(chosen):
    """The entries `chosen` picks, newest first, with their user and customer."""
    query = (AuditEntry.select(AuditEntry, User, Customer)
             .join(User, JOIN.LEFT_OUTER)
             .switch(AuditEntry)
             .join(Customer, JOIN.LEFT_OUTER))
    if chosen.user_id is not None:
        query = query.where(AuditEntry.user == chosen.user_id)
    if chosen.customer_id is not None:
        query = query.where(AuditEntry.customer == chosen.customer_id)
    if chosen.customer_name:
        query = query.where(Customer.name.contains(chosen.customer_name))
    if chosen.first_day is not None:
        query = query.where(AuditEntry.at >= _start_of(chosen.first_day))
    if chosen.last_day is not None:
        query = query.where(AuditEntry.at < _start_of(chosen.last_day + timedelta(days=1)))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


@dataclass(frozen=True)
class Page:
    entries: list
    number: int
    pages: int
    total: int

    @property
    def previous(self):
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self):
        return self.number + 1 if self.number < self.pages else None


def page_of(chosen, number, size=PAGE_SIZE):
    """One page of the entries; a page number past the end gives the last page."""
    query = entries(chosen)
    total = query.count()
    pages = max(1, ceil(total / size))
    number = min(max(1, number), pages)
    return Page(list(query.paginate(number, size)), number, pages, total)
