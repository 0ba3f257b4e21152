"""Contact requests: what people send through the contact form, and how staff answer,
close and reopen them and tie them to the customer register.

Staff answer by e-mail from the back office (`send_answer`): each answer is a row of the
request's thread (ContactAnswer: what was answered, by whom, when), queued in the outbox
in the same transaction, and the request is marked answered by sending it. An answer
given by phone is noted instead (`mark_answered`).

Every staff action is logged by the `log` callable the caller passes (the audit log with
the acting user), inside the same transaction. An audit entry names the request as
"contact request #<id>" in its details, never what the request says.
"""

from dataclasses import dataclass

from peewee import (
    JOIN,
    Case,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegrityError,
    TextField,
    fn,
)

import models
from engines.clock import local, utc_now
from models import BaseModel, db, write_transaction
from models.accounts.users import User
from models.messages import outbox
from models.paging import page_of
from models.people.customers import (
    Customer,
    CustomerDetails,
    InvalidValue,
    refuse_if_restricted,
)
from models.privacy.declaration import CONTACT_REQUEST, PersonalData

BOOKING_QUESTION, FEEDBACK, OTHER = "booking", "feedback", "other"
SUBJECTS = (BOOKING_QUESTION, FEEDBACK, OTHER)
BY_EMAIL, BY_PHONE = "email", "phone"
REPLY_BY = (BY_EMAIL, BY_PHONE)
NEW, ANSWERED, CLOSED = "new", "answered", "closed"
STATUSES = (NEW, ANSWERED, CLOSED)
NAME_MAX = 100
MESSAGE_MAX = 5000
NOTE_MAX = 5000
ANSWER_MAX = 10000
PAGE_SIZE = 25
FIRST_LINE_MAX = 80


class NotAllowed(ValueError):
    """A change the request's state does not allow; `code` names why."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class ContactRequest(BaseModel):
    name = CharField(max_length=NAME_MAX)
    email = CharField(max_length=254, default="")
    phone = CharField(max_length=20, default="")
    subject = CharField(max_length=10, default=OTHER)
    message = TextField()
    preferred_reply = CharField(max_length=5, default=BY_EMAIL)
    language = CharField(max_length=2, default="fi")  # of the form the sender used
    status = CharField(max_length=10, default=NEW)
    reply_note = TextField(default="")  # staff's note of what they answered
    answered_at = DateTimeField(null=True)
    answered_by = ForeignKeyField(User, null=True, backref="answered_contact_requests",
                                  on_delete="SET NULL")
    closed_at = DateTimeField(null=True)
    customer = ForeignKeyField(Customer, null=True, backref="contact_requests",
                               on_delete="SET NULL")
    # The form's own key: a form sent twice (a double click, a reload) is one request.
    submission_key = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utc_now)

    personal_data = PersonalData(
        {
            "name": CONTACT_REQUEST,
            "email": CONTACT_REQUEST,
            "phone": CONTACT_REQUEST,
            "message": CONTACT_REQUEST,
            "reply_note": CONTACT_REQUEST,
            "customer": CONTACT_REQUEST,
            "created_at": CONTACT_REQUEST,
            "answered_at": CONTACT_REQUEST,
            "closed_at": CONTACT_REQUEST,
        },
        not_personal=("id", "subject", "preferred_reply", "language", "status",
                      "answered_by", "submission_key"),
    )

    class Meta:
        indexes = ((("status", "created_at"), False),)

    @property
    def received(self):
        """When the request came, in Helsinki time."""
        return local(self.created_at)

    @property
    def first_line(self):
        """The message's first line with text, shortened for a list."""
        line = next((line.strip() for line in self.message.splitlines() if line.strip()), "")
        return line if len(line) <= FIRST_LINE_MAX else line[:FIRST_LINE_MAX - 1] + "…"


