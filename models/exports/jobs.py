"""Exports made in the background: the owner asks, the worker writes the file and counts
its progress, the owner downloads it once, within a day; then the file is deleted.

A job a worker was writing when it stopped (its heartbeat gone quiet) is taken again by
the next worker, from the start, so an export survives a restart."""

from datetime import timedelta
from pathlib import Path

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from engines.clock import naive_utc, utc_now
from models import BaseModel, db
from models.accounts.users import User
from models.privacy.declaration import STAFF, PersonalData

PENDING, RUNNING, DONE, FAILED, GONE = "pending", "running", "done", "failed", "gone"
KEPT_FOR = timedelta(days=1)
# A running job whose worker has not reported for this long is taken again.
QUIET_FOR = timedelta(minutes=2)
# Progress is written at most every so many rows.
PROGRESS_EVERY = 500


class ExportJob(BaseModel):
    user = ForeignKeyField(User, null=True, backref="export_jobs", on_delete="SET NULL")
    tables = CharField(max_length=200)  # the table names, comma-separated
    format = CharField(max_length=10)
    language = CharField(max_length=2, default="fi")
    status = CharField(max_length=10, default=PENDING)
    rows_total = IntegerField(default=0)
    rows_done = IntegerField(default=0)
    file_name = CharField(max_length=200, default="")
    error = TextField(default="")
    created_at = DateTimeField(default=utc_now)
    heartbeat_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)
    downloaded_at = DateTimeField(null=True)

    personal_data = PersonalData(
        {"user": STAFF, "created_at": STAFF},
        not_personal=("id", "tables", "format", "language", "status", "rows_total",
                      "rows_done", "file_name", "error", "heartbeat_at", "finished_at",
                      "downloaded_at"),
    )

    class Meta:
        table_name = "export_job"

    @property
    def table_names(self):
        return self.tables.split(",")

    @property
    def percent(self):
        if self.status in (DONE, GONE):
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self):
        return self.status in (DONE, FAILED, GONE)

    def expires_at(self):
        return self.finished_at + KEPT_FOR if self.finished_at else None

    def downloadable(self, now):
        return (self.status == DONE and self.downloaded_at is None
                and self.finished_at + KEPT_FOR > naive_utc(now))


def request_export(user, tables, format, language):
    """Queue an export of `tables` (names) for the worker."""
    return ExportJob.create(user=user, tables=",".join(tables), format=format,
                            language=language)


def recent(user, now, limit=10):
    """The user's jobs of the last day, newest first."""
    since = naive_utc(now) - KEPT_FOR
    return list(ExportJob.select().where((ExportJob.user == user)
                                         & (ExportJob.created_at >= since))
                .order_by(ExportJob.id.desc()).limit(limit))


def take_next(now):
    """Claim the oldest pending job (or one whose worker went quiet); None when there is
    none. The claim is one conditional update, so two workers never take the same job."""
    moment = naive_utc(now)
    waiting = (ExportJob.status == PENDING) | (
        (ExportJob.status == RUNNING) & (ExportJob.heartbeat_at < moment - QUIET_FOR))
    for job in ExportJob.select().where(waiting).order_by(ExportJob.id).limit(5):
        taken = (ExportJob.update(status=RUNNING, heartbeat_at=moment, rows_done=0)
                 .where((ExportJob.id == job.id) & (ExportJob.status == job.status)
                        & (ExportJob.heartbeat_at.is_null() if job.heartbeat_at is None
                           else ExportJob.heartbeat_at == job.heartbeat_at))
                 .execute())
        if taken:
            return ExportJob.get_by_id(job.id)
    return None


def report_progress(job, rows_total, rows_done, now):
    ExportJob.update(rows_total=rows_total, rows_done=rows_done,
                     heartbeat_at=naive_utc(now)).where(ExportJob.id == job.id).execute()


def finish(job, file_name, rows_done, now):
    ExportJob.update(status=DONE, file_name=file_name, rows_done=rows_done,
                     rows_total=rows_done, finished_at=naive_utc(now)).where(
        ExportJob.id == job.id).execute()


def fail(job, error, now):
    ExportJob.update(status=FAILED, error=error[:1000], finished_at=naive_utc(now)).where(
        ExportJob.id == job.id).execute()


def claim_download(job_id, user, now):
    """The job if `user` may download its file now, marked downloaded; else None. Only
    one download succeeds, however many ask at once."""
    moment = naive_utc(now)
    with db.atomic():
        taken = (ExportJob.update(downloaded_at=moment)
                 .where((ExportJob.id == job_id) & (ExportJob.user == user)
                        & (ExportJob.status == DONE) & ExportJob.downloaded_at.is_null()
                        & (ExportJob.finished_at > moment - KEPT_FOR))
                 .execute())
    return ExportJob.get_by_id(job_id) if taken else None


def file_gone(job):
    ExportJob.update(status=GONE).where(ExportJob.id == job.id).execute()


def clean_up(folder, now):
    """Delete the files downloaded or older than a day; how many were deleted."""
    moment = naive_utc(now)
    done = ExportJob.select().where(
        (ExportJob.status == DONE)
        & (ExportJob.downloaded_at.is_null(False) | (ExportJob.finished_at <= moment - KEPT_FOR)))
    deleted = 0
    for job in done:
        path = Path(folder) / job.file_name
        if job.file_name and path.exists():
            path.unlink()
            deleted += 1
        file_gone(job)
    return deleted
