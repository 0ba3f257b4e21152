"""Names shown for the declaration of personal data and for people's requests, used by
several pages and by the e-mail the worker writes: each table is written once, here."""

from flask_babel import lazy_gettext as _l

from models.accounts.users import PASSWORD_MAX, PASSWORD_MIN
from models.people.contact_requests import BOOKING_QUESTION, BY_EMAIL, BY_PHONE, FEEDBACK, OTHER
from models.privacy.data_requests import CORRECTION, ERASURE, OBJECTION, RESTRICTION
from models.privacy.declaration import LegalBasis, Purpose

# What the data is used for, in the customer's words.
PURPOSE_NAMES = {
    Purpose.CUSTOMER_RELATIONSHIP: _l("looking after our customer relationship"),
    Purpose.SERVICE: _l("giving the service you booked"),
    Purpose.INVOICING: _l("invoicing"),
    Purpose.DEVELOPMENT: _l("developing our service"),
    Purpose.COMMUNICATION: _l("communicating with you about your bookings and what you ask us"),
    Purpose.MISUSE_PREVENTION: _l("noticing and preventing misuse"),
    Purpose.LEGAL_COMPLIANCE: _l("meeting our duties under the law, such as answering your "
                                 "requests about your data"),
    Purpose.MARKETING: _l("sending news and offers by e-mail to those who asked for them"),
}
# The categories of a customer's data, in the customer's words.
CATEGORY_NAMES = {
    "contact": _l("Contact details"),
    "booking": _l("Bookings"),
    "message": _l("Messages you write to us"),
    "note": _l("Notes from your visits"),
    "audit": _l("Records of which of our staff handled your data and when"),
    "contact_request": _l("Contact requests you send us"),
    "email": _l("Records of the e-mail we send you"),
    "data_request": _l("Your requests about your data, and how we answered them"),
    "consent": _l("Your consent to news and offers by e-mail"),
    "invoicing": _l("Your receipts and invoices"),
}
# The legal bases in a customer's words.
BASIS_NAMES = {
    LegalBasis.CONTRACT: _l("our contract with you (GDPR Art 6(1)(b))"),
    LegalBasis.LEGAL_OBLIGATION: _l("an obligation the law sets us (GDPR Art 6(1)(c))"),
    LegalBasis.LEGITIMATE_INTEREST: _l("our legitimate interest (GDPR Art 6(1)(f))"),
    LegalBasis.CONSENT: _l("your consent (GDPR Art 6(1)(a))"),
}
# The legal bases in the words of the "my data" page: plain, with what the person
# may do about each.
BASIS_NAMES_PLAIN = {
    LegalBasis.CONTRACT.value: _l("our agreement with you: the bookings you make"),
    LegalBasis.LEGAL_OBLIGATION.value: _l("what the law requires of us"),
    LegalBasis.LEGITIMATE_INTEREST.value: _l("our legitimate interest, which you may "
                                             "object to"),
    LegalBasis.CONSENT.value: _l("your consent, which you may withdraw at any time"),
}
# The legal bases as the record of processing names them for the owner and staff.
BASIS_NAMES_FOR_STAFF = {
    LegalBasis.CONTRACT: _l("Contract with the person (GDPR Art 6(1)(b))"),
    LegalBasis.LEGAL_OBLIGATION: _l("Legal obligation (GDPR Art 6(1)(c))"),
    LegalBasis.LEGITIMATE_INTEREST: _l("Legitimate interest of the business "
                                       "(GDPR Art 6(1)(f))"),
    LegalBasis.CONSENT: _l("Consent (GDPR Art 6(1)(a))"),
}
# What a person may ask about their data, in their words.
REQUEST_KIND_NAMES = {
    "access": _l("A copy of your data"),
    CORRECTION: _l("Correct your data"),
    ERASURE: _l("Erase your data"),
    RESTRICTION: _l("Restrict the use of your data"),
    OBJECTION: _l("Object to a use of your data"),
    "portability": _l("Your data in a machine-readable form"),
}


# Why a new password was refused (models.accounts.users.WeakPassword's code): the account
# pages and `flask create-user` say it alike.
PASSWORD_PROBLEMS = {
    "too_short": _l("Use at least %(min)d characters.", min=PASSWORD_MIN),
    "too_long": _l("Use at most %(max)d characters.", max=PASSWORD_MAX),
    "common": _l("This password is too common or too easy to guess. Choose another, "
                 "e.g. a few unrelated words."),
}

