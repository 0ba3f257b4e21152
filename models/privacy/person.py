"""Whose data is whose: the rows that belong to one person, found by their customer
record and their e-mail address. *My data*'s export and erasure both ask here, so they
always agree on what is the person's."""

from dataclasses import dataclass

from models.booking.bookings import Booking
from models.messages.outbox import OutboxMessage
from models.people.contact_requests import ContactRequest
from models.privacy.audit import AuditEntry
from models.privacy.data_requests import DataRequest


@dataclass(frozen=True)
class Person:
    """Whose data: the customer's id and e-mail address (kept apart from the record,
    which an erasure deletes before it is done with the rest)."""

    customer_id: int
    email: str

    @classmethod
    def of(cls, customer):
        return cls(customer.id, customer.email or "")

    def bookings(self):
        return Booking.customer == self.customer_id

    def contact_requests(self):
        linked = ContactRequest.customer == self.customer_id
        return linked | (ContactRequest.email == self.email) if self.email else linked

    def data_requests(self):
        linked = DataRequest.customer == self.customer_id
        return linked | (DataRequest.email == self.email) if self.email else linked

    def mail(self):
        """The outbox's records of e-mail to the person or about their bookings and
        requests."""
        about = (
            (OutboxMessage.customer_id == self.customer_id)
            | OutboxMessage.booking_id.in_(Booking.select(Booking.id).where(self.bookings()))
            | OutboxMessage.contact_request_id.in_(
                ContactRequest.select(ContactRequest.id).where(self.contact_requests()))
            | OutboxMessage.data_request_id.in_(
                DataRequest.select(DataRequest.id).where(self.data_requests()))
        )
        if self.email:
            about |= OutboxMessage.sent_to == self.email
        return about

    def audit_entries(self):
        return ((AuditEntry.customer == self.customer_id)
                | AuditEntry.booking.in_(Booking.select(Booking.id).where(self.bookings())))
