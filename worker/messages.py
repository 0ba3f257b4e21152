"""Writing each queued message: to whom, in which language, with what text.

A message is written when it is sent, from the booking, contact request or account it
is about, so that it tells what is true then: a reminder of a cancelled booking or a
message whose person was erased is not sent at all. Each message has a plain-text
part and an HTML part that reads well on a phone; nothing in it loads from elsewhere
and nothing tracks the reader.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext
from stdnum import iban as stdnum_iban

from engines.calendar_file import booking_ics
from engines.clock import local
from engines.reference import format_reference
from models import NotAllowed
from models.accounts.users import User
from models.booking.bookings import CANCELLED, Booking, manage_token
from models.booking.customer_changes import change_deadline
from models.business import Business
from models.messages import outbox
from models.money.vouchers import ISSUED, Invoice, PaymentReminder, Sale
from models.people.contact_requests import ContactAnswer, ContactRequest
from models.people.customers import Customer, refuse_if_restricted
from models.privacy.consents import active as consent_in_force
from models.privacy.consents import unsubscribe_key
from models.privacy.data_requests import DataRequest
from models.privacy.my_data import LINK_VALID, create_link
from models.privacy.own_copy import personal_data_of
from web.formatting import business_language, date_text, time_text
from web.money_documents import invoice_file, receipt_file, reminder_file
from web.wording import PURPOSE_NAMES, REQUEST_KIND_NAMES

# Staff read the back office in the language they choose on the page; their e-mail is
# in the business's language (VUORO_LANGUAGE, web.formatting.business_language).


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
    headers: dict = field(default_factory=dict)
    # Written by a person (an answer from the inbox), not sent by the system on its own.
    by_hand: bool = False


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


def not_restricted(customer):
    """Refuse a message to a customer whose data is restricted (GDPR Art 18): they get
    only the answers to their own requests about their data."""
    if customer is None:
        return
    try:
        refuse_if_restricted(customer, lock=False)
    except NotAllowed:
        raise Skip("the use of the customer's data is restricted") from None


def _to_customer(message, now):
    booking = _booking(message)
    not_restricted(booking.customer)
    if not booking.customer.email:
        raise Skip("the customer has no e-mail address")
    language = booking.language or "fi"
    deadline = change_deadline(booking.start, Business.current())
    context = {"booking": booking, "customer": booking.customer,
               "by_customer": message.detail.get("by_customer", False),
               "previous_start": _previous_start(message),
               "deadline": deadline, "deadline_passed": deadline <= now}
    if message.kind != outbox.BOOKING_CANCELLED:
        if booking.status == CANCELLED:
            raise Skip("the booking was cancelled")
        token = manage_token(booking, current_app.secret_key)
        context["manage_url"] = url_for("booking.confirmed", token=token, _external=True)
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


def subject_of(message, language, **values):
    """The subject of `message` in `language`, with `values` filled in."""
    with force_locale(language):
        subject = SUBJECTS[message.kind]()
    return subject % values if values else subject


def _staff_account(message, wants=None):
    """The account a staff notice goes to, if it still exists and (by its setting
    `wants`, when the notice has one) wants it."""
    user = User.get_or_none(User.id == message.user_id)
    if user is None or not user.active:
        raise Skip("the account no longer exists or is disabled")
    if wants and not getattr(user, wants):
        raise Skip("the account no longer wants these messages")
    return user


def _customer(message):
    """The customer a message to them goes to, while they and their address exist."""
    customer = Customer.get_or_none(Customer.id == message.customer_id)
    if customer is None or not customer.email:
        raise Skip("the customer or their e-mail address no longer exists")
    return customer


def _to_staff_of_booking(message, now):
    user = _staff_account(message, "notify_bookings")
    booking = _booking(message)
    subject = subject_of(message, business_language(), name=booking.customer.name,
                         when=_when(booking), service=booking.service.name(business_language()))
    link = url_for("calendar.booking", booking_id=booking.id, _external=True)
    return Letter(user.email, business_language(), subject, "staff_booking", {
        "kind": message.kind, "booking": booking, "link": link,
        "previous_start": _previous_start(message)})


def _to_staff_of_contact(message, now):
    user = _staff_account(message, "notify_contact_requests")
    contact = _contact_request(message)
    subject = subject_of(message, business_language(), name=contact.name)
    link = url_for("inbox.show", request_id=contact.id, _external=True)
    return Letter(user.email, business_language(), subject, "staff_new_contact",
                  {"contact": contact, "link": link})


def _contact_request(message):
    contact = ContactRequest.get_or_none(ContactRequest.id == message.contact_request_id)
    if contact is None:
        raise Skip("the contact request no longer exists")
    return contact


def _to_sender(message, now):
    contact = _contact_request(message)
    not_restricted(contact.customer)
    if not contact.email:
        raise Skip("the sender gave no e-mail address")
    subject = subject_of(message, contact.language)
    return Letter(contact.email, contact.language, subject, message.kind,
                  {"contact": contact})


def _contact_answer(message, now):
    """Staff's answer from the inbox, with what the person asked below it."""
    contact = _contact_request(message)
    answer = ContactAnswer.get_or_none(ContactAnswer.id == message.detail.get("answer_id"))
    if answer is None:
        raise Skip("the answer no longer exists")
    if not contact.email:
        raise Skip("the request has no e-mail address")
    subject = subject_of(message, contact.language)
    return Letter(contact.email, contact.language, subject, message.kind,
                  {"contact": contact, "answer": answer,
                   "signed": answer.sent_by.name if answer.sent_by else ""},
                  by_hand=True)


