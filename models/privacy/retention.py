"""The retention purge: personal data past its period is deleted, category by category,
as the declaration in `models/privacy/declaration.py` says.

Each rule is a plain function of `now` that deletes (or, in a dry run, counts) what its
category no longer keeps. Each deletes by condition inside one write transaction, so a
purge run twice, or two at once, deletes everything once and counts it once. Rows that
point at what is deleted go first (e-mail records, notes), so every foreign key holds;
audit entries keep what was done, the database clears their link.

Staff accounts are not purged: the owner disables or removes an account when the
employment ends.
"""

import calendar
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time

from peewee import SQL, fn

from engines.clock import HELSINKI, naive_utc
from models import db, is_sqlite, write_transaction
from models.booking.bookings import Booking
from models.messages.outbox import OutboxMessage
from models.money.vouchers import Invoice, InvoicePayment, Sale
from models.people.contact_requests import ContactRequest
from models.people.customers import Customer
from models.people.notes import CustomerNote
from models.privacy import periods
from models.privacy.audit import AuditEntry
from models.privacy.consents import Consent, CookieChoice
from models.privacy.data_requests import DataRequest
from models.privacy.declaration import (
    AUDIT,
    BOOKING,
    CONSENT,
    CONTACT,
    CONTACT_REQUEST,
    DATA_REQUEST,
    EMAIL,
    INVOICING,
    MESSAGE,
    NOTE,
    STAFF,
    Category,
)
from models.privacy.my_data import AccessLink
from models.schema import AUDIT_MONTHS

# Any constant: the key of PostgreSQL's lock that lets one purge at a time into a
# category, so that two at once never lock the same rows in different orders.
PURGE_LOCK = 5_310_422


def months_before(moment, months):
    """The same time `months` calendar months earlier; the 31st becomes the month's last
    day (as PostgreSQL's intervals count)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def cutoff(category, now):
    """What is older than this is past the category's period at `now` (naive UTC), as
    the declaration or the owner set it."""
    return months_before(naive_utc(now), periods.months(category))


@contextmanager
def _purge_transaction():
    with write_transaction():
        if not is_sqlite():
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (PURGE_LOCK,))
        yield


def _delete(steps, dry_run):
    """Delete (or count) each (what, model, condition) in order, in one transaction;
    how many of each."""
    with _purge_transaction():
        return {
            what: (model.select().where(condition).count() if dry_run
                   else model.delete().where(condition).execute())
            for what, model, condition in steps
        }


def _bookings_past(now):
    return Booking.starts_at < cutoff(BOOKING, now)


def _requests_past(now):
    """Closed longer ago than the period; open ones are kept however old."""
    return ContactRequest.closed_at < cutoff(CONTACT_REQUEST, now)


def _mail_about(column, model, past):
    """E-mail records about a row of `model` that is past its period (never NULL, so
    that its negation holds for messages about nothing)."""
    return column.is_null(False) & column.in_(model.select(model.id).where(past))


def purge_bookings(now, dry_run=False):
    """Bookings whose appointment was longer ago than the period, with their messages,
    internal notes and the record of the e-mail about them."""
    past = _bookings_past(now)
    return _delete((
        ("e-mail records", OutboxMessage, _mail_about(OutboxMessage.booking_id, Booking, past)),
        ("bookings", Booking, past),
    ), dry_run)


def purge_customers(now, dry_run=False):
    """Customers added longer ago than the period with no booking since (none, or their
    last one longer ago), and their notes. A booking the booking rule still keeps keeps
    its customer too."""
    since = min(cutoff(CONTACT, now), cutoff(BOOKING, now))
    active = Booking.select(Booking.customer).where(Booking.starts_at >= since)
    past = (Customer.created_at < cutoff(CONTACT, now)) & Customer.id.not_in(active)
    return _delete((
        ("notes", CustomerNote,
         CustomerNote.customer.in_(Customer.select(Customer.id).where(past))),
        ("customers", Customer, past),
    ), dry_run)


def purge_contact_requests(now, dry_run=False):
    """Contact requests closed longer ago than the period, and the record of the e-mail
    about them."""
    past = _requests_past(now)
    return _delete((
        ("e-mail records", OutboxMessage,
         _mail_about(OutboxMessage.contact_request_id, ContactRequest, past)),
        ("contact requests", ContactRequest, past),
    ), dry_run)


def purge_sent_mail(now, dry_run=False):
    """The record of e-mail sent, or given up, longer ago than the period. Messages still
    waiting to be sent are kept. Those about a booking or request past its period are
    counted with it (a dry run, which deletes neither, would count them twice)."""
    before = cutoff(EMAIL, now)
    past = ((OutboxMessage.sent_at < before) | (OutboxMessage.failed_at < before)) & ~(
        _mail_about(OutboxMessage.booking_id, Booking, _bookings_past(now))
        | _mail_about(OutboxMessage.contact_request_id, ContactRequest, _requests_past(now))
        | _mail_about(OutboxMessage.data_request_id, DataRequest,
                      DataRequest.closed_at < cutoff(DATA_REQUEST, now)))
    return _delete((("e-mail records", OutboxMessage, past),), dry_run)


def _old_enough_for_the_database():
    """The database's own rule (migration 0002): entries younger than AUDIT_MONTHS by
    its clock cannot be deleted. Asking only for what it allows means a clock ahead of
    the database's, or a longer period, never makes the purge fail."""
    if is_sqlite():
        return AuditEntry.at <= fn.datetime("now", f"-{AUDIT_MONTHS} months")
    return AuditEntry.at <= SQL(
        f"(now() AT TIME ZONE 'UTC') - interval '{AUDIT_MONTHS} months'")


