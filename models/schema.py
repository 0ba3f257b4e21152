"""The schema: every model, and the migrations in `migrations/` that build it."""

from pathlib import Path

from playhouse.migrations import Runner

from . import db
from .audit import AuditEntry
from .bookings import Booking
from .breaches import Breach
from .business import Business, DayException
from .catalogue import (
    Break,
    ExtraHours,
    Service,
    StaffMember,
    StaffService,
    TimeOff,
    WorkingHours,
)
from .consents import Consent, CookieChoice
from .contact_requests import ContactRequest
from .customers import Customer
from .data_requests import DataRequest, DataRequestEvent
from .duties import DutyRun
from .erasure import TableRewrite
from .my_data import AccessLink
from .notes import CustomerNote
from .outbox import OutboxMessage
from .periods import RetentionPeriod
from .rate_limits import RateLimitEntry
from .sessions import StaffSession
from .statements import PrivacyStatement, Processor
from .users import Invitation, RecoveryCode, User

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
)

# Kept by the database alone, not declared on a model: the exclusion constraint that
# refuses overlapping bookings on PostgreSQL.
DATABASE_ONLY_INDEXES = {
    "booking_no_overlap",
    # PostgreSQL's trigram indexes for searching the register by any part of a word.
    "customer_name_trigram",
    "customer_email_trigram",
    "customer_phone_trigram",
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
