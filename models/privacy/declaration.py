"""The personal-data declaration: what each model holds about people, and why.

Every model that holds data about a person carries a `personal_data` declaration naming
each of its fields either as personal data of a category or as not personal. Each
category says for which purposes the data is processed, on which legal basis and for how
long it is kept. Access export, erasure, the retention purge, the record of processing and
the privacy statement page are derived from these declarations; a field that is declared
neither way fails the test suite.
"""

from dataclasses import dataclass
from datetime import date
from enum import Enum


class Purpose(Enum):
    CUSTOMER_RELATIONSHIP = "customer_relationship"
    SERVICE = "service"
    INVOICING = "invoicing"
    DEVELOPMENT = "development"
    COMMUNICATION = "communication"
    MISUSE_PREVENTION = "misuse_prevention"
    # Answering what the law asks of the business: people's requests about their data.
    LEGAL_COMPLIANCE = "legal_compliance"
    # News and offers by e-mail, only to those who chose to get them.
    MARKETING = "marketing"


class LegalBasis(Enum):
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTEREST = "legitimate_interest"
    CONSENT = "consent"


@dataclass(frozen=True)
class Retention:
    """How long data is kept: `months` counted from the event named by `after`. The
    owner may set another period between `minimum` and `maximum` months (the limits the
    law and the business's duties allow); where they are equal, the period is fixed."""

    months: int
    after: str
    minimum: int | None = None
    maximum: int | None = None

    @property
    def changeable(self):
        return (self.minimum is not None and self.maximum is not None
                and self.minimum < self.maximum)


@dataclass(frozen=True)
class LegalHold:
    """A law that makes the business keep data even when the person asks for it to be
    erased. The data is kept `years` years from the end of the calendar year in which
    the financial year of the record's date ended; the financial year ends on
    `financial_year_end` (month, day), the calendar year's end unless the business's
    bookkeeping says otherwise."""

    key: str
    law: str
    years: int
    financial_year_end: tuple[int, int] = (12, 31)

    def until(self, dated):
        """The last day the record dated `dated` (a date) must be kept."""
        month, day = self.financial_year_end
        year_ends = date(dated.year, month, day)
        if dated > year_ends:
            year_ends = date(dated.year + 1, month, day)
        return date(year_ends.year + self.years, 12, 31)


# Sales invoices and the other vouchers of the bookkeeping (kirjanpitolaki 2:10).
ACCOUNTING_ACT = LegalHold("accounting_act", "Accounting Act (kirjanpitolaki 1336/1997) 2:10",
                           years=6)


@dataclass(frozen=True)
class Category:
    key: str
    purposes: tuple[Purpose, ...]
    basis: LegalBasis
    retention: Retention
    # The law that keeps the data however its person asks for erasure, or None.
    legal_hold: LegalHold | None = None


CONTACT = Category(
    "contact",
    (
        Purpose.CUSTOMER_RELATIONSHIP,
        Purpose.SERVICE,
        Purpose.INVOICING,
        Purpose.COMMUNICATION,
    ),
    LegalBasis.CONTRACT,
    # Three years: the time in which a customer's claim about a service expires.
    Retention(months=36, after="last_booking", minimum=12, maximum=60),
)
BOOKING = Category(
    "booking",
    (Purpose.SERVICE, Purpose.CUSTOMER_RELATIONSHIP, Purpose.MISUSE_PREVENTION),
    LegalBasis.CONTRACT,
    Retention(months=36, after="appointment", minimum=12, maximum=60),
)
MESSAGE = Category(
    "message",
    (Purpose.SERVICE, Purpose.CUSTOMER_RELATIONSHIP),
    LegalBasis.CONTRACT,
    Retention(months=36, after="appointment"),
)

STAFF = Category(
    "staff",
    (Purpose.SERVICE,),
    LegalBasis.CONTRACT,
    Retention(months=0, after="employment_end"),
)

NOTE = Category(
    "note",
    (Purpose.SERVICE, Purpose.CUSTOMER_RELATIONSHIP),
    LegalBasis.CONTRACT,
    Retention(months=36, after="last_booking"),
)
# The database itself refuses to delete audit entries younger than 36 months (see
# models/schema.py), so that is also the shortest period.
AUDIT = Category(
    "audit",
    (Purpose.MISUSE_PREVENTION,),
    LegalBasis.LEGITIMATE_INTEREST,
    Retention(months=36, after="entry", minimum=36, maximum=60),
)

# The e-mail sent to customers and staff: who it went to, and when.
EMAIL = Category(
    "email",
    (Purpose.COMMUNICATION, Purpose.SERVICE),
    LegalBasis.CONTRACT,
    Retention(months=3, after="sent", minimum=1, maximum=24),
)

