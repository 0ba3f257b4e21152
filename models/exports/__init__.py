"""The owner's exports: every table a business wants in a spreadsheet or in another
program, row by row.

Each table is one entry of `TABLES`: its rows' query and its columns. A column says what
a person reads (a name, a date 24.11.2026, a price) or what a program reads (an id, an
ISO time, cents), or both; the spreadsheet formats come from its kind
(engines/spreadsheet.py). Rows are read in batches by id, so a table of any size is never
whole in memory, on SQLite and PostgreSQL alike. (A person's own copy of their data is
models/privacy/own_copy.py.)
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, fn

from engines.clock import local
from engines.spreadsheet import CODE, DATE, MOMENT, MONEY, NUMBER, TEXT, TIME
from models.accounts.users import User
from models.analytics.counts import DIMENSIONS, SMALLEST_SHOWN
from models.booking.bookings import Booking
from models.business.catalogue import Service, StaffMember
from models.money.vouchers import ISSUED, Invoice, InvoicePayment, InvoiceRow, Sale, SaleRow
from models.people.contact_requests import ContactRequest
from models.people.customers import Customer
from models.privacy.audit import AuditEntry

PEOPLE, PROGRAMS, BOTH = "people", "programs", "both"
BATCH = 2000


@dataclass(frozen=True)
class Column:
    key: str
    kind: str
    value: Callable
    audience: str = BOTH
    # The values are code words (a status), which the reader's language names.
    coded: bool = False

    def read_by(self, audience):
        return self.audience in (BOTH, audience)


@dataclass(frozen=True)
class ExportTable:
    name: str
    model: type
    query: Callable  # the table's rows, every related row it reads joined
    columns: tuple
    # Reads what a batch of rows needs beyond the joined rows (an invoice's rows), in a
    # few queries for the whole batch, and keeps it on the records.
    prepare: Callable | None = None

    def columns_for(self, audience):
        return tuple(column for column in self.columns if column.read_by(audience))

    def count(self):
        return self.query().count()

    def rows(self, audience):
        """The rows as tuples of the audience's columns, in batches by id."""
        columns = self.columns_for(audience)
        last = 0
        while True:
            batch = list(self.query().where(self.model.id > last)
                         .order_by(self.model.id).limit(BATCH).iterator())
            if self.prepare and batch:
                self.prepare(batch)
            for record in batch:
                yield tuple(column.value(record) for column in columns)
            if len(batch) < BATCH:
                return
            last = batch[-1].id


def _moment(name):
    def value(record):
        moment = getattr(record, name)
        return local(moment) if moment else None
    return value


def _field(name):
    return lambda record: getattr(record, name)


def _related(relation, name):
    """A field of a joined row (the customer's name on a booking), or None without one."""
    def value(record):
        if getattr(record, f"{relation}_id") is None:
            return None
        return getattr(getattr(record, relation), name)
    return value


def _customers():
    return Customer.select()


CUSTOMERS = ExportTable("customers", Customer, _customers, (
    Column("id", NUMBER, _field("id")),
    Column("name", TEXT, _field("name")),
    Column("email", TEXT, _field("email")),
    Column("phone", CODE, _field("phone")),
    Column("street", TEXT, _field("street")),
    Column("postal_code", CODE, _field("postal_code")),
    Column("town", TEXT, _field("town")),
    Column("language", TEXT, _field("language")),
    Column("created_at", MOMENT, _moment("created_at")),
    Column("updated_at", MOMENT, _moment("updated_at")),
    Column("restricted_at", MOMENT, _moment("restricted_at")),
))


def _bookings():
    return (Booking.select(Booking, Customer, Service, StaffMember)
            .join(Customer).switch(Booking).join(Service).switch(Booking).join(StaffMember))


