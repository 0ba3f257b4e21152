"""The privacy statement's published versions, and the processors the owner lists.

The statement is generated from the declaration and the business's settings; every
time what it says changes, a new version is published (numbered, dated, its text kept in
each language), so that an older version stays readable as it was.
"""

from peewee import CharField, DateTimeField, IntegerField, TextField

from . import BaseModel, utc_now
from .privacy import PersonalData
from .processing import ACCOUNTING, EMAIL_SERVICE, HOSTING

# What a processor does for the business (the record of processing's keys).
OTHER = "other"
PROCESSOR_SERVICES = (HOSTING, EMAIL_SERVICE, ACCOUNTING, OTHER)


class PrivacyStatement(BaseModel):
    version = IntegerField(unique=True)
    published_at = DateTimeField(default=utc_now)
    # The hash of what the statement says (its facts and its wording's revision).
    facts_hash = CharField(max_length=64, unique=True)
    facts = TextField()
    body_fi = TextField()
    body_sv = TextField()
    body_en = TextField()

    personal_data = PersonalData(
        {}, not_personal=("id", "version", "published_at", "facts_hash", "facts",
                          "body_fi", "body_sv", "body_en"))

    def body(self, language):
        return getattr(self, f"body_{language}", None) or self.body_fi


class Processor(BaseModel):
    """A partner that processes personal data for the business (under a processing
    agreement), as the owner lists it. Every one is in the EU or the EEA."""

    name = CharField(max_length=200)
    service = CharField(max_length=12)
    country = CharField(max_length=2)  # ISO 3166 code of an EU or EEA country
    created_at = DateTimeField(default=utc_now)

    personal_data = PersonalData(
        {}, not_personal=("id", "name", "service", "country", "created_at"))