# What each kind of audit log entry says, on the owner's audit log and the person's
# own "my data" page.
ACTION_LABELS = {
    "customer.view": _l("Opened a customer's page"),
    "customer.create": _l("Added a customer"),
    "customer.update": _l("Changed a customer's details"),
    "customer.merge": _l("Merged two customers"),
    "customer.note": _l("Wrote a note about a customer"),
    "booking.create": _l("Made a booking"),
    "booking.overbook": _l("Booked over another booking"),
    "booking.move": _l("Moved a booking"),
    "booking.cancel": _l("Cancelled a booking"),
    "booking.status": _l("Changed the status of a booking"),
    "booking.note": _l("Wrote a note on a booking"),
    "contact.view": _l("Opened a contact request"),
    "contact.answer": _l("Marked a contact request answered"),
    "contact.send_answer": _l("Sent an answer to a contact request by e-mail"),
    "contact.close": _l("Closed a contact request"),
    "contact.reopen": _l("Reopened a contact request"),
    "contact.link": _l("Linked a contact request to a customer"),
    "audit.export": _l("Downloaded the audit log"),
    "user.login": _l("Logged in"),
    "user.invite": _l("Made a link to set a password"),
    "user.disable": _l("Disabled an account"),
    "user.enable": _l("Enabled an account"),
    "settings.update": _l("Changed the settings"),
    "money.sale": _l("Took a payment and made its receipt"),
    "money.invoice": _l("Issued an invoice"),
    "money.payment": _l("Recorded a payment of an invoice"),
    "money.credit": _l("Made a credit note"),
    "money.settings": _l("Changed the money settings"),
    "money.reminder": _l("Made a payment reminder"),
    "money.mail": _l("Sent an invoice or a receipt by e-mail"),
    "breach.record": _l("Recorded a personal-data breach"),
    "breach.update": _l("Updated a personal-data breach"),
    "records.export": _l("Downloaded the record of processing"),
    "mydata.view": _l("A customer opened their own data"),
    "mydata.download": _l("A customer downloaded their own data"),
    "request.receive": _l("Recorded a request about a person's data"),
    "request.view": _l("Opened a request about a person's data"),
    "request.extend": _l("Extended the time to answer a request"),
    "request.export": _l("Sent a person a copy of their data"),
    "request.correct": _l("Corrected a person's data on their request"),
    "request.restrict": _l("Restricted the use of a person's data"),
    "request.unrestrict": _l("Lifted a restriction on a person's data"),
    "request.erase": _l("Erased a person's data on their request"),
    "request.refuse": _l("Refused a request about a person's data"),
    "request.close": _l("Closed a request about a person's data"),
    "request.note": _l("Added a note to a request about a person's data"),
    "consent.give": _l("A customer gave consent"),
    "consent.withdraw": _l("A customer's consent was withdrawn"),
    "retention.update": _l("Changed how long data is kept"),
    "processor.update": _l("Changed the list of partners who process data"),
    "newsletter.send": _l("Sent news by e-mail"),
    "data.export": _l("Exported data"),
    "data.download": _l("Downloaded an export"),
}

# The languages, named in the reader's language ("ruotsi", not "På svenska"): the
# language choice itself names each language in its own words (web.formatting).
# The back office's backups page and the `backup` command, when no key is set.
BACKUPS_OFF = _l("Backups are not on: no key has been set to encrypt them with. On your own "
                 "computer, make a key pair with the command flask --app app backup-key "
                 "KEYFILE (or age-keygen), keep the key file safe and away from the server, "
                 "and set the public key it prints as VUORO_BACKUP_RECIPIENTS on the server. "
                 "The README tells how, step by step.")
LANGUAGE_WORDS = {"fi": _l("Finnish"), "sv": _l("Swedish"), "en": _l("English")}


def language_word(code):
    """The language `code` in the reader's language: suomi, ruotsi, englanti."""
    return str(LANGUAGE_WORDS.get(code, code))


def init_app(app):
    app.jinja_env.globals.update(language_word=language_word)


# What a contact request is about, and how its sender wants the answer: the public
# form and the staff's inbox.
CONTACT_SUBJECTS = {
    BOOKING_QUESTION: _l("A question about a booking"),
    FEEDBACK: _l("Feedback"),
    OTHER: _l("Something else"),
}
REPLY_NAMES = {BY_EMAIL: _l("By e-mail"), BY_PHONE: _l("By phone")}

# How the data is kept safe: the privacy statement and the record of processing.
SECURITY_MEASURES = (
    _l("Encrypted connections only (TLS); session cookies are sent only over them, "
       "closed to scripts (HttpOnly, SameSite)"),
    _l("Passwords stored as argon2id hashes; common passwords refused"),
    _l("Logins throttled against guessing"),
    _l("Two-step login with a code app (TOTP), which the owner can require of everyone"),
    _l("Strict Content-Security-Policy and security headers; no inline scripts"),
    _l("An audit log of every opening, change and export of a customer's data, which "
       "cannot be changed or deleted"),
    _l("No requests to third parties from any page: no CDN, web fonts, analytics or "
       "trackers"),
    _l("Staff accounts with roles; a session ends after the idle time the owner sets"),
)


# The breakdowns of the visit statistics: the dashboard's and the owner's export's names.
BREAKDOWNS = (
    ("page", _l("Pages")), ("entry", _l("Entry pages")), ("exit", _l("Exit pages")),
    ("flow", _l("From page to page")), ("referrer", _l("Sites that linked here")),
    ("campaign", _l("Campaigns")), ("channel", _l("Channel")),
    ("device_class", _l("Device")), ("device_model", _l("Device model")),
    ("browser", _l("Browser and version")), ("system", _l("Operating system")),
    ("screen", _l("Screen width")), ("language", _l("Language")),
)
