"""The owner's money settings, and the VAT category of each service."""

import json
from decimal import Decimal

from peewee import BooleanField, CharField, DecimalField, ForeignKeyField, IntegerField, TextField
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from engines import vat
from models import BaseModel, write_transaction
from models.business import Business
from models.business.catalogue import Service
from models.money import Refused
from models.privacy.declaration import PersonalData

CASH = "cash"
CARD = "card"
MOBILEPAY = "mobilepay"
EPASSI = "epassi"
SMARTUM = "smartum"
EDENRED = "edenred"
BANK_TRANSFER = "bank_transfer"
# The counter's payment methods, in the order they are offered.
COUNTER_METHODS = (CASH, CARD, MOBILEPAY, EPASSI, SMARTUM, EDENRED)
# How an invoice can be paid: into the account, or at the counter.
INVOICE_METHODS = (BANK_TRANSFER, *COUNTER_METHODS)

# The VAT categories a service or a free row can be in: engines/vat.py's, those a small
# service business sells.
GENERAL = vat.GENERAL
REDUCED = vat.SPORTS_AND_CULTURE
HEALTH_CARE = vat.HEALTH_CARE
NO_VAT = vat.ZERO_RATED
VAT_CATEGORIES = (GENERAL, REDUCED, HEALTH_CARE, NO_VAT)

LARGEST_DUE_DAYS = 365
LARGEST_PENALTY_INTEREST = Decimal("99.9")
# The most the Collection Act (saatavien perintälaki 10 e §) lets a consumer's reminder cost.
LARGEST_REMINDER_FEE_CENTS = 500


class MoneySettings(BaseModel):
    """The one row of money settings; defaults until the owner saves them."""

    iban = CharField(max_length=34, default="")
    bic = CharField(max_length=11, default="")
    due_days = IntegerField(default=14)
    penalty_interest = DecimalField(max_digits=4, decimal_places=1, default=Decimal("9.0"))
    reminder_fee_cents = IntegerField(default=500)
    vat_registered = BooleanField(default=True)
    methods = TextField(default=" ".join(COUNTER_METHODS))

    personal_data = PersonalData({}, not_personal=(
        "id", "iban", "bic", "due_days", "penalty_interest", "reminder_fee_cents",
        "vat_registered", "methods"))

    @classmethod
    def current(cls):
        return cls.select().order_by(cls.id).first() or cls()

    @property
    def counter_methods(self):
        kept = set(self.methods.split())
        return [method for method in COUNTER_METHODS if method in kept]

    @property
    def can_invoice(self):
        return bool(self.iban)


class ServiceVat(BaseModel):
    """A service's VAT category, where it is not the general rate."""

    service = ForeignKeyField(Service, unique=True, on_delete="CASCADE")
    category = CharField(max_length=30)

    personal_data = PersonalData({}, not_personal=("id", "service", "category"))


def normalise_iban(text):
    try:
        return stdnum_iban.validate(text)
    except ValidationError as error:
        raise Refused("iban_invalid", "iban") from error


def normalise_bic(text):
    try:
        return stdnum_bic.validate(text)
    except ValidationError as error:
        raise Refused("bic_invalid", "bic") from error


def save_settings(*, iban, bic, due_days, penalty_interest, reminder_fee_cents,
                  vat_registered, methods):
    """Check and save the owner's money settings. Refused(code, field) at the first
    value that cannot be."""
    iban = normalise_iban(iban) if iban.strip() else ""
    bic = normalise_bic(bic) if bic.strip() else ""
    if iban and not bic:
        raise Refused("bic_missing", "bic")
    if not 0 <= due_days <= LARGEST_DUE_DAYS:
        raise Refused("due_days_out_of_range", "due_days")
    if not Decimal(0) <= penalty_interest <= LARGEST_PENALTY_INTEREST:
        raise Refused("penalty_interest_out_of_range", "penalty_interest")
    if not 0 <= reminder_fee_cents <= LARGEST_REMINDER_FEE_CENTS:
        raise Refused("reminder_fee_too_large", "reminder_fee")
    unknown = set(methods) - set(COUNTER_METHODS)
    if unknown or not methods:
        raise Refused("methods_none", "methods")
    with write_transaction():
        settings = MoneySettings.current()
        settings.iban, settings.bic, settings.due_days = iban, bic, due_days
        settings.penalty_interest = penalty_interest
        settings.reminder_fee_cents = reminder_fee_cents
        settings.vat_registered = vat_registered
        settings.methods = " ".join(m for m in COUNTER_METHODS if m in methods)
        settings.save()
    return settings


def vat_category(service):
    row = ServiceVat.get_or_none(ServiceVat.service == service)
    return row.category if row else GENERAL


def vat_categories():
    """Every service's category, by service id (services not listed: general)."""
    return {row.service_id: row.category for row in ServiceVat.select()}


def set_vat_category(service, category):
    if category not in VAT_CATEGORIES:
        raise Refused("vat_category_unknown", "category")
    with write_transaction():
        ServiceVat.delete().where(ServiceVat.service == service).execute()
        if category != GENERAL:
            ServiceVat.create(service=service, category=category)


def seller_snapshot():
    """The seller as an invoice or a receipt prints it, at the moment it is made: kept
    with it, so a later change of address does not change a voucher."""
    business, settings = Business.current(), MoneySettings.current()
    return json.dumps({
        "name": business.name, "business_id": business.business_id,
        "street": business.street, "postal_code": business.postal_code,
        "town": business.town, "phone": business.phone, "email": business.email,
        "iban": settings.iban, "bic": settings.bic,
        "vat_registered": settings.vat_registered,
    }, ensure_ascii=False, sort_keys=True)
