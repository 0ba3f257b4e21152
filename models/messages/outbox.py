"""The e-mail outbox: every message is first a row here, written in the same transaction
as the change that causes it, and sent afterwards by the sender (`flask outbox`, or the
worker's loop).

A row names its event, not its text: the kind of message, the booking, contact request or
account it is about, and a few details (the time a booking was moved from). The text is
written when the message is sent, in the language of the person it goes to. A key per
message (its event) is unique, so that the same event never queues two messages; the
sender claims a row before sending it, so that two senders never send the same one.

A claim is made at the moment of taking the message, for a while (CLAIM), by one run of
a sender, which names itself by a token of its own; the claim is renewed just before the
message is handed over, and only the sender holding it may mark the message sent,
failed or dropped. A sender that outlives its claim (a slow mail server, a long run)
thus never sends a message another sender has taken over, nor closes it.

A message may carry files (an invoice's PDF): given when it is queued, they are kept
with it until it is sent, then only their names and sizes stay in its record; they go
with the message's row wherever the retention purge or an erasure deletes it.
"""

import base64
import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from peewee import CharField, DateTimeField, IntegerField, TextField

from engines.clock import naive_utc, utc_now
from models import BaseModel
from models.accounts.users import OWNER, User
from models.booking.bookings import CONFIRMED, Booking
from models.people.customers import Customer
from models.privacy.declaration import EMAIL, PersonalData
from models.written import execute_written, insert_params, run_written, with_defaults

# Messages to customers.
BOOKING_CONFIRMED = "booking_confirmed"
BOOKING_REMINDER = "booking_reminder"
BOOKING_CANCELLED = "booking_cancelled"
BOOKING_MOVED = "booking_moved"
CONTACT_RECEIVED = "contact_received"
CONTACT_ANSWER = "contact_answer"  # staff's answer to a contact request, from the inbox
# Messages to staff, each to the accounts that asked for it.
STAFF_NEW_BOOKING = "staff_new_booking"
STAFF_CANCELLED = "staff_cancelled"
STAFF_MOVED = "staff_moved"
STAFF_NEW_CONTACT = "staff_new_contact"
# People's own data: the "my data" link, and their requests about their data.
MY_DATA_LINK = "my_data_link"
DATA_REQUEST_RECEIVED = "data_request_received"
DATA_REQUEST_EXTENDED = "data_request_extended"
DATA_REQUEST_DONE = "data_request_done"
DATA_REQUEST_REFUSED = "data_request_refused"
STAFF_NEW_DATA_REQUEST = "staff_new_data_request"
# News and offers, to customers who chose to get them.
NEWSLETTER = "newsletter"
# What erasing a person's data did: the last message to them. Their address is kept
# in its details only until it is sent (or given up), then cleared with the subject.
DATA_ERASED = "data_erased"
# A change to how an account logs in, told to the account ("if this was not you…").
ACCOUNT_CHANGED = "account_changed"
# Money documents to the buyer or customer, each with its PDF (written when sent).
INVOICE_SENT = "invoice_sent"
RECEIPT_SENT = "receipt_sent"
PAYMENT_REMINDER = "payment_reminder"
FORGOTTEN_ONCE_SENT = (DATA_ERASED,)
KINDS = (
    BOOKING_CONFIRMED, BOOKING_REMINDER, BOOKING_CANCELLED, BOOKING_MOVED,
    CONTACT_RECEIVED, CONTACT_ANSWER, STAFF_NEW_BOOKING, STAFF_CANCELLED, STAFF_MOVED,
    STAFF_NEW_CONTACT,
    MY_DATA_LINK, DATA_REQUEST_RECEIVED, DATA_REQUEST_EXTENDED, DATA_REQUEST_DONE,
    DATA_REQUEST_REFUSED, STAFF_NEW_DATA_REQUEST, NEWSLETTER, DATA_ERASED,
    ACCOUNT_CHANGED, INVOICE_SENT, RECEIPT_SENT, PAYMENT_REMINDER,
)
# What a customer's own change tells the staff.
STAFF_NOTICE = {
    BOOKING_CONFIRMED: STAFF_NEW_BOOKING,
    BOOKING_CANCELLED: STAFF_CANCELLED,
    BOOKING_MOVED: STAFF_MOVED,
}