class ContactAnswer(BaseModel):
    """One answer sent to a request by e-mail, in its thread."""

    contact_request = ForeignKeyField(ContactRequest, backref="answers", on_delete="CASCADE")
    answer = TextField()
    sent_by = ForeignKeyField(User, null=True, backref="contact_answers",
                              on_delete="SET NULL")
    created_at = DateTimeField(default=utc_now)

    personal_data = PersonalData(
        {"answer": CONTACT_REQUEST, "created_at": CONTACT_REQUEST},
        not_personal=("id", "contact_request", "sent_by"),
    )

    @property
    def sent(self):
        """When it was written and queued, in Helsinki time."""
        return local(self.created_at)


@dataclass(frozen=True)
class ContactDetails:
    """What the sender wrote, already normalised (e-mail in its normal form, the phone
    number as E.164)."""

    name: str
    email: str
    phone: str
    subject: str
    message: str
    preferred_reply: str
    language: str = "fi"


def check(details):
    """Refuse what cannot be stored; the form says the same at its fields."""
    if not details.name.strip():
        raise InvalidValue("name_missing")
    if details.subject not in SUBJECTS:
        raise InvalidValue("subject_invalid")
    if details.preferred_reply not in REPLY_BY:
        raise InvalidValue("reply_invalid")
    if not (details.email or details.phone):
        raise InvalidValue("unreachable")
    if not getattr(details, details.preferred_reply):
        raise InvalidValue(f"{details.preferred_reply}_missing")
    if not details.message.strip():
        raise InvalidValue("message_missing")
    if len(details.message) > MESSAGE_MAX or len(details.name) > NAME_MAX:
        raise InvalidValue("too_long")


def receive(details, submission_key):
    """Store a request and queue its messages (the sender's confirmation, the staff's
    notices) in one transaction; the request already made by this submission when the
    same form is sent again."""
    check(details)
    try:
        with write_transaction():
            existing = ContactRequest.get_or_none(ContactRequest.submission_key == submission_key)
            if existing is not None:
                return existing
            contact = ContactRequest.create(submission_key=submission_key, **vars(details))
            outbox.contact_event(contact)
            return contact
    except IntegrityError:  # the same form sent at the same moment, on PostgreSQL
        return ContactRequest.get(ContactRequest.submission_key == submission_key)


def about(contact):
    """How the audit log names a request: never by what it says."""
    return f"contact request #{contact.id}"


def _change(contact, allowed_from, **changes):
    """Write `changes` if the request is still in one of the statuses `allowed_from`
    (someone else may have changed it meanwhile); whether it was written."""
    return ContactRequest.update(changes).where(
        (ContactRequest.id == contact.id) & ContactRequest.status.in_(allowed_from)
    ).execute() == 1


def mark_answered(contact, note, user, log):
    """Record that the request was answered, with staff's note of the answer. Writing
    it again replaces the note. NotAllowed when the request is closed."""
    note = note.strip()
    if not note:
        raise InvalidValue("note_missing")
    with db.atomic():
        if not _change(contact, (NEW, ANSWERED), status=ANSWERED, reply_note=note,
                       answered_at=utc_now(), answered_by=user):
            raise NotAllowed("closed")
        log("contact.answer", customer=contact.customer_id, details=about(contact))


def send_answer(contact, text, user, log):
    """Send `text` to the sender by e-mail (through the outbox) and mark the request
    answered, in one transaction; the new ContactAnswer. InvalidValue when the text is
    empty or too long; NotAllowed when the request is closed ("closed"), has no e-mail
    address ("no_email") or its customer's data is restricted ("restricted")."""
    text = text.strip()
    if not text:
        raise InvalidValue("answer_missing")
    if len(text) > ANSWER_MAX:
        raise InvalidValue("too_long")
    if not contact.email:
        raise NotAllowed("no_email")
    with write_transaction():
        if contact.customer_id is not None:
            try:
                refuse_if_restricted(contact.customer_id)
            except models.NotAllowed:
                raise NotAllowed("restricted") from None
        if not _change(contact, (NEW, ANSWERED), status=ANSWERED, answered_at=utc_now(),
                       answered_by=user):
            raise NotAllowed("closed")
        answer = ContactAnswer.create(contact_request=contact.id, answer=text, sent_by=user)
        outbox.add(outbox.CONTACT_ANSWER, f"contact_answer:{answer.id}",
                   contact_request_id=contact.id, answer_id=answer.id)
        log("contact.send_answer", customer=contact.customer_id, details=about(contact))
    return answer