def purge_audit_log(now, dry_run=False):
    """Audit entries written longer ago than the period, and the record of "my data"
    links made as long ago."""
    return _delete((
        ("audit entries", AuditEntry,
         (AuditEntry.at < cutoff(AUDIT, now)) & _old_enough_for_the_database()),
        ("my data links", AccessLink, AccessLink.created_at < cutoff(AUDIT, now)),
    ), dry_run)


def purge_data_requests(now, dry_run=False):
    """Requests about people's data closed longer ago than the period, with their
    history; open ones are kept however old."""
    past = DataRequest.closed_at < cutoff(DATA_REQUEST, now)
    return _delete((
        ("e-mail records", OutboxMessage,
         _mail_about(OutboxMessage.data_request_id, DataRequest, past)),
        ("requests", DataRequest, past),
    ), dry_run)


def purge_consents(now, dry_run=False):
    """Consents withdrawn longer ago than the period, and cookie-banner answers given
    as long ago (a newer answer of the same visitor is kept)."""
    before = cutoff(CONSENT, now)
    return _delete((
        ("consents", Consent, Consent.withdrawn_at < before),
        ("cookie choices", CookieChoice, CookieChoice.at < before),
    ), dry_run)


def _first_day_kept(now):
    """Receipts and invoices dated before this day are past the Accounting Act's hold,
    which keeps them to the end of the sixth year after their financial year (the
    calendar year) ended."""
    today = now.astimezone(HELSINKI).date()
    return date(today.year - INVOICING.legal_hold.years, 1, 1)


def purge_vouchers(now, dry_run=False):
    """Receipts, invoices and credit notes (and the payments of invoices) whose legal
    hold has ended; a credit note goes before the invoice it put right."""
    first_kept = _first_day_kept(now)
    moment = naive_utc(datetime.combine(first_kept, time(), HELSINKI))
    past_invoice = ((Invoice.issue_date < first_kept)
                    | (Invoice.issue_date.is_null() & (Invoice.created_at < moment)))
    kept_credit_notes = Invoice.select(Invoice.credits).where(
        Invoice.credits.is_null(False) & ~past_invoice)
    return _delete((
        ("receipts", Sale, Sale.made_at < moment),
        ("payments", InvoicePayment, InvoicePayment.invoice.in_(
            Invoice.select(Invoice.id).where(past_invoice))),
        ("credit notes", Invoice, past_invoice & Invoice.credits.is_null(False)),
        ("invoices", Invoice, past_invoice & Invoice.credits.is_null()
         & Invoice.id.not_in(kept_credit_notes)),
    ), dry_run)


@dataclass(frozen=True)
class Rule:
    """One category's purge; `with_it` are the categories whose data goes with it."""

    category: Category
    purge: Callable
    with_it: tuple = ()


# In this order: what points at a booking or a customer goes before it.
RULES = (
    Rule(BOOKING, purge_bookings, (MESSAGE,)),
    Rule(CONTACT, purge_customers, (NOTE,)),
    Rule(CONTACT_REQUEST, purge_contact_requests),
    Rule(EMAIL, purge_sent_mail),
    Rule(AUDIT, purge_audit_log),
    Rule(DATA_REQUEST, purge_data_requests),
    Rule(CONSENT, purge_consents),
    Rule(INVOICING, purge_vouchers),
)
# Categories no rule purges.
NOT_PURGED = (STAFF,)


def purge(now, dry_run=False):
    """Delete everything past its period at `now` (an aware datetime), or with
    `dry_run` only count it; how many of what, per category key."""
    return {rule.category.key: rule.purge(now, dry_run) for rule in RULES}


def summary(counts):
    """What a purge did, in a line ("" when nothing)."""
    done = {key: ", ".join(f"{what} {number}" for what, number in numbers.items() if number)
            for key, numbers in counts.items()}
    return "; ".join(f"{key}: {what}" for key, what in done.items() if what)
