"""The site's health, for a load balancer or an uptime monitor: whether the database
answers and its schema is current, how the outbox keeps up, and when each of the
worker's duties last ran. Counts and times only, never personal data."""

from peewee import fn

from engines.clock import utc_now
from models import db, schema
from models.messages import outbox
from models.messages.outbox import OutboxMessage

from .duties import DutyRun

# Mail waiting longer than this means no worker is sending.
OUTBOX_LATE_SECONDS = 15 * 60


def report(periods):
    """The health report as a dict; `periods` maps each duty's name to how often it
    runs, and a duty not run for two of its periods counts as late. `ok` is False when
    anything needs someone's attention."""
    now = utc_now()
    db.execute_sql("SELECT 1")
    pending = schema.pending_migrations()
    backlog, oldest_due = OutboxMessage.select(
        fn.COUNT(OutboxMessage.id), fn.MIN(OutboxMessage.due_at)).where(
        OutboxMessage.sent_at.is_null() & OutboxMessage.failed_at.is_null()
        & (OutboxMessage.due_at <= now)).tuples().get()
    oldest_seconds = int((now - oldest_due).total_seconds()) if oldest_due else 0
    given_up = outbox.given_up().count()
    runs = {run.name: run for run in DutyRun.select()}
    duties = {}
    for name, every in periods.items():
        run = runs.get(name)
        age = int((now - run.last_run_at).total_seconds()) if run else None
        duties[name] = {
            "last_run_seconds_ago": age,
            "late": age is not None and age > 2 * every.total_seconds(),
            "last_run_failed": bool(run and run.failed),
        }
    problems = (
        (["migrations pending"] if pending else [])
        + (["outbox late"] if oldest_seconds > OUTBOX_LATE_SECONDS else [])
        + [f"{name} late" for name, duty in duties.items() if duty["late"]]
        + [f"{name} failed" for name, duty in duties.items() if duty["last_run_failed"]]
    )
    return {
        "ok": not problems,
        "problems": problems,
        "database": "ok",
        "migrations_pending": len(pending),
        "outbox": {"due": backlog, "oldest_due_seconds": oldest_seconds,
                   "given_up": given_up},
        "duties": duties,
    }
