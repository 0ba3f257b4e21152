"""Consents: a customer's choice to get news and offers by e-mail, and visitors' choices
about optional cookies. Each records when, what was chosen and which version of the
privacy statement (or of the cookie banner) was shown."""

import hashlib

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from engines.clock import naive_utc, utc_now
from models import BaseModel, link_key
from models.people.customers import Customer
from models.privacy.declaration import CONSENT, PersonalData

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


def active(customer, purpose=MARKETING):
    """The customer's consent for `purpose` in force, or None."""
    return (Consent.select()
            .where((Consent.customer == customer) & (Consent.purpose == purpose)
                   & Consent.withdrawn_at.is_null())
            .order_by(Consent.given_at.desc()).first())


def give(customer, purpose=MARKETING, via=BOOKING_FORM, statement_version=None, now=None):
    """Record the customer's consent (the one in force, if already given)."""
    if purpose not in PURPOSES or via not in SOURCES:
        raise ValueError(f"unknown consent {purpose!r} via {via!r}")
    return active(customer, purpose) or Consent.create(
        customer=customer, purpose=purpose, given_via=via,
        statement_version=statement_version, given_at=naive_utc(now) if now else utc_now())


def withdraw(customer, purpose=MARKETING, via=MY_DATA, now=None):
    """Withdraw the customer's consent for `purpose`; how many were in force (0 or 1)."""
    if via not in SOURCES:
        raise ValueError(f"unknown source {via!r}")
    return Consent.update(
        withdrawn_at=naive_utc(now) if now else utc_now(), withdrawn_via=via,
    ).where((Consent.customer == customer) & (Consent.purpose == purpose)
            & Consent.withdrawn_at.is_null()).execute()


def unsubscribe_key(consent, secret_key):
    """The key of the consent's unsubscribe link. It is derived from the consent with
    the site's secret, so every message sent under one consent carries a link that keeps
    working; only its hash is stored, when the first message is written."""
    key = link_key(secret_key, f"unsubscribe:{consent.id}:{consent.given_at.isoformat()}")
    digest = hashlib.sha256(key.encode()).hexdigest()
    if consent.unsubscribe_hash != digest:
        Consent.update(unsubscribe_hash=digest).where(Consent.id == consent.id).execute()
        consent.unsubscribe_hash = digest
    return key
