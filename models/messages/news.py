"""News by e-mail: who gets it, and one send queued as a message per person.

Only customers whose consent is in force and whose data is not restricted get news;
the sender checks both again when it writes each message, so that a withdrawal made
meanwhile is honoured. A send is named by a key handed out with the owner's form, so
the same form sent twice queues the news once.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from models import write_transaction
from models.messages import outbox
from models.messages.outbox import NEWSLETTER, OutboxMessage
from models.people.customers import Customer
from models.privacy.consents import MARKETING, Consent

SEND_KEY = re.compile(r"[A-Za-z0-9_-]{16,43}")
SUBJECT_MAX = 150
TEXT_MAX = 10_000


def recipients():
    """The customers who get news now."""
    consenting = Consent.select(Consent.customer).where(
        (Consent.purpose == MARKETING) & Consent.withdrawn_at.is_null())
    return Customer.select().where(
        Customer.id.in_(consenting) & Customer.restricted_at.is_null()
        & (Customer.email != "")).order_by(Customer.id)


def message_key(send_key, customer_id):
    return f"{NEWSLETTER}:{send_key}:customer{customer_id}"


class AlreadySent(Exception):
    """This send (its key) has been queued before."""


def queue(send_key, subject, text):
    """Queue the news to every recipient; how many. Raises AlreadySent for a key used
    before."""
    if not SEND_KEY.fullmatch(send_key):
        raise ValueError("not a send key")
    with write_transaction():
        people = [customer.id for customer in recipients().select(Customer.id)]
        keys = [message_key(send_key, customer_id) for customer_id in people]
        if keys and OutboxMessage.select().where(OutboxMessage.key.in_(keys)).exists():
            raise AlreadySent
        for customer_id, key in zip(people, keys, strict=True):
            outbox.add(NEWSLETTER, key, customer_id=customer_id, send=send_key,
                       subject=subject, text=text)
    return len(people)


@dataclass
class Send:
    """One earlier send, as the outbox remembers it."""

    key: str
    subject: str
    queued_at: datetime
    count: int = 0
    sent: int = 0
    not_sent: int = 0  # skipped (withdrawn, restricted, erased meanwhile) or failed
    first_id: int = 0  # its first message, which tells the subject

    @property
    def waiting(self):
        return self.count - self.sent - self.not_sent


def earlier_sends(limit=20):
    """The latest sends, newest first, with how many messages each had and how they
    went. The messages themselves go with the e-mail records' retention period."""
    sends = {}
    rows = (OutboxMessage.select(OutboxMessage.id, OutboxMessage.key,
                                 OutboxMessage.created_at, OutboxMessage.sent_at,
                                 OutboxMessage.failed_at)
            .where(OutboxMessage.kind == NEWSLETTER).order_by(OutboxMessage.id))
    for row in rows:
        send_key = row.key.split(":")[1]
        send = sends.get(send_key)
        if send is None:
            send = sends[send_key] = Send(send_key, "", row.created_at, first_id=row.id)
        send.count += 1
        send.sent += row.sent_at is not None
        send.not_sent += row.sent_at is None and row.failed_at is not None
    latest = sorted(sends.values(), key=lambda send: send.queued_at, reverse=True)[:limit]
    for send in latest:
        send.subject = OutboxMessage.get_by_id(send.first_id).detail.get("subject", "")
    return latest
