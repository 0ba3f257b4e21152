"""The record of each backup made: when, its file and size, whether it was checked, or
what went wrong. The back office and the health check read the last one."""

from datetime import timedelta

from peewee import BigIntegerField, BooleanField, CharField, DateTimeField, FloatField, TextField

from engines.clock import naive_utc, utc_now
from models import BaseModel
from models.privacy.declaration import PersonalData

# A daily backup older than this was missed (a day and two hours of leeway).
LATE = timedelta(hours=26)

OK, LATE_STATUS, FAILED, NONE, NOT_CONFIGURED = "ok", "late", "failed", "none", "off"


class BackupRun(BaseModel):
    made_at = DateTimeField(index=True)
    file_name = CharField(max_length=200, default="")
    size = BigIntegerField(default=0)
    checked = BooleanField(default=False)
    seconds = FloatField(default=0)
    # Why it failed, in words (never personal data); "" for a backup made.
    problem = TextField(default="")

    personal_data = PersonalData({}, not_personal=("id", "made_at", "file_name", "size",
                                                   "checked", "seconds", "problem"))

    @property
    def failed(self):
        return bool(self.problem)


def record(now, made=None, problem=""):
    """Record a backup made at `now` (aware): the archive.Made, or the problem."""
    return BackupRun.create(
        made_at=naive_utc(now), problem=problem,
        **({"file_name": made.path.name, "size": made.size, "checked": made.checked,
            "seconds": round(made.seconds, 2)} if made else {}))


def last():
    return BackupRun.select().order_by(BackupRun.made_at.desc(), BackupRun.id.desc()).first()


def last_made():
    return (BackupRun.select().where(BackupRun.problem == "")
            .order_by(BackupRun.made_at.desc(), BackupRun.id.desc()).first())


def status(configured):
    """How backups stand: NOT_CONFIGURED without keys, NONE before the first, FAILED
    when the last try failed, LATE when the last backup is older than LATE, else OK."""
    if not configured:
        return NOT_CONFIGURED
    latest, made = last(), last_made()
    if latest is None:
        return NONE
    if latest.failed:
        return FAILED
    return LATE_STATUS if utc_now() - made.made_at > LATE else OK


def age_seconds():
    """Seconds since the last backup made, or None before the first."""
    made = last_made()
    return int((utc_now() - made.made_at).total_seconds()) if made else None