# After a failed try, the next one waits this long; after the last, the owner is shown
# the message in the back office, where it can be sent again.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
)
# How long a sender holds a message it took (renewed just before it hands it over): one
# that died with it leaves it to the next sender after this long.
CLAIM = timedelta(minutes=5)


# What one message may carry in all: mail servers commonly refuse messages above 10 MB,
# and base64 makes the files a third larger on the way.
LARGEST_ATTACHMENTS_BYTES = 7 * 1024 * 1024
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_FILE_NAME = re.compile(r"[^\x00-\x1f\x7f/\\]{1,120}")


@dataclass(frozen=True)
class Attachment:
    """A file a message carries: its name as the reader sees it, its MIME type
    ("application/pdf") and its bytes."""

    name: str
    content_type: str
    content: bytes

    def __post_init__(self):
        if not _FILE_NAME.fullmatch(self.name) or self.name.strip(". ") == "":
            raise ValueError(f"not a file name for an attachment: {self.name!r}")
        if not _CONTENT_TYPE.fullmatch(self.content_type):
            raise ValueError(f"not a MIME type: {self.content_type!r}")
        if not isinstance(self.content, bytes):
            raise TypeError("an attachment's content is bytes")


def _stored(attachments):
    """The attachments as the message's row keeps them until it is sent."""
    attachments = list(attachments)
    if sum(len(each.content) for each in attachments) > LARGEST_ATTACHMENTS_BYTES:
        raise ValueError("the attachments of one message are at most 7 MB in all")
    return json.dumps([{"name": each.name, "type": each.content_type,
                        "size": len(each.content),
                        "content": base64.b64encode(each.content).decode("ascii")}
                       for each in attachments])


def _names_only(stored):
    """What stays of the attachments once the message is sent: names, types, sizes."""
    return json.dumps([{key: each[key] for key in ("name", "type", "size")}
                       for each in json.loads(stored or "[]")])


def new_mail_id():
    return secrets.token_hex(16)


def new_sender():
    """The token by which one run of a sender holds its claims."""
    return secrets.token_hex(16)


class OutboxMessage(BaseModel):
    key = CharField(max_length=120, unique=True)
    kind = CharField(max_length=30)
    booking_id = IntegerField(null=True, index=True)
    contact_request_id = IntegerField(null=True, index=True)
    user_id = IntegerField(null=True, index=True)
    customer_id = IntegerField(null=True, index=True)
    data_request_id = IntegerField(null=True, index=True)
    details = TextField(default="{}")
    created_at = DateTimeField(default=utc_now)
    due_at = DateTimeField(default=utc_now)
    attempts = IntegerField(default=0)
    claimed_until = DateTimeField(null=True)
    claimed_by = CharField(max_length=32, null=True)
    # The local part of the e-mail's Message-ID, the same for every try of the message
    # but random, not made from its key: a rebuilt or restored database makes the same
    # keys again, for other messages.
    mail_id = CharField(max_length=32, unique=True, default=new_mail_id)
    sent_at = DateTimeField(null=True)
    failed_at = DateTimeField(null=True)
    last_error = TextField(default="")
    # The address and subject of its last try, for the owner's list of e-mail.
    sent_to = CharField(max_length=254, default="")
    subject = CharField(max_length=200, default="")
    # The files it carries (JSON: name, type, size, and the bytes in base64 until sent).
    attachments = TextField(default="[]")

    personal_data = PersonalData(
        {"sent_to": EMAIL, "subject": EMAIL, "details": EMAIL, "created_at": EMAIL,
         "sent_at": EMAIL, "attachments": EMAIL},
        not_personal=("id", "key", "kind", "booking_id", "contact_request_id", "user_id",
                      "customer_id", "data_request_id",
                      "due_at", "attempts", "claimed_until", "claimed_by", "mail_id",
                      "failed_at", "last_error"),
    )

    class Meta:
        indexes = ((("sent_at", "failed_at", "due_at"), False),)

    @property
    def detail(self):
        return json.loads(self.details or "{}")

    def files(self):
        """The Attachments it carries, while it is not sent."""
        return [Attachment(each["name"], each["type"], base64.b64decode(each["content"]))
                for each in json.loads(self.attachments or "[]") if "content" in each]

    def attachment_names(self):
        return [each["name"] for each in json.loads(self.attachments or "[]")]