# What a person asks through the contact form, kept to answer it (the business's
# legitimate interest in answering what it was asked) and for a year after it is closed.
CONTACT_REQUEST = Category(
    "contact_request",
    (Purpose.COMMUNICATION, Purpose.CUSTOMER_RELATIONSHIP),
    LegalBasis.LEGITIMATE_INTEREST,
    Retention(months=12, after="closing", minimum=1, maximum=36),
)

# A person's requests about their own data (access, correction, erasure, restriction,
# objection) and how each was handled: kept as the proof that the business answered,
# three years after the request is closed (when claims about it expire).
DATA_REQUEST = Category(
    "data_request",
    (Purpose.LEGAL_COMPLIANCE,),
    LegalBasis.LEGAL_OBLIGATION,
    Retention(months=36, after="closing", minimum=36, maximum=60),
)

# A person's consent to news and offers by e-mail: while it is in force, and as proof of
# what was agreed, three years after it was withdrawn.
CONSENT = Category(
    "consent",
    (Purpose.MARKETING,),
    LegalBasis.CONSENT,
    Retention(months=36, after="withdrawal", minimum=12, maximum=60),
)

# The buyer's details on receipts and invoices: vouchers of the bookkeeping, which the
# Accounting Act makes the business keep for six years from the end of the year in which
# the financial year ended, erasure or not; the purge deletes them after that.
INVOICING = Category(
    "invoicing",
    (Purpose.INVOICING,),
    LegalBasis.LEGAL_OBLIGATION,
    Retention(months=72, after="financial_year_end"),
    legal_hold=ACCOUNTING_ACT,
)

CATEGORIES = (CONTACT, BOOKING, MESSAGE, NOTE, AUDIT, STAFF, EMAIL, CONTACT_REQUEST,
              DATA_REQUEST, CONSENT, INVOICING)

# The site's own statistics, about visitors the business does not know (see
# models/analytics/). They are kept apart from CATEGORIES, whose data is about customers
# and staff: no person's request, copy or erasure can find them, and the analytics
# roll-up, not the privacy purge, deletes them on time.

# The server's per-day counts of what each page request shows (page, referrer, campaign,
# browser, system, device, language): read as the page is served and stored only as
# counts with no identifier. The owner sets the period within the statistics' settings
# (1 to 25 months), not on the retention page.
ANALYTICS_COUNTS = Category(
    "analytics_counts",
    (Purpose.DEVELOPMENT,),
    LegalBasis.LEGITIMATE_INTEREST,
    Retention(months=25, after="counted_day"),
)
# The consented script's raw rows under a keyed hash of address and browser, and the
# day's salt of that hash: pseudonymous personal data while the salt lives. Both are
# deleted at most 48 hours after their day began (Retention(months=0)); the roll-up
# leaves only counts of the first kind.
ANALYTICS_VISITS = Category(
    "analytics_visits",
    (Purpose.DEVELOPMENT,),
    LegalBasis.CONSENT,
    Retention(months=0, after="visit_day"),
)

VISITOR_CATEGORIES = (ANALYTICS_COUNTS, ANALYTICS_VISITS)
# Every category the declaration knows, as the record of processing lists them.
DECLARED = CATEGORIES + VISITOR_CATEGORIES


@dataclass(frozen=True)
class PersonalData:
    """A model's declaration: `fields` maps each field holding personal data to its
    category; `not_personal` names every other field.

    What is kept from the person when they see their own data: `withheld` names fields
    left out of every row (e.g. where staff's connection shows), and `withheld_if` names
    a true/false field whose true rows are left out whole (staff's confidential notes)."""

    fields: dict
    not_personal: frozenset
    withheld: frozenset
    withheld_if: str | None

    def __init__(self, fields, not_personal=(), withheld=(), withheld_if=None):
        object.__setattr__(self, "fields", dict(fields))
        object.__setattr__(self, "not_personal", frozenset(not_personal))
        object.__setattr__(self, "withheld", frozenset(withheld))
        object.__setattr__(self, "withheld_if", withheld_if)

    def shown_fields(self):
        """The personal fields the person is shown, with their categories."""
        return {name: category for name, category in self.fields.items()
                if name not in self.withheld}

    def shown(self, row):
        """Whether the person is shown `row` at all."""
        return not (self.withheld_if and getattr(row, self.withheld_if))


def undeclared_fields(model):
    """Fields of `model` that its declaration names neither as personal nor as not."""
    declaration = getattr(model, "personal_data", None)
    names = set(model._meta.fields)
    if declaration is None:
        return names
    return names - set(declaration.fields) - declaration.not_personal


def withholding_problems(model):
    """What is wrong with what `model`'s declaration withholds: a withheld name that is
    not one of its personal fields, or a row rule that names no field of it."""
    declaration = model.personal_data
    problems = [f"{model.__name__}.{name} is withheld but not declared personal"
                for name in sorted(declaration.withheld - set(declaration.fields))]
    rule = declaration.withheld_if
    if rule is not None and rule not in model._meta.fields:
        problems.append(f"{model.__name__} withholds rows by {rule!r}, not a field of it")
    return problems
