"""The breach log: every personal-data breach the business notices, what it did about it,
and the 72 hours it has to tell the data protection authority (GDPR Art 33 and 34).

A breach is recorded whatever its risk: Art 33(5) asks the controller to document every
breach, also those it need not report."""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from engines.clock import HELSINKI, local, naive_utc, utc_now
from models import BaseModel
from models.accounts.users import User
from models.business.settings import InvalidSetting, parse_day, parse_time_of_day
from models.privacy.declaration import STAFF, PersonalData

# The risk to people's rights and freedoms, as Art 33 and 34 grade it: no risk (record
# only), a risk (tell the authority), a high risk (tell the people affected as well).
NO_RISK = "none"
RISK = "low"
HIGH_RISK = "high"
RISKS = (NO_RISK, RISK, HIGH_RISK)

# Art 33(1): the authority is told within 72 hours of the business becoming aware.
NOTIFY_WITHIN = timedelta(hours=72)


class BreachRefused(ValueError):
    """Values a breach cannot have; `field` is where the message belongs."""

    def __init__(self, code, field):
        super().__init__(code)
        self.code = code
        self.field = field


class Breach(BaseModel):
    what_happened = TextField()
    noticed_at = DateTimeField(index=True)
    happened_at = DateTimeField(null=True)
    data_affected = TextField()
    # How many people and who they are, as a count or a description, never their names.
    people_affected = TextField(default="")
    risk = CharField(max_length=4)
    authority_notified_at = DateTimeField(null=True)
    people_notified_at = DateTimeField(null=True)
    actions_taken = TextField(default="")
    created_by = ForeignKeyField(User, null=True, backref="breaches", on_delete="SET NULL")
    created_at = DateTimeField(default=utc_now)
    updated_at = DateTimeField(default=utc_now)

    personal_data = PersonalData(
        {"created_by": STAFF},
        not_personal=("id", "what_happened", "noticed_at", "happened_at", "data_affected",
                      "people_affected", "risk", "authority_notified_at",
                      "people_notified_at", "actions_taken", "created_at", "updated_at"),
    )

    @property
    def deadline(self):
        """When the authority must have been told, naive UTC."""
        return self.noticed_at + NOTIFY_WITHIN

    @property
    def settled(self):
        """Whether the 72-hour clock no longer runs."""
        return self.risk == NO_RISK or self.authority_notified_at is not None

    @property
    def people_to_notify(self):
        """A high risk whose people have not been told yet (Art 34)."""
        return self.risk == HIGH_RISK and self.people_notified_at is None


@dataclass(frozen=True)
class Clock:
    """The 72-hour clock of an open breach: whole hours left, or hours overdue."""

    hours_left: int
    hours_overdue: int

    @property
    def overdue(self):
        return self.hours_overdue > 0 or self.hours_left == 0


def clock(breach, now):
    """The clock of `breach` at `now` (aware), or None once it is settled.

    Hours left are rounded up (with 61.5 hours to go, the 62nd hour has begun), hours
    overdue down, so neither is shown earlier than it is true."""
    if breach.settled:
        return None
    remaining = (breach.deadline - naive_utc(now)).total_seconds() / 3600
    if remaining > 0:
        return Clock(hours_left=math.ceil(remaining), hours_overdue=0)
    return Clock(hours_left=0, hours_overdue=math.floor(-remaining))


def parse_moment(text):
    """A moment in Helsinki time, as a datetime-local input sends it (2026-11-24T14:30)
    or as a Finn writes it (24.11.2026 klo 14.30); aware."""
    parts = [part for part in re.split(r"[T\s]+", text.strip()) if part.lower() != "klo"]
    if len(parts) != 2:
        raise InvalidSetting("moment_invalid")
    try:
        moment = datetime.combine(parse_day(parts[0]), parse_time_of_day(parts[1][:5]))
    except InvalidSetting as error:
        raise InvalidSetting("moment_invalid") from error
    return moment.replace(tzinfo=HELSINKI)


def local_input_value(moment):
    """A stored (naive UTC) moment as a datetime-local input's value in Helsinki time."""
    if moment is None:
        return ""
    return local(moment).strftime("%Y-%m-%dT%H:%M")


def newest_first():
    return Breach.select().order_by(Breach.noticed_at.desc(), Breach.id.desc())


MOMENTS = ("noticed_at", "happened_at", "authority_notified_at", "people_notified_at")


def check(values, now):
    """Refuse moments in the future and moments out of order. `values` holds aware
    datetimes (or None) under MOMENTS' names."""
    for name in MOMENTS:
        if values.get(name) is not None and values[name] > now:
            raise BreachRefused("future", name)
    noticed = values["noticed_at"]
    if values.get("happened_at") is not None and values["happened_at"] > noticed:
        raise BreachRefused("happened_after_noticed", "happened_at")
    for name in ("authority_notified_at", "people_notified_at"):
        if values.get(name) is not None and values[name] < noticed:
            raise BreachRefused("notified_before_noticed", name)
    if values["risk"] not in RISKS:
        raise BreachRefused("risk", "risk")


def save_breach(breach, values, now, user=None):
    """Store `values` (aware datetimes become naive UTC) in `breach`, new or old; return
    the names of the fields that changed (names only: the audit log gets these)."""
    check(values, now)
    stored = {name: naive_utc(value) if name in MOMENTS and value is not None else value
              for name, value in values.items()}
    changed = [name for name, value in stored.items() if getattr(breach, name) != value]
    for name, value in stored.items():
        setattr(breach, name, value)
    if breach.id is None:
        breach.created_by = user
        breach.created_at = breach.updated_at = naive_utc(now)
    elif changed:
        breach.updated_at = naive_utc(now)
    if breach.id is None or changed:
        breach.save()
    return changed