def add(kind, key, *, booking_id=None, contact_request_id=None, user_id=None,
        customer_id=None, data_request_id=None, due=None, attachments=(), **details):
    """Queue one message, once: a second event with the same key is ignored. Call it
    inside the transaction that makes the change the message tells of. `attachments`
    (Attachment) go with it, after any its writer adds."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    row = {
        "key": key, "kind": kind, "booking_id": booking_id,
        "contact_request_id": contact_request_id, "user_id": user_id,
        "customer_id": customer_id, "data_request_id": data_request_id,
        "details": json.dumps(details, sort_keys=True), "created_at": utc_now(),
        "due_at": naive_utc(due) if due is not None else utc_now(),
        "attachments": _stored(attachments),
    }
    row = with_defaults(OutboxMessage, row)
    # Its SQL written once: a booking queues two or three inside its transaction.
    execute_written(("queue a message",), lambda: OutboxMessage.insert(row).on_conflict_ignore(),
                    insert_params(OutboxMessage, row))


def claim(message_id, sender, now, length=CLAIM):
    """Take the message for `sender` (its token) from `now`, the moment of taking it,
    for `length`; False when another sender holds it or it is done."""
    now = naive_utc(now)
    taken = (
        OutboxMessage.update(claimed_until=now + length, claimed_by=sender)
        .where(
            (OutboxMessage.id == message_id)
            & OutboxMessage.sent_at.is_null()
            & OutboxMessage.failed_at.is_null()
            & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < now))
        )
        .execute()
    )
    return taken == 1


def hold(message, sender, now, length=CLAIM):
    """Renew `sender`'s claim on the message for `length` from `now`; False when the
    claim ran out and another sender has taken the message since."""
    return OutboxMessage.update(claimed_until=naive_utc(now) + length).where(
        (OutboxMessage.id == message.id) & (OutboxMessage.claimed_by == sender)
    ).execute() == 1


def due_ids(now, limit=100):
    now = naive_utc(now)
    return [
        row.id for row in OutboxMessage.select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_null()
            & OutboxMessage.failed_at.is_null()
            & (OutboxMessage.due_at <= now)
            & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < now))
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    ]


def saved_copies(folder, keys):
    """The .eml copies in `folder` (a Path, or None) of the messages with these keys:
    the file delivery names each `<sent>-<mail id>.eml`."""
    if folder is None or not folder.is_dir():
        return []
    mail_ids = OutboxMessage.select(OutboxMessage.mail_id).where(
        OutboxMessage.key.in_(list(set(keys)))).scalars()
    return sorted(path for mail_id in mail_ids for path in folder.glob(f"*-{mail_id}.eml"))


def _forgetting(message, changes):
    """`changes` that close a message, clearing to whom and what it was for a kind
    that must not outlive its sending."""
    if message.kind in FORGOTTEN_ONCE_SENT:
        address = message.detail.get("to")
        if address and changes.get("last_error"):  # a refusal may name the address
            changes["last_error"] = changes["last_error"].replace(address, "…")
        changes.update(sent_to="", subject="", details="{}")
    return changes


def _close(message, sender, changes):
    """Write `changes`, which end the claim, if `sender` still holds the message;
    whether it did."""
    changes.update(claimed_until=None, claimed_by=None)
    return OutboxMessage.update(changes).where(
        (OutboxMessage.id == message.id) & (OutboxMessage.claimed_by == sender)
    ).execute() == 1


def mark_sent(message, sender, now, sent_to, subject):
    """Sent: the files it carried are no longer kept, only their names."""
    return _close(message, sender, _forgetting(message, {
        "sent_at": naive_utc(now), "sent_to": sent_to, "subject": subject[:200],
        "attempts": OutboxMessage.attempts + 1, "last_error": "",
        "attachments": _names_only(message.attachments),
    }))


def mark_dropped(message, sender, now, reason):
    """Nothing to send any more (the booking was erased, the address removed): the
    message is closed without a try counting against it, and its files dropped."""
    return _close(message, sender, _forgetting(message, {
        "failed_at": naive_utc(now), "last_error": reason[:500],
        "attachments": _names_only(message.attachments),
    }))


def mark_failed(message, sender, now, error, sent_to="", subject="", for_good=False):
    """A failed try: retried after a growing delay, or given up after the last, or at
    once when it can never succeed (`for_good`: the message cannot be written). A
    given-up message keeps its files, for the owner to send it again."""
    attempts = message.attempts + 1
    now = naive_utc(now)
    changes = {"attempts": attempts, "last_error": str(error)[:500],
               "sent_to": sent_to, "subject": subject[:200]}
    if for_good or attempts > len(RETRY_DELAYS):
        changes["failed_at"] = now
        _forgetting(message, changes)
    else:
        changes["due_at"] = now + RETRY_DELAYS[attempts - 1]
    return _close(message, sender, changes)


def given_up():
    """Messages whose last try failed: the owner is shown them, to send again. (A
    message closed without a try, its booking gone, is not one.)"""
    return OutboxMessage.select().where(
        OutboxMessage.failed_at.is_null(False) & (OutboxMessage.attempts > 0))


def send_again(message_id, now):
    """The owner asks for a given-up message to be tried again."""
    return OutboxMessage.update(
        failed_at=None, attempts=0, due_at=naive_utc(now), last_error="",
    ).where(
        (OutboxMessage.id == message_id) & OutboxMessage.failed_at.is_null(False)
        & OutboxMessage.sent_at.is_null()
    ).execute() == 1


def booking_event(booking, kind, by_customer=False, version=None, **details):
    """Queue the customer's message about a change to `booking` (and, when the customer
    made the change, the staff's notices). The booking's version after the change
    (`version`, when the row was updated past the object in hand) names the event."""
    key = f"{kind}:{booking.id}:{version or booking.version}"
    add(kind, key, booking_id=booking.id, by_customer=by_customer, **details)
    if by_customer and kind in STAFF_NOTICE:
        staff_ids = {booking.staff_id, details.get("previous_staff_id")} - {None}
        for user_id in staff_to_tell_of_booking(staff_ids):
            add(STAFF_NOTICE[kind], f"{key}:user{user_id}", booking_id=booking.id,
                user_id=user_id, by_customer=True, **details)


def contact_event(contact_request):
    """Queue the sender's confirmation and the staff's notices of a new contact request."""
    key = f"contact:{contact_request.id}"
    add(CONTACT_RECEIVED, key, contact_request_id=contact_request.id)
    for user_id in staff_to_tell_of_contact():
        add(STAFF_NEW_CONTACT, f"{key}:user{user_id}",
            contact_request_id=contact_request.id, user_id=user_id)


def staff_to_tell_of_booking(staff_ids):
    """Accounts that asked to hear of customers' bookings: the owners, and staff of
    their own calendar (`staff_ids`: the booking's, and before a move, the earlier)."""
    staff_ids = sorted(staff_ids)
    rows = run_written(
        ("staff to tell of a booking", len(staff_ids)),
        lambda: User.select(User.id).where(User.active & User.notify_bookings & (
            (User.role == OWNER) | User.staff_member.in_(staff_ids)
        )).order_by(User.id),
        [OWNER, *staff_ids])
    return [row[0] for row in rows]


def staff_to_tell_of_contact():
    accounts = User.select(User.id).where(User.active & User.notify_contact_requests)
    return [account.id for account in accounts]


def queue_reminders(now, hours):
    """Queue the reminder of each confirmed booking that starts within `hours` from
    `now` and was made before its reminder time; once per booking and start time, however
    many workers run this at once. None for a customer whose data is restricted (GDPR
    Art 18: kept, not used). Returns how many were queued now."""
    if hours <= 0:
        return 0
    now = naive_utc(now)
    window = timedelta(hours=hours)
    upcoming = Booking.select(Booking.id, Booking.starts_at, Booking.created_at).join(
        Customer).where(
        (Booking.status == CONFIRMED)
        & (Booking.starts_at > now)
        & (Booking.starts_at <= now + window)
        & Customer.restricted_at.is_null()
    )
    # A booking made inside its reminder window has just had its confirmation.
    due = {
        f"{BOOKING_REMINDER}:{booking.id}:{booking.starts_at:%Y%m%dT%H%M}": booking.id
        for booking in upcoming if booking.created_at <= booking.starts_at - window
    }
    if not due:
        return 0
    queued = set(
        OutboxMessage.select(OutboxMessage.key)
        .where(OutboxMessage.key.in_(list(due))).scalars()
    )
    for key, booking_id in due.items():
        if key not in queued:
            add(BOOKING_REMINDER, key, booking_id=booking_id)
    return len(set(due) - queued)

