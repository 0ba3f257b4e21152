"""Names shown for the declaration of personal data and for people's requests, used by
several pages and by the e-mail the worker writes: each table is written once, here."""

from flask_babel import lazy_gettext as _l

from models.accounts.users import PASSWORD_MAX, PASSWORD_MIN
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