def _my_data_link(message, now):
    """The one-time link to the person's data, made now: it is valid 30 minutes from
    the moment the message goes."""
    customer = _customer(message)
    link = url_for("my_data.open_link", token=create_link(customer, now), _external=True)
    return Letter(customer.email, customer.language, subject_of(message, customer.language),
                  message.kind, {
        "customer": customer, "link": link,
        "minutes": int(LINK_VALID.total_seconds() // 60),
        "ask_url": url_for("my_data.ask", _external=True)})


def _data_request(message):
    data_request = DataRequest.get_or_none(DataRequest.id == message.data_request_id)
    if data_request is None:
        raise Skip("the request no longer exists")
    return data_request


def _data_request_received(message, now):
    data_request = _data_request(message)
    if not data_request.email:
        raise Skip("the person's e-mail address was erased")
    purposes = {purpose.value: name for purpose, name in PURPOSE_NAMES.items()}
    subject = subject_of(message, data_request.language)
    return Letter(data_request.email, data_request.language, subject, message.kind, {
        "data_request": data_request, "kind": REQUEST_KIND_NAMES[data_request.kind],
        "purpose": purposes.get(data_request.purpose),
        "due": local(data_request.due)})


def _to_owner_of_data_request(message, now):
    user = _staff_account(message)
    if not user.is_owner:
        raise Skip("the account is no longer an owner's")
    data_request = _data_request(message)
    subject = subject_of(message, business_language(), kind=REQUEST_KIND_NAMES[data_request.kind])
    return Letter(user.email, business_language(), subject, message.kind, {
        "data_request": data_request, "kind": REQUEST_KIND_NAMES[data_request.kind],
        "due": local(data_request.due),
        "link": url_for("data_requests.show", request_id=data_request.id,
                        _external=True)})


def _to_person_of_data_request(message, now):
    """The answer to a request about one's data: more time, what was done (with the
    copy of the data, for an access request) or the refusal. To the address the person
    gave, or else the customer's, in the request's language; sent even while the
    person's data is restricted, since it is about their request."""
    data_request = _data_request(message)
    customer = data_request.customer
    to = data_request.email or (customer.email if customer else "")
    if not to:
        raise Skip("the person gave no e-mail address")
    detail = message.detail
    context = {"data_request": data_request, "kind": REQUEST_KIND_NAMES[data_request.kind],
               "name": data_request.name or (customer.name if customer else ""),
               "message_acted": detail.get("acted", False)}
    attachments = []
    if message.kind == outbox.DATA_REQUEST_EXTENDED:
        context["reason"] = detail.get("reason", data_request.extension_reason)
        context["due"] = local(datetime.fromisoformat(detail["answer_by"]))
    if detail.get("export"):
        if customer is None:
            raise Skip("the customer is no longer in the register")
        copy = json.dumps(personal_data_of(customer), ensure_ascii=False, indent=2)
        attachments.append(("my-data.json", copy.encode(), "application", "json"))
        context["attached"] = "my-data.json"
    return Letter(to, data_request.language, subject_of(message, data_request.language),
                  message.kind, context, attachments)


def _news(message, now):
    """The owner's news to one customer, only while they still want it, with the link
    (and the mail program's one-click request, RFC 8058) that stops it."""
    customer = _customer(message)
    not_restricted(customer)
    consent = consent_in_force(customer)
    if consent is None:
        raise Skip("the customer stopped the news")
    key = unsubscribe_key(consent, current_app.secret_key)
    link = url_for("consent.unsubscribe", key=key, _external=True)
    return Letter(customer.email, customer.language, message.detail["subject"],
                  message.kind, {"text": message.detail["text"], "unsubscribe_url": link},
                  headers={"List-Unsubscribe": f"<{link}>",
                           "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def _data_erased(message, now):
    """What erasing the person's data did. Their address is only in the message's
    details, which are cleared once it is sent or given up."""
    detail = message.detail
    if not detail.get("to"):
        raise Skip("the address was cleared")
    language = detail.get("language") or "fi"
    held = [{**each, "until": date.fromisoformat(each["until"])}
            for each in detail.get("held", [])]
    return Letter(detail["to"], language, subject_of(message, language), message.kind,
                  {"deleted": detail.get("deleted", []), "held": held})


def _account_changed(message, now):
    """A change to how an account logs in, told to the account (even one disabled
    meanwhile: its holder should still hear of it)."""
    user = User.get_or_none(User.id == message.user_id)
    if user is None:
        raise Skip("the account no longer exists")
    detail = message.detail
    return Letter(user.email, business_language(), subject_of(message, business_language()),
                  message.kind, {"user": user, "change": detail["change"],
                                 "at": datetime.fromisoformat(detail["at"]),
                                 "login_url": url_for("auth.login", _external=True)})


def _pay_to(invoice):
    iban = invoice.seller_details.get("iban", "")
    return {"reference": format_reference(invoice.reference) if invoice.reference else "",
            "iban": stdnum_iban.format(iban) if iban else ""}


def _invoice_mail(message, now):
    """An issued invoice or credit note to the buyer's address, its PDF attached, in the
    invoice's language."""
    invoice = Invoice.get_or_none(Invoice.id == message.detail.get("invoice_id"))
    if invoice is None or invoice.status != ISSUED:
        raise Skip("the invoice no longer exists")
    if not invoice.buyer_email:
        raise Skip("the invoice has no e-mail address")
    not_restricted(invoice.customer)
    name, pdf = invoice_file(invoice)
    subject = subject_of(message, invoice.language, number=invoice.number)
    if invoice.is_credit_note:
        with force_locale(invoice.language):
            subject = gettext("Credit note %(number)s", number=invoice.number)
    return Letter(invoice.buyer_email, invoice.language, subject, "invoice",
                  {"invoice": invoice, "attached": name, **_pay_to(invoice)},
                  [(name, pdf, "application", "pdf")])


def _receipt_mail(message, now):
    """A receipt to the customer's address, its PDF attached, in the receipt's language."""
    sale = Sale.get_or_none(Sale.id == message.detail.get("sale_id"))
    if sale is None:
        raise Skip("the receipt no longer exists")
    customer = _customer(message)
    not_restricted(customer)
    name, pdf = receipt_file(sale)
    return Letter(customer.email, sale.language,
                  subject_of(message, sale.language, number=sale.number), "receipt",
                  {"sale": sale, "attached": name}, [(name, pdf, "application", "pdf")])


def _reminder_mail(message, now):
    """A payment reminder to the buyer's address, its PDF attached; not sent once the
    invoice is paid or credited meanwhile."""
    reminder = PaymentReminder.get_or_none(
        PaymentReminder.id == message.detail.get("reminder_id"))
    if reminder is None:
        raise Skip("the reminder no longer exists")
    invoice = reminder.invoice
    if not invoice.open_cents:
        raise Skip("the invoice is paid or credited")
    if not invoice.buyer_email:
        raise Skip("the invoice has no e-mail address")
    not_restricted(invoice.customer)
    name, pdf = reminder_file(reminder)
    return Letter(invoice.buyer_email, invoice.language,
                  subject_of(message, invoice.language, number=invoice.number), "reminder",
                  {"reminder": reminder, "invoice": invoice, "attached": name,
                   **_pay_to(invoice)},
                  [(name, pdf, "application", "pdf")])


# Subjects, translated when the message is written.
SUBJECTS = {
    outbox.DATA_ERASED: lambda: gettext("Your data has been erased"),
    outbox.BOOKING_CONFIRMED: lambda: gettext("Booking confirmed: %(service)s, %(when)s"),
    outbox.BOOKING_REMINDER: lambda: gettext("Reminder: %(service)s, %(when)s"),
    outbox.BOOKING_CANCELLED: lambda: gettext("Booking cancelled: %(service)s, %(when)s"),
    outbox.BOOKING_MOVED: lambda: gettext("Booking moved: %(service)s, %(when)s"),
    outbox.CONTACT_RECEIVED: lambda: gettext("We received your message"),
    outbox.CONTACT_ANSWER: lambda: gettext("Answer to your message"),
    outbox.STAFF_NEW_BOOKING: lambda: gettext("New online booking: %(when)s, %(name)s"),
    outbox.STAFF_CANCELLED: lambda: gettext("Cancelled by the customer: %(when)s, "
                                            "%(name)s"),
    outbox.STAFF_MOVED: lambda: gettext("Moved by the customer: %(when)s, %(name)s"),
    outbox.STAFF_NEW_CONTACT: lambda: gettext("New contact request from %(name)s"),
    outbox.MY_DATA_LINK: lambda: gettext("Your link to see your data"),
    outbox.DATA_REQUEST_RECEIVED: lambda: gettext("We received your request about your data"),
    outbox.STAFF_NEW_DATA_REQUEST: lambda: gettext("New request about personal data: "
                                                   "%(kind)s"),
    outbox.DATA_REQUEST_EXTENDED: lambda: gettext("More time to answer your request "
                                                  "about your data"),
    outbox.DATA_REQUEST_DONE: lambda: gettext("Your request about your data is done"),
    outbox.DATA_REQUEST_REFUSED: lambda: gettext("Your request about your data"),
    outbox.ACCOUNT_CHANGED: lambda: gettext("A change to how you log in to the back office"),
    outbox.INVOICE_SENT: lambda: gettext("Invoice %(number)s"),
    outbox.RECEIPT_SENT: lambda: gettext("Receipt %(number)s"),
    outbox.PAYMENT_REMINDER: lambda: gettext("Payment reminder: invoice %(number)s"),
}
WRITERS = {
    outbox.DATA_ERASED: _data_erased,
    outbox.NEWSLETTER: _news,
    outbox.BOOKING_CONFIRMED: _to_customer,
    outbox.BOOKING_REMINDER: _to_customer,
    outbox.BOOKING_CANCELLED: _to_customer,
    outbox.BOOKING_MOVED: _to_customer,
    outbox.CONTACT_RECEIVED: _to_sender,
    outbox.CONTACT_ANSWER: _contact_answer,
    outbox.STAFF_NEW_BOOKING: _to_staff_of_booking,
    outbox.STAFF_CANCELLED: _to_staff_of_booking,
    outbox.STAFF_MOVED: _to_staff_of_booking,
    outbox.STAFF_NEW_CONTACT: _to_staff_of_contact,
    outbox.MY_DATA_LINK: _my_data_link,
    outbox.DATA_REQUEST_RECEIVED: _data_request_received,
    outbox.STAFF_NEW_DATA_REQUEST: _to_owner_of_data_request,
    outbox.DATA_REQUEST_EXTENDED: _to_person_of_data_request,
    outbox.DATA_REQUEST_DONE: _to_person_of_data_request,
    outbox.DATA_REQUEST_REFUSED: _to_person_of_data_request,
    outbox.ACCOUNT_CHANGED: _account_changed,
    outbox.INVOICE_SENT: _invoice_mail,
    outbox.RECEIPT_SENT: _receipt_mail,
    outbox.PAYMENT_REMINDER: _reminder_mail,
}


class UrlListHeader(UnstructuredHeader):
    """A header of angle-bracketed URLs (RFC 2369), kept on one line as written: a
    long one would otherwise be folded into an RFC 2047 encoded-word, in which no
    receiver finds the address."""

    def fold(self, *, policy):
        # RFC 5322 allows lines of 998 characters; 78 is only a recommendation.
        return super().fold(policy=policy.clone(max_line_length=998))


_headers = HeaderRegistry()
_headers.map_to_type("list-unsubscribe", UrlListHeader)
MAIL_POLICY = policy.default.clone(header_factory=_headers)


def sender_address(business):
    configured = current_app.config.get("MAIL_FROM")
    return configured or business.email or "vuoro@localhost"


LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text):
    """`text` as one line for a header: a line break (or any other control character)
    in a name must not end the header, nor stop the message from being written."""
    return " ".join(LINE_BREAKING.sub(" ", text).split())


def compose(message, sent_at):
    """The e-mail of a queued message, or Skip."""
    letter = WRITERS[message.kind](message, sent_at)
    business = Business.current()
    sender = sender_address(business)
    with force_locale(letter.language):
        context = {**letter.context, "business": business, "subject": letter.subject,
                   "by_hand": letter.by_hand}
        text = render_template(f"mail/{letter.template}.txt", **context)
        html = render_template(f"mail/{letter.template}.html", **context)
    email = EmailMessage(policy=MAIL_POLICY)
    email["Subject"] = one_line(letter.subject)
    email["From"] = Address(display_name=one_line(business.name), addr_spec=sender)
    email["To"] = letter.to
    if business.email and business.email != sender:
        email["Reply-To"] = business.email
    email["Date"] = format_datetime(sent_at.replace(tzinfo=UTC))
    # The same message always has the same id: a mail system that sees it twice
    # (a sender that died after handing it over) can tell.
    email["Message-ID"] = f"<{message.mail_id}@{sender.rpartition('@')[2] or 'localhost'}>"
    if not letter.by_hand:
        email["Auto-Submitted"] = "auto-generated"
    for name, value in letter.headers.items():
        email[name] = value
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    # (file name, bytes) is a calendar file; others say their type after the bytes.
    for name, content, *content_type in letter.attachments:
        maintype, subtype = content_type or ("text", "calendar")
        email.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    # The files queued with the message (an invoice's PDF), as they were given.
    for file in message.files():
        maintype, subtype = file.content_type.split("/")
        email.add_attachment(file.content, maintype=maintype, subtype=subtype,
                             filename=file.name)
    # Last: setting the content (or adding a part) moves Content-* headers out of the top.
    email["Content-Language"] = letter.language
    return letter, email
