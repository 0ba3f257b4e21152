"""The periodic duties: sending the outbox, queueing reminders, the retention purge.

`flask --app app outbox` sends what is due once; `flask --app app worker` runs every duty
on its own schedule until stopped (or each once, with --once, for cron). Any number of
workers may run at once: a message is claimed before it is sent, and a reminder is
queued under a key that admits it once.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from flask import current_app
from peewee import DatabaseError, InterfaceError

import models
from engines import clock
from models import duties
from models.analytics import visits
from models.backups import Settings, keeping
from models.business import Business
from models.exports import chosen_tables
from models.exports import jobs as export_jobs
from models.messages import outbox
from models.messages.outbox import OutboxMessage
from models.privacy import erasure, retention
from models.privacy.audit import record as audit_record
from models.privacy.declaration import EMAIL
from web.exports import exports_folder, file_name, write_export

from .delivery import DeliveryFailed, delivery_for, forget_saved_mail
from .messages import Skip, compose

log = logging.getLogger(__name__)


@dataclass
class Sent:
    """What one round of sending did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    given_up: int = 0

    def __bool__(self):
        return bool(self.sent or self.failed or self.skipped or self.given_up)

    def __str__(self):
        return (f"{self.sent} sent, {self.failed} failed (to be retried), "
                f"{self.given_up} could not be written, {self.skipped} skipped")


# Errors in writing a message that another try may not meet: the database was busy or
# out of reach. Any other error is in the message's data or the code, and comes back on
# every try.
TEMPORARY = (DatabaseError, InterfaceError)


@dataclass
class Sender:
    """One run of sending: where it hands messages over, how long it holds a claim,
    its token for the claims, and its clock (the real time plus `shift`)."""

    delivery: object
    claim: timedelta
    shift: timedelta
    token: str = field(default_factory=outbox.new_sender)

    def moment(self):
        return clock.now() + self.shift


def send_due(now=None, delivery=None, claim=outbox.CLAIM):
    """Send every message that is due; each is claimed first, at the moment it is taken
    and for `claim`, so a message another sender holds is left to it. `now` (a test's
    moment) shifts the run's clock so that the run starts then."""
    app = current_app._get_current_object()
    sender = Sender(delivery or delivery_for(app.config, app.instance_path), claim,
                    now - clock.now() if now else timedelta(0))
    result = Sent()
    base_url = app.config["BASE_URL"].rstrip("/")
    try:
        with app.test_request_context("/", base_url=base_url):
            # In batches, until nothing is due that another sender has not taken.
            while batch := outbox.due_ids(sender.moment()):
                for message_id in batch:
                    if outbox.claim(message_id, sender.token, sender.moment(), claim):
                        message = OutboxMessage.get_by_id(message_id)
                        _send_one(message, sender, result)
                        if message.kind in outbox.FORGOTTEN_ONCE_SENT:
                            erasure.overwrite_freed_pages()  # the address it had
    finally:
        sender.delivery.close()
    return result


def _send_one(message, sender, result):
    written = _write(message, sender, result)
    if written is None:
        return
    letter, email = written
    # Writing it may have taken longer than the claim: sent only while still held.
    if not outbox.hold(message, sender.token, sender.moment(), sender.claim):
        log.warning("message %s was taken over by another sender", message.id)
        return
    try:
        sender.delivery.send(email)
    except DeliveryFailed as error:
        log.warning("sending message %s failed: %s", message.id, error)
        outbox.mark_failed(message, sender.token, sender.moment(), error, letter.to,
                           letter.subject)
        result.failed += 1
        return
    if message.kind in outbox.FORGOTTEN_ONCE_SENT:
        # Before it is marked sent: a crash in between sends it (and forgets it) again.
        sender.delivery.forget(email)
    if not outbox.mark_sent(message, sender.token, sender.moment(), letter.to,
                            letter.subject):
        log.warning("message %s was sent after another sender took it over", message.id)
    result.sent += 1


def _write(message, sender, result):
    """The letter and e-mail of `message`, or None when it is not to be sent now: it
    is dropped, to be tried again, or given up because it can never be written."""
    try:
        return compose(message, sender.moment())
    except Skip as reason:
        outbox.mark_dropped(message, sender.token, sender.moment(), f"not sent: {reason}")
        result.skipped += 1
    except TEMPORARY as error:
        log.warning("could not write message %s for now: %s", message.id, error)
        outbox.mark_failed(message, sender.token, sender.moment(),
                           f"could not be written: {error}")
        result.failed += 1
    except Exception as error:  # a message that cannot be written must not stop the rest
        log.exception("could not write message %s", message.id)
        outbox.mark_failed(message, sender.token, sender.moment(),
                           f"could not be written: {type(error).__name__}: {error}",
                           for_good=True)
        result.given_up += 1
    return None


def queue_reminders(now=None):
    now = now or clock.now()
    with models.write_transaction():
        return outbox.queue_reminders(now, Business.current().reminder_hours)


def purge_expired(now=None):
    """Delete the personal data past its retention period, saved e-mail files too; what
    was deleted, in words."""
    now = now or clock.now()
    done = retention.summary(retention.purge(now))
    files = forget_saved_mail(current_app.instance_path,
                              retention.cutoff(EMAIL, now).replace(tzinfo=UTC))
    return "; ".join(part for part in (done, files and f"saved e-mail files: {files}") if part)