def thread(contact):
    """The answers sent to a request, the first first, each with who sent it."""
    return list(ContactAnswer.select(ContactAnswer, User)
                .join(User, JOIN.LEFT_OUTER, on=ContactAnswer.sent_by)
                .where(ContactAnswer.contact_request == contact.id)
                .order_by(ContactAnswer.created_at, ContactAnswer.id))


def close(contact, log):
    """Nothing more to do; the retention period counts from now. False if it was
    closed already."""
    with db.atomic():
        if not _change(contact, (NEW, ANSWERED), status=CLOSED, closed_at=utc_now()):
            return False
        log("contact.close", customer=contact.customer_id, details=about(contact))
    return True


def reopen(contact, log):
    """Back to where it was before closing: answered if it was, else new. False if it
    was not closed."""
    status = Case(None, [(ContactRequest.answered_at.is_null(), NEW)], ANSWERED)
    with db.atomic():
        if not _change(contact, (CLOSED,), status=status, closed_at=None):
            return False
        log("contact.reopen", customer=contact.customer_id, details=about(contact))
    return True


def link_customer(contact, customer, log):
    """Tie the request to a customer in the register (or to another one)."""
    with db.atomic():
        ContactRequest.update(customer=customer.id).where(
            ContactRequest.id == contact.id).execute()
        log("contact.link", customer=customer.id, details=about(contact))


def create_customer_from(contact, log):
    """Add the sender to the register with the details of the request and link it.
    register.DuplicateEmail when a customer has the address already (link that one
    instead); NotAllowed when the request is linked already."""
    from models.people.register import create_customer

    if contact.customer_id is not None:
        raise NotAllowed("linked")
    details = CustomerDetails(name=contact.name, email=contact.email, phone=contact.phone)
    with write_transaction():
        customer = create_customer(details, contact.language)
        given = [name for name in ("name", "email", "phone") if getattr(details, name)]
        log("customer.create", customer=customer.id,
            details=f"{', '.join(given)}; from {about(contact)}")
        link_customer(contact, customer, log)
    return customer


def count_new():
    return ContactRequest.select().where(ContactRequest.status == NEW).count()


def counts_by_status():
    """How many requests each status has, in one query."""
    counts = dict.fromkeys(STATUSES, 0)
    query = (ContactRequest.select(ContactRequest.status, fn.COUNT(ContactRequest.id))
             .group_by(ContactRequest.status).tuples())
    counts.update(query)
    return counts


def inbox_page(status=NEW, number=1, size=PAGE_SIZE):
    """One page of the requests with `status`, the newest first."""
    status = status if status in STATUSES else NEW
    return page_of(
        ContactRequest.select()
        .where(ContactRequest.status == status)
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc()),
        number, size)


def with_details():
    """The requests, each with who answered it and its customer."""
    return (
        ContactRequest.select(ContactRequest, User, Customer)
        .join_from(ContactRequest, User, JOIN.LEFT_OUTER, on=ContactRequest.answered_by)
        .join_from(ContactRequest, Customer, JOIN.LEFT_OUTER)
    )


def likely_customers(contact, limit=5):
    """Customers in the register with the request's e-mail address or phone number."""
    same = []
    if contact.email:
        same.append(Customer.email == contact.email)
    if contact.phone:
        same.append(Customer.phone == contact.phone)
    if not same:
        return []
    condition = same[0] if len(same) == 1 else same[0] | same[1]
    return list(Customer.select().where(condition).order_by(Customer.name).limit(limit))
