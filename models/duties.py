"""When each of the worker's periodic duties last ran: the back office tells from it when
the retention purge ran and when it runs next, and every worker takes a duty's turn here,
so that a turn runs once however many workers (or cron runs of `worker --once`) there are."""

from peewee import CharField, DateTimeField, TextField

from engines.clock import naive_utc
from models.privacy.declaration import PersonalData

from . import BaseModel, db

# What a failed run records as its result, before the kind of error.
FAILED = "failed"


class DutyRun(BaseModel):
    name = CharField(max_length=40, unique=True)
    last_run_at = DateTimeField()
    # What the run did in words (counts only, never personal data), "" for nothing,
    # or "failed: …" with the kind of error.
    last_result = TextField(default="")

    personal_data = PersonalData({}, not_personal=("id", "name", "last_run_at",
                                                   "last_result"))

    @property
    def failed(self):
        return self.last_result.startswith(FAILED)


def record_run(name, at, result=""):
    """Record that the duty `name` ran at `at` (an aware datetime) with `result`."""
    at = naive_utc(at)
    (DutyRun.insert(name=name, last_run_at=at, last_result=result)
     .on_conflict(conflict_target=[DutyRun.name],
                  update={DutyRun.last_run_at: at, DutyRun.last_result: result})
     .execute())


def take_turn(name, now, every):
    """Whether the duty `name` is due at `now` (an aware datetime), a period of `every`
    after its last run; if so the turn is taken in one conditional write, so that of two
    workers asking at once only one gets it. A duty that never ran is due."""
    at = naive_utc(now)
    with db.atomic():
        DutyRun.insert(name=name, last_run_at=at - every).on_conflict_ignore().execute()
        return DutyRun.update(last_run_at=at).where(
            (DutyRun.name == name) & (DutyRun.last_run_at <= at - every)).execute() == 1


def last_run(name):
    """The record of the duty's last run, or None when it has not run."""
    return DutyRun.get_or_none(DutyRun.name == name)