def backup_settings():
    """The backup settings of the app in whose context it runs."""
    return Settings.from_config(current_app.config, current_app.instance_path)


def make_backup(now=None):
    """The daily backup, when keys are set (the back office tells the owner when not)."""
    settings = backup_settings()
    if not settings.configured:
        return ""
    made = keeping.back_up(settings, now or clock.now())
    return f"backup of {made.size} bytes written and checked"


def write_erasure_list(now=None):
    """The list of erasures beside the backups, within a minute of an erasure."""
    settings = backup_settings()
    if settings.configured and keeping.write_erasure_list(settings, now or clock.now()):
        return "list of erasures written"
    return ""


def run_exports(now=None):
    """Write the exports the owner asked for, one after another, reporting progress; then
    delete the files downloaded or a day old. What was done, in words."""
    folder = exports_folder(current_app.instance_path)
    written = 0
    while job := export_jobs.take_next(now or clock.now()):
        _write_job(job, folder)
        written += 1
    deleted = export_jobs.clean_up(folder, now or clock.now())
    return ", ".join(part for part in (written and f"{written} written",
                                       deleted and f"{deleted} files deleted") if part)


def _write_job(job, folder):
    tables = chosen_tables(job.table_names)
    counts = {table.name: table.count() for table in tables}
    total = sum(counts.values())
    done = 0

    def counted():
        nonlocal done
        done += 1
        if done % export_jobs.PROGRESS_EVERY == 0:
            export_jobs.report_progress(job, total, done, clock.now())

    export_jobs.report_progress(job, total, 0, clock.now())
    name = file_name(job.format, clock.now())
    unfinished = folder / f"{name}.part"
    try:
        write_export(tables, job.format, unfinished, job.language, counted)
        unfinished.rename(folder / name)
    except Exception as error:
        log.exception("export %s failed", job.id)
        unfinished.unlink(missing_ok=True)
        export_jobs.fail(job, f"{type(error).__name__}: {error}", clock.now())
        return
    export_jobs.finish(job, name, done, clock.now())
    audit_record("data.export", user=job.user_id,
                 details=export_details(job.id, job.format, counts, done))


def export_details(job_id, format, counts, rows):
    """What the audit log says of an export: which tables, how many rows (never a value)."""
    tables = ", ".join(f"{name} {number}" for name, number in counts.items())
    return f"export {job_id or 'on the command line'}, {format}: {tables}; {rows} rows"


@dataclass(frozen=True)
class Duty:
    name: str
    every: timedelta
    run: object
    # Its turns are kept in the database, shared by every worker and every cron run of
    # `worker --once`, so it runs once a period in all. Duties that are safe to run any
    # time (the outbox claims each message, a reminder is queued under a unique key) run
    # whenever they are asked.
    once_a_period: bool = False


DUTIES = (
    Duty("reminders", timedelta(minutes=1), queue_reminders),
    Duty("outbox", timedelta(seconds=20), send_due),
    Duty("retention", timedelta(days=1), purge_expired, once_a_period=True),
    # It acts only at night (models.privacy.erasure.NIGHT), so it looks every hour.
    Duty("rewrite", timedelta(hours=1), erasure.rewrite_erased_tables),
    Duty("backup", timedelta(days=1), make_backup, once_a_period=True),
    Duty("erasure-list", timedelta(minutes=1), write_erasure_list),
    # The owner waits for an export on its page: taken within seconds.
    Duty("exports", timedelta(seconds=5), run_exports),
    # Often enough that no raw row or salt outlives its 48 hours by more than minutes.
    Duty("analytics", timedelta(minutes=10), visits.roll_up),
)
DUTY_BY_NAME = {duty.name: duty for duty in DUTIES}


def run_duties(due, now):
    """Run each duty in `due`, a duty run once a period only when its turn has come
    (`models.duties` keeps the turns), each in its own connection; one that fails
    is logged and tried again on its next turn, and does not stop the others. Each run,
    done or failed, is recorded."""
    for duty in due:
        try:
            with models.db.connection_context():
                if duty.once_a_period and not duties.take_turn(duty.name, now, duty.every):
                    continue
                outcome = duty.run(now=now)
            if outcome:
                log.info("%s: %s", duty.name, outcome)
            result = str(outcome) if outcome else ""
        except Exception as error:
            log.exception("duty %s failed", duty.name)
            result = f"{duties.FAILED}: {type(error).__name__}"
        _record_run(duty, now, result)


def _record_run(duty, now, result):
    try:
        with models.db.connection_context():
            duties.record_run(duty.name, now, result)
    except Exception:  # the record is for the back office; the duties go on without it
        log.exception("could not record the run of duty %s", duty.name)


def next_run(name, last_run_at):
    """When the duty `name` runs next, at the latest, after a run at `last_run_at`."""
    return last_run_at + DUTY_BY_NAME[name].every


def run_forever(stop=lambda: False, tick=5.0):
    """Run every duty when its turn comes, until `stop()` is true."""
    next_turn = {duty.name: 0.0 for duty in DUTIES}
    while not stop():
        started = time.monotonic()
        due = [duty for duty in DUTIES if next_turn[duty.name] <= started]
        run_duties(due, clock.now())
        for duty in due:
            next_turn[duty.name] = started + duty.every.total_seconds()
        time.sleep(tick)
