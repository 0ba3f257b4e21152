"""Everything held about one customer, for the person themselves: what the "my data"
page shows and downloads, and what staff send to answer an access request.

Derived from the personal-data declaration: each source below gives the rows of one
model that concern the customer, each row holding the model's personal fields that the
person is shown (`PersonalData.shown_fields`); rows the declaration withholds are left
out. Every value lands in the section of its field's declared category, with that
category's purposes, legal basis and the retention period in force.
"""

from datetime import datetime

from peewee import JOIN

from engines import clock
from engines.clock import local
from models.accounts.users import User
from models.booking.bookings import Booking
from models.business.catalogue import Service, StaffMember
from models.messages.outbox import OutboxMessage
from models.money.vouchers import Invoice, Sale
from models.people.contact_requests import ContactAnswer, ContactRequest
from models.people.customers import Customer
from models.people.notes import CustomerNote
from models.privacy import periods
from models.privacy.audit import AuditEntry
from models.privacy.consents import Consent, CookieChoice
from models.privacy.data_requests import DataRequest, DataRequestEvent
from models.privacy.declaration import CATEGORIES, STAFF
from models.privacy.my_data import AccessLink
from models.privacy.person import Person
from models.rate_limits import RateLimitEntry

FORMAT = "vuoro-personal-data/1"


def local_time(moment):
    """A stored (naive UTC) moment as ISO 8601 in Helsinki time, or None."""
    if moment is None:
        return None
    return local(moment).isoformat(timespec="seconds")


def _value(value):
    if isinstance(value, datetime):
        return local_time(value)
    return value


def _split(model, row, values, context=None):
    """`values` (field name → value, for the row's shown personal fields and a few more
    that explain them) split into the sections of their declared categories. Each part
    carries `context` (what the row is, e.g. a booking's reference) and the fields of
    no category of their own join the row's first category."""
    declaration = model.personal_data
    if not declaration.shown(row):
        return {}
    shown = declaration.shown_fields()
    parts = {}
    main = next(iter(shown.values())).key
    for name, value in values.items():
        if name in declaration.fields and name not in shown:
            continue  # withheld
        key = shown[name].key if name in shown else main
        parts.setdefault(key, dict(context or {}))[name] = _value(value)
    return parts


# Sources: one function per model, each giving (model, row, values, context).

def _customer(customer):
    row = Customer.get_by_id(customer.id)
    yield Customer, row, {
        name: getattr(row, name) for name in Customer.personal_data.shown_fields()
    } | {"language": row.language, "in_register_since": row.created_at,
         "restricted_at": row.restricted_at}, None


def _bookings(customer):
    query = (Booking.select(Booking, Service, StaffMember)
             .join(Service).switch(Booking).join(StaffMember)
             .where(Booking.customer == customer).order_by(Booking.starts_at))
    for booking in query:
        values = {name: getattr(booking, name)
                  for name in Booking.personal_data.fields if name != "customer"}
        for text in ("message", "internal_note"):  # a section of their own: only if any
            if not values[text]:
                del values[text]
        values["service"] = booking.service.name(customer.language)
        values["staff"] = booking.staff.name
        yield Booking, booking, values, {"booking": booking.reference}


def _contact_requests(customer):
    mine = Person.of(customer).contact_requests()
    for contact in ContactRequest.select().where(mine).order_by(ContactRequest.created_at):
        values = {name: getattr(contact, name)
                  for name in ContactRequest.personal_data.fields if name != "customer"}
        values |= {"subject": contact.subject, "status": contact.status,
                   "preferred_reply": contact.preferred_reply}
        yield ContactRequest, contact, values, {"contact_request": contact.id}
        for answer in contact.answers.order_by(ContactAnswer.created_at, ContactAnswer.id):
            yield ContactAnswer, answer, {"answer": answer.answer,
                                          "created_at": answer.created_at}, {
                "contact_request": contact.id}


def _notes(customer):
    query = CustomerNote.select().where(CustomerNote.customer == customer.id)
    for note in query.order_by(CustomerNote.created_at):
        yield CustomerNote, note, {"text": note.text, "created_at": note.created_at}, None


def _consents(customer):
    query = Consent.select().where(Consent.customer == customer.id)
    for consent in query.order_by(Consent.given_at):
        yield Consent, consent, {
            "purpose": consent.purpose, "given_at": consent.given_at,
            "given_via": consent.given_via, "statement_version": consent.statement_version,
            "withdrawn_at": consent.withdrawn_at, "withdrawn_via": consent.withdrawn_via,
        }, {"consent": consent.id}


