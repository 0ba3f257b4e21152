"""The schema: every model, and the migrations in `migrations/` that build it."""

from pathlib import Path

from playhouse.migrations import Runner

from models.accounts.sessions import StaffSession
from models.accounts.users import Invitation, RecoveryCode, User
from models.analytics.counts import DIMENSIONS, DayTotals
from models.analytics.funnel import FunnelCount
from models.analytics.months import MONTHLY, MonthRolled
from models.analytics.settings import AnalyticsSettings
from models.analytics.visits import Hit, Salt
from models.backups.erasure_list import ErasedPerson, ErasureListKey
from models.backups.runs import BackupRun
from models.booking.bookings import Booking
from models.booking.generation import CalendarGeneration
from models.business.brand import BrandImage
from models.business.catalogue import (
    Break,
    ExtraHours,
    Service,
    StaffMember,
    StaffService,
    TimeOff,
    WorkingHours,
)
from models.exports.jobs import ExportJob
from models.messages.outbox import OutboxMessage
from models.money.numbers import NumberSeries
from models.money.settings import MoneySettings, ServiceVat
from models.money.vouchers import (
    Invoice,
    InvoicePayment,
    InvoiceRow,
    PaymentReminder,
    Sale,
    SaleRow,
)
from models.people.contact_requests import ContactAnswer, ContactRequest
from models.people.customers import Customer
from models.people.notes import CustomerNote
from models.privacy.audit import AuditEntry
from models.privacy.breaches import Breach
from models.privacy.consents import Consent, CookieChoice
from models.privacy.data_requests import DataRequest, DataRequestEvent
from models.privacy.erasure import TableRewrite
from models.privacy.my_data import AccessLink
from models.privacy.periods import RetentionPeriod
from models.privacy.statements import PrivacyStatement, Processor

from . import db
from .business import Business, DayException
from .demo_marks import DemoMark
from .duties import DutyRun
from .rate_limits import RateLimitEntry

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

MODELS = (
    Business,
    DayException,
    Service,
    StaffMember,
    StaffService,
    WorkingHours,
    Break,
    TimeOff,
    ExtraHours,
    Customer,
    Booking,
    User,
    RecoveryCode,
    Invitation,
    CustomerNote,
    AuditEntry,
    OutboxMessage,
    ContactRequest,
    ContactAnswer,
    Breach,
    RetentionPeriod,
    DataRequest,
    DataRequestEvent,
    AccessLink,
    Consent,
    CookieChoice,
    PrivacyStatement,
    Processor,
    DutyRun,
    TableRewrite,
    StaffSession,
    RateLimitEntry,
    MoneySettings,
    ServiceVat,
    NumberSeries,
    Sale,
    SaleRow,
    Invoice,
    InvoiceRow,
    InvoicePayment,
    PaymentReminder,
    DemoMark,
    ExportJob,
    CalendarGeneration,
    BackupRun,
    ErasedPerson,
    ErasureListKey,
    *DIMENSIONS.values(),
    FunnelCount,
    DayTotals,
    Salt,
    Hit,
    AnalyticsSettings,
    *MONTHLY.values(),
    MonthRolled,
    BrandImage,
)

# Kept by the database alone, not declared on a model: the exclusion constraint that
# refuses overlapping bookings on PostgreSQL.
DATABASE_ONLY_INDEXES = {
    "booking_no_overlap",
    # PostgreSQL's trigram indexes for searching the register by any part of a word.
    "customer_name_trigram",
    "customer_email_trigram",
    "customer_phone_trigram",
    # An expression index for finding the same name in any case, and its companion on
    # the phone number (migration 0030).
    "customer_name_lower",
    "customer_phone",
}

# Retention of the audit log, which the database enforces: younger entries cannot be
# deleted (issue: the retention purge deletes older ones).
AUDIT_MONTHS = 36


def pending_migrations():
    """The names of the migrations not yet applied."""
    runner = Runner(db.obj, directory=str(MIGRATIONS))
    return [migration.name for migration in runner.status()
            if migration.path is not None and not migration.applied]


def migrate():
    """Apply every migration not yet applied; return their names."""
    with db.connection_context():
        return Runner(db.obj, directory=str(MIGRATIONS)).up()
