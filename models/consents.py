"""Consents: a customer's choice to get news and offers by e-mail, and visitors' choices
about optional cookies. Each records when, what was chosen and which version of the
privacy statement (or of the cookie banner) was shown."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from . import BaseModel, utc_now
from .customers import Customer
from .privacy import CONSENT, PersonalData

MARKETING = "marketing"
PURPOSES = (MARKETING,)

# Where a consent was given or withdrawn.
BOOKING_FORM = "booking"
MY_DATA = "my_data"
UNSUBSCRIBE = "unsubscribe"
STAFF = "staff"
SOURCES = (BOOKING_FORM, MY_DATA, UNSUBSCRIBE, STAFF)


class Consent(BaseModel):
    customer = ForeignKeyField(Customer, backref="consents", on_delete="CASCADE")
    purpose = CharField(max_length=20, default=MARKETING)
    given_at = DateTimeField(default=utc_now)
    given_via = CharField(max_length=12, default=BOOKING_FORM)
    statement_version = IntegerField(null=True)
    withdrawn_at = DateTimeField(null=True)
    withdrawn_via = CharField(max_length=12, default="")
    # The hash of the key in the unsubscribe link of each message sent with it.
    unsubscribe_hash = CharField(max_length=64, null=True, unique=True)

    personal_data = PersonalData(
        {"customer": CONSENT, "given_at": CONSENT, "withdrawn_at": CONSENT},
        not_personal=("id", "purpose", "given_via", "statement_version", "withdrawn_via",
                      "unsubscribe_hash"),
    )

    class Meta:
        indexes = ((("customer", "purpose"), False),)


# A visitor's answer to the cookie banner.
ACCEPTED = "accepted"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
COOKIE_CHOICES = (ACCEPTED, REJECTED, WITHDRAWN)


class CookieChoice(BaseModel):
    """One answer to the cookie banner. `visitor` is the random key in the visitor's
    own choice cookie, which ties a later withdrawal to the answer; nothing else about
    the visitor is kept."""

    visitor = CharField(max_length=32, index=True)
    choice = CharField(max_length=10)
    banner_version = IntegerField()
    at = DateTimeField(default=utc_now)

    personal_data = PersonalData(
        {"visitor": CONSENT, "at": CONSENT},
        not_personal=("id", "choice", "banner_version"),
    )