def _data_requests(customer):
    requests = list(DataRequest.select().where(Person.of(customer).data_requests())
                    .order_by(DataRequest.received_at))
    events = {}
    query = (DataRequestEvent.select().where(
        DataRequestEvent.request.in_([request.id for request in requests]))
        .order_by(DataRequestEvent.at, DataRequestEvent.id))
    for event in query:
        events.setdefault(event.request_id, []).append(event)
    for request in requests:
        values = {name: getattr(request, name)
                  for name in DataRequest.personal_data.fields if name != "customer"}
        values |= {"kind": request.kind, "status": request.status, "source": request.source,
                   "purpose": request.purpose, "due_at": request.due_at,
                   "extended_months": request.extended_months,
                   "closed_at": request.closed_at}
        yield DataRequest, request, values, {"data_request": request.id}
        for event in events.get(request.id, ()):
            yield DataRequestEvent, event, {"at": event.at, "what": event.what,
                                            "note": event.note}, {"data_request": request.id}


def _emails(customer):
    """The e-mail sent to the person: about them, their bookings or their requests (not
    the staff's notices of those)."""
    about = Person.of(customer).mail()
    query = (OutboxMessage.select()
             .where(about & OutboxMessage.user_id.is_null() & OutboxMessage.sent_at.is_null(False))
             .order_by(OutboxMessage.sent_at))
    for message in query:
        yield OutboxMessage, message, {
            "kind": message.kind, "created_at": message.created_at,
            "sent_at": message.sent_at, "sent_to": message.sent_to,
            "subject": message.subject, "details": message.detail,
            "attachments": message.attachment_names(),
        }, None


def _audit(customer):
    query = (AuditEntry.select(AuditEntry, User, Booking)
             .join(User, JOIN.LEFT_OUTER).switch(AuditEntry).join(Booking, JOIN.LEFT_OUTER)
             .where(Person.of(customer).audit_entries())
             .order_by(AuditEntry.at, AuditEntry.id))
    for entry in query:
        yield AuditEntry, entry, {
            "at": entry.at, "action": entry.action,
            "user": entry.user.name if entry.user_id else None,
            "booking": entry.booking.reference if entry.booking_id else None,
            "ip": entry.ip,
        }, None
    links = AccessLink.select().where(AccessLink.customer == customer.id)
    for link in links.order_by(AccessLink.created_at):
        yield AccessLink, link, {"created_at": link.created_at, "used_at": link.used_at},\
            {"my_data_link": True}


def _vouchers(customer):
    """The receipts and invoices made out to the customer, with what they were for."""
    for sale in Sale.select().where(Sale.customer == customer.id).order_by(Sale.made_at):
        yield Sale, sale, {"buyer_name": sale.buyer_name}, {
            "receipt": sale.number, "date": sale.made_on.isoformat(),
            "total_cents": sale.total_cents,
            "rows": [row.description for row in sale.lines]}
    invoices = Invoice.select().where(
        (Invoice.customer == customer.id) & (Invoice.status == "issued"))
    for invoice in invoices.order_by(Invoice.issue_date, Invoice.id):
        values = {name: getattr(invoice, name)
                  for name in Invoice.personal_data.fields if name != "customer"}
        yield Invoice, invoice, values, {
            "invoice": invoice.number, "kind": invoice.kind,
            "date": invoice.issue_date.isoformat(), "total_cents": invoice.total_cents,
            "rows": [row.description for row in invoice.lines]}


SOURCES = {
    Customer: _customer,
    Booking: _bookings,
    ContactRequest: _contact_requests,
    ContactAnswer: _contact_requests,
    CustomerNote: _notes,
    Consent: _consents,
    DataRequest: _data_requests,
    DataRequestEvent: _data_requests,
    OutboxMessage: _emails,
    AuditEntry: _audit,
    AccessLink: _audit,
    Sale: _vouchers,
    Invoice: _vouchers,
}
# Declared models whose rows are tied to no customer, so there is nothing to export.
NOT_ABOUT_A_CUSTOMER = {
    # A cookie answer is tied only to a random key in the visitor's browser.
    CookieChoice: "tied to a browser, not to a person in the register",
    # A throttled attempt is kept under a hash of its address or e-mail, for an hour or
    # a day (a month for an account's failed logins in a row), and found by no person.
    RateLimitEntry: "a hash of an attempt's address, gone when its window passes",
}
# Categories held about staff, not customers.
NOT_ABOUT_CUSTOMERS = (STAFF,)


def personal_data_of(customer):
    """A JSON-able dict of everything held about `customer`, section by category."""
    months = periods.all_months()
    sections = {
        category.key: {
            "category": category.key,
            "purposes": [purpose.value for purpose in category.purposes],
            "legal_basis": category.basis.value,
            "kept_months": months[category.key],
            "kept_after": category.retention.after,
            "items": [],
        }
        for category in CATEGORIES if category not in NOT_ABOUT_CUSTOMERS
    }
    for source in dict.fromkeys(SOURCES.values()):
        for model, row, values, context in source(customer):
            for key, part in _split(model, row, values, context).items():
                sections[key]["items"].append(part)
    return {
        "format": FORMAT,
        "generated_at": local(clock.now()).isoformat(timespec="seconds"),
        "customer": customer.id,
        "sections": sections,
    }
