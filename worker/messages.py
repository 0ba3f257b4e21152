"""Writing each queued message: to whom, in which language, with what text.

A message is written when it is sent, from the booking, contact request or account it
is about, so that it tells what is true then: a reminder of a cancelled booking or a
message whose person was erased is not sent at all. Each message has a plain-text
part and an HTML part that reads well on a phone; nothing in it loads from elsewhere
and nothing tracks the reader.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext

from models import outbox
from models.bookings import CANCELLED, Booking, token_hash
from models.business import Business
from models.calendar_file import booking_ics
from models.contact_requests import ContactRequest
from models.customer_changes import change_deadline
from models.users import User
from views.formatting import date_text, time_text
from views.security import link_token

# Staff read the back office in Finnish unless they choose otherwise on the page;
# their e-mail is in the business's language.
STAFF_LANGUAGE = "fi"


class Skip(Exception):
    """Nothing to send: the reason is kept with the message."""


@dataclass
class Letter:
    to: str
    language: str
    subject: str
    template: str
    context: dict
    attachments: list = field(default_factory=list)


def manage_token(booking):
    """The secret of the booking's own page. Online bookings have one from the start;
    one made by staff gets one when its first message is written."""
    if booking.submission_key is None:
        booking.submission_key = secrets.token_urlsafe(24)
        booking.token_hash = token_hash(link_token(booking.submission_key))
        Booking.update(submission_key=booking.submission_key,
                       token_hash=booking.token_hash).where(
            Booking.id == booking.id).execute()
    return link_token(booking.submission_key)


def _booking(message):
    booking = Booking.get_or_none(Booking.id == message.booking_id)
    if booking is None:
        raise Skip("the booking no longer exists")
    return booking


def _when(booking):
    return f"{date_text(booking.start)} {time_text(booking.start)}"


def _previous_start(message):
    text = message.detail.get("previous_start")
    return datetime.fromisoformat(text) if text else None


def _to_customer(message, now):
    booking = _booking(message)
    if not booking.customer.email:
        raise Skip("the customer has no e-mail address")
    language = booking.language or "fi"
    context = {"booking": booking, "customer": booking.customer,
               "by_customer": message.detail.get("by_customer", False),
               "previous_start": _previous_start(message),
               "deadline": change_deadline(booking, Business.current())}
    if message.kind != outbox.BOOKING_CANCELLED:
        if booking.status == CANCELLED:
            raise Skip("the booking was cancelled")
        context["manage_url"] = url_for("booking.confirmed", token=manage_token(booking),
                                        _external=True)
    if message.kind == outbox.BOOKING_REMINDER and booking.start <= now:
        raise Skip("the appointment has begun")
    with force_locale(language):
        service = booking.service.name(language)
        subject = SUBJECTS[message.kind]() % {"service": service, "when": _when(booking)}
        attachments = []
        if message.kind in (outbox.BOOKING_CONFIRMED, outbox.BOOKING_MOVED):
            description = gettext("Booking reference %(reference)s",
                                  reference=booking.display_reference)
            ics = booking_ics(booking, Business.current(), service, description)
            attachments.append((f"booking-{booking.reference}.ics", ics))
    context["service"] = service
    context["book_url"] = url_for("booking.services", _external=True)
    return Letter(booking.customer.email, language, subject, message.kind, context,
                  attachments)


def _staff_account(message, wants):
    """The account a staff notice goes to, if it still exists and wants it."""
    user = User.get_or_none(User.id == message.user_id)
    if user is None or not user.active:
        raise Skip("the account no longer exists or is disabled")
    if not getattr(user, wants):
        raise Skip("the account no longer wants these messages")
    return user


def _to_staff_of_booking(message, now):
    user = _staff_account(message, "notify_bookings")
    booking = _booking(message)
    with force_locale(STAFF_LANGUAGE):
        subject = SUBJECTS[message.kind]() % {
            "name": booking.customer.name, "when": _when(booking),
            "service": booking.service.name(STAFF_LANGUAGE)}
    link = url_for("calendar.booking", booking_id=booking.id, _external=True)
    return Letter(user.email, STAFF_LANGUAGE, subject, "staff_booking", {
        "kind": message.kind, "booking": booking, "link": link,
        "previous_start": _previous_start(message)})


def _to_staff_of_contact(message, now):
    user = _staff_account(message, "notify_contact_requests")
    contact = _contact_request(message)
    with force_locale(STAFF_LANGUAGE):
        subject = SUBJECTS[message.kind]() % {"name": contact.name}
    link = url_for("inbox.show", request_id=contact.id, _external=True)
    return Letter(user.email, STAFF_LANGUAGE, subject, "staff_new_contact",
                  {"contact": contact, "link": link})


def _contact_request(message):
    contact = ContactRequest.get_or_none(ContactRequest.id == message.contact_request_id)
    if contact is None:
        raise Skip("the contact request no longer exists")
    return contact


def _to_sender(message, now):
    contact = _contact_request(message)
    if not contact.email:
        raise Skip("the sender gave no e-mail address")
    with force_locale(contact.language):
        subject = SUBJECTS[message.kind]()
    return Letter(contact.email, contact.language, subject, message.kind,
                  {"contact": contact})


# Subjects, translated when the message is written.
SUBJECTS = {
    outbox.BOOKING_CONFIRMED: lambda: gettext("Booking confirmed: %(service)s, %(when)s"),
    outbox.BOOKING_REMINDER: lambda: gettext("Reminder: %(service)s, %(when)s"),
    outbox.BOOKING_CANCELLED: lambda: gettext("Booking cancelled: %(service)s, %(when)s"),
    outbox.BOOKING_MOVED: lambda: gettext("Booking moved: %(service)s, %(when)s"),
    outbox.CONTACT_RECEIVED: lambda: gettext("We received your message"),
    outbox.STAFF_NEW_BOOKING: lambda: gettext("New online booking: %(when)s, %(name)s"),
    outbox.STAFF_CANCELLED: lambda: gettext("Cancelled by the customer: %(when)s, "
                                            "%(name)s"),
    outbox.STAFF_MOVED: lambda: gettext("Moved by the customer: %(when)s, %(name)s"),
    outbox.STAFF_NEW_CONTACT: lambda: gettext("New contact request from %(name)s"),
}
WRITERS = {
    outbox.BOOKING_CONFIRMED: _to_customer,
    outbox.BOOKING_REMINDER: _to_customer,
    outbox.BOOKING_CANCELLED: _to_customer,
    outbox.BOOKING_MOVED: _to_customer,
    outbox.CONTACT_RECEIVED: _to_sender,
    outbox.STAFF_NEW_BOOKING: _to_staff_of_booking,
    outbox.STAFF_CANCELLED: _to_staff_of_booking,
    outbox.STAFF_MOVED: _to_staff_of_booking,
    outbox.STAFF_NEW_CONTACT: _to_staff_of_contact,
}


def sender_address(business):
    configured = current_app.config.get("MAIL_FROM")
    return configured or business.email or "vuoro@localhost"


def compose(message, sent_at):
    """The e-mail of a queued message, or Skip."""
    letter = WRITERS[message.kind](message, sent_at)
    business = Business.current()
    sender = sender_address(business)
    with force_locale(letter.language):
        context = {**letter.context, "business": business, "subject": letter.subject}
        text = render_template(f"mail/{letter.template}.txt", **context)
        html = render_template(f"mail/{letter.template}.html", **context)
    email = EmailMessage()
    email["Subject"] = letter.subject
    email["From"] = Address(display_name=business.name, addr_spec=sender)
    email["To"] = letter.to
    if business.email and business.email != sender:
        email["Reply-To"] = business.email
    email["Date"] = format_datetime(sent_at.replace(tzinfo=UTC))
    # The same message always has the same id: a mail system that sees it twice
    # (a sender that died after handing it over) can tell.
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    email["Message-ID"] = f"<{digest}@{sender.rpartition('@')[2] or 'localhost'}>"
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = letter.language
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    for name, content in letter.attachments:
        email.add_attachment(content, maintype="text", subtype="calendar", filename=name)
    return letter, email
