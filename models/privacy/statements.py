"""The privacy statement's published versions, and the processors the owner lists.

The statement is generated from the declaration and the business's settings; every
time what it says changes, a new version is published (numbered, dated, its text kept in
each language), so that an older version stays readable as it was.
"""

import hashlib
import json

from peewee import CharField, DateTimeField, IntegerField, IntegrityError, TextField

from engines.clock import utc_now
from models import BaseModel, db
from models.people.customers import InvalidValue
from models.privacy.declaration import PersonalData
from models.privacy.processing import ACCOUNTING, EMAIL_SERVICE, HOSTING
from models.written import run_written

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


# The EU member states and the other EEA countries (ISO 3166 codes): the only places a
# processor may be, so that nothing is moved outside the EU/EEA.
EU_COUNTRIES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR",
                "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO",
                "SE", "SI", "SK")
EEA_COUNTRIES = EU_COUNTRIES + ("IS", "LI", "NO")

# How many times a publication that met another one at the same moment reads again.
PUBLISH_ATTEMPTS = 5


def facts_hash(version, facts_text):
    """The hash of what version `version` says. The version is part of it, so a
    statement that comes back to what an older version said is still a new version."""
    return hashlib.sha256(f"{version}\n{facts_text}".encode()).hexdigest()


def facts_text(facts):
    """The facts as the one canonical JSON text that is hashed and stored."""
    return json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def newest():
    return PrivacyStatement.select().order_by(PrivacyStatement.version.desc()).first()


def says(statement, text):
    """Whether `statement` says what the facts `text` say."""
    return statement is not None and statement.facts_hash == facts_hash(statement.version,
                                                                        text)


def current(facts, render):
    """The statement that says `facts`: the newest version when it does (one query),
    otherwise a new version published with the bodies `render()` gives, a dict of
    language to text. Two publishing at once make one version: the one that loses the
    race on the unique version reads again and finds the winner's."""
    text = facts_text(facts)
    bodies = None
    for _attempt in range(PUBLISH_ATTEMPTS):
        latest = newest()
        if says(latest, text):
            return latest
        version = latest.version + 1 if latest else 1
        bodies = bodies or render()
        try:
            with db.atomic():
                return PrivacyStatement.create(
                    version=version, published_at=utc_now(),
                    facts_hash=facts_hash(version, text), facts=text,
                    **{f"body_{language}": body for language, body in bodies.items()})
        except IntegrityError:
            continue
    raise RuntimeError("the privacy statement could not be published")


def version(number):
    """The published version `number`, or None."""
    return PrivacyStatement.get_or_none(PrivacyStatement.version == number)


def is_published(number):
    """Whether `number` is a published version (every booking asks, with the version
    its form was handed out with: the SQL is written once)."""
    return bool(run_written(("published statement",), lambda: PrivacyStatement.select(
        PrivacyStatement.id).where(PrivacyStatement.version == number), [number]))


def earlier(statement):
    """The versions before `statement`, newest first, without their bodies."""
    return list(PrivacyStatement
                .select(PrivacyStatement.id, PrivacyStatement.version,
                        PrivacyStatement.published_at)
                .where(PrivacyStatement.version < statement.version)
                .order_by(PrivacyStatement.version.desc()))


# The processors -------------------------------------------------------------------------

def processors():
    """The processors the owner lists, by service and name."""
    order = {service: index for index, service in enumerate(PROCESSOR_SERVICES)}
    return sorted(Processor.select(), key=lambda p: (order.get(p.service, 99),
                                                     p.name.casefold(), p.id))


def add_processor(name, service, country):
    """List a processor; refuses a service not known ("processor_service") and a
    country outside the EU/EEA ("processor_country")."""
    name = (name or "").strip()
    if not name or len(name) > Processor.name.max_length:
        raise InvalidValue("processor_name")
    if service not in PROCESSOR_SERVICES:
        raise InvalidValue("processor_service")
    if country not in EEA_COUNTRIES:
        raise InvalidValue("processor_country")
    return Processor.create(name=name, service=service, country=country)


def remove_processor(processor_id):
    """Remove a processor from the list; the removed one, or None when it was gone."""
    processor = Processor.get_or_none(Processor.id == processor_id)
    if processor is not None:
        processor.delete_instance()
    return processor