def _minutes(booking):
    return int((booking.ends_at - booking.starts_at).total_seconds() // 60)


BOOKINGS = ExportTable("bookings", Booking, _bookings, (
    Column("id", NUMBER, _field("id")),
    Column("reference", CODE, _field("reference")),
    Column("customer_id", NUMBER, _field("customer_id")),
    Column("customer_name", TEXT, _related("customer", "name"), PEOPLE),
    Column("service_id", NUMBER, _field("service_id"), PROGRAMS),
    Column("service", TEXT, lambda booking: booking.service.name_fi),
    Column("staff_id", NUMBER, _field("staff_id"), PROGRAMS),
    Column("staff", TEXT, _related("staff", "name")),
    Column("date", DATE, lambda booking: local(booking.starts_at).date(), PEOPLE),
    Column("starts", TIME, lambda booking: local(booking.starts_at), PEOPLE),
    Column("ends", TIME, lambda booking: local(booking.ends_at), PEOPLE),
    Column("starts_at", MOMENT, _moment("starts_at"), PROGRAMS),
    Column("ends_at", MOMENT, _moment("ends_at"), PROGRAMS),
    Column("minutes", NUMBER, _minutes),
    Column("status", TEXT, _field("status"), coded=True),
    Column("source", TEXT, _field("source"), coded=True),
    Column("price_cents", MONEY, _field("price_cents")),
    Column("message", TEXT, _field("message")),
    Column("internal_note", TEXT, _field("internal_note")),
    Column("cancel_reason", TEXT, _field("cancel_reason")),
    Column("language", TEXT, _field("language")),
    Column("created_at", MOMENT, _moment("created_at")),
))


def _contact_requests():
    return (ContactRequest.select(ContactRequest, User)
            .join(User, JOIN.LEFT_OUTER, on=ContactRequest.answered_by == User.id))


CONTACT_REQUESTS = ExportTable("contact-requests", ContactRequest, _contact_requests, (
    Column("id", NUMBER, _field("id")),
    Column("created_at", MOMENT, _moment("created_at")),
    Column("name", TEXT, _field("name")),
    Column("email", TEXT, _field("email")),
    Column("phone", CODE, _field("phone")),
    Column("subject", TEXT, _field("subject"), coded=True),
    Column("message", TEXT, _field("message")),
    Column("preferred_reply", TEXT, _field("preferred_reply"), coded=True),
    Column("language", TEXT, _field("language")),
    Column("status", TEXT, _field("status"), coded=True),
    Column("customer_id", NUMBER, _field("customer_id")),
    Column("answered_at", MOMENT, _moment("answered_at")),
    Column("answered_by_id", NUMBER, _field("answered_by_id"), PROGRAMS),
    Column("answered_by", TEXT, _related("answered_by", "name"), PEOPLE),
    Column("reply_note", TEXT, _field("reply_note")),
    Column("closed_at", MOMENT, _moment("closed_at")),
))


def _audit():
    return AuditEntry.select(AuditEntry, User).join(User, JOIN.LEFT_OUTER)


AUDIT = ExportTable("audit", AuditEntry, _audit, (
    Column("id", NUMBER, _field("id")),
    Column("at", MOMENT, _moment("at")),
    Column("user_id", NUMBER, _field("user_id"), PROGRAMS),
    Column("user", TEXT, _related("user", "email")),
    Column("action", TEXT, _field("action")),
    Column("customer_id", NUMBER, _field("customer_id")),
    Column("booking_id", NUMBER, _field("booking_id")),
    Column("details", TEXT, _field("details")),
    Column("ip", TEXT, _field("ip")),
))


def _services():
    return Service.select()


SERVICES = ExportTable("services", Service, _services, (
    Column("id", NUMBER, _field("id")),
    Column("name_fi", TEXT, _field("name_fi")),
    Column("name_sv", TEXT, _field("name_sv")),
    Column("name_en", TEXT, _field("name_en")),
    Column("duration_minutes", NUMBER, _field("duration_minutes")),
    Column("buffer_minutes", NUMBER, _field("buffer_minutes")),
    Column("price_cents", MONEY, _field("price_cents")),
    Column("vat_percent", NUMBER, _field("vat_percent")),
))

def _quantity(quantity):
    return format(Decimal(quantity).normalize(), "f").replace(".", ",")


def _rows_text(rows):
    """What was sold, summarised on one line: "Klassinen hieronta 60 min × 1; …"."""
    return "; ".join(f"{' '.join(row.description.split())} × {_quantity(row.quantity)}"
                     for row in rows)


def _sold_rows(row_model, relation, batch):
    """The sold rows of a batch of receipts or invoices, by their voucher's id."""
    rows = defaultdict(list)
    for row in (row_model.select().where(getattr(row_model, relation).in_(
            [record.id for record in batch])).order_by(row_model.position, row_model.id)):
        rows[getattr(row, f"{relation}_id")].append(row)
    return rows


def _prepare_invoices(batch):
    ids = [invoice.id for invoice in batch]
    rows = _sold_rows(InvoiceRow, "invoice", batch)
    paid = dict(InvoicePayment.select(InvoicePayment.invoice,
                                      fn.SUM(InvoicePayment.amount_cents))
                .where(InvoicePayment.invoice.in_(ids)).group_by(InvoicePayment.invoice)
                .tuples())
    credited = dict(Invoice.select(Invoice.credits, fn.SUM(Invoice.total_cents))
                    .where(Invoice.credits.in_(ids) & (Invoice.status == ISSUED))
                    .group_by(Invoice.credits).tuples())
    originals = dict(Invoice.select(Invoice.id, Invoice.number).where(Invoice.id.in_(
        [invoice.credits_id for invoice in batch if invoice.credits_id])).tuples())
    for invoice in batch:
        invoice.exported_rows = rows[invoice.id]
        # int(): PostgreSQL sums integers as numeric.
        invoice.exported_paid = int(paid.get(invoice.id, 0))
        invoice.exported_credited = int(credited.get(invoice.id, 0))
        invoice.exported_credits_number = originals.get(invoice.credits_id)


def _signed(name):
    """An invoice's amount, negative on a credit note (it takes the sale back)."""
    def value(invoice):
        amount = sum(getattr(row, name) for row in invoice.exported_rows)
        return -amount if invoice.is_credit_note else amount
    return value


def _open(invoice):
    if invoice.is_draft or invoice.is_credit_note:
        return 0
    return max(invoice.total_cents - invoice.exported_paid - invoice.exported_credited, 0)


def _invoices():
    return Invoice.select()


INVOICES = ExportTable("invoices", Invoice, _invoices, (
    Column("id", NUMBER, _field("id")),
    Column("number", CODE, _field("number")),
    Column("kind", TEXT, _field("kind"), coded=True),
    Column("status", TEXT, _field("status"), coded=True),
    Column("credits_id", NUMBER, _field("credits_id"), PROGRAMS),
    Column("credits_number", CODE, lambda invoice: invoice.exported_credits_number, PEOPLE),
    Column("issue_date", DATE, _field("issue_date")),
    Column("due_date", DATE, _field("due_date")),
    Column("customer_id", NUMBER, _field("customer_id")),
    Column("buyer_name", TEXT, _field("buyer_name")),
    Column("buyer_street", TEXT, _field("buyer_street")),
    Column("buyer_postal_code", CODE, _field("buyer_postal_code")),
    Column("buyer_town", TEXT, _field("buyer_town")),
    Column("buyer_email", TEXT, _field("buyer_email")),
    Column("buyer_business_id", CODE, _field("buyer_business_id")),
    Column("buyer_ovt", CODE, _field("buyer_ovt")),
    Column("buyer_operator", CODE, _field("buyer_operator")),
    Column("reference", CODE, _field("reference")),
    Column("rows", TEXT, lambda invoice: _rows_text(invoice.exported_rows)),
    Column("net_cents", MONEY, _signed("net_cents")),
    Column("vat_cents", MONEY, _signed("vat_cents")),
    Column("total_cents", MONEY, _signed("gross_cents")),
    Column("paid_cents", MONEY, lambda invoice: invoice.exported_paid),
    Column("open_cents", MONEY, _open),
    Column("penalty_interest", NUMBER, _field("penalty_interest")),
    Column("language", TEXT, _field("language")),
    Column("issued_at", MOMENT, _moment("issued_at")),
    Column("created_at", MOMENT, _moment("created_at")),
), _prepare_invoices)


def _payments():
    return (InvoicePayment.select(InvoicePayment, Invoice, User).join(Invoice)
            .switch(InvoicePayment)
            .join(User, JOIN.LEFT_OUTER, on=InvoicePayment.recorded_by == User.id))


PAYMENTS = ExportTable("payments", InvoicePayment, _payments, (
    Column("id", NUMBER, _field("id")),
    Column("invoice_id", NUMBER, _field("invoice_id")),
    Column("invoice_number", CODE, lambda payment: payment.invoice.number),
    Column("paid_on", DATE, _field("paid_on")),
    Column("amount_cents", MONEY, _field("amount_cents")),
    Column("method", TEXT, _field("method"), coded=True),
    Column("recorded_at", MOMENT, _moment("recorded_at")),
    Column("recorded_by_id", NUMBER, _field("recorded_by_id"), PROGRAMS),
    Column("recorded_by", TEXT, _related("recorded_by", "name"), PEOPLE),
))


def _prepare_receipts(batch):
    rows = _sold_rows(SaleRow, "sale", batch)
    for sale in batch:
        sale.exported_rows = rows[sale.id]


def _receipts():
    return Sale.select(Sale, User).join(User, JOIN.LEFT_OUTER, on=Sale.made_by == User.id)


def _receipt_sum(name):
    return lambda sale: sum(getattr(row, name) for row in sale.exported_rows)


RECEIPTS = ExportTable("receipts", Sale, _receipts, (
    Column("id", NUMBER, _field("id")),
    Column("number", CODE, _field("number")),
    Column("made_at", MOMENT, _moment("made_at")),
    Column("customer_id", NUMBER, _field("customer_id")),
    Column("buyer_name", TEXT, _field("buyer_name")),
    Column("method", TEXT, _field("method"), coded=True),
    Column("rows", TEXT, lambda sale: _rows_text(sale.exported_rows)),
    Column("net_cents", MONEY, _receipt_sum("net_cents")),
    Column("vat_cents", MONEY, _receipt_sum("vat_cents")),
    Column("total_cents", MONEY, _field("total_cents")),
    Column("made_by_id", NUMBER, _field("made_by_id"), PROGRAMS),
    Column("made_by", TEXT, _related("made_by", "name"), PEOPLE),
), _prepare_receipts)

@dataclass(frozen=True)
class CountsTable:
    """The site's visit statistics as one table: a row per dimension, day and value,
    read table by table (the dimensions are kept apart and are never joined: each row
    is one count of one dimension). A count below SMALLEST_SHOWN is left out, as on the
    dashboard, so that no export shows how one visitor moved."""

    name: str
    columns: tuple

    def columns_for(self, audience):
        return tuple(column for column in self.columns if column.read_by(audience))

    def _shown(self, model):
        return model.select().where(model.count >= SMALLEST_SHOWN)

    def count(self):
        return sum(self._shown(model).count() for model in DIMENSIONS.values())

    def rows(self, audience):
        columns = self.columns_for(audience)
        for dimension, model in DIMENSIONS.items():
            last = 0
            while True:
                batch = list(self._shown(model).where(model.id > last)
                             .order_by(model.id).limit(BATCH).iterator())
                for record in batch:
                    record.dimension = dimension
                    yield tuple(column.value(record) for column in columns)
                if len(batch) < BATCH:
                    break
                last = batch[-1].id


ANALYTICS = CountsTable("analytics", (
    Column("dimension", TEXT, _field("dimension"), coded=True),
    Column("day", DATE, _field("day")),
    Column("value", TEXT, _field("value")),
    Column("count", NUMBER, _field("count")),
))

# Every table that can be exported, in the order they are written.
TABLES = {table.name: table
          for table in (CUSTOMERS, BOOKINGS, CONTACT_REQUESTS, INVOICES, PAYMENTS, RECEIPTS,
                        AUDIT, SERVICES, ANALYTICS)}


class UnknownTable(ValueError):
    pass


def chosen_tables(names):
    """The tables `names` (an iterable, or "all") names, in TABLES' order."""
    names = list(TABLES) if names == "all" or "all" in names else list(names)
    unknown = [name for name in names if name not in TABLES]
    if unknown:
        raise UnknownTable(", ".join(unknown))
    return [table for name, table in TABLES.items() if name in names]
